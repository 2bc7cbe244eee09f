import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseLines } from '../../src/core/parser';
import { splitText } from '../../src/core/lines';
import type { MatcherFactory } from '../../src/core/matcher';
import { createTscMatcher, parseTsDiagnostic } from '../../src/core/matchers/tsc';
import { createEslintMatcher } from '../../src/core/matchers/eslint';
import { createJestMatcher } from '../../src/core/matchers/jest';
import { vitestHeader } from '../../src/core/matchers/vitest';
import { nodeFrame } from '../../src/core/matchers/node';
import { createPrettierMatcher } from '../../src/core/matchers/prettier';
import { createNpmMatcher } from '../../src/core/matchers/npm';
import { createAnnotationsMatcher } from '../../src/core/matchers/annotations';
import { createGenericMatcher, guessTool } from '../../src/core/matchers/generic';
import { assertEqualFor } from '../helpers/assert';
import { golden } from '../helpers/golden';
import type { GoldenProblem } from '../helpers/golden';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'js-tools');

type Shown = GoldenProblem;
const shown = golden;

function run(log: string): Shown[] {
  return parseLines(splitText(log)).problems.map(shown);
}

// The focused tests run only this file's matchers, so other tools' work in progress cannot change them.
const OURS: MatcherFactory[] = [
  createTscMatcher,
  createEslintMatcher,
  createJestMatcher,
  createPrettierMatcher,
  createNpmMatcher,
  createAnnotationsMatcher,
  createGenericMatcher,
];

function ours(log: string): Shown[] {
  return parseLines(splitText(log), { matchers: OURS }).problems.map(shown);
}

const TS = '2024-05-01T10:00:00.1234567Z ';

/** A GitHub raw job log: `steps` are [command, output lines, exit code]. */
function github(...steps: [string, string[], number][]): string {
  const out = [`${TS}Current runner version: '2.317.0'`];
  for (const [cmd, lines, code] of steps) {
    out.push(`${TS}##[group]Run ${cmd}`, `${TS}shell: /usr/bin/bash -e {0}`, `${TS}##[endgroup]`);
    for (const l of lines) out.push(TS + l);
    if (code !== 0) out.push(`${TS}##[error]Process completed with exit code ${code}.`);
  }
  return out.join('\n') + '\n';
}

const logs = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.log'))
  .sort();

test('every js-tools fixture has its expected problems', () => {
  assert.ok(logs.length >= 15, `fixtures found: ${logs.join(', ')}`);
  for (const f of logs) {
    const log = readFileSync(join(FIXTURES, f), 'utf8');
    const expected = JSON.parse(readFileSync(join(FIXTURES, f.replace(/\.log$/, '.expected.json')), 'utf8'))
      .problems as Shown[];
    assertEqualFor(`${f}:\n${log}`, run(log), expected, f);
  }
});

test('tsc: the three diagnostic shapes, and what is not one', () => {
  assertEqualFor('paren', parseTsDiagnostic("src/a.ts(3,5): error TS2345: Argument of type 'x'."), {
    file: 'src/a.ts',
    line: 3,
    column: 5,
    category: 'error',
    code: 'TS2345',
    rest: "error TS2345: Argument of type 'x'.",
    message: "TS2345: Argument of type 'x'.",
  });
  assert.equal(parseTsDiagnostic('src/a.ts:3:5 - error TS2322: Type.')?.line, 3);
  assert.equal(parseTsDiagnostic('error TS18003: No inputs were found.')?.file, null);
  assert.equal(parseTsDiagnostic('web:typecheck: src/a.ts(1,2): error TS1005: x')?.file, 'src/a.ts');
  assert.equal(parseTsDiagnostic('  Type string is not assignable to error TS'), null);
  assert.equal(parseTsDiagnostic('we saw an error TS2345: earlier'), null);
});

test('tsc: an annotation re-print keeps its location; continuation lines are not problems', () => {
  const log = github([
    'npx tsc',
    [
      '##[error]src/a.ts(3,5): error TS2345: Argument of type string.',
      "  Type 'string' is not assignable to type 'number'.",
      '##[warning]src/b.ts:7:1 - error TS6133: x is declared but never read.',
    ],
    2,
  ]);
  assertEqualFor(
    log,
    ours(log).map((p) => [p.file, p.line, p.column, p.tool, p.message]),
    [
      ['src/a.ts', 3, 5, 'tsc', 'TS2345: Argument of type string.'],
      ['src/b.ts', 7, 1, 'tsc', 'TS6133: x is declared but never read.'],
    ],
  );
});

test('eslint: a stylish row under a problem-matcher header, and rows without a header', () => {
  const log = github([
    'npx eslint .',
    [
      '',
      '/home/runner/work/p/p/src/a.tsx',
      "##[error]  1:8  error  'Link' is defined but never used  @typescript-eslint/no-unused-vars",
      '##[warning]  2:3  warning  Unexpected console statement  no-console',
      '',
      '✖ 2 problems (1 error, 1 warning)',
      '  3:4  error  an orphan row with no header  some-rule',
    ],
    1,
  ]);
  assertEqualFor(
    log,
    ours(log).map((p) => [p.file, p.line, p.column, p.severity, p.tool, p.message]),
    [
      [
        '/home/runner/work/p/p/src/a.tsx',
        1,
        8,
        'error',
        'eslint',
        "'Link' is defined but never used  @typescript-eslint/no-unused-vars",
      ],
      [
        '/home/runner/work/p/p/src/a.tsx',
        2,
        3,
        'warning',
        'eslint',
        'Unexpected console statement  no-console',
      ],
      // The orphan row is not eslint's; the github catch-all does not see plain lines.
    ],
  );
});

