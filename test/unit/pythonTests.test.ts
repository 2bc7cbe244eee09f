/**
 * The Python test-failure matchers (pytest, unittest, bare tracebacks) and the tox/nox/make wrappers: golden
 * fixtures from real runs (see test/fixtures/python-tests/make.sh), then the tricky cases one by one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseLines } from '../../src/core/parser';
import { splitText } from '../../src/core/lines';
import type { MatcherFactory } from '../../src/core/matcher';
import { createPytestMatcher } from '../../src/core/matchers/pytest';
import { createUnittestMatcher } from '../../src/core/matchers/unittest';
import { createWrappersMatcher } from '../../src/core/matchers/wrappers';
import {
  createTracebackMatcher,
  exceptionLine,
  groupLine,
  isLibraryPath,
  samePath,
} from '../../src/core/matchers/traceback';
import { golden } from '../helpers/golden';
import type { GoldenProblem } from '../helpers/golden';
import { assertEqualFor } from '../helpers/assert';

const dir = resolve(__dirname, '..', 'fixtures', 'python-tests');

type Expected = GoldenProblem;
const pick = golden;

function parse(log: string): Expected[] {
  return parseLines(splitText(log)).problems.map(pick);
}

/** Problems with the fields that identify them, for compact expectations. */
function short(log: string): [string, string | null, number | null, string, string | null][] {
  return parseLines(splitText(log)).problems.map((p) => [p.tool, p.file, p.line, p.message, p.test]);
}

/** The log lines that the given matchers claimed. */
function claimedLines(log: string, matchers: MatcherFactory[]): number[] {
  const claimed: number[] = [];
  const probe: MatcherFactory = () => ({
    name: 'probe',
    line(l, ctx) {
      if (ctx.claimed) claimed.push(l.n);
    },
  });
  parseLines(splitText(log), { matchers: [...matchers, probe] });
  return claimed;
}

/** GitHub raw job log framing: one `Run` step printing `body`, failing with `code` (0: passing). */
function gha(body: string[], code: number, name = 'python3 -m pytest'): string {
  const ts = '2024-05-01T10:00:00.0000000Z ';
  const lines = [`##[group]Run ${name}`, name, '##[endgroup]', ...body];
  if (code !== 0) lines.push(`##[error]Process completed with exit code ${code}.`);
  lines.push('##[group]Run actions/upload-artifact@v4', '##[endgroup]');
  return lines.map((l) => ts + l).join('\n') + '\n';
}

const logs = readdirSync(dir).filter((f) => f.endsWith('.log'));

test('every python-tests fixture has its golden problems', () => {
  assert.ok(logs.length >= 10, `fixtures expected in ${dir}`);
  for (const f of logs) {
    const log = readFileSync(join(dir, f), 'utf8');
    const expected = JSON.parse(readFileSync(join(dir, f.replace(/\.log$/, '.expected.json')), 'utf8'));
    assertEqualFor(`${f}:\n${log}`, parse(log), expected, f);
  }
});

test('a traceback inside a pytest or unittest block is reported once, by the test runner', () => {
  for (const f of ['pytest-native.log', 'unittest-new-gha.log', 'unittest-old.log', 'pytest-rA.log']) {
    const log = readFileSync(join(dir, f), 'utf8');
    const tools = new Set(parse(log).map((p) => p.tool));
    assertEqualFor(log, [...tools], [f.startsWith('pytest') ? 'pytest' : 'unittest'], f);
  }
});

test('traceback: stdout lines interleaved with the frames are skipped', () => {
  const log = gha(
    [
      'Fetching page 1',
      'Traceback (most recent call last):',
      'Fetching page 2',
      '  File "scripts/report.py", line 544, in <module>',
      'Fetching page 3',
      'Counting users: done',
      '    key = upload(TOKEN, PATH)',
      '  File "scripts/report.py", line 476, in upload',
      '    form = {"image": open(path, "rb")}',
      "FileNotFoundError: [Errno 2] No such file or directory: 'chart.png'",
    ],
    1,
    'python scripts/report.py',
  );
  assertEqualFor(log, short(log), [
    [
      'python',
      'scripts/report.py',
      476,
      "FileNotFoundError: [Errno 2] No such file or directory: 'chart.png'",
      null,
    ],
  ]);
});

