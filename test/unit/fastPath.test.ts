/**
 * The parser's shortcuts must not change what it finds. Two of them: matchers see only the lines their `wake`
 * declares (while idle), and a GitHub line that wakes nothing is classified from its raw characters and never
 * framed. The reference here is a parser whose matchers have no `wake` (every matcher sees every framed line):
 * on real fixture logs and on generated GitHub logs full of colours, unicode and near-misses, both must report
 * the same problems, environment and steps.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { DEFAULT_MAX_LINE_LENGTH, LineSplitter, splitText } from '../../src/core/lines';
import { LogParser, parseChunks } from '../../src/core/parser';
import { ENV_MAY_WANT, Prescanner, UNWANTED, idleMask } from '../../src/core/prescan';
import { Framer } from '../../src/core/framing';
import { createDispatcher, scanRaw } from '../../src/core/matcher';
import type { Matcher, MatcherFactory } from '../../src/core/matcher';
import { allMatchers } from '../../src/core/matchers/registry';
import { FIXTURES, fixtureLogs } from '../helpers/fixtures';
import { BODY, BYTES_LOG, GITHUB_LOG, TEXT } from '../helpers/logGen';

/** The same matcher, shown every line. */
function ungated(f: MatcherFactory): MatcherFactory {
  return () => {
    const m = f();
    const plain: Matcher = {
      name: m.name,
      line: (l, ctx) => m.line(l, ctx),
      ...(m.flush ? { flush: (ctx) => m.flush!(ctx) } : {}),
    };
    return plain;
  };
}
const REFERENCE = allMatchers.map(ungated);

function parseWith(lines: readonly string[], matchers?: readonly MatcherFactory[]): unknown {
  const p = new LogParser(matchers ? { matchers } : {});
  const problems = [];
  for (const l of lines) problems.push(...p.push(l));
  problems.push(...p.end());
  return { problems, environment: p.environment, steps: p.steps, format: p.format, lines: p.lines };
}

/** A fixture's lines as a GitHub raw log: each behind a runner timestamp, in one step. */
function asGitHub(lines: readonly string[]): string[] {
  const ts = (i: number): string =>
    `2024-05-01T10:00:${String(i % 60).padStart(2, '0')}.${String(i).padStart(7, '0')}Z `;
  return [
    ts(0) + '##[group]Run pytest -v',
    ts(1) + 'pytest -v',
    ts(2) + '##[endgroup]',
    ...lines.map((l, i) => ts(i + 3) + l),
  ];
}

test('every fixture log parses the same with and without the shortcuts', () => {
  const logs = fixtureLogs();
  assert.ok(logs.length >= 30, `expected the fixture logs, found ${logs.length}`);
  for (const file of logs) {
    const lines = splitText(fs.readFileSync(file, 'utf8'));
    for (const variant of [lines, asGitHub(lines)]) {
      const got = parseWith(variant);
      const want = parseWith(variant, REFERENCE);
      assert.deepEqual(
        got,
        want,
        `${path.relative(FIXTURES, file)}: the shortcut parse differs from every-line`,
      );
    }
  }
});

test('generated GitHub logs parse the same with and without the shortcuts', () => {
  fc.assert(
    fc.property(GITHUB_LOG, (lines) => {
      assert.deepEqual(
        parseWith(lines),
        parseWith(lines, REFERENCE),
        `log:\n${JSON.stringify(lines, null, 1)}`,
      );
    }),
    { numRuns: 400 },
  );
  void BODY;
});

/** Fails when the framed line `text` (after a runner timestamp) wakes a matcher its raw classification leaves out. */
function assertRawHolds(dispatcher: ReturnType<typeof createDispatcher>, text: string): void {
  const raw = '2024-05-01T10:00:00.1234567Z ' + text;
  const framer = new Framer();
  framer.frame('2024-05-01T10:00:00.0000000Z start', 1);
  const start = framer.plainStart(raw, 0, raw.length);
  const r = dispatcher.newRawText();
  r.set(raw, 0, raw.length, false);
  if (start < 0 || !scanRaw(r, start)) return;
  const fromRaw = dispatcher.wantedRaw(r);
  if (fromRaw < 0) return;
  const l = framer.frame(raw, 2);
  if (l.command !== null) return;
  const framed = dispatcher.wanted(l, raw);
  assert.equal(
    framed & ~fromRaw,
    0,
    `${JSON.stringify(raw)} framed as ${JSON.stringify(l.text)}: framed wakes ${framed.toString(2)}, raw ${fromRaw.toString(2)}`,
  );
}

