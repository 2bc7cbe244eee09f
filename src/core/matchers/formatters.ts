/**
 * Format checks that name a file but no line: black `--check` (`would reformat path`, also with
 * `--diff`), `ruff format --check` (`Would reformat: path`) and isort `--check-only`
 * (`ERROR: path Imports are incorrectly sorted and/or formatted.`). Each is an error on the file.
 * black's `error: cannot format path: Cannot parse: line:col: ...` is an error at that line.
 */
import type { FramedLine } from '../framing';
import type { Matcher, MatcherContext, Wake } from '../matcher';

const ISORT = ' Imports are incorrectly sorted';
const BLACK_PARSE = /: (\d{1,7}):(\d{1,7}): /;
const BLACK_CANNOT = /^error: cannot format (.+?\.pyi?|.+?\.ipynb): (.*)$/;

export const FORMATTERS_WAKE: Wake = { first: 'wWEe' };

export function createFormattersMatcher(): Matcher {
  return {
    name: 'formatters',
    wake: FORMATTERS_WAKE,
    line(l: FramedLine, ctx: MatcherContext): void {
      const t = l.text;
      // Never read past the end: a charCodeAt that once did stays slow.
      if (t.length === 0) return;
      const c = t.charCodeAt(0);
      if (c === 119 /* w */ && t.startsWith('would reformat ')) {
        const file = t.slice(15).trim();
        if (file.length > 0) {
          ctx.emit({ file, line: null, severity: 'error', tool: 'black', message: `would reformat ${file}` });
        }
      } else if (c === 87 /* W */ && t.startsWith('Would reformat: ')) {
        const file = t.slice(16).trim();
        if (file.length > 0) {
          ctx.emit({ file, line: null, severity: 'error', tool: 'ruff', message: `Would reformat: ${file}` });
        }
      } else if (c === 69 /* E */ && t.startsWith('ERROR: ')) {
        const i = t.indexOf(ISORT);
        if (i > 7) {
          const file = t.slice(7, i);
          ctx.emit({ file, line: null, severity: 'error', tool: 'isort', message: t.slice(7).trim() });
        }
      } else if (c === 101 /* e */ && t.startsWith('error: cannot format ')) {
        const m = BLACK_CANNOT.exec(t);
        if (!m) return;
        const at = BLACK_PARSE.exec(m[2]!);
        ctx.emit({
          file: m[1]!,
          line: at ? Number(at[1]) : null,
          column: at ? Number(at[2]) : null,
          severity: 'error',
          tool: 'black',
          message: t.slice(7),
        });
      }
    },
  };
}