test('traceback: of a chain, the last one is reported, at its deepest project frame', () => {
  const log = [
    'Traceback (most recent call last):',
    '  File "/work/app/cli.py", line 10, in load',
    '    return json.loads(text)',
    '  File "/usr/lib/python3.11/json/__init__.py", line 346, in loads',
    '    return _default_decoder.decode(s)',
    'json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)',
    '',
    'During handling of the above exception, another exception occurred:',
    '',
    'Traceback (most recent call last):',
    '  File "/work/app/cli.py", line 20, in <module>',
    '    main()',
    '  File "/work/app/cli.py", line 14, in main',
    '    config = load(path)',
    '  File "/work/.venv/lib/python3.11/site-packages/click/core.py", line 1157, in __call__',
    '    return self.main(*args, **kwargs)',
    '  File "<frozen importlib._bootstrap>", line 1206, in _gcd_import',
    'app.errors.ConfigError: config.json is not valid JSON',
  ].join('\n');
  assertEqualFor(log, short(log), [
    ['python', '/work/app/cli.py', 14, 'app.errors.ConfigError: config.json is not valid JSON', null],
  ]);
});

test('traceback: each exception of an exception group is a problem, not the group (Python 3.11+)', () => {
  // A group with no traceback of its own around a leaf without frames, as `raise ExceptionGroup(...)` inside a
  // chain prints it; then one cut by max_group_width; a leaf at the deepest level finds the group's frame.
  const chained = [
    'Traceback (most recent call last):',
    '  File "/work/app/run.py", line 5, in main',
    "KeyError: 'job'",
    '',
    'The above exception was the direct cause of the following exception:',
    '',
    '  + Exception Group Traceback (most recent call last):',
    '  |   File "/work/app/run.py", line 9, in <module>',
    '  |     main()',
    '  |   File "/work/.venv/lib/python3.12/site-packages/anyio/_core.py", line 40, in run',
    '  | ExceptionGroup: run failed (3 sub-exceptions)',
    '  +-+---------------- 1 ----------------',
    '    | TimeoutError: worker 1',
    '    +---------------- 2 ----------------',
    '    | Traceback (most recent call last):',
    '    |   File "/work/app/worker.py", line 30, in step',
    '    | OSError: [Errno 5] worker 2',
    '    +---------------- ... ----------------',
    '    | and 4 more exceptions',
    '    +------------------------------------',
    'exiting',
  ].join('\n');
  assertEqualFor(chained, short(chained), [
    ['python', '/work/app/run.py', 9, 'TimeoutError: worker 1', null],
    ['python', '/work/app/worker.py', 30, 'OSError: [Errno 5] worker 2', null],
  ]);

  // A group whose exceptions cannot be read (the log cut it) is reported itself; in a passing step, nothing.
  const cut = [
    '  + Exception Group Traceback (most recent call last):',
    '  |   File "tasks.py", line 12, in <module>',
    '  | BaseExceptionGroup: cancelled (2 sub-exceptions)',
    '  +-+---------------- 1 ----------------',
  ];
  assertEqualFor('cut group', short(gha(cut, 1, 'python tasks.py')), [
    ['python', 'tasks.py', 12, 'BaseExceptionGroup: cancelled (2 sub-exceptions)', null],
  ]);
  assertEqualFor('passing step', short(gha(cut, 0, 'python tasks.py')), []);

  // Lines that only look like a margin are no group.
  const table = ['  + Exception Group Traceback (most recent call last)', '  | ValueError: x |', '  +----+'];
  assertEqualFor(table.join('\n'), short(table.join('\n')), []);
});

