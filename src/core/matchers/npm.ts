/**
 * npm's error block (`npm error ...` from npm 10, `npm ERR! ...` before): one problem per block, its message
 * the first line that is not a `key value` detail (`ERESOLVE could not resolve`, `404 Not Found - GET ...`,
 * `Missing script: "build"`). A failed lifecycle script (`Lifecycle script \`test\` failed`, npm 6's
 * `code ELIFECYCLE` / `pkg@1.0.0 test: \`jest\``) only wraps the failure of the tool it ran, so it is a
 * fallback. `npm warn` lines (EBADENGINE and the like) are advisories, never problems.
 *
 * pnpm's error line: its code between thin spaces (U+2009; plain spaces once copied from a web page), then the
 * message: `\u2009ERR_PNPM_OUTDATED_LOCKFILE\u2009 Cannot install with "frozen-lockfile"...`. A failed script
 * (`ELIFECYCLE`, `ERR_PNPM_RECURSIVE_RUN_FIRST_FAIL`) wraps its tool's failure: a fallback, as npm's.
 */
import type { Matcher, MatcherContext, Wake } from '../matcher';

const DETAIL_KEYS = new Set([
  'code',
  'errno',
  'syscall',
  'path',
  'dest',
  'workspace',
  'location',
  'command',
  'signal',
  'cwd',
  'argv',
  'node',
  'npm',
  'os',
  'notsup',
]);
const NPM6_SCRIPT = /^\S{1,300}@\S{1,100} [\w:.-]{1,100}: `/;
// pnpm's codes after a thin space (U+2009) or a space, as PNPM reads them.
export const NPM_WAKE: Wake = { first: 'n\u2009', prefixes: [' ERR_PNPM_', ' ELIFECYCLE', ' ERROR'] };
const PNPM = /^[\u2009 ](ERR_PNPM_[A-Z0-9_]{1,100}|ELIFECYCLE|ERROR)[\u2009 ]{1,2}(\S.{0,2000})$/;

function prefixLength(s: string): number {
  if (s.startsWith('npm error')) return s.length === 9 || s.charCodeAt(9) === 32 ? 9 : -1;
  if (s.startsWith('npm ERR!')) return s.length === 8 || s.charCodeAt(8) === 32 ? 8 : -1;
  return -1;
}

function isNoise(t: string): boolean {
  return (
    t.startsWith('A complete log of this run') ||
    t.startsWith('For a full report see') ||
    t.startsWith('Log files were not written') ||
    t.startsWith('You can rerun the command with') ||
    t.startsWith('/') ||
    t.startsWith('This is probably not a problem with npm') ||
    t.startsWith('Did you mean')
  );
}

export function createNpmMatcher(): Matcher {
  let inBlock = false;
  let code: string | null = null;
  let message: string | null = null;
  let lifecycle: string | null = null;
  let startLine = 0;

  function finish(ctx: MatcherContext): void {
    if (!inBlock) return;
    inBlock = false;
    const c = code;
    const m = message;
    const lc = lifecycle;
    code = message = lifecycle = null;
    const wrapper = lc !== null || c === 'ELIFECYCLE' || (c !== null && /^\d+$/.test(c));
    if (wrapper) {
      const text = lc ?? m ?? `npm script failed (code ${c ?? '?'})`;
      ctx.emitFallback(
        { file: null, line: null, severity: 'error', tool: 'npm', message: text, logLine: startLine },
        { requireFailure: true },
      );
      return;
    }
    if (m === null && c === null) return;
    ctx.emit({
      file: null,
      line: null,
      severity: 'error',
      tool: 'npm',
      ...(c !== null ? { code: c } : {}),
      message: m ?? `npm error ${c!}`,
      logLine: startLine,
    });
  }

  function pnpm(c: string, message: string, n: number, ctx: MatcherContext): void {
    const problem = {
      file: null,
      line: null,
      severity: 'error' as const,
      tool: 'pnpm',
      code: c,
      message,
      logLine: n,
    };
    // Turborepo's ` ERROR  run failed: command  exited (1)` says a task failed, as pnpm's ELIFECYCLE does.
    if (c === 'ERROR' && message.startsWith('run failed: '))
      ctx.emitFallback({ ...problem, tool: 'turbo' }, { requireFailure: true });
    else if (c === 'ELIFECYCLE' || c.endsWith('_FIRST_FAIL'))
      ctx.emitFallback(problem, { requireFailure: true });
    else ctx.emit(problem);
  }

  return {
    name: 'npm',
    wake: NPM_WAKE,
    /** Inside an error block: the first other line ends it. */
    get busy(): boolean {
      return inBlock;
    },
    line(l, ctx) {
      const s = l.text;
      const c0 = s.charCodeAt(0);
      if (c0 === 0x2009 || c0 === 32) {
        const m = PNPM.exec(s.trimEnd());
        if (m !== null) {
          if (inBlock) finish(ctx);
          pnpm(m[1]!, m[2]!, l.n, ctx);
          return;
        }
      }
      if (s.length < 2 || c0 !== 110 || s.charCodeAt(1) !== 112) {
        if (inBlock) finish(ctx);
        return;
      }
      const at = prefixLength(s);
      if (at < 0) {
        if (inBlock) finish(ctx);
        return;
      }
      if (!inBlock) {
        inBlock = true;
        startLine = l.n;
      }
      ctx.claim();
      const t = s.slice(at).trim();
      if (t.length === 0 || isNoise(t)) return;
      const sp = t.indexOf(' ');
      const key = sp > 0 ? t.slice(0, sp) : t;
      if (DETAIL_KEYS.has(key)) {
        if (key === 'code' && code === null && sp > 0) code = t.slice(sp + 1).trim();
        return;
      }
      if (
        t.startsWith('Lifecycle script ') ||
        t.startsWith('Failed at the ') ||
        t.startsWith('Test failed.')
      ) {
        lifecycle ??= t;
        return;
      }
      if (code === 'ELIFECYCLE' && NPM6_SCRIPT.test(t)) {
        lifecycle ??= t;
        return;
      }
      if (message === null && !t.startsWith('Exit status ')) message = t;
    },
    flush(ctx) {
      finish(ctx);
    },
  };
}
