/**
 * The container command for a plan, as an argument array for spawn / ProcessExecution: never a shell string.
 * Only checked values reach it: the image (a valid reference, which cannot start with `-`), the working
 * folder (plain characters), and host paths this side chose (the workspace or a worktree, and the script).
 */
import { createHash } from 'node:crypto';
import { isAbsolute, normalize } from 'node:path';
import { parseImageRef } from './imageRef';
import { isSafeWorkdir, PlanError } from './plan';
import type { ReproPlan } from './plan';
import { SCRIPT_IN_CONTAINER } from './script';

export type Engine = 'podman' | 'docker';

export interface ContainerCommandOptions {
  engine: Engine;
  /** Host folder mounted at the plan's working folder: the workspace, or a worktree of it. */
  mountSource: string;
  /** Host path of reproduce.sh (mounted read-only). */
  scriptPath: string;
  /** The container's name (containerName): removed by name once the run has ended (removeCommand). */
  name: string;
  /**
   * `missing` (default): a digest-pinned reference can only resolve to those exact bytes, so fetching it
   * when it is not here is safe, and a fresh machine needs it. `never` for offline use.
   */
  pull?: 'missing' | 'never';
}

const NAME = /^ci-triage-[0-9a-f]{16}$/;

/**
 * The key of a log's reproduction (16 hex digits): its files' folder and its container's name. One per log file,
 * so two reproductions do not overwrite each other's script.
 */
export function reproductionId(logPath: string): string {
  return createHash('sha256').update(logPath).digest('hex').slice(0, 16);
}

/** The container's name for the reproduction keyed by `id` (`reproductionId`). */
export function containerName(id: string): string {
  return checkName(`ci-triage-${id}`);
}

function checkName(name: string): string {
  if (!NAME.test(name))
    throw new PlanError(`the container name ${JSON.stringify(name)} is not ci-triage-<16 hex digits>`);
  return name;
}

/**
 * Removes the reproduction's container: after `run` has returned, and before the next run of the same log (a
 * leftover of a killed run would take the name). Not forced: a container still running is left alone.
 */
export function removeCommand(engine: Engine, name: string): string[] {
  return [engine, 'rm', checkName(name)];
}

/** A host path that can be given to `-v`: absolute, normalised, and free of `:` `,` and control characters. */
export function checkHostPath(p: string, what: string): string {
  if (!isAbsolute(p) || normalize(p) !== p || (p.length > 1 && p.endsWith('/')))
    throw new PlanError(`${what} ${JSON.stringify(p)} must be an absolute, normalised path`);
  if (/[:,\x00-\x1f\x7f]/.test(p))
    throw new PlanError(
      `${what} ${JSON.stringify(p)} contains ':' ',' or a control character, which a volume mount cannot take`,
    );
  return p;
}

export function containerCommand(plan: ReproPlan, opts: ContainerCommandOptions): string[] {
  if (opts.engine !== 'podman' && opts.engine !== 'docker')
    throw new PlanError(`unknown engine ${JSON.stringify(opts.engine)}`);
  // Checked again here, where it matters: the plan may have been edited or built elsewhere.
  try {
    parseImageRef(plan.image.ref);
  } catch (e) {
    throw new PlanError((e as Error).message);
  }
  if (!isSafeWorkdir(plan.workdir) && plan.workdir !== '/work')
    throw new PlanError(`the working folder ${JSON.stringify(plan.workdir)} is not a safe mount point`);
  const src = checkHostPath(opts.mountSource, 'the workspace');
  const script = checkHostPath(opts.scriptPath, 'the script');
  return [
    opts.engine,
    'run',
    // Not --rm: podman 4.3's cleanup process then removes the container while `run` still waits for its exit
    // code, and `run` exits 127 ("container has already been removed") after a passing script. The caller
    // removes it by name once `run` has returned (removeCommand).
    '--name',
    checkName(opts.name),
    `--pull=${opts.pull ?? 'missing'}`,
    // PID 1 that forwards Ctrl-C (a shell as PID 1 ignores SIGINT).
    '--init',
    // SELinux hosts deny a bind mount's files otherwise; relabelling (:Z) would rewrite the workspace's labels.
    '--security-opt',
    'label=disable',
    '-v',
    `${src}:${plan.workdir}`,
    '-v',
    `${script}:${SCRIPT_IN_CONTAINER}:ro`,
    '-w',
    plan.workdir,
    // The image's own entrypoint (python, a CLI) would take the script as its argument.
    '--entrypoint',
    '/bin/sh',
    plan.image.ref,
    SCRIPT_IN_CONTAINER,
  ];
}