test("traceback: an exception group's margin read line by line", () => {
  const cases: [string, ReturnType<typeof groupLine>][] = [
    [
      '  + Exception Group Traceback (most recent call last):',
      { depth: 1, sep: null, content: 'Exception Group Traceback (most recent call last):' },
    ],
    ['  |   File "a.py", line 3, in f', { depth: 1, sep: null, content: '  File "a.py", line 3, in f' }],
    ['  +-+---------------- 1 ----------------', { depth: 1, sep: 'first', content: '' }],
    ['    +---------------- 2 ----------------', { depth: 2, sep: 'next', content: '' }],
    ['      | ValueError: x', { depth: 3, sep: null, content: 'ValueError: x' }],
    ['    |', { depth: 2, sep: null, content: '' }],
    ['   | odd margin', null],
    ['  |x', null],
    ['| no margin', null],
    ['  + 1 = 2', { depth: 1, sep: null, content: '1 = 2' }],
    ['  +--', null],
  ];
  for (const [line, want] of cases) assertEqualFor(line, groupLine(line), want);
});

test('doctest: one problem per failed example; a frame at column 0 without "Failed example:" is none', () => {
  const log = [
    'File "docs/usage.rst", line 14, in default',
    'Failed example:',
    '    client.get("/items")',
    '    ... # continued',
    'Expected:',
    '    <Response [200]>',
    'Got:',
    '    <Response [404]>',
    '    (more)',
    'File "docs/usage.rst", line 20, in default',
    'Failed example:',
    '    client.close()',
    'Expected nothing',
    'Got nothing',
    'File "tool.py", line 3, in main',
    'not a doctest',
    'File "docs/usage.rst", line 30, in default',
    'Failed example:',
    '    1 / 0',
  ].join('\n');
  assertEqualFor(log, short(log), [
    [
      'doctest',
      'docs/usage.rst',
      14,
      'Failed example: client.get("/items"): expected <Response [200]>, got <Response [404]>',
      'default',
    ],
    [
      'doctest',
      'docs/usage.rst',
      20,
      'Failed example: client.close(): expected nothing, got nothing',
      'default',
    ],
    ['doctest', 'docs/usage.rst', 30, 'Failed example: 1 / 0', 'default'],
  ]);
});

test('traceback: SyntaxError and pseudo-file frames; a handled traceback in a passing step is dropped', () => {
  const syntax = [
    'Traceback (most recent call last):',
    '  File "setup.py", line 3',
    '    version = (1, 2',
    '              ^',
    "SyntaxError: '(' was never closed",
  ].join('\n');
  assertEqualFor(syntax, short(syntax), [
    ['python', 'setup.py', 3, "SyntaxError: '(' was never closed", null],
  ]);

  // A script that does not compile: no `Traceback` line. A location followed by anything else is no problem.
  const noHeader = ['  File "app.py", line 9', '    x = = 1', '        ^', 'SyntaxError: invalid syntax'];
  assertEqualFor(noHeader.join('\n'), short(noHeader.join('\n')), [
    ['python', 'app.py', 9, 'SyntaxError: invalid syntax', null],
  ]);
  const notSyntax = [
    '  File "app.py", line 9',
    '    x = = 1',
    'ValueError: not a compile error',
    '  File "b.py", line 1',
  ];
  assertEqualFor(notSyntax.join('\n'), short(notSyntax.join('\n')), []);

  const inline = [
    'Traceback (most recent call last):',
    '  File "<string>", line 1, in <module>',
    "ModuleNotFoundError: No module named 'yaml'",
  ].join('\n');
  assertEqualFor(inline, short(inline), [
    ['python', null, null, "ModuleNotFoundError: No module named 'yaml'", null],
  ]);
  const inLibrary = [
    'Traceback (most recent call last):',
    '  File "<frozen runpy>", line 198, in _run_module_as_main',
    '  File "/usr/lib/python3/dist-packages/pip/__main__.py", line 31, in <module>',
    'OSError: [Errno 28] No space left on device',
  ].join('\n');
  assertEqualFor(inLibrary, short(inLibrary), [
    [
      'python',
      '/usr/lib/python3/dist-packages/pip/__main__.py',
      31,
      'OSError: [Errno 28] No space left on device',
      null,
    ],
  ]);

  const body = [
    'WARNING retrying after an error:',
    'Traceback (most recent call last):',
    '  File "deploy.py", line 8, in push',
    'ConnectionResetError: [Errno 104] Connection reset by peer',
    'pushed on the second attempt',
  ];
  assertEqualFor('passing step', short(gha(body, 0, 'python deploy.py')), []);
  assertEqualFor('failing step', short(gha(body, 1, 'python deploy.py')), [
    ['python', 'deploy.py', 8, 'ConnectionResetError: [Errno 104] Connection reset by peer', null],
  ]);
});

