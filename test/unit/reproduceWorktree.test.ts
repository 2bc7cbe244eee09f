/** The clean worktree at the run's commit, against a real git repository. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PlanError } from '../../src/core/reproduce/plan';
import { createWorktree, localHead, sameCommit } from '../../src/core/reproduce/worktree';

test('a worktree at the run’s commit holds that snapshot, not the local edits, and is reused while clean', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ci-triage-wt-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const ws = join(dir, 'ws');
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', '-C', ws, ...args], {
      encoding: 'utf8',
    }).trim();
  execFileSync('git', ['init', '-q', '-b', 'main', ws]);
  writeFileSync(join(ws, 'test_a.py'), 'def test_a():\n    assert 1 == 2\n');
  git('add', '.');
  git('commit', '-q', '-m', 'the commit CI ran');
  const ciSha = git('rev-parse', 'HEAD');
  writeFileSync(join(ws, 'test_a.py'), 'def test_a():\n    assert 1 == 1\n');
  git('commit', '-q', '-am', 'a local fix');
  writeFileSync(join(ws, 'test_a.py'), 'uncommitted\n');

  assert.equal(await localHead(ws), git('rev-parse', 'HEAD'));
  assert.ok(!sameCommit(ciSha, git('rev-parse', 'HEAD')));
  assert.ok(sameCommit(ciSha.slice(0, 7), ciSha));

  const parent = join(dir, 'storage');
  const wt = await createWorktree(ws, ciSha.slice(0, 10), parent);
  assert.equal(
    readFileSync(join(wt, 'test_a.py'), 'utf8'),
    'def test_a():\n    assert 1 == 2\n',
    'the snapshot CI tested',
  );
  assert.equal(execFileSync('git', ['-C', wt, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim(), ciSha);
  assert.equal(readFileSync(join(ws, 'test_a.py'), 'utf8'), 'uncommitted\n', 'the workspace is left alone');
  assert.equal(await createWorktree(ws, ciSha, parent), wt, 'a clean worktree at that commit is reused');

  // Dirtied, it is made afresh.
  writeFileSync(join(wt, 'test_a.py'), 'changed\n');
  const again = await createWorktree(ws, ciSha, parent);
  assert.equal(readFileSync(join(again, 'test_a.py'), 'utf8'), 'def test_a():\n    assert 1 == 2\n');
});

test('a commit that is not in the clone, or not a commit id, is refused with what to do', async (t) => {
  const ws = mkdtempSync(join(tmpdir(), 'ci-triage-wt-'));
  t.after(() => rmSync(ws, { recursive: true, force: true }));
  execFileSync('git', ['init', '-q', ws]);
  await assert.rejects(createWorktree(ws, 'f'.repeat(40), join(ws, '.s')), (e: unknown) => {
    assert.ok(e instanceof PlanError, String(e));
    assert.match(e.message, /not in the local clone: fetch it first \(git fetch origin f{40}\)/);
    return true;
  });
  for (const bad of ['--upload-pack=touch /tmp/x', 'HEAD~1', '$(id)'])
    await assert.rejects(createWorktree(ws, bad, join(ws, '.s')), (e: unknown) => {
      assert.ok(e instanceof PlanError, `${bad}: ${String(e)}`);
      assert.match(e.message, /is not a commit id/, bad);
      return true;
    });
});
