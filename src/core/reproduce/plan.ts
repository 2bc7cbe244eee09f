/**
 * The reproduction plan of a failed job: which image, which commands (the job's shell steps up to the failed
 * one, plus a narrowed command for just what failed), and where the workspace goes in the container.
 * Pure: the log's parse, its JobLog and the workspace's CI files in, a plan out.
 */
import { looksSecret } from '../environment';
import type { Problem, ParseResult } from '../model';
import { LogParser } from '../parser';
import { splitLines } from '../lines';
import { formatImageRef, parseImageRef, pinImage } from './imageRef';
import { JobLogScanner } from './jobLog';
import type { JobLog, LoggedStep } from './jobLog';
import { narrowCommands, narrowTargets, NARROWABLE_TOOLS } from './narrow';
import type { Narrowed } from './narrow';
import { SHELL_NAME } from './shell';
import { findGithubJob, findGitlabJob, firstLine } from './workflow';
import type { WorkflowFile, WorkflowJob } from './workflow';

/** Maps a job that ran on a runner VM to the closest image (a setting). Images are checked like any other. */
export interface ImageApproximations {
  /** Runner label (`ubuntu-24.04`) → image; consulted first. */
  byRunnerLabel?: Readonly<Record<string, string>>;
  /** Python version (`3.11.13`, then `3.11`) → image. Default: the official `python:<version>`. */
  byPythonVersion?: Readonly<Record<string, string>>;
}

export interface PlanOptions {
  /** The workspace's CI files (`loadWorkflowFiles`), for what the log does not show. */
  workflows?: readonly WorkflowFile[];
  approximations?: ImageApproximations;
  /** Narrow to this problem (a test, or a linter's file) instead of every failure of the step. */
  focus?: Problem | null;
  /** Run only the narrowed command in place of the failed step, by default. */
  onlyFailing?: boolean;
  /** Shown in the script's header. */
  logName?: string;
}

export interface PlannedImage {
  /** A valid reference (checked by parseImageRef). */
  ref: string;
  /** Pinned by digest. */
  pinned: boolean;
  /** Not the job's own image: a stand-in for a runner VM. */
  approximate: boolean;
  source: 'log' | 'workflow' | 'approximation';
}

export interface PlannedEnv {
  name: string;
  /** The value to export, or null when it is left unset (`why` says why). */
  value: string | null;
  why?: string;
}

export interface PlannedStep {
  title: string;
  logLine: number;
  failed: boolean;
  /** `run`: commands to run; `skip`: a comment only (an action, an action's own script, another shell). */
  kind: 'run' | 'skip';
  /** Why a step is skipped or what stands in for it. */
  note: string | null;
  commands: string[];
  /** Indices of commands that are only the first line of a longer one (GitLab collapsed them). */
  truncated: number[];
  env: PlannedEnv[];
  errexit: boolean;
  pipefail: boolean;
  interpreter: 'shell' | 'python';
  /** Workspace-relative folder to run in, or null for the working folder. */
  cwd: string | null;
}

export interface ReproPlan {
  provider: 'github' | 'gitlab' | 'plain';
  jobName: string | null;
  headSha: string | null;
  image: PlannedImage;
  /** The working folder in the container, where the workspace is mounted. */
  workdir: string;
  steps: PlannedStep[];
  /** The narrowed run of what failed, one per tool, or empty. */
  narrowed: Narrowed[];
  onlyFailing: boolean;
  /** Plain statements for the user: approximations, what was left out and why. */
  notes: string[];
  logName: string | null;
  /** Python version the log printed, or null. */
  python: string | null;
}

/** A plan cannot be made (an invalid image, a path outside the workspace); the message says why. */
export class PlanError extends Error {}

const DEFAULT_WORKDIR = '/work';
const SAFE_WORKDIR = /^(?:\/[A-Za-z0-9._@+-]+)+$/;
const SYSTEM_DIRS =
  /^\/(?:bin|boot|dev|etc|lib|lib32|lib64|libx32|proc|root|run|sbin|sys|tmp|usr|var|ci-triage)(?:\/|$)/;
const TOOLCACHE_VARS = new Set([
  'pythonLocation',
  'Python_ROOT_DIR',
  'Python2_ROOT_DIR',
  'Python3_ROOT_DIR',
  'PKG_CONFIG_PATH',
  'LD_LIBRARY_PATH',
]);
const JS_TOOLS = new Set(['tsc', 'eslint', 'jest', 'prettier', 'npm', 'yarn', 'pnpm', 'vitest']);

export interface JobRead {
  parsed: ParseResult;
  job: JobLog;
}

/** Reads a whole log (lines) into its parse and its JobLog in one pass. */
export function readJob(lines: Iterable<string>, workspace: string | null = null): JobRead {
  const r = new JobReader(workspace);
  for (const line of lines) r.push(line);
  return r.end();
}

