/**
 * mypy: `path:line: error: message  [code]`, with `--show-column-numbers` `path:line:col: ...`, with
 * `--show-error-end` `path:line:col:endline:endcol: ...`. `warning:` lines are warnings; `note:` lines
 * explain the error above them and are not problems. `--pretty` wraps a long message onto unindented lines
 * (then the source line and a caret, indented): they are joined when a line within MAX_WRAPPED ends with the
 * error code, else the first line is the message.
 *
 * A C or C++ compiler's diagnostic has the same shape (`src/ext.c:12:5: error: expected ...`, gcc's and clang's, as
 * a native extension or a node-gyp addon fails to build): its errors are problems of tool `cc` (its warnings, often
 * hundreds in a build that passes, are not). Not inside a build output pip claimed: its package is the problem.
 */
import type { FramedLine } from '../framing';
import type { Matcher, MatcherContext, Wake } from '../matcher';
import { LINE_COLON_SINGLE } from '../matcher';
import type { ProblemInit, Severity } from '../model';

const CODE = /\s\s\[([a-z][a-z0-9-]{0,60})\]$/;
const PY_FILE = /\.pyi?$/;
const C_FILE = /\.(?:c|cc|cpp|cxx|c\+\+|h|hh|hpp|hxx|m|mm|cu)$/;
const MAX_WRAPPED = 3;

interface Location {
  file: string;
  line: number | null;
  column: number | null;
  endLine?: number;
  endColumn?: number;
}

/** Splits `path[:line[:col[:endline:endcol]]]`, reading the numbers from the right. */
function parseLocation(prefix: string, kind: RegExp = PY_FILE): Location | null {
  const nums: number[] = [];
  let end = prefix.length;
  while (nums.length < 4) {
    const colon = prefix.lastIndexOf(':', end - 1);
    if (colon < 0) break;
    const part = prefix.slice(colon + 1, end);
    if (part.length === 0 || part.length > 7 || !/^\d+$/.test(part)) break;
    nums.unshift(Number(part));
    end = colon;
  }
  const file = prefix.slice(0, end);
  if (!kind.test(file) || file.charCodeAt(0) === 32) return null;
  const loc: Location = { file, line: nums[0] ?? null, column: nums[1] ?? null };
  if (nums.length === 4) {
    loc.endLine = nums[2]!;
    loc.endColumn = nums[3]!;
  }
  return loc;
}

// `Found N errors`, and lines whose first colon is not `::` (the location's colon).
const WAKE: Wake = { first: 'F', flags: LINE_COLON_SINGLE, needs: ['error:', 'warning:', 'note:', 'Found '] };

/** A C or C++ compiler's `path:line:col: error: message` (or `fatal error:`), when the path is a C or C++ file. */
function compilerError(t: string, sep: number, start: number, n: number, ctx: MatcherContext): void {
  const loc = parseLocation(t.slice(0, sep), C_FILE);
  if (loc === null || loc.line === null) return;
  ctx.emit({
    file: loc.file,
    line: loc.line,
    column: loc.column,
    severity: 'error',
    tool: 'cc',
    message: t.slice(start).trim(),
    logLine: n,
  });
}

export function createMypyMatcher(): Matcher {
  /** An error whose message has no code yet (`--pretty` may have wrapped it), and the lines that may continue it. */
  let wrapped: { problem: ProblemInit; more: string[] } | null = null;

  function flushWrapped(ctx: MatcherContext): void {
    if (wrapped !== null) ctx.emit(wrapped.problem);
    wrapped = null;
  }

  /** A line after an error without a code: true when it continued the message. */
  function continued(t: string, ctx: MatcherContext): boolean {
    const w = wrapped!;
    const c = t.charCodeAt(0);
    if (t.length === 0 || c === 32 || c === 9 || t.startsWith('Found ') || w.more.length >= MAX_WRAPPED)
      return false;
    const colon = t.indexOf(': ');
    if (colon > 0 && parseLocation(t.slice(0, colon)) !== null) return false;
    w.more.push(t.trim());
    const code = CODE.exec(t);
    if (code === null) return true;
    ctx.claim();
    wrapped = null;
    ctx.emit({ ...w.problem, code: code[1]!, message: `${w.problem.message} ${w.more.join(' ')}` });
    return true;
  }

  return {
    name: 'mypy',
    wake: WAKE,
    get busy(): boolean {
      return wrapped !== null;
    },
    line(l: FramedLine, ctx: MatcherContext): void {
      const t = l.text;
      if (wrapped !== null) {
        if (continued(t, ctx)) return;
        flushWrapped(ctx);
      }
      const n = t.length;
      if (n === 0) return;
      if (t.charCodeAt(0) === 70 /* F */ && t.startsWith('Found ') && t.indexOf(' source file') > 0) {
        // The run's summary ("Found 4 errors in 1 file (checked 3 source files)") counts, it is not a problem.
        ctx.claim();
        return;
      }
      // The location ends at the line's first ": " (mypy prints no spaces before it). The first colon is
      // found with the single-character search, much cheaper than looking for ": " on every line.
      const colon = l.colon;
      if (colon < 0 || colon + 1 >= n) return;
      const after = t.charCodeAt(colon + 1);
      // pytest's `tests/test_a.py::test_b PASSED`: no path mypy reports holds `::`.
      if (after === 58 /* : */) return;
      const sep = after === 32 ? colon : t.indexOf(': ', colon + 2);
      if (sep < 4) return;
      let severity: Severity | null = null;
      let start: number;
      if (t.startsWith('error: ', sep + 2)) {
        severity = 'error';
        start = sep + 9;
      } else if (t.startsWith('warning: ', sep + 2)) {
        severity = 'warning';
        start = sep + 11;
      } else if (t.startsWith('note: ', sep + 2)) {
        start = sep + 8;
      } else if (t.startsWith('fatal error: ', sep + 2)) {
        // A compiler's only (`Python.h: No such file or directory`).
        severity = 'error';
        start = sep + 15;
      } else {
        return;
      }
      const loc = parseLocation(t.slice(0, sep));
      if (!loc) {
        if (severity === 'error' && !ctx.claimed) compilerError(t, sep, start, l.n, ctx);
        return;
      }
      // A `x.py: error:` with no line that another tool claimed is its (pytest's `__main__.py: error:` usage line).
      if (loc.line === null && ctx.claimed) return;
      if (severity === null) {
        ctx.claim();
        return;
      }
      const message = t.slice(start).trim();
      const code = CODE.exec(message);
      const problem: ProblemInit = {
        file: loc.file,
        line: loc.line,
        column: loc.column,
        ...(loc.endLine !== undefined ? { endLine: loc.endLine, endColumn: loc.endColumn } : {}),
        severity,
        tool: 'mypy',
        ...(code ? { code: code[1] } : {}),
        message,
        logLine: l.n,
      };
      if (code !== null) ctx.emit(problem);
      else {
        ctx.claim();
        wrapped = { problem, more: [] };
      }
    },
    flush(ctx) {
      flushWrapped(ctx);
    },
  };
}
