/** The fields of a problem that golden files record (not path, logLine or step, which follow from them). */
import type { Problem } from '../../src/core/model';

export type GoldenProblem = Pick<
  Problem,
  'file' | 'line' | 'column' | 'severity' | 'tool' | 'message' | 'test'
> & {
  code?: string;
};

export function golden(p: Problem): GoldenProblem {
  return {
    file: p.file,
    line: p.line,
    column: p.column,
    severity: p.severity,
    tool: p.tool,
    ...(p.code !== undefined ? { code: p.code } : {}),
    message: p.message,
    test: p.test,
  };
}
