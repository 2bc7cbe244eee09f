/**
 * The accuracy bar of issue #2, held in the test suite: the shared, hand-labelled corpus of real CI logs
 * (kept outside this repository for licence reasons; CI has it beside the checkout) scored by its own scorer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..', '..');
const shared = resolve(root, '..', 'shared');
const scorer = join(shared, 'tools', 'score-parser');
const cli = join(root, 'dist', 'cli.js');

test('the parser meets the accuracy bar on the shared corpus', { timeout: 120_000 }, () => {
  assert.ok(existsSync(scorer), `the shared corpus and scorer are expected at ${shared}`);
  assert.ok(existsSync(cli), `build first: ${cli} is missing`);
  const r = spawnSync(
    'python3',
    [
      scorer,
      '--cmd',
      `"${process.execPath}" "${cli}" parse {log} --json`,
      '--corpus',
      join(shared, 'corpus'),
      '--verbose',
    ],
    { encoding: 'utf8' },
  );
  const out = r.stdout + r.stderr;
  assert.equal(r.status, 0, `scorer failed:\n${out}`);
  const micro = Number(/micro-F1 ([\d.]+)/.exec(out)?.[1]);
  const macro = Number(/macro-F1 ([\d.]+)/.exec(out)?.[1]);
  const env = /environment (\d+)\/(\d+)/.exec(out);
  const crashed = Number(/crashed (\d+)/.exec(out)?.[1]);
  assert.equal(crashed, 0, `the CLI crashed on some logs:\n${out}`);
  assert.ok(micro >= 0.95, `micro-F1 ${micro} < 0.95:\n${out}`);
  assert.ok(macro >= 0.9, `macro-F1 ${macro} < 0.90:\n${out}`);
  assert.ok(env && Number(env[1]) / Number(env[2]) >= 0.9, `environment ${env?.[0]} under 90%:\n${out}`);
});
