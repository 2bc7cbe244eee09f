/**
 * Robustness: no input makes the parser throw, every problem it reports is well-formed, and hostile inputs
 * parse in linear time. The pathological inputs run in a worker thread so that a regex that backtracks
 * forever fails the test (with the culprit named) instead of hanging CI.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import fc from 'fast-check';
import { LineSplitter, splitText } from '../../src/core/lines';
import { LogParser, parseLines } from '../../src/core/parser';
import type { ParseOptions } from '../../src/core/parser';
import { allMatchers } from '../../src/core/matchers/registry';
import type { Problem } from '../../src/core/model';

const SEVERITIES = new Set(['error', 'warning', 'info']);

/** Why `p` is malformed, or null. `lines` is the number of lines the log had. */
function problemDefect(p: Problem, lines: number): string | null {
  const isInt = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x);
  if (p.line !== null && !(isInt(p.line) && p.line >= 1)) return 'line is not null or a positive integer';
  // pylint prints 0-based columns and the model keeps columns as printed, so 0 is valid.
  if (p.column !== null && !(isInt(p.column) && p.column >= 0))
    return 'column is not null or an integer >= 0';
  if (p.endLine !== undefined && !(isInt(p.endLine) && p.line !== null && p.endLine >= p.line)) {
    return 'endLine is not an integer >= line';
  }
  if (p.endColumn !== undefined && !(isInt(p.endColumn) && p.endColumn >= 0)) return 'endColumn is not >= 0';
  if (!(isInt(p.logLine) && p.logLine >= 1 && p.logLine <= lines)) return `logLine is not within 1..${lines}`;
  if (!SEVERITIES.has(p.severity)) return 'severity is not error, warning or info';
  if (typeof p.message !== 'string' || p.message.length === 0) return 'message is empty';
  if (/[\r\n]/.test(p.message)) return 'message has a line break';
  if (typeof p.tool !== 'string' || p.tool.length === 0) return 'tool is empty';
  if (p.file !== null && (typeof p.file !== 'string' || p.file.length === 0))
    return 'file is not null or a string';
  if (p.path !== null) {
    if (typeof p.path !== 'string' || p.path.length === 0) return 'path is not null or a string';
    if (p.path.startsWith('/') || p.path.startsWith('\\') || /^[A-Za-z]:[\\/]/.test(p.path))
      return 'path is absolute';
    if (p.path.split(/[\\/]/).includes('..')) return 'path has a .. segment';
  }
  if (p.test !== null && typeof p.test !== 'string') return 'test is not null or a string';
  if (p.step !== null && typeof p.step !== 'string') return 'step is not null or a string';
  if (p.code !== undefined && (typeof p.code !== 'string' || p.code.length === 0)) return 'code is empty';
  return null;
}

function firstDefect(problems: Problem[], lines: number): string | null {
  for (const p of problems) {
    const d = problemDefect(p, lines);
    if (d) return `${d}: ${JSON.stringify(p).slice(0, 600)}`;
  }
  return null;
}

/**
 * Parses bytes fed in the given chunk sizes, the way a download arrives: through `pushChunk`, which splits
 * them itself (as parseChunks has the CLI and the server do), or, with `viaLines`, through LineSplitter and
 * `push`.
 */
function parseBytes(
  bytes: Uint8Array,
  cuts: number[],
  opts: ParseOptions = {},
  viaLines = false,
): { problems: Problem[]; lines: number } {
  const splitter = new LineSplitter();
  const parser = new LogParser(opts);
  const problems: Problem[] = [];
  const feed = (chunk: Uint8Array): void => {
    if (viaLines) for (const l of splitter.push(chunk)) for (const p of parser.push(l)) problems.push(p);
    else for (const p of parser.pushChunk(chunk)) problems.push(p);
  };
  let at = 0;
  for (const c of cuts) {
    if (at >= bytes.length) break;
    const end = Math.min(bytes.length, at + 1 + c);
    feed(bytes.subarray(at, end));
    at = end;
  }
  if (at < bytes.length) feed(bytes.subarray(at));
  if (viaLines) {
    for (const l of splitter.end()) for (const p of parser.push(l)) problems.push(p);
    for (const p of parser.end()) problems.push(p);
  } else for (const p of parser.endChunks()) problems.push(p);
  return { problems, lines: parser.lines };
}

