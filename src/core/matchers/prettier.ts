/**
 * `prettier --check` (1.x to 3.x): `Checking formatting...`, one `[warn] path` per unformatted file, then
 * `[warn] Code style issues found in N files. Run Prettier with --write to fix.` (2.x: `Forgot to run
 * Prettier?`). Each file is one problem whose message is that summary. `[warn]` is also sbt's and others'
 * prefix, so a path counts only inside a check: after `Checking formatting...` or before the summary.
 * A file prettier cannot parse is `[error] path: SyntaxError: msg (line:col)`.
 */
import type { Matcher, MatcherContext, Wake } from '../matcher';

const MAX_PENDING = 1000;
const DEFAULT_MESSAGE = 'Code style issues found in the above file. Run Prettier with --write to fix.';
const PATHLIKE = /^[^\s[\]][^\t[\]]{0,1000}$/;
const SYNTAX = /^\[error\] ([^\s:][^:]{0,1000}): (\w{0,40}Error): (.{1,2000})$/;
const SYNTAX_LOC = / \((\d{1,9}):(\d{1,9})\)$/;
// `Checking formatting...`, `Code style issues ...`, `[warn]` and `[error]` lines.
const WAKE: Wake = { first: 'C[', needs: ['Checking formatting', 'Code style issues', 'warn', 'error'] };

interface Pending {
  file: string;
  n: number;
}

export function createPrettierMatcher(): Matcher {
  let checking = false;
  let pending: Pending[] = [];

  function report(ctx: MatcherContext, message: string): void {
    for (const p of pending) {
      ctx.emit({ file: p.file, line: null, severity: 'error', tool: 'prettier', message, logLine: p.n });
    }
    pending = [];
  }

  return {
    name: 'prettier',
    wake: WAKE,
    /** Paths seen outside a check: any other line drops them. */
    get busy(): boolean {
      return !checking && pending.length > 0;
    },
    line(l, ctx) {
      const s = l.text;
      const c = s.length > 0 ? s.charCodeAt(0) : -1;
      if (c === 67 && s.startsWith('Checking formatting...')) {
        checking = true;
        return;
      }
      if (
        (c === 67 || (c === 91 && s.startsWith('[warn] Code style issues'))) &&
        s.indexOf('Code style issues found in') >= 0 &&
        s.indexOf('Prettier') > 0
      ) {
        const at = s.indexOf('Code style issues');
        report(ctx, s.slice(at).trim());
        checking = false;
        ctx.claim();
        return;
      }
      if (c !== 91) {
        // The paths come together, just before the summary; a `[warn]` line elsewhere is another tool's.
        if (!checking && pending.length > 0 && s.trim().length > 0) pending = [];
        return;
      }
      if (s.startsWith('[warn] ')) {
        const p = s.slice(7).trim();
        if (p.length > 0 && PATHLIKE.test(p) && (p.indexOf('.') >= 0 || p.indexOf('/') >= 0)) {
          if (pending.length < MAX_PENDING) pending.push({ file: p, n: l.n });
        }
        return;
      }
      if (s.startsWith('[error] ')) {
        const m = SYNTAX.exec(s);
        if (!m) return;
        const msg = `${m[2]!}: ${m[3]!}`;
        const loc = SYNTAX_LOC.exec(msg);
        ctx.emit({
          file: m[1]!,
          line: loc && Number(loc[1]) >= 1 ? Number(loc[1]) : null,
          column: loc ? Number(loc[2]) : null,
          severity: 'error',
          tool: 'prettier',
          message: msg,
        });
      }
    },
    flush(ctx) {
      // No summary (the check stopped at a syntax error, or the log was cut): the check still named them.
      if (checking) report(ctx, DEFAULT_MESSAGE);
      pending = [];
      checking = false;
    },
  };
}
