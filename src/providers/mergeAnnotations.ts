/**
 * Check-run annotations merged into the problems parsed from the log. A `::error file=x,line=3::msg`
 * shows in the raw log as `##[error]msg` with no file: the annotation gives the file and line back.
 */
import type { Problem } from '../core/model';
import type { Annotation } from './ciProvider';

// GitHub adds these itself; they restate the exit code, not a problem in the code.
const NOISE =
  /^(?:Process completed with exit code \d+\.?|The operation was canceled\.?|The job was not started because .*)$/;

export function mergeAnnotations(
  problems: readonly Problem[],
  annotations: readonly Annotation[],
): Problem[] {
  const out = problems.map((p) => ({ ...p }));
  for (const a of annotations) {
    const message = firstLine(a.message);
    if (message === '' || NOISE.test(message)) continue;
    const same = out.find(
      (p) =>
        firstLine(p.message) === message ||
        (a.file !== null &&
          a.line !== null &&
          p.line === a.line &&
          p.file !== null &&
          sameFile(p.file, a.file) &&
          p.message.includes(message.slice(0, 40))),
    );
    if (same) {
      if (same.file === null && a.file !== null) {
        same.file = a.file;
        same.path = a.file;
        same.line = a.line;
        same.column = a.column;
      }
      continue;
    }
    out.push({
      file: a.file,
      path: a.file,
      line: a.line,
      column: a.column,
      ...(a.endLine !== null ? { endLine: a.endLine } : {}),
      ...(a.endColumn !== null ? { endColumn: a.endColumn } : {}),
      severity: a.severity,
      tool: 'annotation',
      message,
      test: null,
      // Not printed in the log: 0 says so.
      logLine: 0,
      step: null,
    });
  }
  return out;
}

function firstLine(s: string): string {
  const i = s.indexOf('\n');
  return (i < 0 ? s : s.slice(0, i)).trim();
}

function sameFile(a: string, b: string): boolean {
  const x = a.replace(/\\/g, '/').replace(/^\.\//, '');
  const y = b.replace(/\\/g, '/').replace(/^\.\//, '');
  return x === y || x.endsWith('/' + y) || y.endsWith('/' + x);
}