function show(s: string): string {
  return JSON.stringify(s.length > 2000 ? s.slice(0, 2000) + '…' : s);
}

// ---------------------------------------------------------------------------------------------------------
// Pathological inputs: built and parsed in a worker.

type Input = string | Uint8Array;

/** A deterministic byte source, so a failure is reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function repeatTo(unit: string, bytes: number): string {
  return unit.repeat(Math.max(1, Math.ceil(bytes / unit.length)));
}

const MB = 1_000_000;

/** Each case builds about `mb` megabytes of input. */
const CASES: Record<string, (mb: number) => Input> = {
  'one 5 MB line': (mb) => repeatTo('x = foo(bar[1]) # a.py:3: E1 see "b.py", line 2 (1,2): error ', mb * MB),
  '200k unterminated Traceback headers': (mb) =>
    'Traceback (most recent call last):\n'.repeat(Math.round((200_000 * mb) / 7)),
  'invalid UTF-8 bytes': (mb) => {
    const r = prng(1);
    const out = new Uint8Array(mb * MB);
    const nasty = [0xff, 0xfe, 0xc0, 0xc1, 0x80, 0xbf, 0xe2, 0x82, 0xf0, 0x9f, 0xed, 0xa0, 0xf8];
    for (let i = 0; i < out.length; i++) {
      const x = r();
      out[i] = x < 0.0125 ? 10 : x < 0.5 ? nasty[Math.floor(r() * nasty.length)]! : 32 + Math.floor(r() * 95);
    }
    return out;
  },
  'NUL bytes': (mb) => {
    const line = 'src/a.py:1:2: E1 x\0y\0\0Traceback\0(most recent call last):\0\0\0FAILED \0 x\n';
    return repeatTo(line, (mb * MB) / 2) + '\0'.repeat((mb * MB) / 2);
  },
  'CR-only line ends': (mb) =>
    repeatTo(
      'src/a.py:12:3: E501 line too long\rFAILED tests/t.py::test_x - x\r  File "a.py", line 3, in f\r',
      mb * MB,
    ),
  'unterminated ANSI escapes, one line': (mb) => repeatTo('\x1b[', mb * MB),
  'unterminated ANSI escapes, many lines': (mb) =>
    repeatTo('\x1b[31;1' + '\x1b['.repeat(40) + '\x1b]8;;\n', mb * MB),
  '100k ##[group] without endgroup': (mb) => {
    const n = Math.round((100_000 * mb) / 4);
    let s = '';
    for (let i = 0; i < n; i++) s += `2024-05-01T10:00:00.1234567Z ##[group]Group ${i}\n`;
    return s;
  },
  '100k section_start without end': (mb) => {
    const n = Math.round((100_000 * mb) / 4);
    let s = '';
    for (let i = 0; i < n; i++) s += `section_start:1700000000:s${i}\r\x1b[0Kline ${i}\n`;
    return s;
  },
  '5 MB line of :1:1:': (mb) => repeatTo(':1:1:', mb * MB),
  '5 MB line of (((((': (mb) => repeatTo('(', mb * MB),
  // Found while writing these tests: shapes that defeat a naive `[^)\s]*` or `.*` followed by more.
  '5 MB line of web-UI links': (mb) => repeatTo('[1](https://github.com/o/r/runs/1', mb * MB),
  // The first line has an LF, so the stream is not CR-only and this stays one line of blank overwrites.
  '5 MB line of bare CRs and spaces': (mb) => 'start\n' + repeatTo(' \r', mb * MB),
  '5 MB line of File " frames': (mb) => repeatTo('File "a.py", line 1, in ', mb * MB),
};

/** Sizes in MB: the brief's sizes, about 5 MB each. */
const SIZES: Record<string, number> = {
  '200k unterminated Traceback headers': 7,
  '100k ##[group] without endgroup': 4,
  '100k section_start without end': 4,
};
const sizeOf = (name: string): number => SIZES[name] ?? 5;

