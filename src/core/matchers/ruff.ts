/**
 * ruff check: the concise format `path:line:col: CODE [*] message` (also the header of the older full
 * format, followed by a code frame), the newer full format (`CODE [*] message` then ` --> path:line:col`),
 * diagnostics without a code (syntax errors, unreadable notebooks), and ruff's own `warning:` lines about
 * its configuration or invocation, which are labelled warnings with no file.
 *
 * flake8 prints the same line shape; a line is ruff's when it carries the `[*]` fix marker or no code,
 * when the step runs ruff and not flake8, or when its code is one only ruff uses. `ruff format --check`
 * lines belong to the formatters matcher.
 */
import type { FramedLine } from '../framing';
import type { Matcher, MatcherContext, Wake } from '../matcher';
import { LINE_LOCATION, mayBeLocation } from '../matcher';
import type { LinterHint } from './flake8';
import { HINT_WAKE, RULE_CODE, isPythonPath, linterHintOf, parseLintLine } from './flake8';

// Rule families that exist in ruff only (flake8 plugins spell theirs differently).
const RUFF_ONLY_CODE = /^(?:RUF|PL[CERW]|UP|FURB|PERF|FAST|AIR|PGH|FLY|TRY|NPY|ERA|PTH|TID|ICN)\d/;
// The newer full format's header: `F401 [*] message` or `invalid-syntax: message`.
const FULL_HEADER = /^(?:([A-Z]{1,6}\d{1,5}) .+|([a-z][a-z0-9-]{2,40}): .+)$/;
const FULL_LOCATION = /^\s{0,12}--> ((?:[A-Za-z]:)?[^:\s][^:]{0,500}?):(\d{1,7}):(\d{1,7})$/;
// `--output-format=grouped`: a `path:` line, then `  line:col CODE [*] message` lines.
const GROUPED_ITEM = /^ {2}(\d{1,7}):(\d{1,7}) (\S.*)$/;
const NOT_RUFF_HEADER = /^(?:error|warning|note|help|info|hint|caused by|cause)$/;
// Other tools' diagnostics in the same `path:line:col: rest` shape.
const FOREIGN_REST = /^(?:[CRWEFI]\d{4}: |(?:error|warning|note): )/;
// uv runs ruff in many workflows and prints its own `warning:` lines.
const UV_WARNING = /\buv\b|VIRTUAL_ENV|hardlink|requires-python|uninstall|dist-info/;
// pip's `error: subprocess-exited-with-error` (and the like) and black's parse failures share the step.
const NOT_RUFF_ERROR = /^error: (?:[a-z]+(?:-[a-z]+)+$|cannot format )/;
// What the hint reads, `warning:`/`error:` lines, the full format's ` --> ` (after white space), grouped
// `path:` headers and `path:line` diagnostics.
const WAKE: Wake = {
  prefixes: [...HINT_WAKE.prefixes, 'warning: ', 'error: ', '--> '],
  // `-` or another `\s` character (arrowAfterSpaces) after the leading spaces.
  indented:
    '-\t\n\v\f\r\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff',
  last: ':',
  flags: HINT_WAKE.flags | LINE_LOCATION,
  commands: HINT_WAKE.commands,
};