test('pytest: the short summary alone gives node id, file and message; tox FAIL is then not reported', () => {
  const log = [
    '=========================== short test summary info ============================',
    'FAILED ../../tests/test_doctestplus.py::test_ufunc - AssertionError: ([], [],...',
    'ERROR tests/test_db.py::TestDb::test_conn[sqlite - memory] - OSError: no db',
    '============== 1 failed, 54 passed, 1 error in 4.11s ==============',
    'py311-test: exit 1 (4.78 seconds) /src> pytest tests pid=1880',
    '  py311-test: FAIL code 1 (21.04=setup[16.03]+cmd[0.23,4.78] seconds)',
    '  evaluation failed :( (21.21 seconds)',
  ].join('\n');
  assertEqualFor(log, short(log), [
    [
      'pytest',
      '../../tests/test_doctestplus.py',
      null,
      'AssertionError: ([], [],...',
      '../../tests/test_doctestplus.py::test_ufunc',
    ],
    [
      'pytest',
      'tests/test_db.py',
      null,
      'OSError: no db',
      'tests/test_db.py::TestDb::test_conn[sqlite - memory]',
    ],
  ]);
});

test("pytest: a command line it refuses (a plugin's option without the plugin) is one problem", () => {
  const log = [
    'ERROR: usage: __main__.py [options] [file_or_dir] [file_or_dir] [...]',
    '__main__.py: error: unrecognized arguments: --cov=src --cov-report=xml',
    '  inifile: /app/pytest.ini',
    '  rootdir: /app',
  ].join('\n');
  assertEqualFor(log, short(log), [
    ['pytest', null, null, 'unrecognized arguments: --cov=src --cov-report=xml', null],
  ]);
});

test('wrappers: tox, nox and make are reported when they are the only signal', () => {
  const tox4 = gha(
    ['  py311: FAIL code 2 (3.10=setup[3.00]+cmd[0.10] seconds)', '  evaluation failed :( (3.2 seconds)'],
    1,
    'tox',
  );
  assertEqualFor(tox4, short(tox4), [
    ['tox', null, null, 'py311: FAIL code 2 (3.10=setup[3.00]+cmd[0.10] seconds)', null],
  ]);
  const tox3 =
    'ERROR: InvocationError for command /src/.tox/py38/bin/pytest (exited with code 1)\n___ summary ___\nERROR:   py38: commands failed\n';
  assertEqualFor(tox3, short(tox3), [['tox', null, null, 'py38: commands failed', null]]);
  const nox = 'nox > Command pytest failed with exit code 1\nnox > Session tests-3.11 failed.\n';
  assertEqualFor(nox, short(nox), [['nox', null, null, 'Session tests-3.11 failed.', null]]);
  const make = [
    'make[1]: *** [Makefile:30: check] Error 1',
    "make[1]: Leaving directory '/src'",
    'make: *** [Makefile:12: test] Error 2',
  ].join('\n');
  assertEqualFor(make, short(make), [['make', 'Makefile', 30, '*** [Makefile:30: check] Error 1', null]]);
  const withFailure = gha(
    ['FAILED tests/test_a.py::test_x - assert 1 == 2', 'make: *** [Makefile:12: test] Error 1'],
    1,
    'make test',
  );
  assertEqualFor(withFailure, short(withFailure), [
    ['pytest', 'tests/test_a.py', null, 'assert 1 == 2', 'tests/test_a.py::test_x'],
  ]);
});