test('eslint: the unix formatter', () => {
  const log = "src/a.js:3:7: 'x' is assigned a value but never used. [Error/no-unused-vars]\n";
  assertEqualFor(log, ours(log), [
    {
      file: 'src/a.js',
      line: 3,
      column: 7,
      severity: 'error',
      tool: 'eslint',
      code: 'no-unused-vars',
      message: "'x' is assigned a value but never used.  no-unused-vars",
      test: null,
    },
  ]);
});

/** tool severity file:line:col code message, for the focused tests below. */
function briefly(log: string): string[] {
  return parseLines(splitText(log)).problems.map(
    (p) =>
      `${p.tool} ${p.severity} ${p.file ?? '-'}:${p.line ?? '-'}:${p.column ?? '-'} ${p.code ?? '-'} ${p.message}`,
  );
}

test("stylelint: rows with a symbol for the severity (Windows' too), its compact format; not without a header", () => {
  const log = [
    'styles/main.scss',
    '  12:5  ×  Unexpected empty block  block-no-empty',
    '  14:1  ‼  Unexpected unit  length-zero-no-unit',
    '',
    '× 2 problems (1 error, 1 warning)',
    '  9:1  ✖  A row with no file header above it  block-no-empty',
    'a.css: line 3, col 2, warning - Unexpected unit (length-zero-no-unit)',
    'b.js: line 1, col 1, Error - Unexpected var (no-var)',
  ].join('\n');
  assertEqualFor(log, briefly(log), [
    'stylelint error styles/main.scss:12:5 block-no-empty Unexpected empty block  block-no-empty',
    'stylelint warning styles/main.scss:14:1 length-zero-no-unit Unexpected unit  length-zero-no-unit',
    'stylelint warning a.css:3:2 length-zero-no-unit Unexpected unit  length-zero-no-unit',
    'eslint error b.js:1:1 no-var Unexpected var  no-var',
  ]);
});

test('standard: its rows after its own lines, a warning marked so, a rule-less row; none once they end', () => {
  const log = github([
    'npx semistandard',
    [
      'semistandard: Use Semicolons For All! (https://github.com/standard/semistandard)',
      'semistandard: Run `semistandard --fix` to automatically fix some problems.',
      "  /home/runner/work/app/app/src/a.js:3:1: 'x' is never reassigned. Use 'const' instead. (prefer-const) (warning)",
      '  src/b.js:7:12: Missing semicolon.',
      '',
      '  src/c.js:1:1: not a row: the report ended at the blank line',
    ],
    1,
  ]);
  assertEqualFor(log, briefly(log), [
    "semistandard warning /home/runner/work/app/app/src/a.js:3:1 prefer-const 'x' is never reassigned. Use 'const' instead.  prefer-const",
    'semistandard error src/b.js:7:12 - Missing semicolon.',
  ]);
});

test('tslint: prose (5 and 6), verbose and stylish rows; a stylish row takes the header above the rows', () => {
  const log = [
    "WARNING: src/a.ts[3, 7]: Shadowed name: 'x'",
    'ERROR: src/b.ts:10:2 - Missing semicolon',
    "ERROR: (no-console) src/c.ts[4, 1]: Calls to 'console.log' are not allowed.",
    'src/d.ts:2:3',
    'ERROR: 2:3   quotemark  " should be \'',
    'WARNING: 5:1   max-line-length  Exceeds maximum line length of 120',
    'ERROR: something else went wrong',
  ].join('\n');
  assertEqualFor(log, briefly(log), [
    "tslint warning src/a.ts:3:7 - Shadowed name: 'x'",
    'tslint error src/b.ts:10:2 - Missing semicolon',
    "tslint error src/c.ts:4:1 no-console Calls to 'console.log' are not allowed.  no-console",
    'tslint error src/d.ts:2:3 quotemark " should be \'  quotemark',
    'tslint warning src/d.ts:5:1 max-line-length Exceeds maximum line length of 120  max-line-length',
  ]);
});