interface CaseRequest {
  name: string;
  mb: number;
  /** Index into allMatchers for a single-matcher run, -1 for framing alone, null for all matchers. */
  matcher: number | null;
}

interface CaseResult {
  /** The smaller of wall time and process CPU time: other work on a loaded CI machine must not fail the test. */
  ms: number;
  wallMs: number;
  bytes: number;
  lines: number;
  problems: number;
  defect: string | null;
  error: string | null;
}

function runCase(req: CaseRequest): CaseResult {
  const input = CASES[req.name]!(req.mb);
  const opts: ParseOptions =
    req.matcher === null ? {} : { matchers: req.matcher < 0 ? [] : [allMatchers[req.matcher]!] };
  const bytes = typeof input === 'string' ? Buffer.byteLength(input) : input.length;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const took = (): { ms: number; wallMs: number } => {
    const wallMs = performance.now() - t0;
    const c = process.cpuUsage(c0);
    return { ms: Math.min(wallMs, (c.user + c.system) / 1000), wallMs };
  };
  try {
    // The bytes as read in 64 KiB chunks (what the CLI and the server do), and, for text, its lines too.
    const raw = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
    const read = parseBytes(raw, new Array<number>(Math.ceil(raw.length / 65536)).fill(65535), opts);
    let problems: Problem[] = read.problems;
    const lines = read.lines;
    if (typeof input === 'string') {
      const r = parseLines(splitText(input), opts);
      if (r.lines !== lines) throw new Error(`bytes gave ${lines} lines, the text ${r.lines}`);
      problems = [...problems, ...r.problems];
    }
    return {
      ...took(),
      bytes,
      lines,
      problems: problems.length,
      defect: firstDefect(problems, lines),
      error: null,
    };
  } catch (e) {
    return {
      ...took(),
      bytes,
      lines: 0,
      problems: 0,
      defect: null,
      error: e instanceof Error ? (e.stack ?? e.message) : String(e),
    };
  }
}

/** Runs cases in a worker; a case that takes longer than its deadline kills the worker. */
class CaseRunner {
  private worker: Worker | null = null;

  async run(req: CaseRequest, deadlineMs: number): Promise<CaseResult | 'timeout'> {
    const w = (this.worker ??= new Worker(`require('tsx/cjs'); require(${JSON.stringify(__filename)});`, {
      eval: true,
    }));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        this.worker = null;
        void w.terminate();
        resolve('timeout');
      }, deadlineMs);
      const onMessage = (r: CaseResult): void => {
        cleanup();
        resolve(r);
      };
      const onError = (e: Error): void => {
        cleanup();
        this.worker = null;
        reject(e);
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        w.off('message', onMessage);
        w.off('error', onError);
      };
      w.on('message', onMessage);
      w.on('error', onError);
      w.postMessage(req);
    });
  }

  async close(): Promise<void> {
    await this.worker?.terminate();
    this.worker = null;
  }
}

/** Allowed time: well under a second per MB is the target; this bound is generous. */
const MS_PER_MB = 1000;

