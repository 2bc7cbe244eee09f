/**
 * ESLint's formatters:
 * - stylish (the default): a file header line, then `  line:col  error|warning  message  rule-id` rows (the
 *   GitHub problem matcher re-prints a row as `##[error]  1:8  error ...`, which framing hands over unchanged);
 * - compact: `path: line N, col M, Error - message (rule)`;
 * - unix: `path:line:col: message [Error/rule]`;
 * - the fatal `Oops! Something went wrong! :(` block, whose first message line is the problem (no file).
 * Tools built on them:
 * - stylelint's string and verbose formatters (stylish rows with `✖`/`⚠`, or Windows' `×`/`‼`, for the severity)
 *   and its compact one (lowercase `error`/`warning`);
 * - JavaScript Standard Style (standard, semistandard, ts-standard): `standard: Use JavaScript Standard Style`
 *   lines, then `  path:line:col: message (rule)`, ` (warning)` after a warning.
 * And a Python type checker that prints the same shape: pyright (and basedpyright), a file header, then
 *   `  path:line:col - error|warning|information: message` rows, the message's further lines indented deeper
 *   (with no-break spaces), the last ending with the rule (`(reportAttributeAccessIssue)`). Its warnings wait for
 *   its summary (`0 errors, 4 warnings, 0 informations`): a run with errors reports them, a clean one (a passing
 *   pre-commit hook's output, pandas') leaves them as fallbacks, for a step that nothing else explains.
 * The message is the tool's message and rule id separated by two spaces, as stylish prints them.
 */
import type { Matcher, MatcherContext, Wake } from '../matcher';
import { LINE_COLON_SPACE, LINE_EXTENSION_END, endsWithExtension } from '../matcher';
import type { ProblemInit, Severity } from '../model';

const ROW = /^ {1,8}(\d{1,9}):(\d{1,9}) {1,20}(error|warning|✖|⚠|×|‼) {1,20}(\S.{0,4000})$/;
const RULE = /^@?[A-Za-z0-9][\w@/.-]{0,200}$/;
// ESLint capitalises the severity, stylelint does not.
const COMPACT = /^: line (\d{1,9}), col (\d{1,9}), (Error|Warning|error|warning) - (.{1,4000})$/;
const UNIX = /^(\S[^:]{0,1000}):(\d{1,9}):(\d{1,9}): (.{1,4000}) \[(Error|Warning)(?:\/([^\]\s]{1,200}))?\]$/;
// A stylish file header: a path with an extension and nothing else on the line.
const HEADER = /^(?:[A-Za-z]:[\\/]|[/.~\w@-])[^:\t]{0,1000}\.[A-Za-z0-9]{1,12}$/;
const YAMLLINT_RULE = /^\([a-z][\w-]{0,100}\)$/;
const COMPACT_RULE = / \(([^()\s]{1,200})\)$/;
const PYRIGHT_ROW = /^ {2}(\S.{0,1000}?):(\d{1,9}):(\d{1,9}) - (error|warning|information): (.{1,4000})$/;
const PYRIGHT_RULE = /\((report[A-Za-z]{1,100})\)$/;
const PYRIGHT_SUMMARY = /^(\d{1,9}) errors?, \d{1,9} warnings?, \d{1,9} informations? ?$/;
/** Pyright warnings held for the summary, at most (as the parser's fallback list). */
const MAX_HELD = 1000;
// standard-engine's own lines (`standard: Use JavaScript Standard Style (https://standardjs.com)`, `standard: Run
// \`standard --fix\` ...`) and its rows.
const STANDARD_LINE = /^(standard|semistandard|ts-standard|standardx): \S/;
const STANDARD_ROW =
  /^ {2}(\S.{0,1000}?):(\d{1,9}):(\d{1,9}): (.{1,4000}?)(?: \(([@A-Za-z0-9][\w@/.-]{0,200})\))?( \(warning\))?$/;

function isAlnum(ch: number): boolean {
  return (ch >= 48 && ch <= 57) || (ch >= 65 && ch <= 90) || (ch >= 97 && ch <= 122);
}

// `Oops!`, compact rows (`: line `), unix rows (`: message [Error/rule]`) and stylish file headers (`.ext`).
const WAKE: readonly Wake[] = [
  // `Oops!`, a compact row, a unix row.
  { first: 'O', flags: LINE_COLON_SPACE, needs: ['Oops', ': line ', '[Error', '[Warning'] },
  // A stylish file header; standard-engine's first line.
  { flags: LINE_EXTENSION_END, prefixes: ['standard: ', 'semistandard: ', 'ts-standard: ', 'standardx: '] },
];