/** Reads a log stream (a file, a download) into its parse and its JobLog, in bounded memory. */
export async function readJobStream(
  source: AsyncIterable<Uint8Array | string>,
  workspace: string | null = null,
): Promise<JobRead> {
  const r = new JobReader(workspace);
  for await (const line of splitLines(source)) r.push(line);
  return r.end();
}

class JobReader {
  private readonly parser: LogParser;
  private readonly scanner = new JobLogScanner();
  private readonly problems: Problem[] = [];
  constructor(workspace: string | null) {
    this.parser = new LogParser({ workspace });
  }
  push(line: string): void {
    for (const p of this.parser.push(line)) this.problems.push(p);
    this.scanner.push(line);
  }
  end(): JobRead {
    const parser = this.parser;
    const problems = this.problems;
    for (const p of parser.end()) problems.push(p);
    return {
      parsed: {
        problems,
        environment: parser.environment,
        steps: parser.steps,
        format: parser.format,
        lines: parser.lines,
      },
      job: this.scanner.end(),
    };
  }
}

/** The plan for a job, from its parsed log and JobLog. Throws PlanError when it must refuse. */
export function buildPlan(parsed: ParseResult, job: JobLog, opts: PlanOptions = {}): ReproPlan {
  const provider = parsed.format === 'gitlab' ? 'gitlab' : parsed.format === 'plain' ? 'plain' : 'github';
  const notes: string[] = [];
  const failedIndex = findFailedStep(job.steps, parsed.problems);
  const upTo = failedIndex === null ? job.steps : job.steps.slice(0, failedIndex + 1);

  const workflow = findWorkflowJob(provider, job, upTo, opts.workflows ?? []);
  const image = chooseImage(parsed, job, workflow, opts.approximations ?? {}, notes);

  let workdir = DEFAULT_WORKDIR;
  if (job.workdir !== null) {
    if (isSafeWorkdir(job.workdir)) workdir = job.workdir;
    else
      notes.push(
        `The log's working folder ${JSON.stringify(job.workdir)} is not a safe mount point: using ${DEFAULT_WORKDIR}.`,
      );
  }

  const python = parsed.environment.python;
  const steps = upTo.map((s, i) =>
    planStep(s, failedIndex !== null && i === failedIndex, provider, workflow, workdir, python),
  );
  if (steps.length === 0) notes.push('The log shows no commands of the job: only the narrowed command runs.');
  else if (failedIndex === null)
    notes.push('The log does not show which step failed: every step it shows runs.');
  for (const s of steps) {
    if (s.truncated.length > 0)
      notes.push(
        `GitLab showed only the first line of ${s.truncated.length} multi-line command(s) in "${s.title}", and the job is not in .gitlab-ci.yml here: they are commented out; copy them in from the CI file.`,
      );
  }

  const failedTitle = failedIndex !== null ? job.steps[failedIndex]!.name : null;
  const failing = selectProblems(parsed.problems, failedTitle, opts.focus ?? null);
  const failedCommands = failedIndex !== null ? steps[failedIndex]!.commands : [];
  const narrowed: Narrowed[] = [];
  const dropped: string[] = [];
  for (const tool of NARROWABLE_TOOLS) {
    const t = narrowTargets(tool, failing, workdir);
    dropped.push(...t.dropped);
    const n = narrowCommands(tool, failedCommands, t.targets);
    if (n) narrowed.push(n);
  }
  if (dropped.length > 0)
    notes.push(
      `${dropped.length} failing test id(s) or file(s) point outside the workspace and are left out of the narrowed command: ${dropped
        .slice(0, 3)
        .map((d) => JSON.stringify(d))
        .join(', ')}${dropped.length > 3 ? ', …' : ''}.`,
    );
  const onlyFailing = (opts.onlyFailing ?? Boolean(opts.focus)) && narrowed.length > 0;

  return {
    provider,
    jobName: job.jobName,
    headSha: job.headSha,
    image,
    workdir,
    steps,
    narrowed,
    onlyFailing,
    notes,
    logName: opts.logName ?? null,
    python,
  };
}

/** The failed step: the first failed one that printed the job's errors, else the first failed one. */
function findFailedStep(steps: readonly LoggedStep[], problems: readonly Problem[]): number | null {
  const failed = steps
    .map((s, i) => (s.status === 'failure' && s.kind === 'run' ? i : -1))
    .filter((i) => i >= 0);
  const errorSteps = new Set(problems.filter((p) => p.severity === 'error').map((p) => p.step));
  const withErrors = failed.find((i) => errorSteps.has(steps[i]!.name));
  if (withErrors !== undefined) return withErrors;
  if (failed.length > 0) return failed[0]!;
  // No status (a GitLab trace without sections, a cut log): the last run step that printed errors.
  for (let i = steps.length - 1; i >= 0; i--)
    if (steps[i]!.kind === 'run' && errorSteps.has(steps[i]!.name)) return i;
  return null;
}