if (!isMainThread) {
  parentPort!.on('message', (req: CaseRequest) => parentPort!.postMessage(runCase(req)));
} else {
  const SAMPLES = { numRuns: 150 };

  test('arbitrary strings never throw and give well-formed problems', () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 2000 }),
      // Lone surrogates and control characters, which 'binary' leaves out.
      fc.string({
        unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
        maxLength: 500,
      }),
    );
    fc.assert(
      fc.property(text, (s) => {
        const r = parseLines(splitText(s));
        const d = firstDefect(r.problems, r.lines);
        assert.equal(d, null, `input ${show(s)}: ${d}`);
      }),
      SAMPLES,
    );
  });

  test('arbitrary bytes, in arbitrary chunks, never throw and give well-formed problems', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 4000 }),
        fc.array(fc.nat(300), { maxLength: 30 }),
        (bytes, cuts) => {
          const r = parseBytes(bytes, cuts);
          const d = firstDefect(r.problems, r.lines);
          assert.equal(d, null, `input bytes ${Buffer.from(bytes).toString('hex').slice(0, 400)}: ${d}`);
        },
      ),
      SAMPLES,
    );
  });

  // Log-like input: the shapes matchers look for, glued together wrongly.
  const num = fc.oneof(
    fc.nat(3000).map(String),
    fc.constantFrom('0', '00', '1', '-1', '', '99999999999999999999', '1.5', ' 2'),
  );
  const word = fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.constantFrom('x', 'test_x', 'assert 1 == 2', '::', ' - ', '', '  ', '\t', 'E', '\u00e9\u2603'),
  );
  const file = fc.constantFrom(
    'a.py',
    'src/pkg/mod.py',
    './x.ts',
    '/home/runner/work/p/p/src/a.py',
    'C:\\a\\b.py',
    '../up.py',
    'a/../../b.py',
    'a b.py',
    '',
    ':',
    'tests/test_x.py',
    '..',
    '/',
  );
  const fragment = fc.oneof(
    fc
      .tuple(
        file,
        num,
        num,
        fc.constantFrom('E1', 'F401', 'W291', 'C0114', 'error:', 'warning:', 'note:', ''),
        word,
      )
      .map(([f, a, b, c, t]) => `${f}:${a}:${b}: ${c} ${t}`),
    fc.tuple(file, num, word).map(([f, a, t]) => `${f}:${a}: error: ${t}  [misc]`),
    fc.tuple(file, num, num, num, word).map(([f, a, b, c, t]) => `${f}(${a},${b}): error TS${c}: ${t}`),
    fc
      .tuple(num, num, fc.constantFrom('error', 'warning', 'info'), word)
      .map(([a, b, s, t]) => `  ${a}:${b}  ${s}  ${t}  rule-${t}`),
    fc.tuple(file, num, word).map(([f, a, t]) => `  File "${f}", line ${a}, in ${t}`),
    fc
      .tuple(
        fc.constantFrom('ValueError', 'AssertionError', 'E   assert', 'ModuleNotFoundError', 'E  '),
        word,
      )
      .map(([e, t]) => `${e}: ${t}`),
    fc.tuple(file, word).map(([f, t]) => `FAILED ${f}::${t} - ${t}`),
    fc.tuple(file, word).map(([f, t]) => `ERROR ${f} - ${t}`),
    fc.tuple(file, num).map(([f, a]) => `${f}:${a}: AssertionError`),
    fc.tuple(word, file, num, num).map(([t, f, a, b]) => `    at ${t} (${f}:${a}:${b})`),
    fc.tuple(word).map(([t]) => `  ● ${t} › ${t}`),
    fc.constantFrom(
      'Traceback (most recent call last):',
      '##[group]Run pytest',
      '##[group]',
      '##[endgroup]',
      '##[error]Process completed with exit code 1.',
      '##[error]',
      '##[warning]x',
      '##[notice]',
      '##[command]',
      '[command]/usr/bin/git',
      'section_start:1700000000:step_script\r\x1b[0K',
      'section_end:1700000000:step_script\r\x1b[0K',
      'section_start::\r',
      'ERROR: Job failed: exit code 1',
      'Job succeeded',
      '=================================== FAILURES ===================================',
      '=========================== short test summary info ============================',
      '______________________________ test_x ______________________________',
      '************* Module x',
      'would reformat a.py',
      'Oh no! 💥 💔 💥',
      '[warn] a.js',
      'npm ERR! code E1',
      'npm error code ERESOLVE',
      'Error: ',
      '✖ 1 problem (1 error, 0 warnings)',
      'Found 1 error in 1 file (checked 1 source file)',
      'ERROR: Could not find a version that satisfies the requirement x',
      'ERROR: No matching distribution found for x',
      '- hook id: ruff',
      'FAIL code 1',
      'make: *** [Makefile:1: all] Error 1',
      '\x1b[',
      '\x1b[31m',
      '\x1b]8;;',
      '\x9b1m',
      '\0',
      '\r',
      '\uFEFF',
      '\uFFFD',
      '\t',
      '[15](https://github.com/o/r/actions/runs/1/job/2#step:6:16)8',
    ),
    word,
  );
  const prefix = fc.constantFrom(
    '',
    '',
    '2024-05-01T10:00:00.1234567Z ',
    '2024-05-01T10:00:00.123Z 00O ',
    '2024-05-01T10:00:00Z 01E+',
    'build\tRun pytest\t2024-05-01T10:00:00.1234567Z ',
    'build    Run pytest    2024-05-01T10:00:00.1234567Z ',
    '\x1b[31m',
    '\x1b[0K',
    '    ',
  );
  const logLine = fc
    .tuple(prefix, fc.array(fragment, { minLength: 1, maxLength: 3 }))
    .map(([p, fs]) => p + fs.join(''));
  const logLike = fc
    .tuple(fc.array(logLine, { maxLength: 60 }), fc.constantFrom('\n', '\r\n', '\r'))
    .map(([ls, eol]) => ls.join(eol));

  test('log-like text never throws and gives well-formed problems', () => {
    fc.assert(
      fc.property(logLike, (s) => {
        const r = parseLines(splitText(s));
        const d = firstDefect(r.problems, r.lines);
        assert.equal(d, null, `input ${show(s)}: ${d}`);
      }),
      { numRuns: 400 },
    );
  });

  test('log-like bytes with corrupted bytes, in arbitrary chunks, never throw', () => {
    fc.assert(
      fc.property(
        logLike,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 10 }),
        fc.array(fc.nat(200), { maxLength: 20 }),
        (s, flips, cuts) => {
          const bytes = new Uint8Array(Buffer.from(s, 'utf8'));
          for (const [at, b] of flips) if (bytes.length > 0) bytes[at % bytes.length] = b;
          const r = parseBytes(bytes, cuts);
          const d = firstDefect(r.problems, r.lines);
          assert.equal(d, null, `input bytes ${Buffer.from(bytes).toString('hex').slice(0, 400)}: ${d}`);
        },
      ),
      SAMPLES,
    );
  });

  const runner = new CaseRunner();
  after(() => runner.close());

  const matcherNames = allMatchers.map((f) => f().name);

  /** For a slow case: which matcher makes it slow, each alone on a 1 MB version of the input. */
  async function bisect(name: string): Promise<string> {
    const rows: string[] = [];
    for (let i = -1; i < allMatchers.length; i++) {
      const r = await runner.run({ name, mb: 1, matcher: i }, 15_000);
      const label = i < 0 ? '(framing alone)' : matcherNames[i]!;
      rows.push(`${label}: ${r === 'timeout' ? '> 15000 ms (killed)' : `${r.ms.toFixed(0)} ms`} on 1 MB`);
    }
    return rows.join('\n');
  }

  test('pathological inputs parse in linear time', async (t) => {
    for (const name of Object.keys(CASES)) {
      await t.test(name, async (st) => {
        const mb = sizeOf(name);
        const budget = MS_PER_MB * mb;
        const r = await runner.run({ name, mb, matcher: null }, budget * 3 + 15_000);
        if (r === 'timeout' || r.ms / (r.bytes / MB) >= MS_PER_MB) {
          const took =
            r === 'timeout' ? `more than ${budget * 3 + 15_000} ms (killed)` : `${r.ms.toFixed(0)} ms`;
          assert.fail(`${name}: ${mb} MB took ${took}; per matcher:\n${await bisect(name)}`);
        }
        st.diagnostic(
          `${name}: ${(r.bytes / MB).toFixed(1)} MB, ${r.lines} lines, ${r.ms.toFixed(0)} ms ` +
            `(${(r.ms / (r.bytes / MB)).toFixed(0)} ms/MB; wall ${r.wallMs.toFixed(0)} ms), ${r.problems} problems`,
        );
        assert.equal(r.error, null, `${name} threw: ${r.error}`);
        assert.equal(r.defect, null, `${name} gave a malformed problem: ${r.defect}`);
      });
    }
  });
}