test("pnpm: its error line (thin or plain spaces) is a problem, a failed script's only a fallback, WARN none", () => {
  const T = '\u2009';
  const lockfile = github([
    'pnpm install --frozen-lockfile',
    [
      `${T}WARN${T}  deprecated left-pad@1.3.0`,
      ` ERR_PNPM_NO_MATCHING_VERSION  No matching version found for left-pad@9.9.9`,
      `${T}ERR_PNPM_FETCH_404${T} GET https://registry.npmjs.org/nope: Not Found - 404`,
      ' ERROR  Unknown option: --frozen',
    ],
    1,
  ]);
  assertEqualFor(lockfile, briefly(lockfile), [
    'pnpm error -:-:- ERR_PNPM_NO_MATCHING_VERSION No matching version found for left-pad@9.9.9',
    'pnpm error -:-:- ERR_PNPM_FETCH_404 GET https://registry.npmjs.org/nope: Not Found - 404',
    // After a plain space too: the matcher must be woken for it (the parser showed it only to a busy npm).
    'pnpm error -:-:- ERROR Unknown option: --frozen',
  ]);
  // The script's own failure (a jest test) explains the step: pnpm's wrapper line is not reported.
  const explained = github([
    'pnpm test',
    [
      'FAIL src/a.test.js',
      '  ● adds',
      '',
      '    expect(received).toBe(expected)',
      '',
      '      at Object.<anonymous> (src/a.test.js:3:15)',
      '',
      `${T}ELIFECYCLE${T} Test failed. See above for more details.`,
    ],
    1,
  ]);
  assertEqualFor(explained, briefly(explained), [
    'jest error src/a.test.js:3:15 - expect(received).toBe(expected)',
  ]);
});

test('command not found: the line before exit code 127 names the missing command; not at another exit code', () => {
  const missing = github(['npm ci', ['/home/runner/work/_temp/1.sh: line 1: npm: command not found'], 127]);
  const sh = github(['make lint', ['/bin/sh: 1: ruff: not found', 'make: *** [lint] Error 127'], 2]);
  const shLast = github(['./run.sh', ['./run.sh: 4: tox: not found'], 127]);
  const other = github(['./run.sh', ['./run.sh: line 1: tox: command not found'], 1]);
  assertEqualFor(missing, briefly(missing), ['npm error -:-:- - npm: command not found']);
  // Not the step's exit 127: make's wrapper line is what is left.
  assertEqualFor(sh, briefly(sh), ['make error -:-:- - *** [lint] Error 127']);
  assertEqualFor(shLast, briefly(shLast), ['shell error -:-:- - tox: command not found']);
  assertEqualFor(other, briefly(other), []);
});

test('jest-light-runner: a title line, the error under it, a file:// frame with a query; not without FAIL', () => {
  const block = [
    'math > divides',
    '    AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:',
    '        at file:///home/runner/work/m/m/test/math.test.js?1744646620520:9:12',
    '',
    '  console.error',
    '    Error: logged, not thrown',
    '        at file:///home/runner/work/m/m/src/log.js:3:11',
  ];
  const log = ['FAIL test/math.test.js', ...block].join('\n');
  assertEqualFor(log, briefly(log), [
    'jest error /home/runner/work/m/m/test/math.test.js:9:12 - AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:',
  ]);
  const noFail = block.join('\n');
  assertEqualFor(noFail, briefly(noFail), []);
});

test("docker build: a step's output inside BuildKit's progress is read; buildx's failure annotation is only a wrapper", () => {
  const T = '\u2009';
  const log = github([
    'docker/build-push-action@v6',
    [
      '#7 [3/5] RUN pnpm install --frozen-lockfile',
      `#7 1.204 ${T}ERR_PNPM_OUTDATED_LOCKFILE${T} Cannot install with "frozen-lockfile" because pnpm-lock.yaml is not up to date`,
      '#7 ERROR: process "/bin/sh -c pnpm install --frozen-lockfile" did not complete successfully: exit code: 1',
      '##[error]buildx failed with: ERROR: failed to solve: process "/bin/sh -c pnpm install --frozen-lockfile" did not complete successfully: exit code: 1',
    ],
    0,
  ]);
  assertEqualFor(log, briefly(log), [
    'pnpm error -:-:- ERR_PNPM_OUTDATED_LOCKFILE Cannot install with "frozen-lockfile" because pnpm-lock.yaml is not up to date',
  ]);
  // Nothing read it: the build's last error line before the annotation, not the clean-up's after it.
  const unexplained = github([
    'docker/build-push-action@v6',
    [
      'ERROR: failed to solve: error writing layer blob: 404 The specified blob does not exist.',
      '##[error]buildx failed with: ERROR: failed to solve: error writing layer blob',
      'Post job cleanup.',
      'ERROR: read unix @->/run/docker.sock: use of closed network connection',
    ],
    0,
  ]);
  assertEqualFor(unexplained, briefly(unexplained), [
    'docker error -:-:- - failed to solve: error writing layer blob: 404 The specified blob does not exist.',
  ]);
});

test("node: a crash of the program's own error class, found from Node's `path.js:N` line above it", () => {
  const crash = (gap: string[]) =>
    [
      '/app/src/db.js:14',
      '    throw new DbError(`cannot connect to ${url}`);',
      '    ^',
      ...gap,
      'DbError: cannot connect to postgres://db:5432',
      '    at connect (/app/src/db.js:14:11)',
      '    at node:internal/main/run_main_module:28:49',
      '',
      'Node.js v20.11.1',
    ].join('\n');
  const log = crash(['']);
  assertEqualFor(log, briefly(log), [
    'node error /app/src/db.js:14:11 - DbError: cannot connect to postgres://db:5432',
  ]);
  // Too far below the header to be its error.
  const far = crash(['', 'a log line', 'another']);
  assertEqualFor(far, briefly(far), []);
  // An ES module's crash (Node 20's output): its header is a file:// URL.
  const esm = [
    'file:///app/src/db.mjs:14',
    '    throw new DbError(`cannot connect to ${url}`);',
    '    ^',
    '',
    'DbError: cannot connect to postgres://db:5432',
    '    at connect (file:///app/src/db.mjs:14:11)',
    '    at async ModuleLoader.import (node:internal/modules/esm/loader:606:24)',
    '',
    'Node.js v20.20.2',
  ].join('\n');
  assertEqualFor(esm, briefly(esm), [
    'node error /app/src/db.mjs:14:11 - DbError: cannot connect to postgres://db:5432',
  ]);
});

