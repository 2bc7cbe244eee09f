/** Reading a repository's HEAD, branch and remote from its files, checked against real git. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseGitConfig, readGitHead } from '../../src/core/gitFiles';

function repo(t: { after: (fn: () => void) => void }): { dir: string; git: (...a: string[]) => string } {
  const dir = mkdtempSync(join(tmpdir(), 'ci-triage-gitfiles-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], {
      cwd: dir,
      encoding: 'utf8',
    }).trim();
  git('init', '-q', '-b', 'feature/login');
  writeFileSync(join(dir, 'a.txt'), 'a\n');
  git('add', '.');
  git('commit', '-q', '-m', 'one');
  return { dir, git };
}

test('branch, HEAD and origin as git itself reports them, loose refs and packed', async (t) => {
  const { dir, git } = repo(t);
  git('remote', 'add', 'origin', 'https://github.example/octo/app.git');
  git('remote', 'add', 'fork', 'git@github.example:me/app.git');
  const expected = {
    root: dir,
    remoteUrl: 'https://github.example/octo/app.git',
    branch: 'feature/login',
    headSha: git('rev-parse', 'HEAD'),
  };
  assert.deepEqual(await readGitHead(dir), expected);
  git('pack-refs', '--all');
  assert.deepEqual(await readGitHead(dir), expected, 'after git pack-refs --all');
});

test("the upstream's remote and branch name win; a detached HEAD has no branch", async (t) => {
  const { dir, git } = repo(t);
  git('remote', 'add', 'origin', 'https://github.example/octo/app.git');
  git('remote', 'add', 'upstream', 'https://gitlab.example/acme/app.git');
  git('config', 'branch.feature/login.remote', 'upstream');
  git('config', 'branch.feature/login.merge', 'refs/heads/login-on-remote');
  const r = await readGitHead(dir);
  assert.equal(r?.remoteUrl, 'https://gitlab.example/acme/app.git', JSON.stringify(r));
  assert.equal(r?.branch, 'login-on-remote', JSON.stringify(r));
  git('checkout', '-q', '--detach');
  const d = await readGitHead(dir);
  assert.equal(d?.branch, null, JSON.stringify(d));
  assert.equal(d?.headSha, git('rev-parse', 'HEAD'));
});

test('a linked worktree reads its own HEAD and the shared config; no .git is null', async (t) => {
  const { dir, git } = repo(t);
  git('remote', 'add', 'origin', 'https://github.example/octo/app.git');
  const wt = join(dir, 'wt');
  git('worktree', 'add', '-q', '-b', 'other', wt);
  const r = await readGitHead(wt);
  assert.deepEqual(r, {
    root: wt,
    remoteUrl: 'https://github.example/octo/app.git',
    branch: 'other',
    headSha: git('rev-parse', 'HEAD'),
  });
  const empty = mkdtempSync(join(tmpdir(), 'ci-triage-nogit-'));
  t.after(() => rmSync(empty, { recursive: true, force: true }));
  assert.equal(await readGitHead(empty), null);
});

test('git config sections, quoted subsections, comments and bare keys', () => {
  const c = parseGitConfig(
    '[core]\n\tbare = false ; no\n[remote "origin"]\n\turl = "https://x/y.git"\n# c\n[branch "a b"]\n\tremote = origin\n\trebase\n',
  );
  assert.deepEqual(Object.fromEntries(c), {
    core: { bare: 'false' },
    'remote "origin"': { url: 'https://x/y.git' },
    'branch "a b"': { remote: 'origin', rebase: 'true' },
  });
});