function selectProblems(problems: readonly Problem[], step: string | null, focus: Problem | null): Problem[] {
  if (focus) return [focus];
  const inStep = step === null ? problems : problems.filter((p) => p.step === step);
  return (inStep.length > 0 ? inStep : problems).filter((p) => p.severity !== 'info');
}

function findWorkflowJob(
  provider: ReproPlan['provider'],
  job: JobLog,
  steps: readonly LoggedStep[],
  files: readonly WorkflowFile[],
): WorkflowJob | null {
  if (files.length === 0) return null;
  if (provider === 'gitlab')
    return findGitlabJob(
      files,
      steps.flatMap((s) => s.commands),
    );
  if (provider === 'github') {
    const first = steps.filter((s) => s.kind === 'run').map((s) => s.commands[0] ?? '');
    return findGithubJob(files, job.jobName, first);
  }
  return null;
}

function chooseImage(
  parsed: ParseResult,
  job: JobLog,
  workflow: WorkflowJob | null,
  approx: ImageApproximations,
  notes: string[],
): PlannedImage {
  const env = parsed.environment;
  if (env.containerImage !== null) {
    const idOnly = env.digest !== null && job.imageIds.includes(env.digest);
    const digest = idOnly ? null : env.digest;
    const ref = guard(() => formatImageRef(pinImage(env.containerImage!, digest)));
    if (idOnly)
      notes.push(
        `The log gives only the runner's local image id (${env.digest}) for ${env.containerImage}, not a registry digest: the tag may point at a newer image today.`,
      );
    else if (!parseImageRef(ref).digest)
      notes.push(
        `The log shows no digest for ${env.containerImage}: the tag may point at a newer image today.`,
      );
    return { ref, pinned: parseImageRef(ref).digest !== null, approximate: false, source: 'log' };
  }
  if (workflow?.image && !workflow.image.includes('${{') && !workflow.image.includes('$')) {
    const ref = guard(() => formatImageRef(parseImageRef(workflow.image!)));
    const pinned = parseImageRef(ref).digest !== null;
    notes.push(
      `The image comes from ${workflow.file} (job ${workflow.id}), not from the log${pinned ? '' : ': by tag, so it may differ from what CI pulled'}.`,
    );
    return { ref, pinned, approximate: false, source: 'workflow' };
  }
  const label = env.runnerImage ?? workflow?.runsOn ?? null;
  const py = env.python;
  let ref: string;
  const byLabel = label !== null ? approx.byRunnerLabel?.[label] : undefined;
  if (byLabel !== undefined) ref = byLabel;
  else if (py !== null)
    ref = approx.byPythonVersion?.[py] ?? approx.byPythonVersion?.[minor(py)] ?? `python:${py}`;
  else if (env.tools['node'] !== undefined) ref = `node:${env.tools['node'].split('.')[0]}`;
  else if (parsed.problems.some((p) => JS_TOOLS.has(p.tool))) ref = 'node:lts';
  else ref = approx.byPythonVersion?.['3'] ?? 'python:3';
  ref = guard(() => formatImageRef(parseImageRef(ref)));
  const where = label !== null ? `on the runner VM ${label}` : 'outside any container the log names';
  const what =
    py !== null
      ? `it has the Python the log printed (${py}) but not the runner's other software`
      : 'it is only the closest match';
  notes.push(
    `APPROXIMATION: the job ran ${where}, so there is no pinned image; ${ref} stands in (${what}). ` +
      'To reproduce exactly, run the job in a container pinned by digest: in the workflow, ' +
      '`container: image: python:3.x@sha256:<digest>` (GitHub) or `image: python:3.x@sha256:<digest>` (GitLab), ' +
      'and CI and this reproduction use the same image.',
  );
  return { ref, pinned: parseImageRef(ref).digest !== null, approximate: true, source: 'approximation' };
}

function minor(v: string): string {
  return v.split('.').slice(0, 2).join('.');
}

function guard(f: () => string): string {
  try {
    return f();
  } catch (e) {
    throw new PlanError((e as Error).message);
  }
}

/** A folder the workspace can be mounted on: absolute, plain characters, no `..`, not a system folder. */
export function isSafeWorkdir(dir: string): boolean {
  if (dir.length > 512 || !SAFE_WORKDIR.test(dir)) return false;
  const parts = dir.split('/').slice(1);
  if (parts.some((p) => p === '.' || p === '..')) return false;
  return !SYSTEM_DIRS.test(dir);
}

