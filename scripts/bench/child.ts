/**
 * Runs one parse in its own process, so that its peak RSS (and its CPU profile) are its own.
 *
 *   --generate <bytes> [--seed n]   parse a log generated on the fly: nothing touches the disk
 *   --file <path>                   parse a file (used under --cpu-prof)
 *
 * Prints one JSON line with the numbers.
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { LogParser } from '../../src/core/parser';
import { generateLog, loadFixtureMaterial } from './logGenerator';

export interface ChildResult {
  bytes: number;
  lines: number;
  problems: number;
  ms: number;
  /** process.resourceUsage().maxRSS at the end, in KiB. */
  maxRssKiB: number;
  /** RSS once the code was loaded, before parsing, in KiB. */
  startRssKiB: number;
  heapUsedEndMiB: number;
  /** Heap still in use after a full gc at the end (the parser is still alive): what it retains. */
  heapRetainedMiB: number | null;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const root = path.resolve(__dirname, '..', '..');
  const parser = new LogParser();
  let bytes = 0;
  let problems = 0;

  const gen = arg('--generate');
  const file = arg('--file');
  let source: Iterable<Uint8Array> | AsyncIterable<Uint8Array>;
  if (gen !== undefined) {
    const material = loadFixtureMaterial(path.join(root, 'test', 'fixtures'));
    const chunks = generateLog(Number(gen), { seed: Number(arg('--seed') ?? 7), material });
    // Bytes, as a download would deliver them, so decoding is part of the work.
    source = (function* () {
      for (const c of chunks) yield Buffer.from(c, 'utf8');
    })();
  } else if (file !== undefined) {
    source = fs.createReadStream(file, { highWaterMark: 1 << 16 });
  } else {
    throw new Error('usage: child.ts --generate <bytes> | --file <path>');
  }

  const startRssKiB = Math.round(process.memoryUsage().rss / 1024);
  const t0 = performance.now();
  // The parser splits (and decodes) the bytes itself, as parseChunks has it do.
  for await (const chunk of source) {
    bytes += chunk.length;
    problems += parser.pushChunk(chunk).length;
  }
  problems += parser.endChunks().length;
  const lines = parser.lines;
  const ms = performance.now() - t0;
  const heapUsedEndMiB = process.memoryUsage().heapUsed / (1 << 20);
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const result: ChildResult = {
    bytes,
    lines,
    problems,
    ms,
    maxRssKiB: process.resourceUsage().maxRSS,
    startRssKiB,
    heapUsedEndMiB,
    heapRetainedMiB: gc ? process.memoryUsage().heapUsed / (1 << 20) : null,
  };
  // Keep the parser alive until after the measurement.
  if (parser.lines < 0) process.stdout.write('');
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(String(e instanceof Error ? (e.stack ?? e.message) : e) + '\n');
  process.exit(1);
});