test('idleMask says which lines the environment may want, besides the matchers they wake', () => {
  const dispatcher = createDispatcher(allMatchers.map((f) => f()));
  const mask = (text: string): number => {
    const raw = '2024-05-01T10:00:00.1234567Z ' + text;
    const r = dispatcher.newRawText();
    r.set(raw, 0, raw.length, false);
    return idleMask(r, 29, dispatcher, true);
  };
  const cases: [string, boolean, boolean][] = [
    // text, a matcher wakes, the environment may want it
    ['Successfully set up CPython (3.12.1)', false, true],
    // (Its end, `.0`, may be a file extension: a stylish eslint header's.)
    ['platform linux -- Python 3.12.1, pytest-8.0.0, pluggy-1.4.0', true, true],
    ['src/a.py:1:1: F401 os imported but unused', true, false],
    ['collected 3 items, nothing to see here', false, false],
  ];
  for (const [text, matchers, env] of cases) {
    const m = mask(text);
    const what = `${JSON.stringify(text)}: idleMask ${m}`;
    if (!matchers && !env) {
      assert.equal(m, UNWANTED, what);
      continue;
    }
    assert.equal(m >= ENV_MAY_WANT, env, `${what}: the environment's flag`);
    assert.equal((m >= ENV_MAY_WANT ? m - ENV_MAY_WANT : m) !== 0, matchers, `${what}: the matchers' mask`);
  }
});

test('the raw classification holds every matcher the framed line wakes', () => {
  const dispatcher = createDispatcher(allMatchers.map((f) => f()));
  fc.assert(
    fc.property(TEXT, (text) => assertRawHolds(dispatcher, text)),
    { numRuns: 3000 },
  );
});

test('a ": " that a colour splits, after a first colon that is not one, wakes what it wakes framed', () => {
  const dispatcher = createDispatcher(allMatchers.map((f) => f()));
  for (const text of [
    'src/a.ts:3:5 - error TS2345:\x1b[0m no',
    '\x1b[96msrc/a.ts\x1b[0m:\x1b[93m3\x1b[0m:\x1b[93m5\x1b[0m - \x1b[91merror\x1b[0m\x1b[90m TS2345:\x1b[0m no',
    'a:b TS:\x1b[31m x',
    'a:b TS:c: d',
  ])
    assertRawHolds(dispatcher, text);
});

test('a prefix a colour splits wakes what it wakes framed; a colour after other characters wakes nothing', () => {
  const dispatcher = createDispatcher(allMatchers.map((f) => f()));
  for (const text of [
    ' \x1b[31mERR_PNPM_X boom',
    ' ERR\x1b[1m_PNPM_X boom',
    '\x1b[41m ERR_PNPM_X\x1b[49m boom',
  ])
    assertRawHolds(dispatcher, text);
  // pip's progress bar: indented, a colour, then no prefix of anyone's.
  const raw =
    '2024-05-01T10:00:00.1234567Z    \x1b[38;2;114;156;31m\u2501\u2501\x1b[0m \x1b[32m40.3/40.3 kB\x1b[0m';
  const lat = Buffer.from(raw, 'utf8').toString('latin1');
  const r = dispatcher.newRawText();
  r.set(lat, 0, lat.length, true);
  assert.ok(scanRaw(r, 29), 'scanRaw read the line');
  assert.equal(
    dispatcher.wantedRaw(r),
    0,
    `${JSON.stringify(raw)} woke ${dispatcher.wantedRaw(r).toString(2)}`,
  );
});

