import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Framer } from '../../src/core/framing';
import { splitText } from '../../src/core/lines';
import { assertEqualFor } from '../helpers/assert';

function frameAll(log: string) {
  const f = new Framer();
  const lines = splitText(log).map((raw, i) => f.frame(raw, i + 1));
  f.finish();
  return { framer: f, lines };
}

test('GitHub raw log: BOM, timestamps, groups, commands and step status', () => {
  const log = [
    '\uFEFF2024-05-01T10:00:00.1234567Z Current runner version: 2.317.0',
    '2024-05-01T10:00:00.1234567Z ##[group]Operating System',
    '2024-05-01T10:00:00.1234567Z Ubuntu',
    '2024-05-01T10:00:00.1234567Z ##[endgroup]',
    '2024-05-01T10:00:01.0000000Z ##[group]Run pytest -q',
    '2024-05-01T10:00:01.0000000Z \x1b[36;1mpytest -q\x1b[0m',
    '2024-05-01T10:00:01.0000000Z ##[endgroup]',
    '2024-05-01T10:00:02.0000000Z FAILED tests/test_a.py::test_x - assert 1 == 2',
    '2024-05-01T10:00:02.0000000Z ##[error]Process completed with exit code 1.',
    '2024-05-01T10:00:03.0000000Z ##[group]Run actions/upload-artifact@v4',
    '2024-05-01T10:00:03.0000000Z ##[endgroup]',
  ].join('\n');
  const { framer, lines } = frameAll(log);
  assert.equal(framer.format, 'github');
  assertEqualFor(
    log,
    lines.map((l) => [l.text, l.command, l.step?.name ?? null]),
    [
      ['Current runner version: 2.317.0', null, null],
      ['Operating System', 'group', 'Set up job'],
      ['Ubuntu', null, 'Set up job'],
      ['', 'endgroup', 'Set up job'],
      ['Run pytest -q', 'group', 'Run pytest -q'],
      ['pytest -q', null, 'Run pytest -q'],
      ['', 'endgroup', 'Run pytest -q'],
      ['FAILED tests/test_a.py::test_x - assert 1 == 2', null, 'Run pytest -q'],
      ['Process completed with exit code 1.', 'error', 'Run pytest -q'],
      ['Run actions/upload-artifact@v4', 'group', 'Run actions/upload-artifact@v4'],
      ['', 'endgroup', 'Run actions/upload-artifact@v4'],
    ],
    'text, command, step',
  );
  assertEqualFor(
    log,
    framer.steps.map((s) => [s.name, s.kind, s.parent, s.startLine, s.endLine, s.status]),
    [
      ['Set up job', 'step', null, 2, 4, 'success'],
      ['Operating System', 'group', 0, 2, 4, 'unknown'],
      ['Run pytest -q', 'step', null, 5, 9, 'failure'],
      ['Run actions/upload-artifact@v4', 'step', null, 10, 11, 'success'],
    ],
    'steps',
  );
});

test('gh run view --log: job, step and timestamp columns (tabs, or spaces in a paste)', () => {
  const log = [
    'build (3.10)\tInstall deps\t\uFEFF2025-08-02T05:00:07.3307054Z ##[group]Run pip install .',
    'build (3.10)\tInstall deps\t2025-08-02T05:00:07.3307622Z pip install .',
    'build (3.10)    Run tests    2025-08-02T05:00:09.0000000Z ERROR: boom',
    'build (3.10)    Run tests    2025-08-02T05:00:09.1000000Z ##[error]Process completed with exit code 1.',
  ].join('\n');
  const { framer, lines } = frameAll(log);
  assert.equal(framer.format, 'gh-cli');
  assertEqualFor(
    log,
    lines.map((l) => [l.text, l.step?.name ?? null]),
    [
      ['Run pip install .', 'Install deps'],
      ['pip install .', 'Install deps'],
      ['ERROR: boom', 'Run tests'],
      ['Process completed with exit code 1.', 'Run tests'],
    ],
  );
  assertEqualFor(
    log,
    framer.steps.map((s) => [s.name, s.status]),
    [
      ['Install deps', 'success'],
      ['Run tests', 'failure'],
    ],
  );
});

