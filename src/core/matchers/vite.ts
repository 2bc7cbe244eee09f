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
 *
 * And esbuild's own report (its CLI, its API from a build script, tsup):
 *
 *     ✘ [ERROR] Could not resolve "missing-pkg"
 *
 *         src/main.ts:1:18:
 *           1 │ import { x } from "missing-pkg";
 *             ╵                   ~~~~~~~~~~~~~
 *
 * One problem (tool `esbuild`) per `✘ [ERROR]`, at the place under it (none: no place); its warnings are none.
 */
import type { Matcher, MatcherContext, Wake } from '../matcher';
import type { ProblemInit } from '../model';

const START = 'error during build:';
const ESBUILD_START = '\u2718 [ERROR] ';
export const VITE_WAKE: Wake = { prefixes: [START], first: '\u2718' };
// esbuild's place: `    src/main.ts:1:18:`.
const ESBUILD_PLACE = /^ {4}(\S.{0,1000}?):(\d{1,9}):(\d{1,9}):$/;
/** Lines after `✘ [ERROR]` its place may come within. */
const ESBUILD_LINES = 3;
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
  /** An esbuild error waiting for its place. */
  let esbuild: { lines: number; problem: ProblemInit } | null = null;

  function esbuildLine(t: string, ctx: MatcherContext): boolean {
    const e = esbuild!;
    const m = t.length > 4 && t.charCodeAt(4) !== 32 ? ESBUILD_PLACE.exec(t.trimEnd()) : null;
    if (m !== null) {
      esbuild = null;
      ctx.claim();
      ctx.emit({ ...e.problem, file: m[1]!, line: Number(m[2]), column: Number(m[3]) });
      return true;
    }
    if (t.trim().length === 0 && ++e.lines <= ESBUILD_LINES) return true;
    // No place: the message alone.
    esbuild = null;
    ctx.emit(e.problem);
    return false;
  }

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
      return block !== null || esbuild !== null;
    },
    line(l, ctx) {
      const t = l.text;
      if (block !== null) return blockLine(t, l.n, ctx);
      if (esbuild !== null && esbuildLine(t, ctx)) return;
      if (t.charCodeAt(0) === 0x2718 && t.startsWith(ESBUILD_START) && !ctx.claimed) {
        const message = t.slice(ESBUILD_START.length).trim();
        if (message.length === 0) return;
        ctx.claim();
        esbuild = {
          lines: 0,
          problem: { file: null, line: null, severity: 'error', tool: 'esbuild', message, logLine: l.n },
        };
        return;
      }
      if (ctx.claimed || !t.startsWith(START) || t.trimEnd().length !== START.length) return;
      ctx.claim();
      block = { lines: 0, problem: null };
    },
    flush(ctx) {
      end(ctx);
      if (esbuild !== null) ctx.emit(esbuild.problem);
      esbuild = null;
    },
  };
}
