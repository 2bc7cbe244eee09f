import { test } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import vm from 'node:vm';
import { splitLines } from '../../src/core/lines';
import { LogParser, parse, parseLines } from '../../src/core/parser';
import type { Matcher, MatcherFactory } from '../../src/core/matcher';
import { allMatchers } from '../../src/core/matchers/registry';
import type { Problem } from '../../src/core/model';

/** A matcher of our own, so the test does not depend on the real ones: `BOOM <file>:<line> [message]`. */
const boomMatcher: MatcherFactory = (): Matcher => ({
  name: 'boom',
  line(l, ctx) {
    if (!l.text.startsWith('BOOM ')) return;
    const m = /^BOOM (\S+):(\d+)(?: (.+))?$/.exec(l.text);
    if (m)
      ctx.emit({ file: m[1]!, line: Number(m[2]), severity: 'error', tool: 'boom', message: m[3] ?? 'boom' });
  },
});

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

test('parse() yields a problem before the input ends', async () => {
  const gate = deferred();
  let released = false;
  let yieldedAfterGate = 0;
  async function* lines(): AsyncGenerator<string> {
    yield '2024-05-01T10:00:00.0000000Z ##[group]Run boom';
    yield '2024-05-01T10:00:00.0000000Z ##[endgroup]';
    yield '2024-05-01T10:00:01.0000000Z BOOM src/a.py:3';
    // The rest of the log has not "arrived": the producer waits until the test lets it go.
    await gate.promise;
    yieldedAfterGate++;
    yield '2024-05-01T10:00:02.0000000Z BOOM src/b.py:4';
  }
  const it = parse(lines(), { matchers: [boomMatcher] });
  const first = await within(it.next(), 2000, 'the first problem');
  assert.equal(first.done, false);
  assert.equal(released, false);
  assert.equal(yieldedAfterGate, 0, 'the parser read past the gate before yielding');
  assert.deepEqual(
    {
      file: first.value!.file,
      line: first.value!.line,
      logLine: first.value!.logLine,
      step: first.value!.step,
    },
    { file: 'src/a.py', line: 3, logLine: 3, step: 'Run boom' },
  );

  released = true;
  gate.resolve();
  const rest: Problem[] = [];
  for (;;) {
    const r = await within(it.next(), 2000, 'the rest');
    if (r.done) break;
    rest.push(r.value);
  }
  assert.deepEqual(
    rest.map((p) => [p.file, p.line, p.logLine]),
    [['src/b.py', 4, 4]],
  );
});

/** gc() without --expose-gc on the command line (npm test does not pass it). */
function getGc(): () => void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g;
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

/**
 * A GitHub-framed log generated as 64 KiB byte chunks, as a download delivers it: it never exists whole, and
 * its lines are slices of decoded chunks, as in the real pipeline. Every `sampleEvery` bytes it calls
 * `sample`, which sees the heap while the parser is mid-log.
 */
async function* generatedLog(
  totalBytes: number,
  sampleEvery: number,
  sample: () => void,
): AsyncGenerator<Uint8Array> {
  let sent = 0;
  let nextSample = sampleEvery;
  let n = 0;
  while (sent < totalBytes) {
    let chunk = '';
    while (chunk.length < 1 << 16) {
      n++;
      const ts = `2024-05-01T10:${String(Math.floor(n / 60000) % 60).padStart(2, '0')}:00.${String(n % 1e7).padStart(7, '0')}Z `;
      if (n % 5000 === 1) chunk += `${ts}##[group]Run step ${n}\n`;
      else if (n % 5000 === 2) chunk += `${ts}##[endgroup]\n`;
      else if (n % 997 === 0)
        chunk += `${ts}BOOM src/package/module${n % 13}.py:${n} something went wrong in here\n`;
      else if (n % 7 === 0) chunk += `${ts}\x1b[32mtests/test_m.py::test_case_${n} PASSED\x1b[0m   [ 42%]\n`;
      else
        chunk += `${ts}Collecting package-${n}==1.${n % 100}.0 (from -r requirements.txt (line ${n % 50}))\n`;
    }
    const bytes = Buffer.from(chunk, 'utf8');
    sent += bytes.length;
    if (sent >= nextSample) {
      nextSample += sampleEvery;
      sample();
    }
    yield bytes;
  }
}

test('memory stays bounded while a 50 MB log streams through parse()', async (t) => {
  const gc = getGc();
  const MB = 1 << 20;
  gc();
  const base = process.memoryUsage().heapUsed;
  const samples: number[] = [];
  const sample = (): void => {
    gc();
    samples.push(process.memoryUsage().heapUsed - base);
  };
  let problems = 0;
  // The real pipeline with the real matchers (and this test's own): what they buffer must stay bounded too.
  const log = splitLines(generatedLog(50 * MB, 8 * MB, sample));
  for await (const _p of parse(log, { matchers: [...allMatchers, boomMatcher] })) problems++;
  sample();
  const peak = Math.max(...samples);
  t.diagnostic(
    `heap growth every 8 MiB (MiB): ${samples.map((s) => (s / MB).toFixed(1)).join(' ')}; ${problems} problems`,
  );
  // Retaining the log, or the 64 KiB chunk a kept string was sliced from (one per problem or step), would
  // cost well over this.
  const limit = 24 * MB;
  assert.ok(
    peak < limit,
    `heap grew by ${(peak / MB).toFixed(1)} MiB (limit ${limit / MB} MiB); ` +
      `samples every 8 MiB of log (MiB): ${samples.map((s) => (s / MB).toFixed(1)).join(' ')}`,
  );
  assert.ok(problems >= 400, `only ${problems} problems: the log did not go through`);
});

test('the last parser that ended outlives its caller until the next one ends, and no parser before it', async () => {
  // Its objects keep their shapes, and so V8's code optimised for them: with none left, the next parse starts cold.
  const gc = getGc();
  const ended = (): WeakRef<LogParser> => {
    const p = new LogParser();
    p.pushChunk(Buffer.from('2024-05-01T10:00:00.1234567Z ##[group]Run pytest\nE   assert 1 == 2\n'));
    p.endChunks();
    return new WeakRef(p);
  };
  // A WeakRef holds its target to the end of the current job: collect from a later one.
  const collect = async (): Promise<void> => {
    await new Promise((r) => setImmediate(r));
    gc();
  };
  const first = ended();
  await collect();
  assert.ok(first.deref() !== undefined, 'the parser that ended last was collected');
  const second = ended();
  await collect();
  assert.equal(first.deref(), undefined, 'a parser that ended before the last one is still held');
  assert.ok(second.deref() !== undefined, 'the parser that ended last was collected');
});

test('thousands of distinct problems, each printed twice, come out once each and in order', () => {
  // More keys than the de-duplication set starts with: it grows, and finds every key it holds.
  const lines: string[] = [];
  for (let i = 1; i <= 3000; i++) lines.push(`src/m${i % 97}.py:${i}:1: F401 name${i} imported but unused`);
  const { problems } = parseLines([...lines, ...lines]);
  assert.equal(problems.length, 3000, `3000 distinct lines twice gave ${problems.length} problems`);
  assert.deepEqual(
    problems.slice(0, 2).map((p) => `${p.file}:${p.line}`),
    ['src/m1.py:1', 'src/m2.py:2'],
  );
  assert.equal(problems[2999]!.line, 3000);
});