function planStep(
  s: LoggedStep,
  failed: boolean,
  provider: ReproPlan['provider'],
  workflow: WorkflowJob | null,
  workdir: string,
  python: string | null,
): PlannedStep {
  const base: PlannedStep = {
    title: s.name,
    logLine: s.line,
    failed,
    kind: 'run',
    note: null,
    commands: [],
    truncated: [],
    env: [],
    errexit: true,
    pipefail: provider === 'gitlab',
    interpreter: 'shell',
    cwd: null,
  };
  if (s.kind === 'uses') {
    const action = s.action ?? s.name.slice(4);
    const a = action.toLowerCase();
    let note =
      'an action: left out (what it did is not in the log; do it by hand if the failure depends on it)';
    if (a.startsWith('actions/checkout@')) note = `left out: the workspace is mounted at ${workdir} instead`;
    else if (a.startsWith('actions/setup-python@'))
      note = `left out: the image's Python stands in${python !== null ? ` (CI had ${python})` : ''}`;
    else if (a.startsWith('actions/setup-node@')) note = "left out: the image's Node stands in";
    else if (a.startsWith('actions/cache@') || a.startsWith('actions/upload-artifact@'))
      note = 'left out: caches and artifacts do not change what runs';
    return { ...base, kind: 'skip', note: `uses: ${action}: ${note}` };
  }
  const text = s.commands.join('\n');
  if (/\$GITHUB_ACTION_PATH|\$\{GITHUB_ACTION_PATH\}|github\.action_path/.test(text)) {
    return {
      ...base,
      kind: 'skip',
      note: "part of an action (it runs the action's own files): left out",
      commands: s.commands,
    };
  }
  const shell = (s.shell ?? '').trim();
  const program = shell.split(/\s+/)[0] ?? '';
  const prog = program.slice(program.lastIndexOf('/') + 1);
  let interpreter: PlannedStep['interpreter'] = 'shell';
  if (/^python[0-9.]*$/.test(prog)) interpreter = 'python';
  else if (shell !== '' && prog !== 'bash' && prog !== 'sh') {
    return {
      ...base,
      kind: 'skip',
      note: `runs under ${shell}, which this reproduction does not provide: left out`,
      commands: s.commands,
    };
  }
  const errexit = shell === '' ? true : /(^|\s)-[a-z]*e/.test(shell);
  const pipefail = shell === '' ? provider !== 'plain' : /-o\s+pipefail/.test(shell);

  let commands = s.commands;
  const truncated: number[] = [];
  if (s.collapsed.length > 0) {
    commands = s.commands.map((c, i) => {
      if (!s.collapsed.includes(i)) return c;
      const full = workflow?.script.find((e) => firstLine(e) === c.trim());
      if (full !== undefined) return full.replace(/\n+$/, '');
      truncated.push(i);
      return c;
    });
    commands = commands.flatMap((c) => c.split('\n'));
  }
  const wfStep = workflow?.steps.find(
    (w) => w.run !== null && firstLine(w.run) === (s.commands[0] ?? '').trim(),
  );
  const dir = wfStep?.workingDirectory ?? workflow?.workingDirectory ?? null;
  const cwd = dir !== null ? stepDirectory(dir, workdir, s.name) : null;
  return {
    ...base,
    commands,
    truncated,
    env: s.env.map(planEnv),
    errexit,
    pipefail,
    interpreter,
    cwd,
  };
}

/** A step's working-directory as a workspace-relative folder; one outside the workspace is refused. */
function stepDirectory(dir: string, workdir: string, step: string): string | null {
  if (dir.includes('${{')) return null;
  let rel = dir;
  if (rel.startsWith('/')) {
    if (rel === workdir) return null;
    if (!rel.startsWith(workdir + '/'))
      throw new PlanError(
        `the working-directory ${JSON.stringify(dir)} of step "${step}" is outside the workspace: refused`,
      );
    rel = rel.slice(workdir.length + 1);
  }
  const parts: string[] = [];
  for (const p of rel.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') {
      if (parts.length === 0)
        throw new PlanError(
          `the working-directory ${JSON.stringify(dir)} of step "${step}" is outside the workspace: refused`,
        );
      parts.pop();
    } else parts.push(p);
  }
  return parts.length === 0 ? null : parts.join('/');
}

function planEnv(e: { name: string; value: string }): PlannedEnv {
  if (!SHELL_NAME.test(e.name)) return { name: e.name, value: null, why: 'not a shell variable name' };
  if (e.value.includes('***'))
    return {
      name: e.name,
      value: null,
      why: 'masked (***) in the log: a secret; set it yourself if the step needs it',
    };
  if (looksSecret(e.name))
    return { name: e.name, value: null, why: 'its name says secret: set it yourself if the step needs it' };
  if (TOOLCACHE_VARS.has(e.name) || e.value.includes('/hostedtoolcache/'))
    return {
      name: e.name,
      value: null,
      why: "points into the runner's tool cache: the image's own tools stand in",
    };
  return { name: e.name, value: e.value };
}