test('GitLab trace: sections with and without a leading ESC[0K, timestamps, CR overwrite, job failure', () => {
  const log = [
    '\x1b[0KRunning with gitlab-runner 16.0.0',
    'section_start:1700000000:prepare_executor\r\x1b[0K\x1b[0K\x1b[36;1mPreparing the "docker" executor\x1b[0;m',
    '\x1b[0KUsing docker image sha256:abc for python:3.11 ...',
    'section_end:1700000001:prepare_executor\r\x1b[0K',
    '2024-01-01T00:00:00.000000Z 00O \x1b[0Ksection_start:1700000002:step_script[collapsed=true]\r\x1b[0K$ pytest',
    '2024-01-01T00:00:00.100000Z 00O Downloading 10%\rDownloading 100%',
    '2024-01-01T00:00:00.200000Z 00O E   assert 1 == 2',
    'section_end:1700000003:step_script\r\x1b[0K',
    '\x1b[31;1mERROR: Job failed: exit code 1',
  ].join('\n');
  const { framer, lines } = frameAll(log);
  assert.equal(framer.format, 'gitlab');
  assertEqualFor(
    log,
    lines.map((l) => [l.text, l.step?.name ?? null]),
    [
      ['Running with gitlab-runner 16.0.0', null],
      ['Preparing the "docker" executor', 'prepare_executor'],
      ['Using docker image sha256:abc for python:3.11 ...', 'prepare_executor'],
      ['', 'prepare_executor'],
      ['$ pytest', 'step_script'],
      ['Downloading 100%', 'step_script'],
      ['E   assert 1 == 2', 'step_script'],
      ['', 'step_script'],
      ['ERROR: Job failed: exit code 1', null],
    ],
  );
  assertEqualFor(
    log,
    framer.steps.map((s) => [s.name, s.startLine, s.endLine, s.status]),
    [
      ['prepare_executor', 2, 4, 'success'],
      ['step_script', 5, 8, 'failure'],
    ],
  );
});

test('GitLab: the verdict on the line that ends the clean-up section fails the user section, not the clean-up', () => {
  const log = [
    'section_start:1700000000:get_sources\r\x1b[0KGetting source',
    'section_end:1700000001:get_sources\r\x1b[0Ksection_start:1700000001:step_script\r\x1b[0K$ pytest',
    'FAILED tests/test_a.py::test_x - assert 1 == 2',
    'section_end:1700000002:step_script\r\x1b[0Ksection_start:1700000002:cleanup_file_variables\r\x1b[0KCleaning up',
    'section_end:1700000003:cleanup_file_variables\r\x1b[0K\x1b[31;1mERROR: Job failed: exit code 1',
  ].join('\n');
  const { framer } = frameAll(log);
  assertEqualFor(
    log,
    framer.steps.map((s) => [s.name, s.status]),
    [
      ['get_sources', 'success'],
      ['step_script', 'failure'],
      ['cleanup_file_variables', 'success'],
    ],
  );
  // A runner section still open when the job fails (a clone that failed) is where it failed.
  const clone = [
    'section_start:1700000000:get_sources\r\x1b[0KGetting source',
    'fatal: could not read',
    'ERROR: Job failed: exit code 1',
  ].join('\n');
  assertEqualFor(
    clone,
    frameAll(clone).framer.steps.map((s) => [s.name, s.status]),
    [['get_sources', 'failure']],
  );
});

test('CR-only line ends are line ends; CRLF is one line end', () => {
  assert.deepEqual(splitText('a\rb\rc'), ['a', 'b', 'c']);
  assert.deepEqual(splitText('a\r\nb\r\n'), ['a', 'b']);
  assert.deepEqual(splitText('a\nprogress 1\rprogress 2\n'), ['a', 'progress 1\rprogress 2']);
});

test('web-UI copy link artifacts are removed from numbers', () => {
  const f = new Framer();
  const l = f.frame(
    'x.py:[15](https://github.com/o/r/actions/runs/1/job/2#step:6:16)8:0: R[17](https://github.com/o/r/actions/runs/1/job/2#step:6:17)05: msg',
    1,
  );
  assert.equal(l.text, 'x.py:158:0: R1705: msg');
});

test('a line longer than the cap is cut, and the splitter keeps going', () => {
  const long = 'x'.repeat(50);
  assert.deepEqual(splitText(`${long}\nshort\n`, { maxLineLength: 10 }), ['x'.repeat(10), 'short']);
});

test("BuildKit's plain progress: a build step's output loses its `#N seconds` prefix; BuildKit's own lines keep theirs", () => {
  const log = [
    '2024-05-01T10:00:00.1234567Z #9 [4/8] RUN pip install -r requirements.txt',
    '2024-05-01T10:00:00.1234567Z #9 657.2   error: subprocess-exited-with-error',
    '2024-05-01T10:00:00.1234567Z #9 0.521 Collecting numpy',
    '2024-05-01T10:00:00.1234567Z #9 DONE 12.3s',
    '2024-05-01T10:00:00.1234567Z #9 ERROR: process "/bin/sh -c pip install" did not complete successfully: exit code: 1',
    '2024-05-01T10:00:00.1234567Z #12 a comment, not BuildKit',
  ].join('\n');
  assertEqualFor(
    log,
    frameAll(log).lines.map((l) => l.text),
    [
      '#9 [4/8] RUN pip install -r requirements.txt',
      '  error: subprocess-exited-with-error',
      'Collecting numpy',
      '#9 DONE 12.3s',
      '#9 ERROR: process "/bin/sh -c pip install" did not complete successfully: exit code: 1',
      '#12 a comment, not BuildKit',
    ],
  );
});