test('coverage under its threshold is reported only when it alone failed the step', () => {
  const cov = 'FAIL Required test coverage of 90% not reached. Total coverage: 50.00%';
  const alone = gha(['tests/test_a.py .   [100%]', cov, '=== 1 passed in 0.05s ==='], 1);
  assertEqualFor(alone, short(alone), [
    ['pytest-cov', null, null, 'Required test coverage of 90% not reached. Total coverage: 50.00%', null],
  ]);
  const report = gha(
    ['TOTAL    6    3    50%', 'Coverage failure: total of 50 is less than fail-under=90'],
    2,
  );
  assertEqualFor(report, short(report), [
    ['coverage', null, null, 'Coverage failure: total of 50 is less than fail-under=90', null],
  ]);
  // A failed test explains the step; a step that passed (continue-on-error, a report) has nothing to explain.
  const withFailure = gha(['FAILED tests/test_a.py::test_x - assert 1 == 2', cov], 1);
  assertEqualFor(withFailure, short(withFailure), [
    ['pytest', 'tests/test_a.py', null, 'assert 1 == 2', 'tests/test_a.py::test_x'],
  ]);
  const passed = gha([cov], 0);
  assertEqualFor(passed, short(passed), []);
});

test('pytest: "no tests ran" is a problem only when the step failed', () => {
  const body = [
    'collected 0 items',
    '',
    '============================ no tests ran in 0.01s =============================',
  ];
  assertEqualFor('exit 5', short(gha(body, 5)), [['pytest', null, null, 'no tests ran in 0.01s', null]]);
  assertEqualFor('tolerated', short(gha([...body, 'No tests collected.'], 0)), []);
  assertEqualFor('plain -q', short('\nno tests ran in 0.00s\n'), [
    ['pytest', null, null, 'no tests ran in 0.00s', null],
  ]);
  const deselected = gha(['collected 3 items / 3 deselected', '', '==== 3 deselected in 0.01s ===='], 5);
  assertEqualFor('deselected', short(deselected), [['pytest', null, null, '3 deselected in 0.01s', null]]);
  const withFailure = gha(['FAILED tests/a.py::test_x - assert 0', '== 1 failed in 0.1s =='], 1);
  assertEqualFor('a failure is no exit 5', short(withFailure), [
    ['pytest', 'tests/a.py', null, 'assert 0', 'tests/a.py::test_x'],
  ]);
});

test('pytest: xdist and -v result lines give node ids to blocks when the summary is off (-rN)', () => {
  const log = [
    '[gw0] [ 50%] FAILED tests/test_a.py::TestA::test_x',
    '[gw1] [100%] PASSED tests/test_a.py::test_y',
    'tests/test_b.py::test_z[1] FAILED                                  [ 75%]',
    '=================================== FAILURES ===================================',
    '________________________________ TestA.test_x _________________________________',
    '[gw0] linux -- Python 3.12.1 /usr/bin/python3',
    'tests/test_a.py:7: in test_x',
    '    assert f() == 2',
    'E   assert 1 == 2',
    '________________________________ test_z[1] _________________________________',
    'tests/test_b.py:3: in test_z',
    '    raise KeyError(n)',
    'E   KeyError: 1',
    '========================= 2 failed, 1 passed in 0.50s ==========================',
  ].join('\n');
  assertEqualFor(log, short(log), [
    ['pytest', 'tests/test_a.py', 7, 'assert 1 == 2', 'tests/test_a.py::TestA::test_x'],
    ['pytest', 'tests/test_b.py', 3, 'KeyError: 1', 'tests/test_b.py::test_z[1]'],
  ]);
});

test('pytest: a block without summary or result line still names its test', () => {
  const log = [
    '=================================== FAILURES ===================================',
    '______________________________ TestApi.test_get ______________________________',
    '',
    '    def test_get(self):',
    '>       assert get("/") == 200',
    'E       assert 404 == 200',
    '',
    'tests/test_api.py:9: AssertionError',
    '----------------------------- Captured stdout call -----------------------------',
    'E   not an E line of the failure',
    'other/file.py:3: not a location of the failure',
    '=========================== 1 failed in 0.10s ===========================',
  ].join('\n');
  assertEqualFor(log, short(log), [
    ['pytest', 'tests/test_api.py', 9, 'assert 404 == 200', 'tests/test_api.py::TestApi::test_get'],
  ]);
});

