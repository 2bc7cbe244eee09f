import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AHEAD_MIN_BYTES } from '../../src/core/parseAhead';

const cli = join(__dirname, '..', '..', 'dist', 'cli.js');

test('the built CLI parses a log end to end and prints JSON', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ci-triage-'));
  const log = join(dir, 'job.log');
  writeFileSync(
    log,
    '2024-05-01T10:00:00.1234567Z ##[group]Run true\n2024-05-01T10:00:00.1234567Z ##[endgroup]\n',
  );
  const out = execFileSync(process.execPath, [cli, 'parse', log, '--json'], { encoding: 'utf8' });
  const parsed = JSON.parse(out) as { problems: unknown[]; environment: object; steps: unknown[] };
  assert.ok(Array.isArray(parsed.problems), `problems missing in: ${out}`);
  assert.equal(parsed.steps.length, 1, `steps in: ${out}`);
});

test('the CLI exits 2 with one line and no stack trace on a missing file or bad arguments', () => {
  for (const args of [
    ['parse', '/nonexistent/x.log'],
    ['parse'],
    ['parse', 'a', '--bogus'],
    ['frobnicate'],
  ]) {
    const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
    assert.equal(r.status, 2, `exit code for ${args.join(' ')}: ${r.status}, stderr: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line for ${args.join(' ')}, got: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /\n\s+at /, `stack trace for ${args.join(' ')}: ${r.stderr}`);
  }
});

test('parse - reads standard input; human output groups problems by file without colours off a TTY', () => {
  const log =
    'src/a.py:3:1: F401 os imported but unused\nsrc/a.py:9:80: E501 line too long (88 > 79 characters)\n';
  const r = spawnSync(process.execPath, [cli, 'parse', '-'], { input: log, encoding: 'utf8' });
  assert.equal(r.status, 0, `exit code ${r.status}, stderr: ${r.stderr}`);
  assert.doesNotMatch(r.stdout, /\x1b\[/, `colours in non-TTY output: ${JSON.stringify(r.stdout)}`);
  assert.match(r.stdout, /^src\/a\.py$/m, `no file header in:\n${r.stdout}`);
  assert.match(r.stdout, /3:1 .*F401/, `F401 missing in:\n${r.stdout}`);
});

test('the CLI reads a big log on two threads: the same JSON as one thread gives, and it exits', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ci-triage-'));
  const log = join(dir, 'big.log');
  const failure = readFileSync(join(__dirname, '..', 'fixtures', 'sample', 'github-pytest.log'), 'utf8');
  const filler = '2024-05-01T10:00:00.1234567Z tests/test_a.py::test_ok PASSED [ 50%]\n'.repeat(20_000);
  // A file that big is read and pre-scanned on a second thread; standard input on one.
  const unit = failure + filler;
  writeFileSync(log, unit.repeat(Math.ceil(AHEAD_MIN_BYTES / unit.length) + 1));
  assert.ok(statSync(log).size > AHEAD_MIN_BYTES);
  const file = spawnSync(process.execPath, [cli, 'parse', log, '--json'], {
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 1 << 26,
  });
  assert.equal(file.status, 0, `exit ${file.status} (signal ${file.signal}), stderr: ${file.stderr}`);
  const stdin = spawnSync(process.execPath, [cli, 'parse', '-', '--json'], {
    input: readFileSync(log),
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 1 << 26,
  });
  assert.equal(stdin.status, 0, `stdin: exit ${stdin.status}, stderr: ${stdin.stderr}`);
  const a = JSON.parse(file.stdout) as { problems: unknown[] };
  assert.ok(a.problems.length > 0, 'problems found');
  assert.deepEqual(a, JSON.parse(stdin.stdout));
});
