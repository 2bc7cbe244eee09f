import { test } from 'node:test';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseLines } from '../../src/core/parser';
import { splitText } from '../../src/core/lines';
import { editorColumn } from '../../src/core/model';
import type { Problem } from '../../src/core/model';
import { parseHookResult } from '../../src/core/matchers/precommit';
import { assertEqualFor } from '../helpers/assert';

const FIXTURES = join(__dirname, '../fixtures/python-lint');

/** The fields a label carries; `code` only when the tool printed one. */
function pick(p: Problem): Record<string, unknown> {
  const o: Record<string, unknown> = {
    file: p.file,
    line: p.line,
    column: p.column,
    severity: p.severity,
    tool: p.tool,
  };
  if (p.code !== undefined) o.code = p.code;
  o.message = p.message;
  o.test = p.test;
  return o;
}

function problems(log: string): Problem[] {
  return parseLines(splitText(log)).problems;
}

/** Short form for focused tests: tool, file, line, column, severity, message. */
function brief(log: string): string[] {
  return problems(log).map(
    (p) => `${p.tool} ${p.severity} ${p.file ?? '-'}:${p.line ?? '-'}:${p.column ?? '-'} ${p.message}`,
  );
}

function check(lines: string[], want: string[]): void {
  const log = lines.join('\n');
  assertEqualFor(log, brief(log), want);
}

const GHA = (lines: string[]): string[] => lines.map((l) => `2024-05-01T10:00:00.1234567Z ${l}`);

for (const name of readdirSync(FIXTURES).filter((f) => f.endsWith('.log'))) {
  test(`fixture ${name}`, () => {
    const log = readFileSync(join(FIXTURES, name), 'utf8');
    const want = JSON.parse(readFileSync(join(FIXTURES, name.replace(/\.log$/, '.expected.json')), 'utf8'));
    assertEqualFor(log, problems(log).map(pick), want, name);
  });
}

test('mypy: plain, column, error-end; notes and the summary are not problems', () => {
  const log = [
    'src/app.py:3: error: Missing return statement  [empty-body]',
    'src/app.py:4:5: error: Name "x" is not defined  [name-defined]',
    'src/app.py:4:5: note: Did you mean "y"?',
    'src/app.py:7:9:7:20: error: Incompatible types in assignment  [assignment]',
    'src/app.pyi:1: warning: unused "type: ignore" comment',
    'Found 3 errors in 1 file (checked 2 source files)',
  ].join('\n');
  const got: Record<string, unknown>[] = problems(log).map((p) => ({
    ...pick(p),
    endLine: p.endLine,
    endColumn: p.endColumn,
  }));
  assertEqualFor<Record<string, unknown>[]>(log, got, [
    {
      file: 'src/app.py',
      line: 3,
      column: null,
      severity: 'error',
      tool: 'mypy',
      code: 'empty-body',
      message: 'Missing return statement  [empty-body]',
      test: null,
      endLine: undefined,
      endColumn: undefined,
    },
    {
      file: 'src/app.py',
      line: 4,
      column: 5,
      severity: 'error',
      tool: 'mypy',
      code: 'name-defined',
      message: 'Name "x" is not defined  [name-defined]',
      test: null,
      endLine: undefined,
      endColumn: undefined,
    },
    {
      file: 'src/app.py',
      line: 7,
      column: 9,
      severity: 'error',
      tool: 'mypy',
      code: 'assignment',
      message: 'Incompatible types in assignment  [assignment]',
      test: null,
      endLine: 7,
      endColumn: 20,
    },
    {
      file: 'src/app.pyi',
      line: 1,
      column: null,
      severity: 'warning',
      tool: 'mypy',
      message: 'unused "type: ignore" comment',
      test: null,
      endLine: undefined,
      endColumn: undefined,
    },
  ]);
});

test("a C compiler's error in mypy's shape is the compiler's (`cc`): its errors, not its warnings; none inside pip's box", () => {
  check(
    [
      'src/ext.c:12:5: error: expected expression before ‘)’ token',
      'src/ext.c:3:1: warning: unused variable ‘x’ [-Wunused-variable]',
      'include/ext.h:1:10: fatal error: Python.h: No such file or directory',
      'error: subprocess-exited-with-error',
      '',
      '× Building wheel for fastext (pyproject.toml) did not run successfully.',
      '│ exit code: 1',
      '╰─> [2 lines of output]',
      '    src/fast.c:5:19: error: expected expression before ‘;’ token',
      '    error: command gcc failed with exit code 1',
      '    [end of output]',
    ],
    [
      'cc error src/ext.c:12:5 expected expression before ‘)’ token',
      'cc error include/ext.h:1:10 Python.h: No such file or directory',
      'pip error -:-:- Building wheel for fastext (pyproject.toml) did not run successfully.',
    ],
  );
});