test('pytest: a failure and a teardown error of one test are two problems; conftest import errors count', () => {
  const log = [
    '==================================== ERRORS ====================================',
    '_________________________ ERROR at teardown of test_x __________________________',
    'tests/conftest.py:12: in db',
    '    conn.close()',
    'E   RuntimeError: already closed',
    '=================================== FAILURES ===================================',
    '____________________________________ test_x ____________________________________',
    'tests/test_a.py:4: in test_x',
    '    assert 0',
    'E   assert 0',
    '=========================== short test summary info ============================',
    'FAILED tests/test_a.py::test_x - assert 0',
    'ERROR tests/test_a.py::test_x - RuntimeError: already closed',
    '====================== 1 failed, 1 error in 0.10s ======================',
  ].join('\n');
  assertEqualFor(log, short(log), [
    ['pytest', 'tests/test_a.py', 4, 'assert 0', 'tests/test_a.py::test_x'],
    ['pytest', 'tests/conftest.py', 12, 'RuntimeError: already closed', 'tests/test_a.py::test_x'],
  ]);
  const conftest = [
    "ImportError while loading conftest '/src/tests/conftest.py'.",
    'tests/conftest.py:1: in <module>',
    '    import missing_plugin',
    "E   ModuleNotFoundError: No module named 'missing_plugin'",
    '',
    'src/app.py:3: error: Name "x" is not defined  [name-defined]',
  ].join('\n');
  assertEqualFor(
    conftest,
    short(conftest).filter((p) => p[0] === 'pytest'),
    [['pytest', 'tests/conftest.py', 1, "ModuleNotFoundError: No module named 'missing_plugin'", null]],
  );
  // The blank line ends the block: pytest leaves what follows to the other matchers.
  assertEqualFor(conftest, claimedLines(conftest, [createPytestMatcher]), [1, 2, 3, 4, 5]);
});

test('unittest: test ids in the 3.11+ and the older format, nose functions, subtests', () => {
  const block = (header: string, func: string) => [
    '======================================================================',
    header,
    '----------------------------------------------------------------------',
    'Traceback (most recent call last):',
    `  File "/src/pkg/tests/test_m.py", line 9, in ${func}`,
    '    self.helper()',
    '  File "/src/pkg/tests/test_m.py", line 4, in helper',
    '    raise ValueError("bad")',
    'ValueError: bad',
    '',
  ];
  const log = [
    ...block('ERROR: test_x (pkg.tests.test_m.TestM.test_x)', 'test_x'),
    ...block('ERROR: test_x (pkg.tests.test_m.TestM)', 'test_x'),
    ...block('FAIL: pkg.tests.test_m.test_func', 'test_func'),
    ...block('FAIL: test_y (pkg.tests.test_m.TestM.test_y) (i=1)', 'test_y'),
    '----------------------------------------------------------------------',
    'Ran 4 tests in 0.002s',
    '',
    'FAILED (failures=2, errors=2)',
  ].join('\n');
  const want = (test: string): [string, string, number, string, string] => [
    'unittest',
    '/src/pkg/tests/test_m.py',
    9,
    'ValueError: bad',
    test,
  ];
  // The first two are the same test printed in two formats: one problem.
  assertEqualFor(log, short(log), [
    want('pkg.tests.test_m.TestM.test_x'),
    want('pkg.tests.test_m.test_func'),
    want('pkg.tests.test_m.TestM.test_y'),
  ]);
});

test('unittest: a failure outside the test method falls back to the deepest project frame', () => {
  const log = [
    '======================================================================',
    'ERROR: setUpClass (app.tests.ApiTest)',
    '----------------------------------------------------------------------',
    'Traceback (most recent call last):',
    '  File "/src/app/tests.py", line 12, in setUpClass',
    '    cls.client = make_client()',
    '  File "/src/app/client.py", line 5, in make_client',
    '    return Client(os.environ["API_URL"])',
    '  File "/usr/lib/python3.11/os.py", line 679, in __getitem__',
    '    raise KeyError(key) from None',
    "KeyError: 'API_URL'",
    '',
    '----------------------------------------------------------------------',
  ].join('\n');
  assertEqualFor(log, short(log), [
    ['unittest', '/src/app/tests.py', 12, "KeyError: 'API_URL'", 'app.tests.ApiTest.setUpClass'],
  ]);
});

