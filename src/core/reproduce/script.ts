/**
 * reproduce.sh: the plan as an editable POSIX shell script, run in the container. The job's commands go in
 * verbatim (they ran in CI; here they run in the container, never on the host); every other text from the
 * log (names, values, ids) is quoted or goes into comments with its line breaks removed.
 */
import type { PlannedStep, ReproPlan } from './plan';
import type { Narrowed } from './narrow';
import { commentText, shellQuote } from './shell';

/** Where the script is mounted in the container. */
export const SCRIPT_IN_CONTAINER = '/ci-triage/reproduce.sh';

export function renderScript(plan: ReproPlan): string {
  const out: string[] = [];
  const c = (s: string): void => {
    out.push(`# ${commentText(s)}`.trimEnd());
  };
  out.push('#!/bin/sh');
  c(
    `CI Triage: reproduces a failed CI job in a container${plan.logName ? `, from ${plan.logName}` : ''}. Edit freely.`,
  );
  const kind =
    plan.provider === 'github' ? 'GitHub Actions' : plan.provider === 'gitlab' ? 'GitLab CI' : 'plain log';
  c(
    `Job: ${plan.jobName ?? '(name not in the log)'} (${kind})${plan.headSha ? `, commit ${plan.headSha}` : ''}`,
  );
  const how = plan.image.approximate
    ? 'APPROXIMATION, not the job’s own image'
    : plan.image.pinned
      ? `pinned by digest, from the ${plan.image.source === 'log' ? 'log' : 'workflow file'}`
      : `by tag, from the ${plan.image.source === 'log' ? 'log' : 'workflow file'}`;
  c(`Image: ${plan.image.ref} (${how})`);
  c(`Working folder: ${plan.workdir} (the workspace is mounted there)`);
  for (const n of plan.notes) c(`Note: ${n}`);
  if (plan.narrowed.length > 0) {
    c('CI_TRIAGE_ONLY_FAILING=1 runs just what failed (the narrowed command) in place of the failed step.');
  }
  out.push('');
  out.push('if [ -z "${BASH_VERSION:-}" ] && command -v bash >/dev/null 2>&1; then exec bash "$0" "$@"; fi');
  out.push(`: "\${CI_TRIAGE_ONLY_FAILING:=${plan.onlyFailing ? 1 : 0}}"`);
  out.push('export CI=true');
  if (plan.provider === 'gitlab') out.push('export GITLAB_CI=true');
  out.push(...PRELUDE);
  out.push(`cd ${shellQuote(plan.workdir)} || exit 1`);
  out.push('');

  const failedIndex = plan.steps.findIndex((s) => s.failed);
  plan.steps.forEach((s, i) => {
    if (i === failedIndex && plan.narrowed.length > 0) {
      out.push('if [ "$CI_TRIAGE_ONLY_FAILING" = 1 ]; then');
      out.push(...narrowedBlock(plan.narrowed, s));
      out.push('else');
      out.push(...stepBlock(s, i));
      out.push('fi');
    } else {
      out.push(...stepBlock(s, i));
    }
    out.push('');
  });
  if (failedIndex < 0 && plan.narrowed.length > 0) {
    out.push(...narrowedBlock(plan.narrowed, null));
    out.push('');
  }
  if (failedIndex >= 0) out.push('echo "ci-triage: the step that failed in CI passed here" >&2');
  out.push('exit 0');
  return out.join('\n') + '\n';
}

const PRELUDE = [
  'ci_triage_tmp=$(mktemp -d 2>/dev/null || echo /tmp/ci-triage.$$)',
  'mkdir -p "$ci_triage_tmp"',
  '# What a GitHub step writes to $GITHUB_ENV / $GITHUB_PATH reaches the next steps, as in CI.',
  'export GITHUB_ENV="$ci_triage_tmp/env" GITHUB_PATH="$ci_triage_tmp/path"',
  'export GITHUB_OUTPUT="$ci_triage_tmp/output" GITHUB_STEP_SUMMARY="$ci_triage_tmp/summary"',
  ': >"$GITHUB_ENV"; : >"$GITHUB_PATH"; : >"$GITHUB_OUTPUT"; : >"$GITHUB_STEP_SUMMARY"',
  'ci_triage_after_step() {',
  '  while IFS= read -r ci_triage_l || [ -n "$ci_triage_l" ]; do',
  '    case "$ci_triage_l" in [A-Za-z_]*=*) export "$ci_triage_l" ;; esac',
  '  done <"$GITHUB_ENV"',
  '  while IFS= read -r ci_triage_l || [ -n "$ci_triage_l" ]; do',
  '    [ -n "$ci_triage_l" ] && PATH="$ci_triage_l:$PATH"',
  '  done <"$GITHUB_PATH"',
  '  export PATH',
  '  : >"$GITHUB_ENV"; : >"$GITHUB_PATH"',
  '  if [ "$1" -ne 0 ]; then',
  '    printf \'ci-triage: step "%s" failed with exit code %s\\n\' "$2" "$1" >&2',
  '    exit "$1"',
  '  fi',
  '}',
];