test('ruff: concise format keeps the fix marker; a ruff step makes plain codes ruff', () => {
  check(
    GHA([
      '##[group]Run ruff check --output-format=concise .',
      'ruff check --output-format=concise .',
      '##[endgroup]',
      'app.py:1:8: F401 [*] `os` imported but unused',
      'app.py:8:1: F821 Undefined name `client`',
      'Found 2 errors.',
      '[*] 1 fixable with the `--fix` option.',
    ]),
    [
      'ruff error app.py:1:8 F401 [*] `os` imported but unused',
      'ruff error app.py:8:1 F821 Undefined name `client`',
    ],
  );
});

test('ruff: the fix marker or a ruff-only code is enough without any hint', () => {
  check(
    ['app.py:1:8: F401 [*] `os` imported but unused', 'app.py:2:1: UP035 `typing.List` is deprecated'],
    [
      'ruff error app.py:1:8 F401 [*] `os` imported but unused',
      'ruff error app.py:2:1 UP035 `typing.List` is deprecated',
    ],
  );
});

test('ruff: the newer full format, with a wider gutter and a syntax error header', () => {
  check(
    [
      'E401 [*] Multiple imports on one line',
      ' --> assistant_api/rag.py:1:1',
      '1 | import os, asyncio',
      '  | ^^^^^^^^^^^^^^^^^^',
      '',
      'F401 `pkg` imported but unused',
      '  --> build.py:10:16',
      '   |',
      '10 |         import pkg',
      '',
      'invalid-syntax: Expected an expression',
      ' --> bad.py:3:9',
    ],
    [
      'ruff error assistant_api/rag.py:1:1 E401 [*] Multiple imports on one line',
      'ruff error build.py:10:16 F401 `pkg` imported but unused',
      'ruff error bad.py:3:9 invalid-syntax: Expected an expression',
    ],
  );
});

test('ruff: the older full format is the concise header plus a code frame', () => {
  check(
    [
      '$ ruff check --output-format=full .',
      'input.py:1:8: F401 [*] `os` imported but unused',
      '  |',
      '1 | import os  # F401',
      '  |        ^^ F401',
      '  |',
      '  = help: Remove unused import: `os`',
      '',
      'input.py:3:1: invalid-syntax: Cannot use `match` statement on Python 3.9',
    ],
    [
      'ruff error input.py:1:8 F401 [*] `os` imported but unused',
      'ruff error input.py:3:1 invalid-syntax: Cannot use `match` statement on Python 3.9',
    ],
  );
});

test('ruff: the grouped format names the file once', () => {
  check(
    [
      'input.py:',
      '  1:8 F401 [*] `os` imported but unused',
      '  3:1 SyntaxError: Cannot use `match` statement on Python 3.9',
      '',
      'Found 2 errors.',
    ],
    [
      'ruff error input.py:1:8 F401 [*] `os` imported but unused',
      'ruff error input.py:3:1 SyntaxError: Cannot use `match` statement on Python 3.9',
    ],
  );
});

test("ruff: in a ruff step, pip's own error lines stay pip's", () => {
  check(
    GHA([
      '##[group]Run pip install -e . && ruff check .',
      'pip install -e .',
      'ruff check .',
      '##[endgroup]',
      'error: subprocess-exited-with-error',
      '',
      '× Getting requirements to build wheel did not run successfully.',
      '│ exit code: 1',
      '╰─> See above for output.',
    ]),
    ['pip error -:-:- Getting requirements to build wheel did not run successfully.'],
  );
});

test('rust and ty diagnostics with a --> location are not ruff', () => {
  const log = [
    'warning: unused variable: `x`',
    ' --> src/main.rs:2:9',
    'error[unresolved-import]: Cannot resolve imported module `foo`',
    ' --> app.py:1:8',
  ].join('\n');
  assertEqualFor(
    log,
    problems(log).filter((p) => p.tool === 'ruff'),
    [],
  );
});

