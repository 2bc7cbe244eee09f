/**
 * The TypeScript compiler (tsc, vue-tsc, tsc -b): `path(line,col): error TS2345: msg` (`--pretty false`, the
 * GitHub problem matcher's `##[error]path(line,col): ...` re-print) and the pretty `path:line:col - error TS2345:
 * msg`. Continuation and related-information lines are indented, so only unindented lines are diagnostics;
 * indented ones belong to someone else's block (ts-jest prints them inside a jest failure).
 */
import type { Matcher, Wake } from '../matcher';
import { LINE_COLON_SPACE } from '../matcher';

export interface TsDiagnostic {
  file: string | null;
  line: number | null;
  column: number | null;
  category: 'error' | 'warning';
  /** `TS2345` */
  code: string;
  /** From the category on: `error TS2345: Argument of type ...`. */
  rest: string;
  /** From the code on: `TS2345: Argument of type ...`. */
  message: string;
}

const PAREN_LOC = /^(.{1,1000})\((\d{1,9}),(\d{1,9})\): $/;
const PRETTY_LOC = /^(.{1,1000}):(\d{1,9}):(\d{1,9}) - $/;
const CODE = /^TS\d{1,6}: /;

/** Parses one tsc diagnostic line (no leading whitespace expected), or returns null. */
export function parseTsDiagnostic(s: string): TsDiagnostic | null {
  let category: TsDiagnostic['category'] = 'error';
  let at = s.indexOf('error TS');
  if (at < 0) {
    at = s.indexOf('warning TS');
    if (at < 0) return null;
    category = 'warning';
  }
  const codeAt = at + (category === 'error' ? 6 : 8);
  const tail = s.slice(codeAt);
  const cm = CODE.exec(tail);
  if (!cm) return null;
  const code = cm[0].slice(0, cm[0].length - 2);
  const base = { category, code, rest: s.slice(at), message: tail };
  if (at === 0) return { file: null, line: null, column: null, ...base };
  const prefix = s.slice(0, at);
  const m = prefix.endsWith('): ')
    ? PAREN_LOC.exec(prefix)
    : prefix.endsWith(' - ')
      ? PRETTY_LOC.exec(prefix)
      : null;
  if (!m) return null;
  let file = m[1]!;
  // Monorepo runners prefix each line with the package and task (`web:typecheck: src/a.ts(1,2): ...`).
  const sep = file.lastIndexOf(': ');
  if (sep >= 0) file = file.slice(sep + 2);
  if (file.length === 0 || file.charCodeAt(0) === 32 || file.charCodeAt(0) === 9) return null;
  const line = Number(m[2]);
  // Line 0 is no line (tsc prints 1-based lines; a 0 is someone else's text).
  return { file, line: line >= 1 ? line : null, column: Number(m[3]), ...base };
}

// Every diagnostic holds the `: ` after its code (`TS2345: `).
const WAKE: Wake = { flags: LINE_COLON_SPACE, needs: ['TS'] };

export function createTscMatcher(): Matcher {
  return {
    name: 'tsc',
    wake: WAKE,
    line(l, ctx) {
      const s = l.text;
      const c = s.length > 0 ? s.charCodeAt(0) : -1;
      if (c === 32 || c === 9) return;
      // `TS` (rare first letter) is a much cheaper search than ` TS` or `error TS`.
      if (s.indexOf('TS') < 0) return;
      const d = parseTsDiagnostic(s);
      if (!d) return;
      ctx.emit({
        file: d.file,
        line: d.line,
        column: d.column,
        severity: d.category,
        tool: 'tsc',
        code: d.code,
        message: d.message,
      });
    },
  };
}