test('nose: captured logging after the traceback is not the failure', () => {
  const log = [
    '======================================================================',
    'FAIL: test_sync (app.tests.test_sync.SyncTest)',
    '----------------------------------------------------------------------',
    'Traceback (most recent call last):',
    '  File "/usr/lib/python2.7/unittest/case.py", line 329, in run',
    '    testMethod()',
    '  File "/home/travis/build/o/app/app/tests/test_sync.py", line 41, in test_sync',
    '    self.assertTrue(ok)',
    'AssertionError: False is not true',
    '-------------------- >> begin captured logging << --------------------',
    'app.sync: ERROR: remote failed',
    'Traceback (most recent call last):',
    '  File "/home/travis/build/o/app/app/sync.py", line 9, in push',
    'IOError: [Errno 32] Broken pipe',
    '--------------------- >> end captured logging << ---------------------',
    '',
    '----------------------------------------------------------------------',
    'Ran 12 tests in 0.812s',
    '',
    'FAILED (failures=1)',
  ].join('\n');
  assertEqualFor(log, short(log), [
    [
      'unittest',
      '/home/travis/build/o/app/app/tests/test_sync.py',
      41,
      'AssertionError: False is not true',
      'app.tests.test_sync.SyncTest.test_sync',
    ],
  ]);
});

test('traceback: output of the code under test during a pytest session is not a problem', () => {
  const log = gha(
    [
      '============================= test session starts ==============================',
      'collected 1 item',
      '',
      'tests/test_a.py retrying after:',
      'Traceback (most recent call last):',
      '  File "/src/app/net.py", line 3, in get',
      'TimeoutError: timed out',
      'F',
      '=========================== short test summary info ============================',
      'FAILED tests/test_a.py::test_get - assert 500 == 200',
      '============================== 1 failed in 0.20s ===============================',
      'Traceback (most recent call last):',
      '  File "scripts/upload.py", line 5, in <module>',
      "KeyError: 'TOKEN'",
    ],
    1,
  );
  assertEqualFor(log, short(log), [
    ['pytest', 'tests/test_a.py', null, 'assert 500 == 200', 'tests/test_a.py::test_get'],
    ['python', 'scripts/upload.py', 5, "KeyError: 'TOKEN'", null],
  ]);
});

test("faulthandler's crash report: at the first frame in the project's code, or the test's; no frame, no place", () => {
  const free = gha(
    [
      "python: Python/qsbr.c:164: _Bool _Py_qsbr_poll(void): Assertion `qsbr' failed.",
      'Fatal Python error: Aborted',
      '',
      '<Cannot show all threads while the GIL is disabled>',
      'Stack (most recent call first):',
      '  File "/usr/lib/python3.13/threading.py", line 1012 in run',
      '  File "/w/proj/src/pool.py", line 41 in drain',
      '  File "/w/proj/src/pool.py", line 60 in main',
      '',
      'Extension modules: numpy.core._multiarray_umath (total: 1)',
    ],
    134,
    'python -m src.pool',
  );
  assertEqualFor(free, short(free), [
    ['python', '/w/proj/src/pool.py', 41, 'Fatal Python error: Aborted', null],
  ]);
  const dots = gha(
    [
      'tests/test_native.py .Fatal Python error: Segmentation fault',
      '',
      'Current thread 0x00007f0000000000 (most recent call first):',
      '  File "/w/proj/tests/test_native.py", line 9 in test_null',
    ],
    139,
  );
  // Without -v pytest printed the test file: the test is its frame's function there, past the library's frames.
  assertEqualFor(dots, short(dots), [
    [
      'pytest',
      '/w/proj/tests/test_native.py',
      9,
      'Fatal Python error: Segmentation fault',
      'tests/test_native.py::test_null',
    ],
  ]);
  const atImport = gha(
    [
      'tests/test_native.py Fatal Python error: Segmentation fault',
      '',
      'Current thread 0x00007f0000000000 (most recent call first):',
      '  File "/usr/lib/python3.11/ctypes/__init__.py", line 519 in string_at',
      '  File "/w/proj/tests/test_native.py", line 3 in <module>',
    ],
    139,
  );
  assertEqualFor(atImport, short(atImport), [
    ['python', '/w/proj/tests/test_native.py', 3, 'Fatal Python error: Segmentation fault', null],
  ]);
  const noFrame = gha(
    [
      'Fatal Python error: init_fs_encoding: failed to get the Python codec of the filesystem encoding',
      'Python runtime state: core initialized',
      "ModuleNotFoundError: No module named 'encodings'",
      '',
      'Current thread 0x00007f0000000000 (most recent call first):',
      '  <no Python frame>',
    ],
    1,
    'python app.py',
  );
  assertEqualFor(noFrame, short(noFrame), [
    [
      'python',
      null,
      null,
      'Fatal Python error: init_fs_encoding: failed to get the Python codec of the filesystem encoding',
      null,
    ],
  ]);
});

