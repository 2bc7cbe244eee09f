/**
 * The three measured pipelines. Each reads the file the same way (`open`: 1 MiB reads) and differs only in
 * what it does with them, so their ratios isolate the per-line work.
 */
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { LineSplitter } from '../../src/core/lines';
import { parseFileAhead, prescanScript } from '../../src/core/parseAhead';
import { parseChunks } from '../../src/core/parser';
import type { ParseOptions } from '../../src/core/parser';
import { createNaiveMatcher } from './naive';

/**
 * Reads are 1 MiB: 64 KiB reads cost ~240 ms of the 200 MB log's ~340 ms floor (the stream's round trips), 1 MiB
 * reads ~130 ms. The floor and the naive baseline decode them in CHUNK pieces (a 1 MiB string at a time was four
 * times slower); parseChunks feeds the parser its own 64 KiB pieces.
 */
const READ = 1 << 20;
export const CHUNK = 1 << 16;

export interface RunResult {
  ms: number;
  bytes: number;
  lines: number;
  /** Problems (parser) or pattern matches (naive). */
  found: number;
  /** Parser only: when the first problem came out, from the start of reading. */
  firstProblemMs?: number | null;
  firstProblemLogLine?: number | null;
  /** Parser only: lines it framed (the rest it classified raw and skipped). */
  framed?: number;
  /** Parser only: lines its pre-scan thread let it jump over (not even split). */
  jumped?: number;
}

function open(file: string, limit?: number): AsyncIterable<Buffer> {
  return fs.createReadStream(file, {
    highWaterMark: READ,
    ...(limit !== undefined ? { end: limit - 1 } : {}),
  }) as AsyncIterable<Buffer>;
}

/** The reads in CHUNK pieces. */
async function* pieces(file: string, limit?: number): AsyncGenerator<Buffer> {
  for await (const c of open(file, limit)) {
    for (let i = 0; i < c.length; i += CHUNK) yield c.subarray(i, i + CHUNK);
  }
}

/** Read, decode and split: the floor no parser can beat. */
export async function runFloor(file: string, limit?: number): Promise<RunResult> {
  const t0 = performance.now();
  const splitter = new LineSplitter();
  let bytes = 0;
  let lines = 0;
  for await (const chunk of pieces(file, limit)) {
    bytes += chunk.length;
    lines += splitter.push(chunk).length;
  }
  lines += splitter.end().length;
  return { ms: performance.now() - t0, bytes, lines, found: 0 };
}

/**
 * Our parser, as the CLI and the server run it on a log file: `parseFileAhead`, the file read and pre-scanned on
 * a second thread. With `oneThread`, a `limit` or `opts.matchers`: the reads through parseChunks on one thread
 * (as a download is parsed).
 */
export async function runParser(
  file: string,
  opts: ParseOptions = {},
  limit?: number,
  oneThread = false,
): Promise<RunResult> {
  const two = !oneThread && limit === undefined && opts.matchers === undefined;
  const script = two ? prescanScript(__dirname) : null;
  if (two && script === null) throw new Error(`no pre-scan thread script next to ${__dirname}`);
  const t0 = performance.now();
  let bytes = 0;
  let found = 0;
  let firstProblemMs: number | null = null;
  let firstProblemLogLine: number | null = null;
  const onProblems = (ps: { logLine: number }[]): void => {
    if (firstProblemMs === null) {
      firstProblemMs = performance.now() - t0;
      firstProblemLogLine = ps[0]!.logLine;
    }
    found += ps.length;
  };
  async function* counted(): AsyncGenerator<Buffer> {
    for await (const chunk of open(file, limit)) {
      bytes += chunk.length;
      yield chunk;
    }
  }
  const parser = two
    ? await parseFileAhead(file, opts, onProblems, { script })
    : await parseChunks(counted(), opts, onProblems);
  if (two) bytes = fs.statSync(file).size;
  return {
    ms: performance.now() - t0,
    bytes,
    lines: parser.lines,
    found,
    firstProblemMs,
    firstProblemLogLine,
    framed: parser.framedLines,
    jumped: parser.jumpedLines,
  };
}

/** The naive baseline: strip timestamp and ANSI, try every well-known problem-matcher regex on every line. */
export async function runNaive(file: string, limit?: number): Promise<RunResult> {
  const t0 = performance.now();
  const splitter = new LineSplitter();
  const naive = createNaiveMatcher();
  let bytes = 0;
  let lines = 0;
  const feed = (ls: string[]): void => {
    lines += ls.length;
    for (let i = 0; i < ls.length; i++) naive.line(ls[i]!);
  };
  for await (const chunk of pieces(file, limit)) {
    bytes += chunk.length;
    feed(splitter.push(chunk));
  }
  feed(splitter.end());
  return { ms: performance.now() - t0, bytes, lines, found: naive.matches };
}

const gc: () => void =
  (globalThis as { gc?: () => void }).gc ??
  (() => {
    // Without --expose-gc the runs still work, only noisier.
  });

/** Runs each named pipeline `rounds` times, interleaved (so drift hits all alike), gc between runs. */
export async function bestOf(
  rounds: number,
  runs: Record<string, () => Promise<RunResult>>,
  progress: (msg: string) => void = () => {},
): Promise<Record<string, { best: RunResult; all: number[] }>> {
  const out: Record<string, { best: RunResult; all: number[] }> = {};
  for (let r = 0; r < rounds; r++) {
    for (const [name, run] of Object.entries(runs)) {
      gc();
      const res = await run();
      progress(`  round ${r + 1}/${rounds} ${name}: ${res.ms.toFixed(0)} ms`);
      const cur = out[name];
      if (!cur) out[name] = { best: res, all: [res.ms] };
      else {
        cur.all.push(res.ms);
        if (res.ms < cur.best.ms) cur.best = res;
      }
    }
  }
  return out;
}

export function mbps(r: { ms: number; bytes: number }): number {
  return r.bytes / 1e6 / (r.ms / 1000);
}