export function createRuffMatcher(): Matcher {
  let hint: LinterHint | null = null;
  let groupFile: string | null = null;
  return {
    name: 'ruff',
    wake: WAKE,
    /** After a grouped `path:` header, and in the step's header. */
    get busy(): boolean {
      return groupFile !== null || (hint !== null && hint.busy);
    },
    line(l: FramedLine, ctx: MatcherContext): void {
      const t = l.text;
      const colon = l.colon;
      hint ??= linterHintOf(ctx);
      hint.update(l, colon);
      if (groupFile === null) {
        // Cheap rejection of the lines none of the tests below can take.
        const n = t.length;
        if (n === 0) return;
        const c = t.charCodeAt(0);
        if (
          c === 32
            ? !arrowAfterSpaces(t)
            : c !== 119 /* w */ &&
              c !== 101 /* e */ &&
              c !== 45 /* - */ &&
              t.charCodeAt(n - 1) !== 58 /* : */ &&
              !mayBeLocation(t, colon)
        )
          return;
      }
      if (ctx.claimed || t.length === 0) {
        groupFile = null;
        return;
      }
      const c = t.charCodeAt(0);
      if (groupFile !== null) {
        const g = c === 32 ? GROUPED_ITEM.exec(t) : null;
        if (g) {
          const code = RULE_CODE.exec(g[3]!);
          ctx.emit({
            file: groupFile,
            line: Number(g[1]),
            column: Number(g[2]),
            severity: 'error',
            tool: 'ruff',
            ...(code ? { code: code[1] } : {}),
            message: g[3]!,
          });
          return;
        }
        groupFile = null;
      }
      if (t.charCodeAt(t.length - 1) === 58 /* : */ && t.indexOf(' ') < 0 && isPythonPath(t.slice(0, -1))) {
        groupFile = t.slice(0, -1);
        return;
      }

      if (c === 119 /* w */ && t.startsWith('warning: ')) {
        const about = t.indexOf('ruff') >= 0 || t.indexOf('`lint`') >= 0;
        if ((about || hint.has('ruff')) && !UV_WARNING.test(t)) {
          ctx.emit({ file: null, line: null, severity: 'warning', tool: 'ruff', message: t.slice(9).trim() });
        }
        return;
      }
      if (c === 101 /* e */ && t.startsWith('error: ') && hint.only === 'ruff' && !NOT_RUFF_ERROR.test(t)) {
        ctx.emit({ file: null, line: null, severity: 'error', tool: 'ruff', message: t.slice(7).trim() });
        return;
      }
      if (c === 32) {
        // A line that starts with a space is no `path:line` diagnostic; it may be the full format's location.
        if (arrowAfterSpaces(t)) fullFormat(t, ctx);
        return;
      }
      if (c === 45 /* - */ && t.startsWith('--> ')) {
        fullFormat(t, ctx);
        return;
      }
      if (!mayBeLocation(t, colon)) return;
      // A line with an arrow is never read as a diagnostic.
      if (c === 45 && t.indexOf('--> ') >= 0) return;

      const d = parseLintLine(t, colon);
      if (!d) return;
      let ours: boolean;
      if (d.fixable) ours = true;
      else if (d.code === null) {
        ours = d.column !== null && !hint.other && !flake8Only(hint) && !FOREIGN_REST.test(d.message);
      } else if (hint.only === 'ruff') ours = true;
      else ours = !flake8Only(hint) && RUFF_ONLY_CODE.test(d.code);
      if (!ours) return;
      ctx.emit({
        file: d.file,
        line: d.line,
        column: d.column,
        severity: 'error',
        tool: 'ruff',
        ...(d.code !== null ? { code: d.code } : {}),
        message: d.message,
      });
    },
  };
}

function flake8Only(hint: LinterHint): boolean {
  const only = hint.only;
  return only === 'flake8' || only === 'pycodestyle';
}

/** The cheap test for FULL_LOCATION on a line that starts with a space: a dash follows at most 12 `\s`. */
function arrowAfterSpaces(t: string): boolean {
  const n = t.length < 13 ? t.length : 13;
  for (let i = 1; i < n; i++) {
    const c = t.charCodeAt(i);
    if (c === 45 /* - */) return true;
    if (!isSpace(c)) return false;
  }
  return false;
}

/** What the regex `\s` matches. */
function isSpace(c: number): boolean {
  if (c < 128) return c === 32 || (c >= 9 && c <= 13);
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/** ` --> path:line:col` under a `CODE [*] message` header (the line before). */
function fullFormat(t: string, ctx: MatcherContext): void {
  const loc = FULL_LOCATION.exec(t);
  if (!loc || !isPythonPath(loc[1]!)) return;
  const prev = ctx.previous;
  const header = prev !== null ? prev.text : '';
  const headerN = prev !== null ? prev.n : 0;
  const h = FULL_HEADER.exec(header);
  if (!h) return;
  const code = h[1] ?? h[2]!;
  if (h[2] !== undefined && NOT_RUFF_HEADER.test(code)) return;
  ctx.emit({
    file: loc[1]!,
    line: Number(loc[2]),
    column: Number(loc[3]),
    severity: 'error',
    tool: 'ruff',
    code,
    message: header,
    logLine: headerN,
  });
}