test('ruff: its own warnings are labelled, with no file; uv and git warnings are not', () => {
  check(
    GHA([
      '##[group]Run uv run ruff check .',
      'uv run ruff check .',
      '##[endgroup]',
      'warning: `VIRTUAL_ENV=/opt/venv` does not match the project environment path `.venv` and will be ignored',
      'warning: Selection `RUF999` has no effect because preview is not enabled.',
      'All checks passed!',
      '##[group]Run git fetch',
      'git fetch',
      '##[endgroup]',
      'warning: redirecting to https://github.com/o/r.git/',
    ]),
    ['ruff warning -:-:- Selection `RUF999` has no effect because preview is not enabled.'],
  );
});

test('flake8 and pycodestyle: E/F errors, W/C warnings, E999 an error; the step names the tool', () => {
  check(
    [
      './pkg/a.py:1:1: F401 os imported but unused',
      './pkg/a.py:3:80: E501 line too long (82 > 79 characters)',
      './pkg/a.py:4:1: W391 blank line at end of file',
      './pkg/a.py:9:1: C901 too complex (12)',
      './pkg/b.py:2:5: E999 IndentationError: unexpected indent',
      './pkg/b.py:7: [E302] expected 2 blank lines, found 1',
      '+ pycodestyle pkg',
      'pkg/c.py:1:1: E265 block comment should start with #',
    ],
    [
      'flake8 error ./pkg/a.py:1:1 F401 os imported but unused',
      'flake8 error ./pkg/a.py:3:80 E501 line too long (82 > 79 characters)',
      'flake8 warning ./pkg/a.py:4:1 W391 blank line at end of file',
      'flake8 warning ./pkg/a.py:9:1 C901 too complex (12)',
      'flake8 error ./pkg/b.py:2:5 E999 IndentationError: unexpected indent',
      'flake8 error ./pkg/b.py:7:- E302 expected 2 blank lines, found 1',
      'pycodestyle error pkg/c.py:1:1 E265 block comment should start with #',
    ],
  );
});

test('flake8: a flake8 step keeps ruff-looking codes as flake8', () => {
  check(
    GHA(['##[group]Run flake8 --select=UP .', 'flake8 .', '##[endgroup]', 'a.py:1:1: UP006 Use `list`']),
    ['flake8 error a.py:1:1 UP006 Use `list`'],
  );
});

test("ruff: named only inside a step's header script, it owns the step's flake8-shaped lines", () => {
  // The step starts at its header group, the one line that tells the linters' hint it is reading the header.
  check(
    GHA([
      '##[group]Run echo linting',
      'cd src && ruff check --output-format=concise .',
      'shell: /usr/bin/bash -e {0}',
      '##[endgroup]',
      'a.py:1:1: E501 Line too long (120 > 88)',
    ]),
    ['ruff error a.py:1:1 E501 Line too long (120 > 88)'],
  );
});

test('pylint: text and parseable formats, severities by message category', () => {
  check(
    [
      '************* Module pkg.a',
      'pkg/a.py:1:0: C0114: Missing module docstring (missing-module-docstring)',
      'pkg/a.py:5:4: R1705: Unnecessary "else" after "return" (no-else-return)',
      "pkg/a.py:9:8: W0612: Unused variable 'x' (unused-variable)",
      "pkg/a.py:12:0: E0401: Unable to import 'zzz' (import-error)",
      'pkg/b.py:1:0: F0001: No module named pkg/b.py (fatal)',
      "pkg/c.py:3: [E1101(no-member), Foo.bar] Instance of 'Foo' has no 'baz' member",
    ],
    [
      'pylint warning pkg/a.py:1:0 C0114: Missing module docstring (missing-module-docstring)',
      'pylint warning pkg/a.py:5:4 R1705: Unnecessary "else" after "return" (no-else-return)',
      "pylint warning pkg/a.py:9:8 W0612: Unused variable 'x' (unused-variable)",
      "pylint error pkg/a.py:12:0 E0401: Unable to import 'zzz' (import-error)",
      'pylint error pkg/b.py:1:0 F0001: No module named pkg/b.py (fatal)',
      "pylint error pkg/c.py:3:- E1101: Instance of 'Foo' has no 'baz' member (no-member)",
    ],
  );
});

