/**
 * `vite build`'s failure (Rollup's and esbuild's errors, as Vite prints them):
 *
 *     ✗ Build failed in 104ms
 *     error during build:
 *     src/main.ts (1:9): "b" is not exported by "src/a.ts", imported by "src/main.ts".
 *     file: /app/src/main.ts:1:9
 *
 *     1: import { b } from "./a";
 *                 ^
 *         at getRollupError (file:///app/node_modules/rollup/dist/es/shared/parseAst.js:355:41)
 *
 * One problem (tool `vite`) per block: at the `file:` line's place, else the `from "path"` the message names
 * (`[vite]: Rollup failed to resolve import "x" from "/app/src/main.ts".`); esbuild's `path:line:col: ERROR: message`
 * under `[vite:esbuild] Transform failed with 1 error:` is the message and the place. The block ends at the stack.
 */
import type { Matcher, MatcherContext, Wake } from '../matcher';
import type { ProblemInit } from '../model';

const START = 'error during build:';
export const VITE_WAKE: Wake = { prefixes: [START] };
/** Lines of the block read before its stack (the source excerpt between). */
const MAX_LINES = 30;
// `file: /app/src/main.ts:1:9` (Rollup's place; a Windows path keeps its drive).
const FILE = /^file: ((?:[A-Za-z]:)?[^:]{1,1000}?)(?::(\d{1,9}):(\d{1,9}))?$/;
// esbuild's `path:line:col: ERROR: message`.
const ESBUILD = /^((?:[A-Za-z]:)?[^:\s][^:]{0,1000}):(\d{1,9}):(\d{1,9}): ERROR: (.{1,2000})$/;
// Rollup's `src/main.ts (1:9): message`.
const ROLLUP_PLACE = /^(\S[^(]{0,1000}?) \((\d{1,9}):(\d{1,9})\): (.{1,2000})$/;
// `[vite]: message`, `[vite:esbuild] message`, `[plugin name] message`.
const PLUGIN = /^\[[\w:@/ -]{1,100}\]:? /;
const FROM = / from "([^"]{1,1000})"\.?$/;

export function createViteMatcher(): Matcher {
  let block: { lines: number; problem: ProblemInit | null } | null = null;

  function end(ctx: MatcherContext): void {
    const b = block;
    block = null;
    if (b?.problem) ctx.emit(b.problem);
  }

  function blockLine(t: string, n: number, ctx: MatcherContext): void {
    const b = block!;
    if (t.startsWith('    at ') || ++b.lines > MAX_LINES) return end(ctx);
    ctx.claim();
    const s = t.trim();
    if (b.problem === null) {
      if (s.length === 0) return;
      const text = s.replace(PLUGIN, '');
      const r = ROLLUP_PLACE.exec(text);
      const from = r === null ? FROM.exec(text) : null;
      b.problem = {
        file: r !== null ? r[1]! : from !== null ? from[1]! : null,
        line: r !== null ? Number(r[2]) : null,
        column: r !== null ? Number(r[3]) : null,
        severity: 'error',
        tool: 'vite',
        message: r !== null ? r[4]! : text,
        logLine: n,
      };
      return;
    }
    const e = ESBUILD.exec(s);
    if (e !== null) {
      b.problem = { ...b.problem, file: e[1]!, line: Number(e[2]), column: Number(e[3]), message: e[4]! };
      return;
    }
    const f = s.startsWith('file: ') ? FILE.exec(s) : null;
    if (f !== null) {
      const placed = f[2] !== undefined;
      // The place Rollup gives; a message's place (esbuild's) is kept when this one has no line.
      if (placed || b.problem.line === null) {
        b.problem = {
          ...b.problem,
          file: f[1]!,
          line: placed ? Number(f[2]) : null,
          column: placed ? Number(f[3]) : null,
        };
      }
    }
  }

  return {
    name: 'vite',
    wake: VITE_WAKE,
    get busy(): boolean {
      return block !== null;
    },
    line(l, ctx) {
      const t = l.text;
      if (block !== null) return blockLine(t, l.n, ctx);
      if (ctx.claimed || !t.startsWith(START) || t.trimEnd().length !== START.length) return;
      ctx.claim();
      block = { lines: 0, problem: null };
    },
    flush(ctx) {
      end(ctx);
    },
  };
}
