import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseFileForWorker } from '../../src/core/parseWorker';
import type { ParseWorkerMessage } from '../../src/core/parseWorker';
import { parseLines } from '../../src/core/parser';
import { splitText } from '../../src/core/lines';

const sample = resolve(__dirname, '..', 'fixtures', 'sample');

async function run(file: string, workspace: string | null): Promise<ParseWorkerMessage[]> {
  const messages: ParseWorkerMessage[] = [];
  await parseFileForWorker({ file, workspace }, (m) => messages.push(m));
  return messages;
}

test('the worker streams the same problems as an in-memory parse, then one done message', async () => {
  const file = join(sample, 'github-pytest.log');
  const workspace = join(sample, 'project');
  const messages = await run(file, workspace);
  const expected = parseLines(splitText(readFileSync(file, 'utf8')), { workspace });
  const last = messages[messages.length - 1];
  assert.equal(last?.kind, 'done', `messages: ${JSON.stringify(messages.map((m) => m.kind))}`);
  const problems = messages.flatMap((m) => (m.kind === 'problems' ? m.problems : []));
  assert.deepEqual(problems, expected.problems);
  assert.ok(last?.kind === 'done');
  assert.equal(last.lines, expected.lines);
  assert.equal(last.format, expected.format);
  assert.deepEqual(last.steps, expected.steps);
});

test('the worker sends problems in bounded batches as it goes', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ci-triage-worker-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'many.log');
  const lines: string[] = [];
  for (let i = 1; i <= 1_200; i++) lines.push(`src/m${i}.py:${i}:1: F401 'os' imported but unused`);
  writeFileSync(file, lines.join('\n') + '\n');
  const messages = await run(file, dir);
  const expected = parseLines(lines, { workspace: dir });
  const batches = messages.filter((m) => m.kind === 'problems');
  assert.deepEqual(
    batches.flatMap((m) => m.problems),
    expected.problems,
  );
  assert.equal(expected.problems.length, 1_200, 'the flake8 matcher should find every line');
  assert.ok(batches.length >= 3, `${batches.length} batches`);
  for (const b of batches) assert.ok(b.problems.length <= 500, `a batch of ${b.problems.length}`);
});

test('an unreadable file becomes one error message, not a throw', async () => {
  const messages = await run('/nonexistent/job.log', null);
  assert.deepEqual(messages, [{ kind: 'error', message: 'cannot read /nonexistent/job.log: ENOENT' }]);
});