test('formatters: black relative and absolute, ruff format, isort, black parse errors', () => {
  check(
    [
      'would reformat src/app.py',
      'would reformat /home/runner/work/r/r/src/b.py',
      'Oh no! 💥 💔 💥',
      '2 files would be reformatted, 3 files would be left unchanged.',
      'Would reformat: core/executor.py',
      '1 file would be reformatted, 1244 files already formatted',
      'ERROR: /home/runner/work/r/r/src/app.py Imports are incorrectly sorted and/or formatted.',
      'error: cannot format src/bad.py: Cannot parse for target version Python 3.12: 3:7: def f(',
    ],
    [
      'black error src/app.py:-:- would reformat src/app.py',
      'black error /home/runner/work/r/r/src/b.py:-:- would reformat /home/runner/work/r/r/src/b.py',
      'ruff error core/executor.py:-:- Would reformat: core/executor.py',
      'isort error /home/runner/work/r/r/src/app.py:-:- /home/runner/work/r/r/src/app.py Imports are incorrectly sorted and/or formatted.',
      'black error src/bad.py:3:7 cannot format src/bad.py: Cannot parse for target version Python 3.12: 3:7: def f(',
    ],
  );
});

test('pre-commit: hook result lines', () => {
  assertEqualFor(
    'hook lines',
    [
      parseHookResult('ruff.....................................................................Failed'),
      parseHookResult('check yaml...........................................(no files to check)Skipped'),
      parseHookResult('fix end of files.........................................................Passed'),
      parseHookResult('Tests Failed'),
    ],
    [
      { name: 'ruff', status: 'Failed' },
      { name: 'check yaml', status: 'Skipped' },
      { name: 'fix end of files', status: 'Passed' },
      null,
    ],
  );
});

test('pre-commit: a failed hook without diagnostics is one problem; with diagnostics, none of its own', () => {
  check(
    [
      'Ruff formatter...........................................................Failed',
      '- hook id: ruff-format',
      '- files were modified by this hook',
      '',
      '1 file reformatted, 136 files left unchanged',
      '',
      'black....................................................................Failed',
      '- hook id: black',
      '- files were modified by this hook',
      '',
      'reformatted src/app.py',
      '',
      'All done! ✨ 🍰 ✨',
      'mypy.....................................................................Failed',
      '- hook id: mypy',
      '- exit code: 1',
      '',
      'src/app.py:3: error: Missing return statement  [empty-body]',
      'Found 1 error in 1 file (checked 4 source files)',
      'check toml...............................................................Failed',
      '- hook id: check-toml',
      '- exit code: 1',
    ],
    [
      'pre-commit error -:-:- ruff-format: files were modified by this hook (1 file reformatted, 136 files left unchanged)',
      'pre-commit error src/app.py:-:- black: reformatted src/app.py',
      'mypy error src/app.py:3:- Missing return statement  [empty-body]',
      'pre-commit error -:-:- check-toml: exit code: 1',
    ],
  );
});

test("pre-commit: a hook's own located diagnostics are the hook's; a spinner frame is not what it printed", () => {
  check(
    [
      'Sphinx Lint..............................................................Failed',
      '- hook id: sphinx-lint',
      '- exit code: 1',
      '',
      'Misc/NEWS.d/next/a.rst:1: No newline at end of file. (missing-final-newline)',
      'Doc/library/os.rst:12:4: default role used (default-role)',
      '',
      'pip-compile..............................................................Failed',
      '- hook id: pip-compile',
      '- files were modified by this hook',
      '',
      '\u280b Resolving dependencies...',
      '\u2819 torch==2.6.0',
      'Resolved 206 packages in 2.51s',
      'check json...............................................................Failed',
      '- hook id: check-json',
      '- exit code: 1',
      '',
      'data.json: Failed to json decode (Expecting value: line 1 column 1 (char 0))',
    ],
    [
      'sphinx-lint error Misc/NEWS.d/next/a.rst:1:- No newline at end of file. (missing-final-newline)',
      'sphinx-lint error Doc/library/os.rst:12:4 default role used (default-role)',
      'pre-commit error -:-:- pip-compile: files were modified by this hook (Resolved 206 packages in 2.51s)',
      'pre-commit error -:-:- check-json: exit code: 1 (data.json: Failed to json decode (Expecting value: line 1 column 1 (char 0)))',
    ],
  );
});

test("annotations: a checker's `path:line:CODE:...` keeps its location, as `path:line: message` does", () => {
  check(
    GHA([
      '##[error]/home/runner/work/pandas/pandas/pandas/core/groupby.py:3806:PR09:pandas.core.groupby.expanding:Parameter "**kwargs" description should finish with "."',
      '##[warning]docs/conf.py:7: something to look at',
      '##[error]Error: 3:x is not a location',
    ]),
    [
      'github error /home/runner/work/pandas/pandas/pandas/core/groupby.py:3806:- PR09:pandas.core.groupby.expanding:Parameter "**kwargs" description should finish with "."',
      'github warning docs/conf.py:7:- something to look at',
      'github error -:-:- Error: 3:x is not a location',
    ],
  );
});

