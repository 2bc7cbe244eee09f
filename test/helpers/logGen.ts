/** Generated GitHub logs for property tests: the pieces real logs are made of, and near-misses of what the
 * matchers look for (colours, other escapes, unicode, malformed UTF-8, CR). */
import fc from 'fast-check';

// Pieces real logs are made of, and near-misses of what the matchers look for.
export const SGR = fc.constantFrom(
  '\x1b[0m',
  '\x1b[31m',
  '\x1b[1m',
  '\x1b[32;1m',
  '\x1b[38;2;114;156;31m',
  '\x1b[m',
);
export const OTHER_ESC = fc.constantFrom('\x1b[K', '\x1b]8;;file:///a\x1b\\', '\x9b31m', '\x1b[2J', '\x1b');
export const WORD = fc.constantFrom(
  'tests/test_a.py::test_x',
  'PASSED',
  'FAILED',
  'FAIL',
  'ERROR',
  'error:',
  'warning:',
  'note:',
  'Found 2 errors in 1 file (checked 3 source files)',
  'src/a.py:12:5:',
  'src/a.ts(3,5): error TS2345: no',
  'C:\\a\\b.py:3:1: E501 x',
  'C',
  ':',
  '::',
  ': ',
  ' ',
  '    ',
  '[  1%]',
  '[Error/no-undef]',
  '●',
  '━━━━',
  '×',
  '╰─>',
  '\u2003-->',
  ' --> src/a.py:1:2',
  'Checking formatting...',
  'Code style issues found in 2 files. Run Prettier with --write to fix.',
  '[warn] src/a.js',
  'Successfully installed a-1.0',
  'Successfully set up CPython (3.11.4)',
  'platform linux -- Python 3.11.4, pytest-8.3.4, pluggy-1.5.0',
  'pytest 8.3.4',
  'ruff 0.4.1',
  'git version 2.51.0',
  'Digest: sha256:' + 'a'.repeat(64),
  'Using docker image sha256:abc for python:3.11',
  'Current runner version: 2.317.0',
  '.py',
  'a.js',
  '=====',
  '____ test_x ____',
  'E       assert 1 == 2',
  'Traceback (most recent call last):',
  '  File "/home/runner/work/r/r/a.py", line 3, in f',
  'py311: FAIL code 1 (0.50 seconds)',
  'evaluation failed :(',
  'make: *** [Makefile:3: all] Error 1',
  'npm error code E404',
  '$ pytest',
  '+ flake8 .',
  '- hook id: flake8',
  'remote: Counting objects: 3% (2/1076)',
  'ruff check .',
  'ruff',
  'flake8 src',
  'flake',
  'python -m flake8',
  'pyth',
  'pycodestyle --max-line-length=100',
  'nox > Session tests failed.',
  'nox >',
  '- hook id: ruff',
  'warning: `ruff` is slow',
  'error: Failed to parse',
  '--> src/a.py:1:2',
  'src/a.js: line 3, col 5, Error - Missing semicolon. (semi)',
  'src/a.js:3:5: Unexpected var [Warning/no-var]',
  'py311: commands[0]> ruff check .',
  'flake8...................................................................Failed',
  'black....Passed',
  '...',
  'Contents: read',
  '##[group]Run ruff check .',
  '##[endgroup]',
  'Oops! Something went wrong!',
  'FAIL src/a.test.js',
  '  ● suite › test',
  '##[error]',
  '[command]/usr/bin/git',
  '\r',
  '\t',
  '\ufeff',
  'é',
  '😀',
);
export const PIECE = fc.oneof(
  { weight: 6, arbitrary: WORD },
  { weight: 3, arbitrary: SGR },
  { weight: 1, arbitrary: OTHER_ESC },
);
export const TEXT = fc.array(PIECE, { maxLength: 8 }).map((ps) => ps.join(''));
export const STRUCTURE = fc.constantFrom(
  '##[group]Run pytest -v',
  '##[group]Run flake8 .',
  '##[group]Operating System',
  '##[endgroup]',
  '##[error]Process completed with exit code 1.',
  '=================================== FAILURES ===================================',
  '=========================== short test summary info ============================',
  '============================== 1 failed in 0.05s ===============================',
  '',
);
export const BODY = fc.array(fc.oneof({ weight: 8, arbitrary: TEXT }, { weight: 1, arbitrary: STRUCTURE }), {
  minLength: 1,
  maxLength: 40,
});
export const TIMESTAMP = fc.oneof(
  { weight: 8, arbitrary: fc.constant('2024-05-01T10:00:00.1234567Z ') },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '2024-05-01T10:00:00.12Z ',
      '2024-05-01T10:00:00.1234567Z 0aO ',
      '2024-05-0xT10:00:00.1234567Z ',
      '',
    ),
  },
);
export const GITHUB_LOG = fc
  .array(fc.tuple(TIMESTAMP, fc.oneof({ weight: 8, arbitrary: TEXT }, { weight: 1, arbitrary: STRUCTURE })), {
    minLength: 1,
    maxLength: 60,
  })
  .map((ls) => [
    '2024-05-01T10:00:00.0000000Z Current runner version: 2.317.0',
    ...ls.map(([t, x]) => t + x),
  ]);

export const BYTES_PIECE = fc.oneof(
  { weight: 6, arbitrary: PIECE.map((s) => Buffer.from(s, 'utf8')) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      Buffer.from([0xe2, 0x94]),
      Buffer.from([0xff]),
      Buffer.from([0xc0, 0xaf]),
      Buffer.from([0xed, 0xa0, 0x80]),
      Buffer.from([0xf0, 0x9f, 0x98]),
      Buffer.from([0xc2, 0x9b]),
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('\r\n'),
      Buffer.from('\r'),
      Buffer.from([0]),
    ),
  },
);
export const BYTES_LINE = fc
  .tuple(TIMESTAMP, fc.array(BYTES_PIECE, { maxLength: 8 }))
  .map(([t, ps]) => Buffer.concat([Buffer.from(t), ...ps]));
export const BYTES_LOG = fc
  .tuple(
    fc.boolean(),
    fc.array(
      fc.oneof(
        { weight: 6, arbitrary: BYTES_LINE },
        { weight: 1, arbitrary: STRUCTURE.map((s) => Buffer.from('2024-05-01T10:00:00.1234567Z ' + s)) },
      ),
      { minLength: 1, maxLength: 50 },
    ),
    fc.constantFrom('\n', '\r\n', '\r'),
    fc.boolean(),
  )
  .map(([bom, lines, eol, lastEol]) =>
    Buffer.concat([
      Buffer.from(bom ? '\ufeff' : ''),
      Buffer.from('2024-05-01T10:00:00.0000000Z Current runner version: 2.317.0' + eol),
      ...lines.flatMap((l, i) => (i < lines.length - 1 || lastEol ? [l, Buffer.from(eol)] : [l])),
    ]),
  );
