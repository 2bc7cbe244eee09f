/**
 * Django's management commands in CI:
 * - the system check (`manage.py check`, and before `manage.py test` runs): `SystemCheckError: System check
 *   identified some issues:`, then `ERRORS:` / `WARNINGS:` and rows `shop.Order.customer: (fields.E300) message`,
 *   a `HINT:` under some. One problem per row, its id as the code; the row names a model or a field, not a file.
 * - `makemigrations --check`: `Migrations for 'shop':`, the migration it would write, and its operations (`- Create
 *   model Order`). The step failing on it is one problem per app, a fallback: a plain `makemigrations` that writes
 *   them in a job that fails for another reason is not the failure.
 */
import type { Matcher, MatcherContext, Wake } from '../matcher';

export const DJANGO_WAKE: Wake = { prefixes: ['SystemCheckError: ', "Migrations for '"] };
const CHECK_ROW = /^(\S{1,500}): \(([a-z_]{1,50}\.[EWCI]\d{3})\) (.{1,2000})$/;
const MIGRATIONS = /^Migrations for '([\w.]{1,200})':$/;
const MIGRATION_FILE = /^ {2}(\S{1,1000}\.py)$/;
const OPERATION = /^ {4}- (.{1,500})$/;
const MAX_ROWS = 1000;

export function createDjangoMatcher(): Matcher {
  /** Inside the check's report: the section's severity (null before `ERRORS:`/`WARNINGS:`), rows left. */
  let check: { severity: 'error' | 'warning' | null; left: number } | null = null;
  /** Inside `Migrations for 'app':`. */
  let migrations: { app: string; file: string | null; operations: string[]; n: number } | null = null;

  function migrationsDone(ctx: MatcherContext): void {
    const m = migrations;
    migrations = null;
    if (m === null) return;
    const ops = m.operations.length > 0 ? ` (${m.operations.slice(0, 3).join('; ')})` : '';
    const what = m.file !== null ? `${m.file} would be created` : 'a migration would be created';
    ctx.emitFallback(
      {
        file: null,
        line: null,
        severity: 'error',
        tool: 'django',
        message: `Model changes in '${m.app}' have no migration: ${what}${ops}`,
        logLine: m.n,
      },
      { requireFailure: true },
    );
  }

  /** A line of the check's report; false when the report ended before it. */
  function checkLine(t: string, ctx: MatcherContext): boolean {
    const c = check!;
    const s = t.trim();
    if (s.length === 0) return true;
    if (s === 'ERRORS:' || s === 'WARNINGS:') {
      c.severity = s === 'ERRORS:' ? 'error' : 'warning';
      ctx.claim();
      return true;
    }
    if (s.startsWith('HINT:')) return true;
    const m = c.severity !== null && --c.left >= 0 ? CHECK_ROW.exec(s) : null;
    if (m === null) return false;
    ctx.emit({
      file: null,
      line: null,
      severity: c.severity!,
      tool: 'django',
      code: m[2]!,
      message: s,
    });
    return true;
  }

  return {
    name: 'django',
    wake: DJANGO_WAKE,
    get busy(): boolean {
      return check !== null || migrations !== null;
    },
    line(l, ctx) {
      const t = l.text;
      if (check !== null) {
        if (checkLine(t, ctx)) return;
        check = null;
      }
      if (migrations !== null) {
        const f = migrations.file === null ? MIGRATION_FILE.exec(t) : null;
        if (f !== null) {
          migrations.file = f[1]!;
          ctx.claim();
          return;
        }
        const o = OPERATION.exec(t);
        if (o !== null) {
          if (migrations.operations.length < 10) migrations.operations.push(o[1]!.trim());
          ctx.claim();
          return;
        }
        migrationsDone(ctx);
      }
      if (t.startsWith('SystemCheckError: ')) {
        ctx.claim();
        check = { severity: null, left: MAX_ROWS };
        return;
      }
      const m = MIGRATIONS.exec(t);
      if (m !== null) {
        ctx.claim();
        migrations = { app: m[1]!, file: null, operations: [], n: l.n };
      }
    },
    flush(ctx) {
      migrationsDone(ctx);
      check = null;
    },
  };
}