test('markdownlint: with and without a severity word, a column, aliases; a non-MD code is not it', () => {
  check(
    [
      'README.md:1 MD041/first-line-heading/first-line-h1 First line in a file should be a top-level heading',
      'docs/a.md:8:222 warning MD009/no-trailing-spaces Trailing spaces [Expected: 0 or 2; Actual: 1] https://x/md009.md',
      'docs/a.md:9 MDX01/thing not markdownlint',
    ],
    [
      'markdownlint error README.md:1:- MD041/first-line-heading/first-line-h1 First line in a file should be a top-level heading',
      'markdownlint warning docs/a.md:8:222 MD009/no-trailing-spaces Trailing spaces [Expected: 0 or 2; Actual: 1] https://x/md009.md',
    ],
  );
});

test("reviewdog's rdjsonl: a Diagnostic a line, its source's name as the tool; other JSON lines are none", () => {
  const at = (line: number, column: number): string =>
    `"range":{"start":{"line":${line},"column":${column}},"end":{"line":${line},"column":${column + 4}}}`;
  check(
    GHA([
      `{"message":"Word not found: teh","location":{"path":"docs/a.mdx",${at(3, 7)}},"severity":"ERROR"}`,
      `{"message":"F401 unused\\nmore","location":{"path":"a.py",${at(1, 1)}},"severity":"WARNING","source":{"name":"ruff"},"code":{"value":"F401"}}`,
      '{"message":"whole file","location":{"path":"b.py"},"severity":"INFO","source":{"name":"x y"}}',
      '{"level":"info","location":"us-east-1","msg":"deployed"}',
      '{"message":"no place","location":{}}',
      '{"message":"broken","location":{"path":"c.py"',
    ]),
    [
      'reviewdog error docs/a.mdx:3:7 Word not found: teh',
      'ruff warning a.py:1:1 F401 unused',
      'reviewdog info b.py:-:- whole file',
    ],
  );
});

test("Poetry's solver: one problem from its first line to 'version solving failed.'; not without that end", () => {
  check(
    GHA([
      '  SolverProblemError',
      '',
      "  Because myproj depends on requests (^99.0) which doesn't match any versions, version solving failed.",
      '',
      '  at /usr/lib/python3/dist-packages/poetry/puzzle/solver.py:159 in _solve',
      'Because a depends on b (>=2.0), b is required.',
      'And because c depends on b (<1.0), a is incompatible with c.',
      'So, because proj depends on both a and c, version solving failed.',
      'Because it rained, the build was late.',
      'nothing else',
    ]),
    [
      "poetry error -:-:- Because myproj depends on requests (^99.0) which doesn't match any versions, version solving failed.",
      'poetry error -:-:- Because a depends on b (>=2.0), b is required.',
    ],
  );
});

test('pip: the two "not found" lines are one problem; a conflict and its ResolutionImpossible are one', () => {
  check(
    [
      'ERROR: Could not find a version that satisfies the requirement foo>=9 (from versions: 1.0)',
      'ERROR: No matching distribution found for foo>=9',
      'ERROR: Cannot install a==1 and b==1 because these package versions have conflicting dependencies.',
      'ERROR: ResolutionImpossible: for help visit https://pip.pypa.io/en/latest/topics/dependency-resolution/',
      "ERROR: pip's dependency resolver does not currently take into account all the packages that are installed.",
    ],
    [
      'pip error -:-:- Could not find a version that satisfies the requirement foo>=9 (from versions: 1.0)',
      'pip error -:-:- Cannot install a==1 and b==1 because these package versions have conflicting dependencies.',
    ],
  );
});

test("pip check: each broken requirement is a problem; the same lines as the resolver's advice are none", () => {
  check(
    [
      "ERROR: pip's dependency resolver does not currently take into account all the packages that are installed.",
      'a 1.0 requires c==1.0, but you have c 2.0 which is incompatible.',
      'b 2.0 requires d, which is not installed.',
      'Successfully installed c-2.0',
      'd 1.0 requires e, which is not installed.',
      'a 1.0 has requirement c==1.0, but you have c 2.0.',
      'the docs say: x requires y, which is not installed. (prose)',
    ],
    [
      'pip error -:-:- d 1.0 requires e, which is not installed.',
      'pip error -:-:- a 1.0 has requirement c==1.0, but you have c 2.0.',
    ],
  );
});