function chunks(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let from = 0;
  for (const c of [...cuts.filter((x) => x > 0 && x < bytes.length).sort((a, b) => a - b), bytes.length]) {
    out.push(bytes.subarray(from, c));
    from = c;
  }
  return out;
}

/** The log read as bytes in the given chunks (the parser splits and decodes them itself). */
function parseBytes(bytes: Uint8Array, cuts: readonly number[]): unknown {
  const p = new LogParser();
  const problems = [];
  for (const c of chunks(bytes, cuts)) problems.push(...p.pushChunk(c));
  problems.push(...p.endChunks());
  return { problems, environment: p.environment, steps: p.steps, format: p.format, lines: p.lines };
}

/** The reference reading: LineSplitter over the same chunks (its CR-only guess depends on them), every line framed. */
function parseSplit(bytes: Uint8Array, cuts: readonly number[] = []): unknown {
  const splitter = new LineSplitter();
  const lines: string[] = [];
  for (const c of chunks(bytes, cuts)) lines.push(...splitter.push(c));
  return parseWith([...lines, ...splitter.end()], REFERENCE);
}

test('fixture logs read as bytes, in any chunks, parse as LineSplitter and every-line matching do', () => {
  for (const file of fixtureLogs()) {
    const bytes = fs.readFileSync(file);
    const gh = Buffer.from(asGitHub(splitText(bytes.toString('utf8'))).join('\n') + '\n');
    for (const b of [bytes, gh]) {
      for (const cuts of [[], [1, 2, 3], [Math.floor(b.length / 3), Math.floor(b.length / 2) + 1]]) {
        assert.deepEqual(
          parseBytes(b, cuts),
          parseSplit(b, cuts),
          `${path.relative(FIXTURES, file)} cut at ${cuts.join(',')}`,
        );
      }
    }
  }
});

test('generated byte streams (malformed UTF-8, BOMs, CRLF, CR-only, any chunks) parse as LineSplitter reads them', () => {
  fc.assert(
    fc.property(BYTES_LOG, fc.array(fc.nat(4000), { maxLength: 6 }), (bytes, cuts) => {
      assert.deepEqual(
        parseBytes(bytes, cuts),
        parseSplit(bytes, cuts),
        `bytes: ${bytes.toString('base64')}, cuts ${cuts.join(',')}`,
      );
    }),
    { numRuns: 300 },
  );
});

test('a line longer than the limit is cut as LineSplitter cuts it, whatever the chunks', () => {
  const long = '2024-05-01T10:00:00.1234567Z ' + 'é'.repeat(DEFAULT_MAX_LINE_LENGTH) + 'tail\r';
  const bytes = Buffer.from(
    `2024-05-01T10:00:00.0000000Z start\n${long}\nsrc/a.py:1:1: E501 x\n${'x'.repeat(DEFAULT_MAX_LINE_LENGTH + 5)}`,
  );
  for (const cuts of [[], [40, 1000, 2_000_000, 2_100_000], [bytes.length - 3]]) {
    assert.deepEqual(parseBytes(bytes, cuts), parseSplit(bytes, cuts), `cuts ${cuts.join(',')}`);
  }
});

/** `n` bytes of plain GitHub lines (the last one shorter, to end exactly there). */
function filler(n: number): Buffer {
  const line = '2024-05-01T10:00:00.1234567Z collected 3 items, nothing to see here\n';
  const whole = Math.floor(n / line.length);
  const rest = n - whole * line.length;
  return Buffer.from(line.repeat(whole) + (rest > 0 ? 'x'.repeat(rest - 1) + '\n' : ''));
}

test('a chunk bigger than the 64 KiB pieces ByteLines splits it in parses as LineSplitter reads it', () => {
  fc.assert(
    fc.property(BYTES_LOG, fc.integer({ min: 0, max: 600 }), (tail, shift) => {
      // The generated lines (CRLF, multi-byte characters, malformed bytes) straddle the piece boundaries.
      const head = filler(65536 - shift);
      const bytes = Buffer.concat([head, tail, filler(65536), tail, Buffer.from('\n'), tail]);
      assert.deepEqual(
        parseBytes(bytes, []),
        parseSplit(bytes, []),
        `tail: ${tail.toString('base64')}, shift ${shift}`,
      );
    }),
    { numRuns: 150 },
  );
});

