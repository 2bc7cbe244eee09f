/**
 * The pre-scan's WebAssembly classifier (src/wasm/prescan.ts) must give the hints the JavaScript gives: the same
 * `idleMask` for every line, on every fixture log, on the corpus-like generated logs and on the lines that make its
 * port of `scanRaw`/`wantedRaw`/`mayWantRaw` take each branch. A line it calls UNWANTED wrongly would be one the
 * parser never reads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { Prescanner } from '../../src/core/prescan';
import { splitText } from '../../src/core/lines';
import { PRESCAN_WASM } from '../../src/core/prescanWasm.generated';
import { FIXTURES, fixtureLogs } from '../helpers/fixtures';
import { BYTES_LINE, BYTES_LOG, GITHUB_LOG, TEXT } from '../helpers/logGen';

/** The hints of `bytes` read in chunks cut at `cuts`, with or without the WebAssembly classifier. */
function hints(bytes: Uint8Array, cuts: readonly number[], filter: boolean): number[] {
  const scanner = new Prescanner(undefined, { filter });
  assert.equal(scanner.filtered, filter, 'the WebAssembly classifier did not start');
  const out: number[] = [];
  const add = (h: Float64Array): void => {
    for (const x of h) out.push(x);
  };
  let from = 0;
  for (const c of [...cuts].sort((a, b) => a - b).filter((c) => c > 0 && c < bytes.length)) {
    add(scanner.push(bytes.subarray(from, c)));
    from = c;
  }
  add(scanner.push(bytes.subarray(from)));
  add(scanner.end());
  return out;
}

/** The first differing hint (offset, line number, mask) of the two, for a readable failure. */
function firstDifference(bytes: Uint8Array, js: number[], wasm: number[]): string {
  let i = 0;
  while (i < js.length && js[i] === wasm[i]) i++;
  const k = i - (i % 3);
  const line = (h: number[]): string => {
    const at = h[k];
    if (at === undefined) return '(none)';
    const end = Buffer.from(bytes).indexOf(10, at);
    return `line ${h[k + 1]} mask ${h[k + 2]}: ${JSON.stringify(Buffer.from(bytes.subarray(at, end < 0 ? undefined : end)).toString('latin1'))}`;
  };
  return `JavaScript ${line(js)}; WebAssembly ${line(wasm)}`;
}

function assertSameHints(bytes: Uint8Array, cuts: readonly number[], what: string): void {
  const js = hints(bytes, cuts, false);
  const wasm = hints(bytes, cuts, true);
  if (js.length === wasm.length && js.every((x, i) => x === wasm[i])) return;
  assert.fail(`${what}: the hints differ at ${firstDifference(bytes, js, wasm)}`);
}

const TS = '2024-05-01T10:00:00.1234567Z ';

test('the committed WebAssembly module is the build of src/wasm/prescan.ts', () => {
  // In a process of its own: the compiler is a big script, slow through the tests' TypeScript loader.
  const script = path.join(__dirname, '..', '..', 'scripts', 'wasm', 'build.mjs');
  const r = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, `build.mjs --check: ${r.stderr}${r.stdout}`);
  assert.ok(PRESCAN_WASM.length > 1000);
});

test('the pre-scan classifies with WebAssembly for the registry matchers', () => {
  assert.equal(
    new Prescanner().filtered,
    true,
    'no WebAssembly classifier: the tables may not fit its layout',
  );
});

test('every fixture log gets the same hints from the WebAssembly classifier as from the JavaScript', () => {
  const logs = fixtureLogs();
  assert.ok(logs.length >= 30, `expected the fixture logs, found ${logs.length}`);
  for (const file of logs) {
    const bytes = fs.readFileSync(file);
    // Plain and GitLab fixtures as GitHub raw logs too: each line behind a runner timestamp.
    const gh = Buffer.from(
      splitText(bytes.toString('utf8'))
        .map((l) => TS + l)
        .join('\n') + '\n',
    );
    for (const b of [bytes, gh]) {
      const what = path.relative(FIXTURES, file);
      assertSameHints(b, [], what);
      assertSameHints(b, [1, Math.floor(b.length / 3), Math.floor(b.length / 2) + 1], `${what} in chunks`);
    }
  }
});