/**
 * Where the `[` of a unix row's `[Error/rule]` is, for a line that ends with `]`: the last `[`, or -1 when
 * whitespace or another `]` comes first (no unix row then: the bracket holds neither). A short loop rather
 * than `lastIndexOf`, a slow call for a `[` that is a few characters from the end.
 */
function lastBracket(s: string): number {
  for (let i = s.length - 2; i >= 0; i--) {
    const k = s.charCodeAt(i);
    if (k === 91) return i;
    if (k === 93 || k === 32 || k === 9 || k === 10 || k === 13 || k === 11 || k === 12) return -1;
  }
  return -1;
}

export function createEslintMatcher(): Matcher {
  /** The stylish file whose rows may follow. */
  let header: string | null = null;
  /** After `Oops! Something went wrong!`: the next meaningful line is the fatal message. */
  let fatal = false;
  /** Inside standard-engine's report: the tool's name. */
  let standard: string | null = null;
  /** A pyright row whose further lines (and rule) may follow. */
  let pyright: ProblemInit | null = null;

  /** Pyright's warnings and informations of the current run, until its summary says whether it failed. */
  let held: ProblemInit[] = [];

  function pyrightDone(ctx: MatcherContext): void {
    const p = pyright;
    pyright = null;
    if (p === null) return;
    if (p.severity === 'error') ctx.emit(p);
    else if (held.length < MAX_HELD) held.push(p);
  }

  /** The run ended (`failed`: its summary counted errors; false too when no summary came). */
  function release(ctx: MatcherContext, failed: boolean): void {
    for (const p of held) {
      if (failed) ctx.emit(p);
      else ctx.emitFallback(p, { requireFailure: true });
    }
    held = [];
  }

  /** A pyright row, or a further line of the last one's message; false when the line is neither. */
  function pyrightLine(s: string, n: number, ctx: MatcherContext): boolean {
    // Further lines are indented by two spaces, then no-break spaces and spaces (or four spaces, once copied).
    if (pyright !== null && (s.startsWith('    ') || (s.startsWith('  ') && s.charCodeAt(2) === 0xa0))) {
      const r = PYRIGHT_RULE.exec(s.trimEnd());
      if (r !== null) pyright.code = r[1]!;
      ctx.claim();
      return true;
    }
    pyrightDone(ctx);
    const m = PYRIGHT_ROW.exec(s.trimEnd());
    if (m === null) return false;
    const message = m[5]!;
    const r = PYRIGHT_RULE.exec(message);
    pyright = {
      file: m[1]!,
      line: Number(m[2]),
      column: Number(m[3]),
      severity: m[4] === 'information' ? 'info' : (m[4] as Severity),
      tool: 'pyright',
      ...(r !== null ? { code: r[1]! } : {}),
      message,
      logLine: n,
    };
    ctx.claim();
    return true;
  }

  /** A row of standard-engine's report; false when the report ended before it. */
  function standardRow(s: string, ctx: MatcherContext): boolean {
    const m = STANDARD_ROW.exec(s);
    if (m === null) return false;
    const code = m[5];
    ctx.emit({
      file: m[1]!,
      line: Number(m[2]) >= 1 ? Number(m[2]) : null,
      column: Number(m[3]) >= 1 ? Number(m[3]) : null,
      severity: m[6] !== undefined ? 'warning' : 'error',
      tool: standard!,
      ...(code !== undefined ? { code } : {}),
      message: code !== undefined ? `${m[4]!}  ${code}` : m[4]!,
    });
    return true;
  }

  function row(s: string, ctx: MatcherContext): boolean {
    const m = ROW.exec(s);
    if (!m) return false;
    const body = m[4]!.trimEnd();
    let message = body;
    let code: string | undefined;
    const level = m[3]!;
    // stylelint marks the severity with a symbol where ESLint writes it.
    const symbol = level.length === 1;
    let tool = symbol ? 'stylelint' : 'eslint';
    const gap = body.lastIndexOf('  ');
    if (gap > 0) {
      const rule = body.slice(gap + 2).trim();
      if (RULE.test(rule)) {
        code = rule;
        message = `${body.slice(0, gap).trimEnd()}  ${rule}`;
      } else if (!symbol && YAMLLINT_RULE.test(rule)) {
        // yamllint's default format is stylish's, its rule in parentheses: `6:21  error  trailing spaces  (rule)`.
        tool = 'yamllint';
        code = rule.slice(1, -1);
        message = `${body.slice(0, gap).trimEnd()}  ${rule}`;
      }
    }
    const line = Number(m[1]);
    ctx.emit({
      file: header,
      // ESLint prints 0:0 for messages about the whole file.
      line: line >= 1 ? line : null,
      column: Number(m[2]),
      severity: symbol ? (level === '✖' || level === '×' ? 'error' : 'warning') : (level as Severity),
      tool,
      ...(code !== undefined ? { code } : {}),
      message,
    });
    return true;
  }

  return {
    name: 'eslint',
    wake: WAKE,
    /** After a stylish header (its rows follow), `Oops!` (the message follows) or in standard's report. */
    get busy(): boolean {
      return header !== null || fatal || standard !== null || pyright !== null || held.length > 0;
    },
    line(l, ctx) {
      const s = l.text;
      const c = s.length > 0 ? s.charCodeAt(0) : -1;

      // standard-engine's own lines start its report (or go on in it), its rows follow them.
      const own = c === 115 || c === 116 ? STANDARD_LINE.exec(s) : null;
      if (own !== null) {
        standard = own[1]!;
        ctx.claim();
        return;
      }
      if (standard !== null) {
        if (standardRow(s, ctx)) return;
        standard = null;
      }

      if (fatal) {
        if (s.trim().length === 0 || s.startsWith('ESLint: ')) return;
        fatal = false;
        ctx.emit({ file: null, line: null, severity: 'error', tool: 'eslint', message: s.trim() });
        return;
      }

      if (c === 32) {
        if (header !== null && (row(s, ctx) || pyrightLine(s, l.n, ctx))) return;
        header = null;
        return;
      }
      pyrightDone(ctx);
      if (held.length > 0 && c >= 48 && c <= 57) {
        const m = PYRIGHT_SUMMARY.exec(s);
        if (m !== null) {
          ctx.claim();
          header = null;
          release(ctx, Number(m[1]) > 0);
          return;
        }
      }
      if (header !== null) header = null;
      if (s.length === 0) return;

      if (c === 79 && s.startsWith('Oops! Something went wrong!')) {
        fatal = true;
        ctx.claim();
        return;
      }

      // `, col ` is in every compact row and `,` is rare elsewhere: a single-character search rules most
      // lines out before the search for `: line `.
      const compact = s.indexOf(',') > 0 ? s.indexOf(': line ') : -1;
      if (compact > 0) {
        const m = COMPACT.exec(s.slice(compact));
        if (m) {
          let message = m[4]!;
          let code: string | undefined;
          const r = COMPACT_RULE.exec(message);
          if (r) {
            code = r[1]!;
            message = `${message.slice(0, r.index)}  ${code}`;
          }
          ctx.emit({
            file: s.slice(0, compact),
            line: Number(m[1]) >= 1 ? Number(m[1]) : null,
            column: Number(m[2]),
            severity: m[3] === 'Error' || m[3] === 'error' ? 'error' : 'warning',
            tool: m[3]!.charCodeAt(0) >= 97 ? 'stylelint' : 'eslint',
            ...(code !== undefined ? { code } : {}),
            message,
          });
          return;
        }
      }

      const last = s.charCodeAt(s.length - 1);
      if (last === 93) {
        // A unix row ends `[Error/rule]`; a header ends with an extension, never `]`.
        const bracket = lastBracket(s);
        const k = s.charCodeAt(bracket + 1);
        if (
          bracket > 0 &&
          (k === 69 || k === 87) &&
          (s.startsWith('[Error', bracket) || s.startsWith('[Warning', bracket))
        ) {
          const m = UNIX.exec(s);
          if (m) {
            const code = m[6];
            ctx.emit({
              file: m[1]!,
              line: Number(m[2]) >= 1 ? Number(m[2]) : null,
              column: Number(m[3]),
              severity: m[5] === 'Error' ? 'error' : 'warning',
              tool: 'eslint',
              ...(code !== undefined ? { code } : {}),
              message: code !== undefined ? `${m[4]!}  ${code}` : m[4]!,
            });
          }
        }
        return;
      }

      if (isAlnum(last) && s.length < 1024 && endsWithExtension(s) && HEADER.test(s)) header = s;
    },
    flush(ctx) {
      pyrightDone(ctx);
      release(ctx, false);
      header = null;
      fatal = false;
      standard = null;
    },
  };
}