function stepBlock(s: PlannedStep, i: number): string[] {
  const out: string[] = [];
  const where = `log line ${s.logLine}${s.failed ? '; FAILED in CI' : ''}`;
  out.push(`# --- ${commentText(s.title)} (${where})`);
  if (s.kind === 'skip') {
    out.push(`# ${commentText(s.note ?? 'left out')}`);
    for (const cmd of s.commands) out.push(`#   ${commentText(cmd)}`);
    return out;
  }
  out.push('(');
  out.push(...shellOptions(s));
  out.push(...envLines(s));
  if (s.cwd !== null) out.push(`cd ${shellQuote(s.cwd)} || exit 1`);
  if (s.interpreter === 'python') {
    const delim = heredocDelimiter(s.commands, `CI_TRIAGE_PY_${i}`);
    out.push(`cat >"$ci_triage_tmp/step${i}.py" <<'${delim}'`);
    out.push(...s.commands);
    out.push(delim);
    out.push(`python3 "$ci_triage_tmp/step${i}.py" || python "$ci_triage_tmp/step${i}.py"`);
  } else {
    s.commands.forEach((cmd, k) => {
      if (s.truncated.includes(k))
        out.push(`# (only the first line of this command is known) ${commentText(cmd)}`);
      else out.push(cmd);
    });
  }
  out.push(')');
  out.push(`ci_triage_after_step $? ${shellQuote(oneLine(s.title))}`);
  return out;
}

function narrowedBlock(narrowed: readonly Narrowed[], s: PlannedStep | null): string[] {
  const out: string[] = [];
  for (const n of narrowed) {
    const what = n.tool === 'pytest' || n.tool === 'unittest' ? 'failing test(s)' : 'file(s) it reported';
    out.push(
      `# --- Narrowed: ${n.tool} on the ${n.targets.length} ${what}${n.reusedInvocation ? '' : ' (called directly: the step ran it through a wrapper)'}`,
    );
    out.push('(');
    if (s) {
      out.push(...shellOptions(s));
      out.push(...envLines(s));
      if (s.cwd !== null) out.push(`cd ${shellQuote(s.cwd)} || exit 1`);
    } else {
      out.push('set -e');
    }
    out.push(...n.commands);
    out.push(')');
    out.push(`ci_triage_after_step $? ${shellQuote(`narrowed ${n.tool}`)}`);
  }
  return out;
}

function shellOptions(s: PlannedStep): string[] {
  const out: string[] = [];
  if (s.errexit) out.push('set -e');
  if (s.pipefail) out.push('(set -o pipefail) 2>/dev/null && set -o pipefail');
  return out;
}

function envLines(s: PlannedStep): string[] {
  const out: string[] = [];
  const unset = new Map<string, string[]>();
  for (const e of s.env) {
    if (e.value !== null) out.push(`export ${e.name}=${shellQuote(oneLine(e.value))}`);
    else unset.set(e.why ?? '', [...(unset.get(e.why ?? '') ?? []), e.name]);
  }
  // One comment per reason: setup-python alone leaves six tool-cache variables in every step.
  for (const [why, names] of unset)
    out.push(`# left unset (${commentText(why)}): ${commentText(names.join(' '))}`);
  return out;
}

function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ');
}

function heredocDelimiter(lines: readonly string[], base: string): string {
  let d = base;
  let k = 0;
  while (lines.some((l) => l.trim() === d)) d = `${base}_${++k}`;
  return d;
}