test('pip: a failed wheel build is one problem per package, however many lines name it', () => {
  check(
    [
      "  Building wheel for foo (pyproject.toml): finished with status 'error'",
      '  error: subprocess-exited-with-error',
      '  ',
      '  × Building wheel for foo (pyproject.toml) did not run successfully.',
      '  │ exit code: 1',
      '  ╰─> [2 lines of output]',
      "      error: command 'gcc' failed: No such file or directory",
      '      ERROR: something the build printed',
      '      [end of output]',
      '  ',
      '  note: This error originates from a subprocess, and is likely not a problem with pip.',
      '  ERROR: Failed building wheel for foo',
      '  Running setup.py clean for bar',
      '  ERROR: Failed building wheel for bar',
      'Failed to build foo bar',
      'ERROR: Could not build wheels for foo, bar, which is required to install pyproject.toml-based projects',
    ],
    [
      'pip error -:-:- Building wheel for foo (pyproject.toml) did not run successfully.',
      'pip error -:-:- Failed building wheel for bar',
    ],
  );
});

test('dedup: the same diagnostic printed twice counts once', () => {
  check(
    [
      'src/app.py:3: error: Missing return statement  [empty-body]',
      'app.py:1:8: F401 [*] `os` imported but unused',
      'src/app.py:3: error: Missing return statement  [empty-body]',
      'app.py:1:8: F401 [*] `os` imported but unused',
      './a.py:1:1: F401 os imported but unused',
      './a.py:1:1: F401 os imported but unused',
    ],
    [
      'mypy error src/app.py:3:- Missing return statement  [empty-body]',
      'ruff error app.py:1:8 F401 [*] `os` imported but unused',
      'flake8 error ./a.py:1:1 F401 os imported but unused',
    ],
  );
});

test("sphinx: its warnings only after 'Running Sphinx', a docstring's line is none of the file's", () => {
  check(
    [
      "WARNING: Running pip as the 'root' user can result in broken permissions",
      'docs/conf.py:3: WARNING: not sphinx yet',
      'Running Sphinx v7.2.6',
      '/w/src/shop/cart.py:docstring of shop.cart.Cart.add:3: WARNING: Unexpected indentation. [docutils]',
      'reading sources... [ 50%] api',
      'docs/api.rst:12: ERROR: Unknown directive type "autoclas".',
      "checking consistency... docs/old.md: WARNING: document isn't included in any toctree",
      'build finished with problems, 3 warnings.',
    ],
    [
      'sphinx warning /w/src/shop/cart.py:-:- Unexpected indentation. [docutils]',
      'sphinx error docs/api.rst:12:- Unknown directive type "autoclas".',
      "sphinx warning docs/old.md:-:- document isn't included in any toctree",
    ],
  );
});

test('sphinx: a quiet build starts at its command; only placed warnings then; a place inside the message', () => {
  check(
    [
      '$ sphinx-build -b spelling -q -W . _build',
      'WARNING: Running pip as the root user can result in broken permissions',
      'WARNING: ref/models/querysets.txt:1166: : Spell check: behaviour: the behaviour of the model.',
      'WARNING: Found 1 misspelled words',
      'index.rst:4: WARNING: undefined label: missing',
    ],
    [
      'sphinx warning ref/models/querysets.txt:1166:- Spell check: behaviour: the behaviour of the model.',
      'sphinx warning index.rst:4:- undefined label: missing',
    ],
  );
  check(
    [
      '$ pip install -r docs/requirements.txt && sphinx-build -q . _build',
      'WARNING: ref/a.txt:3: : Spell check: x',
      'index.rst:4: WARNING: undefined label: missing',
    ],
    [],
  );
});

test('bandit: a newer Location with a column; an issue cut before its Location is none', () => {
  check(
    [
      ">> Issue: [B105:hardcoded_password_string] Possible hardcoded password: 'hunter2'",
      '   Severity: Low   Confidence: Medium',
      '   CWE: CWE-259 (https://cwe.mitre.org/data/definitions/259.html)',
      '   More Info: https://bandit.readthedocs.io/en/1.7.9/plugins/b105_hardcoded_password_string.html',
      '   Location: ./app/settings.py:12:11',
      '>> Issue: [B608:hardcoded_sql_expressions] Possible SQL injection vector through string-based query construction.',
      '   Severity: Medium   Confidence: Low',
      '>> Issue: [B201:flask_debug_true] A Flask app appears to be run with debug=True.',
      '   Severity: High   Confidence: Medium',
      '   Location: ./app/main.py:40:4',
    ],
    [
      "bandit info ./app/settings.py:12:11 [B105:hardcoded_password_string] Possible hardcoded password: 'hunter2'",
      'bandit error ./app/main.py:40:4 [B201:flask_debug_true] A Flask app appears to be run with debug=True.',
    ],
  );
});

