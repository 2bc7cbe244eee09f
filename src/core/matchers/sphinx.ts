/**
 * Sphinx (a docs build, `sphinx-build -W`): after `Running Sphinx v5.3.0`, each `path:line: WARNING: message`,
 * `path: WARNING: ...` (no line), `WARNING: ...` (no place), `ERROR`, `CRITICAL` or `SEVERE` is a problem; a
 * docstring's `mod.py:docstring of pkg.f:3:` has no line of the file. With `-W` and no `--keep-going`, the first
 * warning stops the build after `Warning, treated as error:` and reads `path:line:message`. Lines of that shape
 * outside a Sphinx run (pip's `WARNING: Running pip as root`) are not its.
 */
import type { Matcher, MatcherContext, Wake } from '../matcher';
import type { Severity } from '../model';

// An optional progress prefix (`checking consistency... `), the place, the level, the message.
const LINE =
  /^(?:[a-z][a-z ]{0,40}\.\.\. )?(?:((?:[A-Za-z]:)?[^:\s][^:]{0,1000}?)(?::(\d{1,9}|docstring of [^:]{1,500}(?::\d{1,9})?))?: )?(WARNING|ERROR|CRITICAL|SEVERE): (\S.{0,2000})$/;
// `path:line:message`, after `Warning, treated as error:` (a path has a file's extension; else no place).
const TREATED = /^((?:[A-Za-z]:)?[^:\s]{0,1000}\.[A-Za-z0-9]{1,10})(?::(\d{1,9}))?: ?(\S.{0,2000})$/;
// Idle, only the run's first line: a docs build is short next to a log, and searching every line with `: ` for
// the levels cost the pre-scan ~3%.
const WAKE: Wake = { prefixes: ['Running Sphinx v'] };

export function createSphinxMatcher(): Matcher {
  let running = false;
  /** The last line was `Warning, treated as error:`. */
  let treated = false;

  function report(
    ctx: MatcherContext,
    file: string | null,
    where: string | undefined,
    severity: Severity,
    message: string,
  ): void {
    ctx.claim();
    ctx.emit({
      file,
      // A docstring's line counts from the docstring, not the file.
      line: where !== undefined && !where.startsWith('docstring') ? Number(where) : null,
      severity,
      tool: 'sphinx',
      message,
    });
  }

  return {
    name: 'sphinx',
    wake: WAKE,
    /** From `Running Sphinx` to the build's last line (or the step's end). */
    get busy(): boolean {
      return running || treated;
    },
    line(l, ctx) {
      const t = l.text;
      if (treated) {
        treated = false;
        if (!ctx.claimed && t.trim().length > 0) {
          const m = TREATED.exec(t);
          if (m !== null) report(ctx, m[1]!, m[2], 'error', m[3]!);
          else report(ctx, null, undefined, 'error', t.trim());
          return;
        }
      }
      if (t.startsWith('Running Sphinx v')) {
        running = true;
        return;
      }
      if (!running || ctx.claimed) return;
      if (t.startsWith('build succeeded') || t.startsWith('build finished')) {
        running = false;
        return;
      }
      if (t.startsWith('Warning, treated as error:')) {
        ctx.claim();
        treated = true;
        return;
      }
      const m = LINE.exec(t.trimEnd());
      if (m === null) return;
      report(ctx, m[1] ?? null, m[2], m[3] === 'WARNING' ? 'warning' : 'error', m[4]!);
    },
    flush() {
      running = false;
      treated = false;
    },
  };
}
