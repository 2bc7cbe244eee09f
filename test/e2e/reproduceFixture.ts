/**
 * What the Reproduce Locally end-to-end test needs besides VS Code: podman's configuration and the pinned
 * image's digest (written by scripts/container/setup.sh), and a git workspace made from the fixture project
 * in test/fixtures/reproduce, whose HEAD is the commit the fake's run tested.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { repoRoot } from './codeServer';

export const reproduceFixtures = join(repoRoot, 'test', 'fixtures', 'reproduce');

export interface PodmanSetup {
  /** CONTAINERS_CONF and CONTAINERS_STORAGE_CONF, for the extension host and so for the task. */
  env: Record<string, string>;
  /** The pinned image's digest, `sha256:...`. */
  digest: string;
}

/** Reads $CI_TRIAGE_CACHE/podman/env; throws, saying what to run, when setup.sh has not run. */
export function podmanSetup(): PodmanSetup {
  const cache = process.env['CI_TRIAGE_CACHE'] || join(homedir(), '.cache', 'ci-triage');
  const file = join(cache, 'podman', 'env');
  if (!existsSync(file)) throw new Error(`run scripts/container/setup.sh first: ${file} is missing`);
  const vars = Object.fromEntries(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  const digest = vars['CI_TRIAGE_IMAGE_DIGEST'] ?? '';
  if (!/^sha256:[0-9a-f]{64}$/.test(digest))
    throw new Error(`no image digest in ${file}: ${JSON.stringify(vars)}`);
  const env: Record<string, string> = {};
  for (const k of ['CONTAINERS_CONF', 'CONTAINERS_STORAGE_CONF']) {
    if (!vars[k]) throw new Error(`no ${k} in ${file}: ${JSON.stringify(vars)}`);
    env[k] = vars[k];
  }
  return { env, digest };
}

/** A fixture job log (`*.log.in`) with the image's digest filled in, as test/container does. */
export function reproduceLog(template: string, digest: string): string {
  return readFileSync(join(reproduceFixtures, template), 'utf8').replaceAll('@@DIGEST@@', digest);
}

/**
 * A clone-like git workspace holding the fixture project: `branch` checked out, `origin` at
 * https://github.example/<repo>.git. Returns it with its HEAD commit, for the fake's run to name.
 */
export function fixtureGitWorkspace(repo: string, branch: string): { ws: string; headSha: string } {
  const ws = mkdtempSync(join(tmpdir(), 'ci-triage-ws-'));
  // The fixture folder carries compiled files from a local run; a checkout would not.
  cpSync(join(reproduceFixtures, 'project'), ws, {
    recursive: true,
    filter: (src) => basename(src) !== '__pycache__',
  });
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=CI Triage e2e', '-c', 'user.email=e2e@example.invalid', ...args], {
      cwd: ws,
      encoding: 'utf8',
      stdio: 'pipe',
    });
  git('init', '-q', '-b', branch);
  git('add', '.');
  git('commit', '-q', '-m', 'a discount that rounds differently');
  git('remote', 'add', 'origin', `https://github.example/${repo}.git`);
  return { ws, headSha: git('rev-parse', 'HEAD').trim() };
}