test('knip: each row of its sections, as many as each counts; an enum member with its enum; its hints are none', () => {
  const log = [
    'Unused devDependencies (1)',
    '@types/node  package.json:30:6',
    'Unused enum members (1)',
    'Beta  Phase  src/phase.ts:4:3',
    'Configuration hints (1)',
    'src/index.ts    knip.json  Remove redundant entry pattern',
    'Unused files (1)',
    'src/old.ts',
    'src/not-counted.ts',
  ].join('\n');
  assertEqualFor(log, briefly(log), [
    'knip error package.json:30:6 - Unused devDependency: @types/node',
    'knip error src/phase.ts:4:3 - Unused enum member: Beta',
    'knip error src/old.ts:-:- - Unused file',
  ]);
});

test('Biome: a header and the mark under it; a whole-file header; the verdict only when nothing else explains it', () => {
  const log = [
    'src/app.js:1:5 lint/correctness/noUnusedVariables  FIXABLE  \u2501\u2501\u2501\u2501',
    '',
    '  ! This variable unused is unused.',
    '  ',
    '  > 1 \u2502 var unused = 1;',
    'src/util.ts:1:22 lint/suspicious/noExplicitAny \u2501\u2501\u2501',
    '',
    '  \u26a0 Unexpected any. Specify a different type.',
    'src/util.ts format \u2501\u2501\u2501',
    '',
    '  \u00d7 File content differs from formatting output',
    'src/x.ts:3:1 lint/nursery/someInfo \u2501\u2501',
    '',
    '  \u2139 Just so you know.',
    // A rule with words that are no category, or no mark under a header: nothing.
    'Results of the run \u2501\u2501\u2501',
    'src/y.ts:1:1 lint/style/useConst \u2501\u2501\u2501',
    '',
    '  > 1 \u2502 let y = 1;',
    'ci \u2501\u2501\u2501',
    '',
    '  \u00d7 Some errors were emitted while running checks.',
  ].join('\n');
  assertEqualFor(log, briefly(log), [
    'biome warning src/app.js:1:5 lint/correctness/noUnusedVariables This variable unused is unused.',
    'biome warning src/util.ts:1:22 lint/suspicious/noExplicitAny Unexpected any. Specify a different type.',
    'biome error src/util.ts:-:- format File content differs from formatting output',
    'biome info src/x.ts:3:1 lint/nursery/someInfo Just so you know.',
  ]);
  const alone = github([
    'npx biome ci .',
    ['internalError/io \u2501\u2501\u2501', '', '  \u00d7 No files were processed in the specified paths.'],
    1,
  ]);
  assertEqualFor(alone, briefly(alone), [
    'biome error -:-:- internalError/io No files were processed in the specified paths.',
  ]);
});

test('oxlint: a mark and the place under it (ASCII or Unicode); a mark with no place is none; its GitHub titles', () => {
  const log = [
    "  ! eslint(no-unused-vars): Variable 'a' is declared but never used.",
    '   ,-[src/app.js:1:5]',
    ' 1 | var a = 1;',
    '  \u00d7 typescript(no-explicit-any): Unexpected any.',
    '   \u256d\u2500[src/u.ts:2:9]',
    '  x eslint(no-debugger): `debugger` statement is not allowed',
    '',
    '',
    '',
    '',
    '   ,-[src/late.js:4:1]',
  ].join('\n');
  assertEqualFor(log, briefly(log), [
    "oxlint warning src/app.js:1:5 eslint(no-unused-vars) Variable 'a' is declared but never used.",
    'oxlint error src/u.ts:2:9 typescript(no-explicit-any) Unexpected any.',
  ]);
  const commands = [
    '::warning file=src/app.js,line=1,col=5,title=eslint(no-unused-vars)::src/app.js:1:5: unused',
    '::error title=lint/suspicious/noDebugger,file=src/app.js,line=4,col=20::This is a debugger statement.',
  ].join('\n');
  assertEqualFor(commands, briefly(commands), [
    'oxlint warning src/app.js:1:5 eslint(no-unused-vars) src/app.js:1:5: unused',
    'biome error src/app.js:4:20 lint/suspicious/noDebugger This is a debugger statement.',
  ]);
});

