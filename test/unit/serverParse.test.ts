/** The language server's `ciTriage/parseLogFile` and `ciTriage/renderLog`, spoken over stdio by a real client. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CancellationTokenSource, ResponseError } from 'vscode-languageserver-protocol/node';
import { parseLines } from '../../src/core/parser';
import { splitText } from '../../src/core/lines';
import {
  ParseLogFileRequest,
  ProblemsNotification,
  RenderLogRequest,
  TRUNCATED_MARKER,
  logDocumentUri,
  parseLogDocumentUri,
} from '../../src/protocol';
import type { Problem } from '../../src/core/model';
import { startServer } from '../helpers/lspClient';
import type { TestServer } from '../helpers/lspClient';

const fixtures = resolve(__dirname, '..', 'fixtures');
const sample = join(fixtures, 'sample');
let server: TestServer;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ci-triage-server-'));
  server = await startServer();
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the server parses a log file to the same problems, steps and environment as the engine in-process', async () => {
  const file = join(sample, 'github-pytest.log');
  const workspace = join(sample, 'project');
  const early: Problem[] = [];
  const sub = server.connection.onNotification(ProblemsNotification, (p) => {
    if (p.id === 'sample') early.push(...p.problems);
  });
  const r = await server.connection.sendRequest(ParseLogFileRequest, { file, workspace, id: 'sample' });
  sub.dispose();
  assert.equal(r.problemCount, early.length, 'the summary counts the problems the batches carried');
  const expected = parseLines(splitText(readFileSync(file, 'utf8')), { workspace });
  assert.ok(!('problems' in r), 'the response is a summary: the problems came in the batches');
  assert.deepEqual(r.steps, expected.steps);
  assert.deepEqual(r.environment, expected.environment);
  assert.equal(r.lines, expected.lines);
  assert.equal(r.format, expected.format);
  assert.ok(expected.problems.length > 0, 'the sample log should have problems');
  assert.deepEqual(early, expected.problems, 'the progress notifications carry every problem once');
});

test('problems arrive in bounded batches, all before the response', async () => {
  const file = join(dir, 'many.log');
  const lines: string[] = [];
  for (let i = 1; i <= 1_200; i++) lines.push(`src/m${i}.py:${i}:1: F401 'os' imported but unused`);
  writeFileSync(file, lines.join('\n') + '\n');
  const batches: number[] = [];
  const sub = server.connection.onNotification(ProblemsNotification, (p) => {
    if (p.id === 'many') batches.push(p.problems.length);
  });
  const r = await server.connection.sendRequest(ParseLogFileRequest, { file, workspace: dir, id: 'many' });
  sub.dispose();
  assert.equal(r.problemCount, 1_200);
  assert.equal(
    batches.reduce((a, b) => a + b, 0),
    1_200,
    `batches: ${JSON.stringify(batches)}`,
  );
  assert.ok(batches.length >= 3, `batches: ${JSON.stringify(batches)}`);
  assert.ok(
    batches.every((n) => n <= 500),
    `batches: ${JSON.stringify(batches)}`,
  );
});

test('an unreadable file is an error response with one clear sentence, and the server lives on', async () => {
  await assert.rejects(
    server.connection.sendRequest(ParseLogFileRequest, {
      file: '/nonexistent/job.log',
      workspace: null,
      id: 'x',
    }),
    (e: unknown) => {
      assert.ok(e instanceof ResponseError, `got ${String(e)}`);
      assert.equal(e.message, 'the log file /nonexistent/job.log does not exist (any more)');
      return true;
    },
  );
  const r = await server.connection.sendRequest(ParseLogFileRequest, {
    file: join(sample, 'github-pytest.log'),
    workspace: null,
    id: 'y',
  });
  assert.ok(r.problemCount > 0, 'a later request still works');
});

test('a cancelled parse ends with a cancellation, not a result', async () => {
  const file = join(dir, 'big.log');
  const block = 'ok line of output that no matcher wants\n'.repeat(25_000);
  writeFileSync(file, block.repeat(40)); // ~40 MB: long enough to cancel mid-way
  const source = new CancellationTokenSource();
  const p = server.connection.sendRequest(
    ParseLogFileRequest,
    { file, workspace: null, id: 'big' },
    source.token,
  );
  setImmediate(() => source.cancel());
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof ResponseError, `got ${String(e)}`);
    assert.match(e.message, /cancel/i);
    return true;
  });
});

test('renderLog keeps one text line per log line, drops timestamps and ANSI, marks GitLab sections', async () => {
  const file = join(dir, 'gitlab.log');
  writeFileSync(
    file,
    [
      '\x1b[0KRunning with gitlab-runner 16.0.0',
      'section_start:1700000000:step_script\r\x1b[0K\x1b[0K\x1b[36;1mExecuting "step_script" stage\x1b[0;m',
      '$ pytest',
      '\x1b[31mFAILED\x1b[0m tests/test_a.py::test_x - assert 1 == 2',
      'section_start:1700000001:pytest_run[collapsed=true]\r\x1b[0K$ pytest -v',
      'section_end:1700000001:pytest_run\r\x1b[0K',
      'section_end:1700000001:step_script\r\x1b[0K',
    ].join('\n') + '\n',
  );
  const r = await server.connection.sendRequest(RenderLogRequest, { file, maxChars: 1_000_000 });
  const lines = r.text.split('\n');
  assert.equal(r.lines, 7, r.text);
  assert.equal(r.totalLines, 7);
  assert.equal(r.truncated, false);
  assert.equal(lines.length, 7, r.text);
  assert.equal(lines[4], '##[group]pytest_run: $ pytest -v', 'a nested section starts a group too');
  assert.equal(lines[1], '##[group]step_script: Executing "step_script" stage', r.text);
  assert.equal(lines[3], 'FAILED tests/test_a.py::test_x - assert 1 == 2', r.text);
  assert.ok(!r.text.includes('\x1b'), JSON.stringify(r.text));

  const gh = await server.connection.sendRequest(RenderLogRequest, {
    file: join(sample, 'github-pytest.log'),
    maxChars: 1_000_000,
  });
  const raw = splitText(readFileSync(join(sample, 'github-pytest.log'), 'utf8'));
  assert.equal(gh.text.split('\n').length, raw.length, 'line N of the text is line N of the log');
  assert.ok(!/^\d{4}-\d\d-\d\dT/m.test(gh.text), 'timestamps removed');
  assert.match(gh.text, /^##\[group\]Run /m);
});

test('renderLog cuts a big log at whole lines, says so on an appended last line, and counts every line', async () => {
  const file = join(dir, 'long.log');
  const lines = Array.from({ length: 10_000 }, (_, i) => `2024-01-01T00:00:00.0000000Z line ${i + 1}`);
  writeFileSync(file, lines.join('\n') + '\n');
  const r = await server.connection.sendRequest(RenderLogRequest, { file, maxChars: 5_000 });
  const out = r.text.split('\n');
  assert.equal(r.truncated, true);
  assert.equal(r.totalLines, 10_000);
  assert.equal(out.length, r.lines + 1, 'only the marker line is added');
  assert.equal(out[r.lines - 1], `line ${r.lines}`);
  assert.ok(out[r.lines]!.startsWith(TRUNCATED_MARKER), out[r.lines]);
  assert.ok(r.text.length <= 5_000 + out[r.lines]!.length + 1, `${r.text.length} chars`);
});

test('a ci-triage-log URI round-trips, and junk is refused', () => {
  const info = {
    file: '/cache/gh/1-1.log',
    job: 'tests (3.12) / py?#%',
    url: 'https://x/y',
    workspace: '/ws',
  };
  const uri = logDocumentUri(info);
  assert.match(uri, /^ci-triage-log:\/tests-\(3\.12\)-py\.ci\.log\?/, uri);
  assert.deepEqual(parseLogDocumentUri(uri), info);
  for (const bad of [
    'file:///x.log',
    'ci-triage-log:/x.log',
    'ci-triage-log:/x.log?%7Bnot',
    'ci-triage-log:/x?%5B%5D',
  ])
    assert.equal(parseLogDocumentUri(bad), null, bad);
});

test('a log too big to show whole leaves the passed steps out, keeps line N on log line N, and shows the failure', async () => {
  const file = join(dir, 'big-pass-then-fail.log');
  const ts = '2024-05-01T10:00:00.0000000Z ';
  const lines = [
    '##[group]Run pip install -r requirements.txt',
    'pip install -r requirements.txt',
    '##[endgroup]',
    ...Array.from(
      { length: 3_000 },
      (_, i) => `Collecting package-number-${i} (from -r requirements.txt (line ${i}))`,
    ),
    '##[group]Run python -m pytest tests',
    'python -m pytest tests',
    '##[endgroup]',
    'tests/test_x.py:2: AssertionError',
    'FAILED tests/test_x.py::test_a - assert 1 == 2',
    '##[error]Process completed with exit code 1.',
  ].map((l) => ts + l);
  writeFileSync(file, lines.join('\n') + '\n');
  const r = await server.connection.sendRequest(RenderLogRequest, { file, maxChars: 20_000 });
  const out = r.text.split('\n');
  assert.equal(out.length, lines.length, `line count: ${out.length} for ${lines.length} log lines`);
  assert.equal(r.truncated, false, 'the failure fits once the passed step is left out');
  assert.ok(r.elided > 2_900, `elided ${r.elided}`);
  assert.ok(r.text.length <= 20_000, `${r.text.length} chars`);
  const failed = lines.findIndex((l) => l.includes('FAILED tests/test_x.py::test_a'));
  assert.equal(
    out[failed],
    'FAILED tests/test_x.py::test_a - assert 1 == 2',
    `line ${failed + 1}: ${out[failed]}`,
  );
  assert.equal(out[0], '##[group]Run pip install -r requirements.txt');
  assert.match(
    out[1]!,
    /^\[CI Triage\] \d+ lines of the passed step "Run pip install -r requirements.txt" are not shown/,
  );
  assert.equal(out[500], '', 'the passed step body is blank');
});
