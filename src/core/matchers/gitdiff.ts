/**
 * `git diff --exit-code` after a step that formats or generates files (`black . && git diff --exit-code`, "check
 * that the lockfile is up to date"): the job changed files the commit should have had changed. Each file of the
 * diff is one problem, at the first changed line of its first hunk. Only after a `git diff` command that fails on a
 * difference (`--exit-code`, `--quiet` prints nothing): a diff printed for information is no failure.
 */
import type { Matcher, MatcherContext, Wake } from '../matcher';

export const GITDIFF_WAKE: Wake = {
  // The command (a line of a GitHub step's script, GitLab's `$ ` echo, `set -x`'s `+ `), a file's header, a hunk's.
  prefixes: ['git diff ', '$ ', '+ git diff ', 'diff --git ', '@@ -'],
};
// The command, alone or after another (`black . && git diff --exit-code`); GitHub names a step by its first line.
const COMMAND = /\bgit diff\b.{0,500}--exit-code\b/;
const HEADER = /^diff --git (?:"?a\/.{1,1000}?"?) "?b\/(.{1,1000}?)"?$/;
const HUNK = /^@@ -\d{1,9}(?:,\d{1,9})? \+(\d{1,9})(?:,\d{1,9})? @@/;
/** Context lines a hunk starts with (3 by default; `-U` may ask for more). */
const MAX_CONTEXT = 50;

export function createGitDiffMatcher(): Matcher {
  /** A `git diff --exit-code` ran in this step. */
  let armed = false;
  /** The file whose first hunk is awaited, then read (its new-side line, the context lines before a change). */
  let file: string | null = null;
  let line = 0;
  let context = -1;

  /** The awaited file's problem: at its first change, or with no line (a binary file, a mode change). */
  function report(ctx: MatcherContext): void {
    ctx.emit({
      file,
      line: context >= 0 ? line + context : null,
      column: null,
      severity: 'error',
      tool: 'git',
      message: `${file} differs from the commit after the job's earlier steps (git diff --exit-code)`,
    });
    file = null;
    context = -1;
  }

  return {
    name: 'gitdiff',
    wake: GITDIFF_WAKE,
    get busy(): boolean {
      return file !== null;
    },
    line(l, ctx) {
      const t = l.text;
      const c = t.charCodeAt(0);
      if (file !== null && context >= 0) {
        // Inside the first hunk: context lines (a space, or nothing for an empty one) until the first change.
        if ((c === 32 || t.length === 0) && context < MAX_CONTEXT) {
          context++;
          return;
        }
        report(ctx);
        return;
      }
      if (c === 100 /* d */) {
        if (!armed && l.step !== null && COMMAND.test(l.step.name)) armed = true;
        const m = armed && l.command === null ? HEADER.exec(t) : null;
        if (m !== null) {
          if (file !== null) report(ctx);
          ctx.claim();
          file = m[1]!;
          context = -1;
        }
        return;
      }
      if (c === 64 /* @ */) {
        const m = file !== null ? HUNK.exec(t) : null;
        if (m !== null) {
          line = Number(m[1]);
          context = 0;
        }
        return;
      }
      if ((c === 103 /* g */ || c === 36 /* $ */ || c === 43) /* + */ && COMMAND.test(t)) armed = true;
    },
    flush(ctx) {
      if (file !== null) report(ctx);
      armed = false;
      file = null;
      context = -1;
    },
  };
}