test("jest's coverage thresholds: a fallback when every test passed; a per-file one at its file; not in a passed step", () => {
  const lines = [
    'Jest: "global" coverage threshold for lines (90%) not met: 66.66%',
    'Jest: Uncovered count for lines (12) exceeds global threshold (10)',
  ];
  const alone = github(['npx jest --coverage', lines, 1]);
  assertEqualFor(alone, briefly(alone), [
    'jest error -:-:- - "global" coverage threshold for lines (90%) not met: 66.66%',
  ]);
  const glob = github([
    'npx jest --coverage',
    ['Jest: "./src/**/*.js" coverage threshold for lines (90%) not met: 5%'],
    1,
  ]);
  assertEqualFor(glob, briefly(glob), [
    'jest error -:-:- - "./src/**/*.js" coverage threshold for lines (90%) not met: 5%',
  ]);
  const passed = github(['npx jest --coverage', lines, 0]);
  assertEqualFor(passed, briefly(passed), []);
  const explained = github([
    'npx jest --coverage',
    [
      'FAIL src/a.test.js',
      '  ● adds',
      '',
      '    expect(received).toBe(expected)',
      '',
      '      at Object.<anonymous> (src/a.test.js:3:15)',
      '',
      ...lines,
    ],
    1,
  ]);
  assertEqualFor(explained, briefly(explained), [
    'jest error src/a.test.js:3:15 - expect(received).toBe(expected)',
  ]);
});

test("vitest's coverage thresholds: the first a fallback, a perFile one at its file, none in a passed step", () => {
  const lines = [
    'ERROR: Coverage for lines (66.66%) does not meet global threshold (90%)',
    'ERROR: Coverage for branches (0%) does not meet "src/**" threshold (80%)',
  ];
  const alone = github(['npx vitest run --coverage', lines, 1]);
  assertEqualFor(alone, briefly(alone), [
    'vitest error -:-:- - Coverage for lines (66.66%) does not meet global threshold (90%)',
  ]);
  const perFile = github([
    'npx vitest run --coverage',
    ['ERROR: Coverage for lines (50%) does not meet global threshold (90%) for src/a.ts'],
    1,
  ]);
  assertEqualFor(perFile, briefly(perFile), [
    'vitest error src/a.ts:-:- - Coverage for lines (50%) does not meet global threshold (90%) for src/a.ts',
  ]);
  const passed = github(['npx vitest run --coverage', lines, 0]);
  assertEqualFor(passed, briefly(passed), []);
});

test("esbuild: each '✘ [ERROR]' at the place under it, or none; its warnings are no problems", () => {
  const log = github([
    'npx esbuild src/main.ts --bundle',
    [
      '\u2718 [ERROR] Could not resolve "missing-pkg"',
      '',
      '    src/main.ts:1:18:',
      '      1 \u2502 import { x } from "missing-pkg";',
      '',
      '\u25b2 [WARNING] Comparison using the "==" operator here is always false [equals-nan]',
      '',
      '    src/b.ts:2:4:',
      '\u2718 [ERROR] Cannot use "watch" with the build API',
      '',
      '1 error',
    ],
    1,
  ]);
  assertEqualFor(log, briefly(log), [
    'esbuild error src/main.ts:1:18 - Could not resolve "missing-pkg"',
    'esbuild error -:-:- - Cannot use "watch" with the build API',
  ]);
});

test("vite build: the place from Rollup's file line, else the path its message names; one problem per block", () => {
  const unresolved = github([
    'npx vite build',
    [
      '\u2717 Build failed in 113ms',
      'error during build:',
      'Could not resolve "./nope" from "src/main.ts"',
      'file: /w/app/src/main.ts',
      '    at getRollupError (file:///w/app/node_modules/rollup/dist/es/shared/parseAst.js:355:41)',
    ],
    1,
  ]);
  assertEqualFor(unresolved, briefly(unresolved), [
    'vite error /w/app/src/main.ts:-:- - Could not resolve "./nope" from "src/main.ts"',
  ]);
  const css = github([
    'npx vite build',
    ['error during build:', '[vite:css] [postcss] Unknown word', 'Error: Process completed'],
    1,
  ]);
  assertEqualFor(css, briefly(css), ['vite error -:-:- - [postcss] Unknown word']);
  // Only the line itself starts a block: a log that quotes it does not.
  const quoted = github([
    'npx vite build',
    ['see "error during build:" above', 'error during build: none'],
    0,
  ]);
  assertEqualFor(quoted, briefly(quoted), []);
});

test("Turborepo's failed task is a wrapper: reported only when nothing under it explains the failure", () => {
  const task =
    '##[error]web#format:check: command (/home/runner/work/w/w/web) /usr/bin/pnpm run format:check exited (1)';
  const explained = github([
    'npx turbo run format:check',
    [
      'src/a.ts format \u2501\u2501',
      '',
      '  \u00d7 File content differs from formatting output',
      task,
      ' ERROR  run failed: command  exited (1)',
    ],
    1,
  ]);
  assertEqualFor(explained, briefly(explained), [
    'biome error src/a.ts:-:- format File content differs from formatting output',
  ]);
  const alone = github(['npx turbo run format:check', [task], 1]);
  assert.equal(briefly(alone).length, 1, `${alone} gave ${JSON.stringify(briefly(alone))}`);
  // Its summary line too: alone, the one problem.
  const summary = github(['npx turbo run format:check', [' ERROR  run failed: command  exited (1)'], 1]);
  assertEqualFor(summary, briefly(summary), ['turbo error -:-:- ERROR run failed: command  exited (1)']);
});