test("a command a signal ended: bash's report on the step's last line, only with the exit code that says so", () => {
  const killed = gha(['Killed'], 137, 'python train.py');
  assertEqualFor(killed, short(killed), [['python', null, null, 'Killed (exit code 137)', null]]);
  const noReport = gha(['training...'], 139, 'python train.py');
  assertEqualFor(noReport, short(noReport), []);
  const otherCode = gha(['x.sh: line 3: 77 Segmentation fault      ./run'], 1, 'bash x.sh');
  assertEqualFor(otherCode, short(otherCode), []);
});

test('helpers: exception lines, library paths, path equality', () => {
  const exc = ['ValueError: x', 'KeyboardInterrupt', 'pkg.mod.Custom: y', 'SystemExit: 2', 'AssertionError'];
  const notExc = [
    'Fetching pull request data',
    'Done',
    'Note: something',
    '  ValueError: indented',
    'x.y: lower',
  ];
  assertEqualFor('exceptions', exc.map(exceptionLine), exc);
  assertEqualFor(
    'not exceptions',
    notExc.map(exceptionLine),
    notExc.map(() => null),
  );
  const lib = [
    '/usr/lib/python3.11/json/decoder.py',
    '.venv/lib/python3.10/site-packages/x.py',
    '<frozen runpy>',
  ];
  assertEqualFor('library', lib.map(isLibraryPath), [true, true, true]);
  assertEqualFor('project', ['tests/test_a.py', '/home/runner/work/a/a/src/m.py'].map(isLibraryPath), [
    false,
    false,
  ]);
  assert.equal(samePath('/tmp/p/tests/test_a.py', 'tests/test_a.py'), true);
  assert.equal(samePath('../../tests/test_a.py', 'tests/test_a.py'), true);
  assert.equal(samePath('tests/test_a.py', 'tests/test_b.py'), false);
  assert.equal(samePath('xtests/test_a.py', 'tests/test_a.py'), false);
});

test('matchers stay linear and never throw on hostile lines', () => {
  const hostile = [
    '_'.repeat(100_000),
    '='.repeat(100_000),
    'E' + ' '.repeat(100_000),
    'a'.repeat(100_000) + ':',
    'x:' + '1'.repeat(50_000),
    'Traceback (most recent call last):',
    '  File "' + 'a'.repeat(100_000),
    'A'.repeat(100_000) + 'Error',
    'FAILED ' + '['.repeat(100_000),
    '[gw' + ']'.repeat(100_000),
    't::' + ' FAILED'.repeat(20_000),
    'make: *** ' + '['.repeat(100_000),
    'ERROR: ' + ' '.repeat(100_000),
    '=== ' + '1 passed, '.repeat(10_000) + ' ===',
  ];
  const start = process.hrtime.bigint();
  const matchers = [
    createPytestMatcher,
    createUnittestMatcher,
    createTracebackMatcher,
    createWrappersMatcher,
  ];
  for (let i = 0; i < 3; i++) parseLines(hostile, { matchers });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  assert.ok(ms < 2000, `hostile lines took ${ms} ms`);
});