test('lines that take each branch of the classifier get the same hints', () => {
  const texts = [
    '',
    ' ',
    'tests/test_a.py::test_x \x1b[32mPASSED\x1b[0m\x1b[32m     [ 81%]\x1b[0m',
    '\x1b[36;1mpytest -v\x1b[0m',
    '\x1b[0m',
    '\x1b[31m\x1b[1mE\x1b[0m   assert 1',
    '\x1b[1m\x1b[31msrc/a.py\x1b[0m:3:1: E501',
    'src/a.py:\x1b[1m3\x1b[0m',
    'a:\x1b[0m',
    'C:\\a\\b.py:3:1: E501 x',
    'C:x',
    'C:x:1',
    'ab: cd',
    'ab:: cd',
    'ab:cd: ef',
    'ab:cd:\x1b[1mx',
    'x: c',
    'x: \x1b[1mc',
    'file.py',
    'a.b.c.tsx',
    'x.\x1b[0m',
    'x.py\x1b[0m',
    'x.p\x1b[1my',
    '   \x1b[38;2;114;156;31m━━━━━━━━━━━━━━ 1.2/1.2 MB',
    '   ━━━━━━━━━━━━━━━━━',
    '  ● suite › test',
    '  ×  failed',
    'é',
    '\u00e9a',
    'a\u00e9',
    '😀',
    'a😀',
    '  😀',
    'FAIL src/a.test.js',
    'x FAIL',
    'ERROR: x',
    'pkg 1.0 requires dep, which is not installed.',
    'a (b): [c]',
    'Fatal Python error: Segmentation fault',
    'x\ry',
    'x\x9b31my',
    '\x9b31m',
    '\x1b[31mx\x9b',
    '\x1b[K',
    '\x1b[31',
    '\x1b',
    'x\x1b',
    '##[group]Run x',
    '[command]/usr/bin/git',
    '#x',
    '$ pytest',
    ' +x',
    ' \x1b[1mx',
    'Current runner version: 2.317.0',
    'Cloning into x',
    'Digest: sha256:abc',
    'Running with gitlab-runner 16',
    'Image: ubuntu/',
    'Random t',
    'R\x1b[0m',
    'Python 3.11.4',
    'Poetry (version 1.8.0)',
    'Successfully installed a-1.0',
    'Starting service x',
    'Using docker image sha256:abc for python:3.11',
    'platform linux -- Python 3.11.4',
    'pytest 8.3.4',
    'ruff v0.4',
    'ruff version',
    'abcdefghij 1',
    'ab\u00e9cdefgh 1',
    'a 1',
    'x\x1b[0m 1',
    '3 C901 (mccabe: 12)',
    '12 files',
    '1\x1b[0m',
    'Oops! Something went wrong',
    '  Error: x',
    '  Errx',
    '  12 failing',
    '  1) suite',
    '  not ok 1 - x',
    'flake8...............Failed',
    '...d',
    'Checking formatting...',
    '[warn] x',
    'x TS2345: y',
    'x: TS',
    '  File "a.py", line 3',
    '  + x',
    'E       assert',
  ];
  const stamps = [
    TS,
    '2024-05-01T10:00:00.1234567Z 0aO',
    '2024-05-01T10:00:00.1234567Z 0aE+',
    '2024-05-01T10:00:00.12Z ',
    '',
  ];
  const lines = stamps.flatMap((t) => texts.map((x) => t + x));
  for (const eol of ['\n', '\r\n']) {
    const bytes = Buffer.from(lines.join(eol) + eol, 'utf8');
    // Each line alone, so that a difference names it; then all of them in one piece.
    for (const l of lines) assertSameHints(Buffer.from(l + eol, 'utf8'), [], JSON.stringify(l));
    assertSameHints(bytes, [], 'all the lines');
  }
});

test('generated GitHub logs and byte streams get the same hints, in any chunks', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        GITHUB_LOG.map((ls) => Buffer.from(ls.join('\n') + '\n', 'utf8')),
        BYTES_LOG,
        fc
          .array(BYTES_LINE, { minLength: 1, maxLength: 40 })
          .map((ls) => Buffer.concat(ls.flatMap((l) => [l, Buffer.from('\n')]))),
        fc
          .array(TEXT, { minLength: 1, maxLength: 40 })
          .map((ts) => Buffer.from(ts.map((t) => TS + t).join('\n') + '\n', 'utf8')),
      ),
      fc.array(fc.nat(6000), { maxLength: 4 }),
      (bytes, cuts) => {
        const js = hints(bytes, cuts, false);
        const wasm = hints(bytes, cuts, true);
        assert.deepEqual(
          wasm,
          js,
          `bytes ${bytes.toString('base64')}, cuts ${cuts.join(',')}: ${firstDifference(bytes, js, wasm)}`,
        );
      },
    ),
    { numRuns: 500 },
  );
});

test('a piece of 64 KiB of empty lines, and lines across pieces, get the same hints', () => {
  const empty = Buffer.alloc(1 << 17, 10);
  assertSameHints(empty, [], 'empty lines');
  const long = Buffer.from((TS + 'x'.repeat(70_000) + '\n' + TS + 'src/a.py:1:2: E1 x\n').repeat(3));
  assertSameHints(long, [], 'lines longer than a piece');
  assertSameHints(long, [5, 65_536, 70_100], 'lines longer than a piece, in chunks');
});