test("an annotation with no place that a later problem of its step repeats is that problem's echo, and is not reported", () => {
  const log = github(
    [
      'npx biome ci src',
      [
        '##[warning]This variable unused is unused.',
        '##[error]Something only the annotation says.',
        'src/app.js:1:5 lint/correctness/noUnusedVariables \u2501\u2501\u2501',
        '',
        '  ! This variable unused is unused.',
      ],
      1,
    ],
    // Another step's problem with the same message is no repeat.
    ['echo', ['##[warning]Same words.'], 0],
    ['npx biome lint', ['src/b.js:2:1 lint/x/y \u2501\u2501', '', '  ! Same words.'], 1],
  );
  assertEqualFor(log, briefly(log), [
    'biome warning src/app.js:1:5 lint/correctness/noUnusedVariables This variable unused is unused.',
    'github error -:-:- - Something only the annotation says.',
    'github warning -:-:- - Same words.',
    'biome warning src/b.js:2:1 lint/x/y Same words.',
  ]);
});

test('jest: blocks count only after a FAIL line, and Console blocks never', () => {
  const noFail = ['  ● Some service', '', '    Error: not a test', ''].join('\n');
  assertEqualFor(noFail, ours(noFail), []);
  const log = [
    'FAIL src/a.test.js (5.2 s)',
    '  ● Console',
    '',
    '    console.log',
    '      hi',
    '',
    '      at Object.<anonymous> (src/a.test.js:2:11)',
    '',
    '  ● math › adds',
    '',
    '    expect(received).toBe(expected) // Object.is equality',
    '',
    '      at Object.toBe (node_modules/expect/build/index.js:1:1)',
    '      at Object.<anonymous> (src/a.test.js:9:17)',
    '',
    'Test Suites: 1 failed, 1 total',
  ].join('\n');
  assertEqualFor(log, ours(log), [
    {
      file: 'src/a.test.js',
      line: 9,
      column: 17,
      severity: 'error',
      tool: 'jest',
      message: 'expect(received).toBe(expected)',
      test: 'math › adds',
    },
  ]);
});

test('jest: a ts-jest diagnostic under its heading locates a suite that failed to run', () => {
  const log = [
    'FAIL test/a.spec.ts',
    '  ● Test suite failed to run',
    '',
    '    TypeScript diagnostics (customize using `[jest-config].globals.ts-jest.diagnostics` option):',
    "    test/a.spec.ts:4:7 - error TS2322: Type 'string' is not assignable to type 'number'.",
    '',
    'Test Suites: 1 failed, 1 total',
  ].join('\n');
  assertEqualFor(log, ours(log), [
    {
      file: 'test/a.spec.ts',
      line: 4,
      column: 7,
      severity: 'error',
      tool: 'jest',
      code: 'TS2322',
      message: "error TS2322: Type 'string' is not assignable to type 'number'.",
      test: 'test/a.spec.ts',
    },
  ]);
});

test('prettier: [warn] lines without a check around them are not prettier', () => {
  const sbt = [
    '[warn] build.sbt',
    '[info] compiling 3 Scala sources',
    '[warn] there were 2 deprecation warnings',
  ];
  assertEqualFor(sbt.join('\n'), ours(sbt.join('\n')), []);
});

test('npm: a real error is a problem, a lifecycle wrapper only a fallback, warnings nothing', () => {
  const log = github(
    [
      'npm ci',
      [
        'npm ERR! code E404',
        'npm ERR! 404 Not Found - GET https://registry.npmjs.org/left-padd - Not found',
        'npm ERR! 404',
      ],
      1,
    ],
    [
      'npm test',
      [
        'npm warn EBADENGINE Unsupported engine {',
        "npm warn EBADENGINE   package: 'a@1.0.0',",
        'npm warn EBADENGINE }',
        'FAIL src/a.test.js',
        '  ● adds',
        '',
        '    expect(received).toBe(expected)',
        '',
        '      at Object.<anonymous> (src/a.test.js:3:9)',
        '',
        'npm ERR! code ELIFECYCLE',
        'npm ERR! errno 1',
        'npm ERR! a@1.0.0 test: `jest`',
        'npm ERR! Exit status 1',
      ],
      1,
    ],
    ['npm run build', ['npm error Lifecycle script `build` failed with error:', 'npm error code 2'], 2],
  );
  assertEqualFor(
    log,
    ours(log).map((p) => [p.tool, p.file, p.message]),
    [
      ['npm', null, '404 Not Found - GET https://registry.npmjs.org/left-padd - Not found'],
      ['jest', 'src/a.test.js', 'expect(received).toBe(expected)'],
      ['npm', null, 'Lifecycle script `build` failed with error:'],
    ],
  );
});