test('parseChunks feeds a big read in pieces: the same result, and its first problems before the read is parsed', async () => {
  const early = Buffer.from('2024-05-01T10:00:00.1234567Z src/a.py:1:1: F401 early\n');
  const late = Buffer.from('2024-05-01T10:00:09.1234567Z src/b.py:2:1: F401 late\n');
  const bytes = Buffer.concat([early, filler(300_000), late, filler(70_000)]);
  const batches: number[][] = [];
  const parser = await parseChunks(
    (async function* () {
      yield bytes;
    })(),
    {},
    (ps) => batches.push(ps.map((p) => p.logLine)),
  );
  assert.ok(batches.length >= 2, `problems in one batch: ${JSON.stringify(batches)}`);
  assert.deepEqual(batches[0], [1], `first batch: ${JSON.stringify(batches)}`);
  const whole = parseBytes(bytes, []) as { problems: unknown[]; lines: number };
  assert.equal(batches.flat().length, whole.problems.length);
  assert.equal(parser.lines, whole.lines);
});

/**
 * The log read with a Prescanner's hints, as parseFileAhead's thread gives them: the scanner reads `scanCuts`;
 * `together` (then scanCuts must be `cuts`) hands each chunk's hints over just before the chunk, else all of them
 * come first (hints are stream offsets: the scanner's chunks must not matter).
 */
function parsePrescanned(
  bytes: Uint8Array,
  cuts: readonly number[],
  scanCuts: readonly number[],
  together: boolean,
): { result: unknown; jumped: number } {
  const scanner = new Prescanner();
  const batches = chunks(bytes, scanCuts).map((c) => scanner.push(c));
  batches.push(scanner.end());
  const p = new LogParser();
  if (!together) for (const b of batches) p.prescanned(b);
  const problems = [];
  chunks(bytes, cuts).forEach((c, k) => {
    if (together) p.prescanned(batches[k]!);
    problems.push(...p.pushChunk(c));
  });
  if (together) p.prescanned(batches[batches.length - 1]!);
  problems.push(...p.endChunks());
  return {
    result: { problems, environment: p.environment, steps: p.steps, format: p.format, lines: p.lines },
    jumped: p.jumpedLines,
  };
}

test('fixture logs parse the same when a pre-scan lets the parser jump over lines, whatever the chunks', () => {
  for (const file of fixtureLogs()) {
    const bytes = fs.readFileSync(file);
    const gh = Buffer.from(asGitHub(splitText(bytes.toString('utf8'))).join('\n') + '\n');
    for (const b of [bytes, gh]) {
      const third = Math.floor(b.length / 3);
      for (const cuts of [[], [1, 2, 3], [third, Math.floor(b.length / 2) + 1]]) {
        const expected = parseBytes(b, cuts);
        const what = `${path.relative(FIXTURES, file)} cut at ${cuts.join(',')}`;
        assert.deepEqual(parsePrescanned(b, cuts, cuts, true).result, expected, `${what}, hints per chunk`);
        assert.deepEqual(
          parsePrescanned(b, cuts, [third + 7], false).result,
          expected,
          `${what}, hints first`,
        );
      }
    }
  }
});

test('with hints, a caller that refills the one buffer it passes gets what fresh buffers give', () => {
  // The parser keeps the latin1 string of the last piece it made one for: a refilled buffer is a new piece. Lines
  // as long as the filler's, chunks of whole lines: a stale string would read the problem's line as filler.
  const width = filler(1000).indexOf(10) + 1;
  const late = (n: number): Buffer =>
    Buffer.from(`2024-05-01T10:00:09.1234567Z src/b.py:${n}:1: F401 late`.padEnd(width - 1) + '\n');
  const bytes = Buffer.concat([
    filler(width * 70),
    late(2),
    filler(width * 150),
    late(3),
    filler(width * 100),
  ]);
  const size = width * 60;
  const cuts: number[] = [];
  for (let at = size; at < bytes.length; at += size) cuts.push(at);
  const expected = parseBytes(bytes, cuts) as { problems: unknown[] };
  // Hints for the first chunk only: past them, the parser reads every line's latin1 string.
  const scanner = new Prescanner();
  const parts = chunks(bytes, cuts);
  const p = new LogParser();
  p.prescanned(scanner.push(parts[0]!));
  const one = Buffer.alloc(size);
  const problems = [];
  for (const c of parts) {
    const b = c.length === size ? one : Buffer.alloc(c.length);
    b.set(c);
    problems.push(...p.pushChunk(b));
  }
  problems.push(...p.endChunks());
  assert.equal(expected.problems.length, 2, JSON.stringify(expected.problems));
  assert.deepEqual(
    { problems, environment: p.environment, steps: p.steps, format: p.format, lines: p.lines },
    expected,
  );
});

