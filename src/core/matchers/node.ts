/**
 * A Node.js process that died of an uncaught exception (Node 18 and later):
 *
 *     /app/src/index.js:2
 *       throw new Error(`config not found: ${p}`);
 *       ^
 *
 *     Error: config not found: app.json
 *         at load (/app/src/index.js:2:9)
 *         at Object.<anonymous> (/app/src/index.js:4:1)
 *         at Module._compile (node:internal/modules/cjs/loader:1521:14)
 *     {
 *       code: 'E_CONFIG'
 *     }
 *
 *     Node.js v20.11.0
 *
 * One problem (tool `node`) at the first frame in the project, with the error line as message. The `Node.js v`
 * line that ends the output is what tells this stack from one a program printed and went on: without it, no
 * problem. Test runners' stacks are theirs (jest and vitest claim their blocks first).
 *
 * The built-in classes wake it by their names; another class (`class ConfigError extends Error`) after the
 * `path.js:2` line Node prints first, a few lines above the error.
 */
import type { Matcher, MatcherContext, Wake } from '../matcher';
import { LINE_LOCATION } from '../matcher';
import { frameOf, inProject, placeOf } from './jest';
import type { Frame } from './jest';

// `Error: msg`, `TypeError: msg`, `Error [ERR_MODULE_NOT_FOUND]: msg`, `AxiosError: msg`.
const ERROR_LINE = /^([A-Z][A-Za-z0-9_$]{0,100}(?: \[[A-Z0-9_]{1,100}\])?): (.{1,2000})$/;
const ERROR_NAME = /(?:Error|Exception)(?: \[|$)/;
const NODE_VERSION = /^Node\.js v\d{1,3}\.\d/;
const HEADER = /^(?:file:\/\/)?\S{1,1000}\.[cm]?[jt]sx?:\d{1,9}$/;
/** The source line, the caret, a blank line, then the error. */
const HEADER_LINES = 4;
/** Lines after the stack (the error's own properties, `{ code: ... }`) before `Node.js v`. */
const MAX_AFTER = 60;
const MAX_FRAMES = 50;
// The error classes a crash shows (prefixes: a search of every line that starts with a capital cost the pre-scan
// ~3%); another class's crash is left to the generic fallback.
export const NODE_WAKE: Wake = {
  // Node's `/app/src/index.js:2` (an ES module's `file:///app/src/index.mjs:2`) above a crash: the error line
  // follows within HEADER_LINES.
  flags: LINE_LOCATION,
  prefixes: [
    'file:///',
    'Error: ',
    'Error [',
    'TypeError',
    'RangeError',
    'ReferenceError',
    'SyntaxError',
    'AssertionError',
    'EvalError',
    'URIError',
    'AggregateError',
    'SystemError',
  ],
};

/** `    at fn (path:1:2)`, `    at async fn (file:///path:1:2)` -> the location, or null. */
export function nodeFrame(text: string): Frame | null {
  return frameOf(text.trim());
}

export function createNodeMatcher(): Matcher {
  let error: { message: string; n: number } | null = null;
  let frame: Frame | null = null;
  let frames = 0;
  /** Lines read since the stack ended (-1: still in the stack). */
  let after = -1;
  /** After a crash's `path.js:N` line: the last line the error line may be on (0: none). */
  let headerUntil = 0;

  function reset(): void {
    error = null;
    frame = null;
    frames = 0;
    after = -1;
  }

  function report(ctx: MatcherContext): void {
    const e = error!;
    ctx.emit({
      ...placeOf(frame, null),
      severity: 'error',
      tool: 'node',
      message: e.message,
      logLine: e.n,
    });
    reset();
  }

  return {
    name: 'node',
    wake: NODE_WAKE,
    get busy(): boolean {
      return error !== null || headerUntil > 0;
    },
    line(l, ctx) {
      const t = l.text;
      if (headerUntil > 0 && l.n > headerUntil) headerUntil = 0;
      if (error !== null) {
        if (after < 0) {
          const f = t.startsWith('    at ') ? nodeFrame(t) : null;
          if (f !== null) {
            // Not claimed: until `Node.js v` comes, this may be a stack a program printed and went on.
            if (frame === null && inProject(f)) frame = f;
            if (++frames > MAX_FRAMES) after = 0;
            return;
          }
          // A stack ends at its first other line; an error line with no stack is no crash report.
          if (frames === 0) reset();
          else after = 0;
        }
        if (error !== null) {
          if (NODE_VERSION.test(t)) {
            ctx.claim();
            report(ctx);
            return;
          }
          if (++after > MAX_AFTER) reset();
        }
      }
      const c = t.charCodeAt(0);
      if (error === null && l.colon > 0 && c !== 32 && HEADER.test(t)) {
        headerUntil = l.n + HEADER_LINES;
        return;
      }
      if (!(c >= 65 && c <= 90) || ctx.claimed) return;
      const m = ERROR_LINE.exec(t);
      if (m === null || !ERROR_NAME.test(m[1]!)) return;
      reset();
      headerUntil = 0;
      error = { message: t.trimEnd(), n: l.n };
    },
    flush() {
      reset();
      headerUntil = 0;
    },
  };
}