test('annotations: unexplained annotations are problems, runner noise never', () => {
  const log = github(
    [
      'actions/setup-node@v4',
      [
        '##[warning]Node.js 16 actions are deprecated. Please update the following actions to use Node.js 20.',
        '##[warning]The `set-output` command is deprecated and will be disabled soon. Please upgrade to using Environment Files.',
        '##[warning]Cache not found for input keys: node-cache-Linux-npm-abc',
        '##[warning]No files were found with the provided path: dist. No artifacts will be uploaded.',
        '##[notice]A new release of pip is available',
      ],
      0,
    ],
    [
      'actions/setup-python@v5',
      [
        '##[error]Version 3.14 with arch x64 not found in the local cache',
        '##[error]The operation was canceled.',
      ],
      1,
    ],
    ['./check.sh', ['##[warning]src/a.py:3:5: something is odd'], 0],
  );
  assertEqualFor(
    log,
    ours(log).map((p) => [p.tool, p.severity, p.file, p.line, p.column, p.message]),
    [
      ['github', 'info', null, null, null, 'A new release of pip is available'],
      ['github', 'error', null, null, null, 'Version 3.14 with arch x64 not found in the local cache'],
      ['github', 'warning', 'src/a.py', 3, 5, 'something is odd'],
    ],
  );
});

test('annotations: workflow commands printed verbatim keep their location', () => {
  const log = [
    '::error file=src/a.py,line=3,col=5,endLine=3,endColumn=9,title=T::Bad thing%0Amore detail',
    '::warning::no location here',
    '::set-output name=x::1',
    'echo "::error::not a command"',
    '::error title=Ruff (F401),file=/w/src/b.py,line=1,col=8::src/b.py:1:8: F401 `os` imported but unused',
  ].join('\n');
  const got = parseLines(splitText(log), { matchers: OURS }).problems;
  assertEqualFor(
    log,
    got.map((p) => [
      p.tool,
      p.code ?? null,
      p.severity,
      p.file,
      p.line,
      p.column,
      p.endColumn ?? null,
      p.message,
    ]),
    [
      ['github', null, 'error', 'src/a.py', 3, 5, 9, 'Bad thing'],
      ['ruff', 'F401', 'error', '/w/src/b.py', 1, 8, null, 'src/b.py:1:8: F401 `os` imported but unused'],
      // With no place it may be an echo of what the tool prints next: it waits for the step's end.
      ['github', null, 'warning', null, null, null, null, 'no location here'],
    ],
  );
});

test('generic: only for a failed step that nothing else explained', () => {
  const log = github(
    ['git fetch --unshallow', ['error: a warning-ish line in a step that passed'], 0],
    ['npx tsc', ['src/a.ts(1,1): error TS1005: oops', 'error: another line'], 2],
    [
      'sudo apt-get install -y libfoo-dev',
      ['Reading package lists...', 'E: Unable to locate package libfoo-dev'],
      100,
    ],
  );
  assertEqualFor(
    log,
    ours(log).map((p) => [p.tool, p.message]),
    [
      ['tsc', 'TS1005: oops'],
      ['apt', 'Unable to locate package libfoo-dev'],
    ],
  );
  const script = github(['./build.sh', ['Error: first', 'Error: the last one wins'], 1]);
  assertEqualFor(script, ours(script), [
    {
      file: null,
      line: null,
      column: null,
      severity: 'error',
      tool: 'shell',
      message: 'the last one wins',
      test: null,
    },
  ]);
});

test("generic: an action's exec-failure annotation is the last resort", () => {
  const wrapperOnly = github([
    'actions/checkout@v4',
    ["##[error]The process '/usr/bin/git' failed with exit code 128"],
    1,
  ]);
  assertEqualFor(
    wrapperOnly,
    ours(wrapperOnly).map((p) => [p.tool, p.message]),
    [['git', "The process '/usr/bin/git' failed with exit code 128"]],
  );
  const withCause = github([
    'actions/checkout@v4',
    [
      "fatal: could not read Username for 'https://github.com': terminal prompts disabled",
      "##[error]The process '/usr/bin/git' failed with exit code 128",
    ],
    1,
  ]);
  assertEqualFor(
    withCause,
    ours(withCause).map((p) => [p.tool, p.message]),
    [['git', "could not read Username for 'https://github.com': terminal prompts disabled"]],
  );
});

test('generic: a GitLab job that succeeded gets nothing', () => {
  const log = [
    'section_start:1:step_script\r\x1b[0K\x1b[0K\x1b[36;1mExecuting "step_script" stage\x1b[0;m',
    '\x1b[32;1m$ make check\x1b[0;m',
    'error: retrying with a mirror',
    'section_end:2:step_script\r\x1b[0K',
    '\x1b[32;1mJob succeeded\x1b[0;m',
  ].join('\n');
  assertEqualFor(log, ours(log), []);
});

test('generic: the tool comes from the command that ran', () => {
  assertEqualFor('sudo -E apt-get', guessTool('sudo -E apt-get install -y x'), 'apt');
  assertEqualFor('./gradlew', guessTool('./gradlew build'), 'gradle');
  assertEqualFor('env', guessTool('FOO=1 dnf -y update'), 'dnf');
  assertEqualFor('unknown', guessTool('./scripts/ci.sh'), null);
});