test("the editor's column: pylint's and bandit's are 0-based as printed, the other tools' 1-based", () => {
  const cases: [string, number | null, number][] = [
    ['pylint', 0, 0],
    ['bandit', 11, 11],
    ['flake8', 1, 0],
    ['mypy', 12, 11],
    ['ruff', null, 0],
  ];
  for (const [tool, column, want] of cases)
    assertEqualFor(`${tool} ${column}`, editorColumn({ tool, column }), want);
});

test('pydocstyle: a place line and the code under it; its explanation is not another; a place alone is none', () => {
  check(
    GHA([
      'pkg/__init__.py:1 at package level:',
      '        D104: Missing docstring in public package',
      'pkg/users.py:2 in private nested function `helper`:',
      "        D401: First line should be in imperative mood (perhaps 'Return', not 'Returns')",
      '',
      '        [D401 explanation lines, as -e prints them]',
      'pkg/users.py:9 in public method `run`:',
      'not a code line',
      'docs/conf.txt:1 at module level:',
      '        D100: Missing docstring in public module',
    ]),
    [
      'pydocstyle error pkg/__init__.py:1:- D104: Missing docstring in public package',
      "pydocstyle error pkg/users.py:2:- D401: First line should be in imperative mood (perhaps 'Return', not 'Returns')",
    ],
  );
});

test('mypy --pretty: a wrapped message is joined up to its code; without a code within three lines, the first line', () => {
  check(
    [
      'pkg/a.py:3: error: Incompatible types in assignment (expression has type',
      '"str", variable has type "int")  [assignment]',
      '        x: int = "a"',
      '                 ^~~',
      'pkg/a.py:9: error: Name "y" is not defined',
      'pkg/a.py:10: error: Missing return statement',
      'make: *** [Makefile:3: lint] Error 1',
      'one more line',
      'and another',
      'Found 3 errors in 1 file (checked 1 source file)',
    ],
    [
      'mypy error pkg/a.py:3:- Incompatible types in assignment (expression has type "str", variable has type "int")  [assignment]',
      'mypy error pkg/a.py:9:- Name "y" is not defined',
      'mypy error pkg/a.py:10:- Missing return statement',
    ],
  );
});

test('pyright: rows under their file, the rule from the last further line, information as info; not without a header', () => {
  const N = '\u00a0';
  check(
    [
      '/w/src/app.py',
      '  /w/src/app.py:3:8 - warning: Import "yaml" could not be resolved from source (reportMissingModuleSource)',
      '  /w/src/app.py:10:14 - error: Cannot access attribute "foo" for class "Bar"',
      `  ${N} ${N} Attribute "foo" is unknown (reportAttributeAccessIssue)`,
      '  /w/src/app.py:12:1 - information: Code is unreachable',
      '2 errors, 1 warning, 1 information',
      '  /w/src/other.py:1:1 - error: a row with no file header above it',
    ],
    // Errors as they come; the warnings once the summary says the run failed.
    [
      'pyright error /w/src/app.py:10:14 Cannot access attribute "foo" for class "Bar"',
      'pyright warning /w/src/app.py:3:8 Import "yaml" could not be resolved from source (reportMissingModuleSource)',
      'pyright info /w/src/app.py:12:1 Code is unreachable',
    ],
  );
  // A clean run's warnings (a passing pre-commit hook's) explain a failed step only when nothing else does.
  const clean = [
    '/w/src/app.py',
    '  /w/src/app.py:3:8 - warning: Import "yaml" could not be resolved from source (reportMissingModuleSource)',
    '0 errors, 1 warning, 0 informations ',
  ];
  const ts = (lines: string[]) => lines.map((l) => `2024-05-01T10:00:00.1234567Z ${l}`);
  const step = (lines: string[], code: number) =>
    ts([
      '##[group]Run pre-commit run --all-files',
      '##[endgroup]',
      ...lines,
      `##[error]Process completed with exit code ${code}.`,
    ]);
  check(step(clean, 1), [
    'pyright warning /w/src/app.py:3:8 Import "yaml" could not be resolved from source (reportMissingModuleSource)',
  ]);
  check(step([...clean, 'a.py:1:1: F401 os imported but unused'], 1), [
    'flake8 error a.py:1:1 F401 os imported but unused',
  ]);
  const log = ['/w/a.py', '  /w/a.py:1:1 - error: x', `  ${N} ${N} y (reportFoo)`].join('\n');
  assertEqualFor(
    log,
    problems(log).map((p) => p.code),
    ['reportFoo'],
  );
});

