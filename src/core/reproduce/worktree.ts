/**
 * A clean `git worktree` at the run's head commit: the exact snapshot CI tested, whatever the local checkout
 * holds. git is called with argument arrays only.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PlanError } from './plan';

const SHA = /^[0-9a-f]{7,40}$/;

function git(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { encoding: 'utf8', timeout: 120_000 }, (err, stdout, stderr) =>
      err ? reject(new Error((stderr || err.message).trim())) : resolve(stdout.trim()),
    );
  });
}

/** The workspace's HEAD commit, or null when it is not a git checkout. */
export async function localHead(workspace: string): Promise<string | null> {
  try {
    return await git(['-C', workspace, 'rev-parse', '--verify', 'HEAD']);
  } catch {
    return null;
  }
}

/** True when `a` and `b` name the same commit (either may be abbreviated). */
export function sameCommit(a: string, b: string): boolean {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x.length >= 7 && y.length >= 7 && (x.startsWith(y) || y.startsWith(x));
}

/**
 * A worktree of `workspace` at `sha` under `parent` (made, or reused when it is still clean at that commit).
 * Throws PlanError with what to do when the commit is not in the local clone.
 */
export async function createWorktree(workspace: string, sha: string, parent: string): Promise<string> {
  if (!SHA.test(sha)) throw new PlanError(`the run's commit ${JSON.stringify(sha)} is not a commit id`);
  let full: string;
  try {
    full = await git([
      '-C',
      workspace,
      'rev-parse',
      '--verify',
      '--quiet',
      '--end-of-options',
      `${sha}^{commit}`,
    ]);
  } catch {
    throw new PlanError(`commit ${sha} is not in the local clone: fetch it first (git fetch origin ${sha})`);
  }
  const dir = join(parent, `worktree-${full.slice(0, 12)}`);
  if (existsSync(dir)) {
    const head = await git(['-C', dir, 'rev-parse', 'HEAD']).catch(() => '');
    const dirty = await git(['-C', dir, 'status', '--porcelain']).catch(() => 'unknown');
    if (head === full && dirty === '') return dir;
    await git(['-C', workspace, 'worktree', 'remove', '--force', dir]).catch(() => undefined);
  }
  await git(['-C', workspace, 'worktree', 'prune']).catch(() => undefined);
  await git(['-C', workspace, 'worktree', 'add', '--detach', dir, full]);
  return dir;
}