test("vitest: a block's header names the file and the test; jest's FAIL line and a bare one are no header", () => {
  const cases: [string, { file: string; test: string } | null][] = [
    [
      ' FAIL  src/a.test.ts > suite > nested > works',
      { file: 'src/a.test.ts', test: 'suite > nested > works' },
    ],
    [' FAIL  |unit| src/a.test.ts > works', { file: 'src/a.test.ts', test: 'works' }],
    [' FAIL  src/b.test.ts [ src/b.test.ts ]', { file: 'src/b.test.ts', test: 'src/b.test.ts' }],
    [' FAIL  src/sum.test.js', null],
    [' FAIL  src/sum.test.js (5.2 s)', null],
    ['FAILED tests/a.py::t - x > y', null],
  ];
  for (const [line, want] of cases) assertEqualFor(line, vitestHeader(line), want);
});

test('node: an uncaught exception is one problem at its first project frame; a stack a program logs and survives is none', () => {
  assertEqualFor('frame', nodeFrame('    at async load (file:///app/src/a.mjs:3:9)'), {
    file: '/app/src/a.mjs',
    line: 3,
    column: 9,
  });
  assertEqualFor('bare frame', nodeFrame('    at /app/b.js:1:2'), { file: '/app/b.js', line: 1, column: 2 });
  assertEqualFor('no location', nodeFrame('    at new Promise (<anonymous>)'), null);
  const logged = [
    'Error: ECONNREFUSED 127.0.0.1:5432',
    '    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)',
    '    at retry (/app/src/db.js:10:5)',
    'retrying in 1s',
    'connected',
  ].join('\n');
  // (The generic fallback still names the step's last error line: that is its job.)
  assertEqualFor(
    logged,
    run(logged).filter((p) => p.tool === 'node'),
    [],
  );
  const crashed = logged.replace('retrying in 1s\nconnected', '\nNode.js v20.11.1');
  assertEqualFor(crashed, run(crashed), [
    {
      file: '/app/src/db.js',
      line: 10,
      column: 5,
      severity: 'error',
      tool: 'node',
      message: 'Error: ECONNREFUSED 127.0.0.1:5432',
      test: null,
    },
  ]);
});

test("node:test: TAP from another producer (tape) keeps its YAML's place and message; a TODO and a parent's summary are no problem", () => {
  const tape = [
    'TAP version 13',
    '# adds',
    'ok 1 should be equal',
    'not ok 2 should be strictly equal',
    '  ---',
    '    operator: equal',
    '    expected: 3',
    '    actual:   2',
    '    at: Test.<anonymous> (/app/test/a.js:6:5)',
    '  ...',
    'not ok 3 flaky one # TODO fix later',
    'not ok 4 - parent',
    '  ---',
    "  failureType: 'subtestsFailed'",
    "  error: '1 subtest failed'",
    '  ...',
    '1..4',
  ].join('\n');
  assertEqualFor(tape, run(tape), [
    {
      file: '/app/test/a.js',
      line: 6,
      column: 5,
      severity: 'error',
      tool: 'node:test',
      message: 'test failed',
      test: 'should be strictly equal',
    },
  ]);
});

test('playwright: a failure, its annotations read once, an annotation-only failure, a flaky test a warning', () => {
  const log = github([
    'npx playwright test',
    [
      '  1) [chromium] \u203a tests/a.spec.ts:3:5 \u203a suite \u203a adds \u2500\u2500\u2500\u2500\u2500\u2500',
      '',
      '    Error: expect(received).toBe(expected) // Object.is equality',
      '',
      '    Retry #1 \u2500\u2500\u2500\u2500',
      '    Error: a retry says it again',
      '        at helper (/w/p/tests/helper.ts:2:3)',
      '        at /w/p/tests/a.spec.ts:4:11',
      '',
      '  2) [chromium] \u203a tests/b.spec.ts:8:1 \u203a sometimes \u2500\u2500\u2500',
      '',
      '    Error: timed out',
      '',
      '  1 failed',
      '    [chromium] \u203a tests/a.spec.ts:3:5 \u203a suite \u203a adds \u2500\u2500\u2500',
      '  1 flaky',
      '    [chromium] \u203a tests/b.spec.ts:8:1 \u203a sometimes \u2500\u2500\u2500',
      '  4 passed (3.1s)',
      '##[error]  1) [chromium] \u203a tests/a.spec.ts:3:5 \u203a suite \u203a adds \u2500\u2500\u2500\ufffd',
      '##[error]  3) [firefox] \u203a tests/c.spec.ts:1:1 \u203a only annotated',
      '    Error: annotation text',
    ],
    1,
  ]);
  assertEqualFor(
    log,
    run(log).map((p) => [p.file, p.line, p.column, p.severity, p.tool, p.test, p.message]),
    [
      [
        '/w/p/tests/a.spec.ts',
        4,
        11,
        'error',
        'playwright',
        'suite \u203a adds',
        'Error: expect(received).toBe(expected) // Object.is equality',
      ],
      ['tests/b.spec.ts', 8, 1, 'warning', 'playwright', 'sometimes', 'Error: timed out'],
      ['tests/c.spec.ts', 1, 1, 'error', 'playwright', 'only annotated', 'Error: annotation text'],
    ],
  );
});