test('generated logs with long stretches nobody wants parse the same with a pre-scan, in any chunks', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.oneof(
          BYTES_LOG,
          GITHUB_LOG.map((ls) => Buffer.from(ls.join('\n') + '\n')),
        ),
        {
          minLength: 1,
          maxLength: 4,
        },
      ),
      fc.array(fc.integer({ min: 0, max: 90_000 }), { maxLength: 5 }),
      fc.array(fc.integer({ min: 0, max: 90_000 }), { maxLength: 5 }),
      fc.integer({ min: 0, max: 70_000 }),
      (parts, cuts, scanCuts, gap) => {
        // Interesting lines between boring stretches that cross the 64 KiB pieces and the chunks.
        const bytes = Buffer.concat(parts.flatMap((x) => [filler(gap), x, Buffer.from('\n')]));
        const expected = parseBytes(bytes, cuts);
        const what = `parts: ${parts.map((x) => x.toString('base64')).join(' ')}, gap ${gap}, cuts ${cuts.join(',')}`;
        assert.deepEqual(
          parsePrescanned(bytes, cuts, cuts, true).result,
          expected,
          `${what}, hints per chunk`,
        );
        assert.deepEqual(
          parsePrescanned(bytes, cuts, scanCuts, false).result,
          expected,
          `${what}, scanner cut at ${scanCuts.join(',')}, hints first`,
        );
      },
    ),
    { numRuns: 120 },
  );
});

test('with a pre-scan the parser jumps over the lines nobody wants', () => {
  const failure = fs.readFileSync(path.join(FIXTURES, 'sample', 'github-pytest.log'));
  const bytes = Buffer.concat([filler(500_000), failure, filler(300_000), failure, filler(1000)]);
  const cuts = [65_536, 1 << 20];
  const { result, jumped } = parsePrescanned(bytes, cuts, cuts, true);
  const expected = parseBytes(bytes, cuts) as { lines: number; problems: unknown[] };
  assert.deepEqual(result, expected);
  assert.ok(expected.problems.length > 0, 'the fixture has problems');
  const fillerLines = Math.floor(801_000 / (filler(1000).indexOf(10) + 1));
  assert.ok(jumped > 0.9 * fillerLines, `jumped ${jumped} of ~${fillerLines} filler lines`);
});

/** parseChunks over `parts` (bytes or text), its problems and lines. */
async function parseChunksOf(
  parts: readonly (Uint8Array | string)[],
): Promise<{ result: unknown; jumped: number }> {
  const problems: unknown[] = [];
  const p = await parseChunks(
    (async function* () {
      yield* parts;
    })(),
    {},
    (ps) => problems.push(...ps),
  );
  return {
    result: { problems, environment: p.environment, steps: p.steps, format: p.format, lines: p.lines },
    jumped: p.jumpedLines,
  };
}