test('git diff --exit-code: each changed file at its first change, a binary one with no line; not a diff shown for information', () => {
  const diff = [
    'diff --git a/src/gen/api.py b/src/gen/api.py',
    'index 4f77be1..8201cbc 100644',
    '--- a/src/gen/api.py',
    '+++ b/src/gen/api.py',
    '@@ -10,7 +10,7 @@ class Api:',
    '     def a(self):',
    '         pass',
    '',
    '-    VERSION = 1',
    '+    VERSION = 2',
    '@@ -40,3 +40,4 @@ class Api:',
    '+    extra = True',
    'diff --git a/docs/logo.png b/docs/logo.png',
    'index 1111111..2222222 100644',
    'Binary files a/docs/logo.png and b/docs/logo.png differ',
  ];
  const gitlab = (cmd: string) => [
    '\x1b[32;1m$ ' + cmd + '\x1b[0;m',
    ...diff,
    '\x1b[31;1mERROR: Job failed: exit code 1\x1b[0;m',
  ];
  check(gitlab('make generate && git diff --exit-code'), [
    "git error src/gen/api.py:13:- src/gen/api.py differs from the commit after the job's earlier steps (git diff --exit-code)",
    "git error docs/logo.png:-:- docs/logo.png differs from the commit after the job's earlier steps (git diff --exit-code)",
  ]);
  check(gitlab('git diff HEAD~1'), []);
});

test("uv: a report and its first cause is one problem; a × line with no cause is not uv's; its error line names uv", () => {
  check(
    GHA([
      '##[group]Run uv sync --locked',
      '##[endgroup]',
      '  × Failed to build `legacy-pkg @ file:///home/runner/work/app/app/vendor/legacy`',
      '  ├─▶ The build backend returned an error',
      '  ╰─▶ Call to `setuptools.build_meta.build_wheel` failed (exit status: 1)',
      '   × Typescript Worker > should return diagnostics 5003ms',
      '     → Test timed out in 5000ms.',
      '##[error]Process completed with exit code 1.',
    ]),
    [
      'uv error -:-:- Failed to build `legacy-pkg @ file:///home/runner/work/app/app/vendor/legacy`: The build backend returned an error',
    ],
  );
  check(
    GHA([
      '##[group]Run uv sync --locked',
      '##[endgroup]',
      'error: The lockfile at `uv.lock` needs to be updated, but `--locked` was provided. To update the lockfile, run `uv lock`.',
      '##[error]Process completed with exit code 1.',
    ]),
    [
      'uv error -:-:- The lockfile at `uv.lock` needs to be updated, but `--locked` was provided. To update the lockfile, run `uv lock`.',
    ],
  );
});

test("django: the system check's rows by section, a hint under one; a migration check only where its step failed", () => {
  check(
    [
      'SystemCheckError: System check identified some issues:',
      '',
      'ERRORS:',
      "?: (urls.E004) Your URL pattern 'x' is invalid. Ensure that urlpatterns is a list of path() and/or re_path() instances.",
      '\tHINT: Try removing the string.',
      'WARNINGS:',
      'shop.Order: (models.W042) Auto-created primary key used when not defining a primary key type.',
      '',
      'System check identified 2 issues (0 silenced).',
    ],
    [
      "django error -:-:- ?: (urls.E004) Your URL pattern 'x' is invalid. Ensure that urlpatterns is a list of path() and/or re_path() instances.",
      'django warning -:-:- shop.Order: (models.W042) Auto-created primary key used when not defining a primary key type.',
    ],
  );
  const migrations = [
    "Migrations for 'shop':",
    '  shop/migrations/0002_order_note.py',
    '    - Add field note to order',
  ];
  const step = (code: number) =>
    GHA([
      '##[group]Run python manage.py makemigrations',
      '##[endgroup]',
      ...migrations,
      ...(code !== 0 ? [`##[error]Process completed with exit code ${code}.`] : []),
    ]);
  check(step(1), [
    "django error -:-:- Model changes in 'shop' have no migration: shop/migrations/0002_order_note.py would be created (Add field note to order)",
  ]);
  check(step(0), []);
});
