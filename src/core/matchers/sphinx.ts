/**
 * Sphinx (a docs build, `sphinx-build -W`): after `Running Sphinx v5.3.0`, each `path:line: WARNING: message`,
 * `path: WARNING: ...` (no line), `WARNING: ...` (no place), `ERROR`, `CRITICAL` or `SEVERE` is a problem; a
 * docstring's `mod.py:docstring of pkg.f:3:` has no line of the file. With `-W` and no `--keep-going`, the first
 * warning stops the build after `Warning, treated as error:` and reads `path:line:message`. Lines of that shape
 * outside a Sphinx run (pip's `WARNING: Running pip as root`) are not its. A quiet build (`-q`) prints no
 * `Running Sphinx`: a line that starts with a command running it (`sphinx-build `, `$ python -m sphinx `) starts
 * it, and then only warnings with a place are its. An extension that puts the place in the message (sphinxcontrib-spelling:
 * `WARNING: ref/models.txt:1166: : Spell check: behaviour: ...`) gets that place.
 */
import type { Matcher, MatcherContext, Wake } from '../matcher';
import type { Severity } from '../model';

// An optional progress prefix (`checking consistency... `), the place, the level, the message.
const LINE =
  /^(?:[a-z][a-z ]{0,40}\.\.\. )?(?:((?:[A-Za-z]:)?[^:\s][^:]{0,1000}?)(?::(\d{1,9}|docstring of [^:]{1,500}(?::\d{1,9})?))?: )?(WARNING|ERROR|CRITICAL|SEVERE): (\S.{0,2000})$/;
// `path:line:message`, after `Warning, treated as error:` (a path has a file's extension; else no place).
const TREATED = /^((?:[A-Za-z]:)?[^:\s]{0,1000}\.[A-Za-z0-9]{1,10})(?::(\d{1,9}))?: ?(\S.{0,2000})$/;
// Idle, only the run's first line (searching every line with `: ` for the levels cost the pre-scan ~3%), or a
// command that runs a build (a GitHub step's script line, GitLab's `$ `, `set -x`'s `+ `) by its first words: a
// word searched on every line (`words`) made the whole parse 12-15% slower.
const WAKE: Wake = {
  prefixes: [
    'Running Sphinx v',
    'sphinx-build ',
    '$ sphinx-build ',
    '+ sphinx-build ',
    'python -m sphinx ',
    'python3 -m sphinx ',
    '$ python -m sphinx ',
    '$ python3 -m sphinx ',
  ],
};
const COMMAND = /(?:^|[\s/;&|(])(?:sphinx-build|python3? -m sphinx) /;
/** A place inside the message: `path:line: : message` or `path:line: message`. */
const EMBEDDED = /^((?:[A-Za-z]:)?[^:\s][^:]{0,1000}\.[A-Za-z0-9]{1,10}):(\d{1,9}):(?: :)? (\S.{0,2000})$/;

export function createSphinxMatcher(): Matcher {
  /** Inside a build: from `Running Sphinx` (`run`), or from a command that runs one (`command`). */
  let running: 'run' | 'command' | null = null;
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
      return running !== null || treated;
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
        running = 'run';
        return;
      }
      if (running === null && !ctx.claimed && COMMAND.test(t)) {
        running = 'command';
        return;
      }
      if (running === null || ctx.claimed) return;
      if (t.startsWith('build succeeded') || t.startsWith('build finished')) {
        running = null;
        return;
      }
      if (t.startsWith('Warning, treated as error:')) {
        ctx.claim();
        treated = true;
        return;
      }
      const m = LINE.exec(t.trimEnd());
      if (m === null) return;
      const severity = m[3] === 'WARNING' ? 'warning' : 'error';
      const inner = m[1] === undefined ? EMBEDDED.exec(m[4]!) : null;
      if (inner !== null) report(ctx, inner[1]!, inner[2], severity, inner[3]!);
      else if (m[1] !== undefined || running === 'run') report(ctx, m[1] ?? null, m[2], severity, m[4]!);
    },
    flush() {
      running = null;
      treated = false;
    },
  };
}