test('parseChunks classifies bytes ahead on its own thread: the same result, the lines nobody wants jumped over', async () => {
  const failure = fs.readFileSync(path.join(FIXTURES, 'sample', 'github-pytest.log'));
  const bytes = Buffer.concat([filler(500_000), failure, filler(300_000), failure, filler(1000)]);
  const cuts = [65_536, 70_000, 1 << 20];
  const expected = parseBytes(bytes, cuts) as { problems: unknown[] };
  const { result, jumped } = await parseChunksOf(chunks(bytes, cuts));
  assert.deepEqual(result, expected);
  assert.ok(expected.problems.length > 0, 'the fixture has problems');
  const fillerLines = Math.floor(801_000 / (filler(1000).indexOf(10) + 1));
  assert.ok(jumped > 0.9 * fillerLines, `jumped ${jumped} of ~${fillerLines} filler lines`);
  // Text after bytes: the rest is read line by line, nothing lost.
  const at = bytes.indexOf(10, 600_000) + 7;
  const mixed = await parseChunksOf([bytes.subarray(0, at), bytes.subarray(at).toString('utf8')]);
  assert.deepEqual(mixed.result, expected, 'bytes, then text');
  const text = await parseChunksOf([bytes.toString('utf8')]);
  assert.deepEqual(text.result, expected, 'text');
  assert.equal(text.jumped, 0);
});

test('parseChunks: a pre-scan that fails mid-log leaves the rest to the parser, nothing lost', async (t) => {
  const failure = fs.readFileSync(path.join(FIXTURES, 'sample', 'github-pytest.log'));
  const bytes = Buffer.concat([filler(200_000), failure, filler(100_000), failure]);
  const cuts = [65_536, 150_000, 230_000];
  let calls = 0;
  const push = Prescanner.prototype.push;
  t.mock.method(Prescanner.prototype, 'push', function (this: Prescanner, c: Uint8Array) {
    if (++calls === 2) throw new Error('scanner bug');
    return push.call(this, c);
  });
  const { result, jumped } = await parseChunksOf(chunks(bytes, cuts));
  assert.deepEqual(result, parseBytes(bytes, cuts));
  assert.ok(calls === 2 && jumped > 0, `calls ${calls}, jumped ${jumped}`);
});

test('fixture logs parse the same through parseChunks (bytes classified ahead) as line by line', async () => {
  for (const file of fixtureLogs()) {
    const bytes = fs.readFileSync(file);
    const gh = Buffer.from(asGitHub(splitText(bytes.toString('utf8'))).join('\n') + '\n');
    for (const b of [bytes, gh]) {
      const cuts = [Math.floor(b.length / 3), Math.floor(b.length / 2) + 1];
      assert.deepEqual(
        (await parseChunksOf(chunks(b, cuts))).result,
        parseBytes(b, cuts),
        `${path.relative(FIXTURES, file)} cut at ${cuts.join(',')}`,
      );
    }
  }
});

test("hints change nothing in a log whose framing is not GitHub's, though its lines carry runner timestamps", () => {
  const ts = '2024-05-01T10:00:00.1234567Z ';
  const body = Buffer.from(
    [
      'src/a.py:1:1: F401 os imported but unused',
      '=================================== FAILURES ===================================',
      '______________________________ test_x ______________________________',
      'tests/test_a.py:3: in test_x',
      'E   assert 1 == 2',
      'FAILED tests/test_a.py::test_x - assert 1 == 2',
      'section_start:1700000000:step_script\r\x1b[0K$ pytest',
    ]
      .map((l) => ts + l + '\n')
      .join(''),
  );
  for (const first of [
    'Running with gitlab-runner 16.5.0 (853330f9)\n',
    'build\tRun pytest\t' + ts + 'x\n',
  ]) {
    const bytes = Buffer.concat([Buffer.from(first), filler(70_000), body, filler(70_000), body]);
    for (const cuts of [[], [65_536, 100_000]]) {
      assert.deepEqual(
        parsePrescanned(bytes, cuts, cuts, true).result,
        parseBytes(bytes, cuts),
        `first line ${JSON.stringify(first)}, cuts ${cuts.join(',')}`,
      );
    }
  }
});

test("the dispatcher's 31 bits hold every matcher, their extra wake alternatives and room for two more", () => {
  const extra: Matcher = { name: 'extra', wake: { first: '#' }, line() {} };
  const all = [...allMatchers.map((f) => f()), extra, extra];
  assert.doesNotThrow(() => createDispatcher(all), `${allMatchers.length} matchers + 2`);
});
