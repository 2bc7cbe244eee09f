/**
 * `npm run bench`: the parser's throughput and memory, against the floor (read + split) and a naive
 * baseline (the well-known problem-matcher regexes on every line). Writes `bench-out/parser.json`.
 *
 * Options: --size-mb N (log size, default 200), --mem-mb N (streamed log for peak RSS, default 1024),
 * --rounds N (default 5), --breakdown-mb N (slice for per-matcher timing, default 40), --skip-mem,
 * --profile (always take a CPU profile; it is taken anyway when a target is missed).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { allMatchers } from '../../src/core/matchers/registry';
import type { ChildResult } from './child';
import { generateLog, loadFixtureMaterial } from './logGenerator';
import { bestOf, mbps, runFloor, runNaive, runParser } from './measure';
import type { RunResult } from './measure';
import { NAIVE_PATTERNS } from './naive';
import { summariseProfile } from './profile';
import type { ProfileSummary } from './profile';

// Run from its bundle (bench-out/bench/bench.js, see build.mjs) or from source through tsx: two levels down either way.
const ROOT = path.resolve(__dirname, '..', '..');
const BUNDLED = __filename.endsWith('.js');
const OUT = path.join(ROOT, 'bench-out');
/** Bump when the generator's output changes, so a stale log is not reused. */
const GENERATOR_VERSION = 1;
const SEED = 20240501;

const TARGET_VS_NAIVE = 2;
const TARGET_VS_FLOOR = 0.6;
const TARGET_RSS_MB = 300;

function flag(name: string): boolean {
  return process.argv.includes(name);
}
function num(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}
function log(msg: string): void {
  process.stderr.write(msg + '\n');
}

function table(head: string[], rows: (string | number)[][]): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const w = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string =>
    r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ');
  return [line(head), w.map((n) => '-'.repeat(n)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/** Generates the log file unless one made by the same generator and material is already there. */
async function ensureLog(
  sizeBytes: number,
): Promise<{ file: string; fixtures: number; generatedMs: number }> {
  const material = loadFixtureMaterial(path.join(ROOT, 'test', 'fixtures'));
  const hash = createHash('sha256');
  for (const m of material) hash.update(m.name + '\0' + m.lines.join('\n') + '\0');
  const meta = {
    generatorVersion: GENERATOR_VERSION,
    seed: SEED,
    targetBytes: sizeBytes,
    material: hash.digest('hex').slice(0, 16),
    fixtures: material.map((m) => m.name),
  };
  const file = path.join(OUT, `gha-${Math.round(sizeBytes / 1e6)}mb.log`);
  const metaFile = file + '.meta.json';
  try {
    const old = JSON.parse(fs.readFileSync(metaFile, 'utf8')) as typeof meta & { bytes: number };
    const same =
      old.generatorVersion === meta.generatorVersion &&
      old.seed === meta.seed &&
      old.targetBytes === meta.targetBytes &&
      old.material === meta.material;
    if (same && fs.statSync(file).size === old.bytes) {
      log(`reusing ${path.relative(ROOT, file)} (${(old.bytes / 1e6).toFixed(1)} MB)`);
      return { file, fixtures: material.length, generatedMs: 0 };
    }
  } catch {
    // No usable earlier log.
  }
  const free = fs.statfsSync(OUT);
  if (free.bavail * free.bsize < sizeBytes * 2) {
    throw new Error(`not enough disk space in ${OUT} for a ${(sizeBytes / 1e6).toFixed(0)} MB log`);
  }
  log(`generating ${path.relative(ROOT, file)} from ${material.length} fixture logs + filler...`);
  const t0 = Date.now();
  const fd = fs.openSync(file, 'w');
  let bytes = 0;
  for (const chunk of generateLog(sizeBytes, { seed: SEED, material })) {
    const buf = Buffer.from(chunk, 'utf8');
    fs.writeSync(fd, buf);
    bytes += buf.length;
  }
  fs.closeSync(fd);
  fs.writeFileSync(metaFile, JSON.stringify({ ...meta, bytes }, null, 2));
  return { file, fixtures: material.length, generatedMs: Date.now() - t0 };
}

function runChild(args: string[], nodeArgs: string[] = []): ChildResult {
  const r = spawnSync(
    process.execPath,
    BUNDLED
      ? [...nodeArgs, '--expose-gc', path.join(__dirname, 'child.js'), ...args]
      : [...nodeArgs, '--expose-gc', '--import', 'tsx', path.join(__dirname, 'child.ts'), ...args],
    { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 24 },
  );
  if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr}`);
  const last = r.stdout.trim().split('\n').pop()!;
  return JSON.parse(last) as ChildResult;
}

interface BreakdownRow {
  matcher: string;
  ms: number;
  /** Time over no matcher at all. */
  extraMs: number;
  mbps: number;
  problems: number;
}

/** Framing alone, then each matcher alone on top of it, on the first `limit` bytes. */
async function breakdown(file: string, limit: number): Promise<{ framing: RunResult; rows: BreakdownRow[] }> {
  const best = async (run: () => Promise<RunResult>): Promise<RunResult> => {
    let b: RunResult | null = null;
    for (let i = 0; i < 2; i++) {
      (globalThis as { gc?: () => void }).gc?.();
      const r = await run();
      if (!b || r.ms < b.ms) b = r;
    }
    return b!;
  };
  const framing = await best(() => runParser(file, { matchers: [] }, limit));
  const rows: BreakdownRow[] = [];
  for (const f of allMatchers) {
    const name = f().name;
    const r = await best(() => runParser(file, { matchers: [f] }, limit));
    rows.push({ matcher: name, ms: r.ms, extraMs: r.ms - framing.ms, mbps: mbps(r), problems: r.found });
  }
  rows.sort((a, b) => b.extraMs - a.extraMs);
  return { framing, rows };
}

async function main(): Promise<void> {
  fs.mkdirSync(OUT, { recursive: true });
  const sizeBytes = num('--size-mb', 200) * 1e6;
  const memBytes = num('--mem-mb', 1024) * (1 << 20);
  const rounds = num('--rounds', 5);
  const breakdownBytes = num('--breakdown-mb', 40) * 1e6;
  const started = Date.now();
  if (typeof (globalThis as { gc?: unknown }).gc !== 'function') {
    log('note: run with --expose-gc (npm run bench does) for steadier numbers');
  }

  const { file, fixtures, generatedMs } = await ensureLog(sizeBytes);
  const fileBytes = fs.statSync(file).size;

  log(`measuring (${rounds} rounds, best of each)...`);
  const res = await bestOf(
    rounds,
    {
      floor: () => runFloor(file),
      parser: () => runParser(file),
      oneThread: () => runParser(file, {}, undefined, true),
      naive: () => runNaive(file),
    },
    log,
  );
  const floor = res.floor!.best;
  const parser = res.parser!.best;
  const naive = res.naive!.best;
  const vsNaive = mbps(parser) / mbps(naive);
  const vsFloor = mbps(parser) / mbps(floor);

  log('per-matcher timing...');
  const bd = await breakdown(file, Math.min(breakdownBytes, fileBytes));

  let memory: (ChildResult & { peakRssMB: number; startRssMB: number }) | null = null;
  if (!flag('--skip-mem')) {
    log(`streaming a ${(memBytes / (1 << 20)).toFixed(0)} MiB generated log through a child process...`);
    const c = runChild(['--generate', String(memBytes)]);
    memory = { ...c, peakRssMB: c.maxRssKiB / 1024, startRssMB: c.startRssKiB / 1024 };
  }
  // The file as the CLI and the server parse it: two threads, each with its heap, and the chunks read ahead.
  let fileMemory: ChildResult | null = null;
  if (!flag('--skip-mem')) {
    log('parsing the log file on two threads in a child process...');
    fileMemory = runChild(['--file', file]);
  }

  const missed =
    vsNaive < TARGET_VS_NAIVE ||
    vsFloor < TARGET_VS_FLOOR ||
    (memory !== null && memory.peakRssMB >= TARGET_RSS_MB);
  let profile: ProfileSummary | null = null;
  if (missed || flag('--profile')) {
    log('taking a CPU profile of the parser on the log...');
    const dir = path.join(OUT, 'prof');
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    runChild(['--file', file], ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
    const prof = fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (prof) profile = summariseProfile(path.join(dir, prof), ROOT);
  }

  // ---- report
  const out: string[] = [];
  out.push('');
  out.push(
    `CI Triage parser benchmark: ${(fileBytes / 1e6).toFixed(1)} MB GitHub raw log, ${parser.lines.toLocaleString()} lines, ` +
      `${fixtures} fixture logs mixed in; node ${process.version}, ${os.cpus().length} x ${os.cpus()[0]?.model ?? '?'}`,
  );
  out.push('MB = 10^6 bytes; best of ' + rounds + ' runs each, gc between runs.');
  out.push('');
  out.push(
    table(
      ['pipeline', 'best ms', 'MB/s', 'runs (ms)', 'found'],
      [
        [
          'read + split (floor)',
          floor.ms.toFixed(0),
          mbps(floor).toFixed(1),
          res.floor!.all.map((x) => x.toFixed(0)).join(' '),
          '-',
        ],
        [
          'our parser',
          parser.ms.toFixed(0),
          mbps(parser).toFixed(1),
          res.parser!.all.map((x) => x.toFixed(0)).join(' '),
          `${parser.found} problems`,
        ],
        [
          'our parser, one thread',
          res.oneThread!.best.ms.toFixed(0),
          mbps(res.oneThread!.best).toFixed(1),
          res.oneThread!.all.map((x) => x.toFixed(0)).join(' '),
          `${res.oneThread!.best.found} problems`,
        ],
        [
          `naive (${NAIVE_PATTERNS.length} regexes/line)`,
          naive.ms.toFixed(0),
          mbps(naive).toFixed(1),
          res.naive!.all.map((x) => x.toFixed(0)).join(' '),
          `${naive.found} matches`,
        ],
      ],
    ),
  );
  out.push('');
  const ok = (b: boolean): string => (b ? 'ok' : 'MISSED');
  out.push(
    table(
      ['ratio', 'value', 'target', ''],
      [
        [
          'parser / naive',
          vsNaive.toFixed(2) + 'x',
          `>= ${TARGET_VS_NAIVE}x`,
          ok(vsNaive >= TARGET_VS_NAIVE),
        ],
        ['parser / floor', vsFloor.toFixed(3), `>= ${TARGET_VS_FLOOR}`, ok(vsFloor >= TARGET_VS_FLOOR)],
      ],
    ),
  );
  // The same round's runs are seconds apart: their ratio shows how much of the best-of ratio is the machine.
  const perRound = res.parser!.all.map((ms, i) => res.floor!.all[i]! / ms);
  out.push(
    `parser / floor round by round (runs seconds apart): ${perRound.map((x) => x.toFixed(2)).join(' ')}`,
  );
  out.push('');
  out.push(
    parser.firstProblemMs != null
      ? `time to first problem: ${parser.firstProblemMs.toFixed(1)} ms (log line ${parser.firstProblemLogLine})`
      : 'time to first problem: no problem found in the log',
  );
  if (parser.framed !== undefined) {
    out.push(
      `lines framed: ${parser.framed.toLocaleString('en-US')} of ${parser.lines.toLocaleString('en-US')} ` +
        `(${((100 * parser.framed) / parser.lines).toFixed(1)}%); the rest woke no matcher and were only counted` +
        (parser.jumped
          ? `, ${parser.jumped.toLocaleString('en-US')} of them jumped over on the pre-scan thread's hints`
          : ''),
    );
  }
  if (fileMemory) {
    out.push(
      `peak RSS parsing the ${(fileMemory.bytes / 1e6).toFixed(0)} MB log file on two threads (child process): ` +
        `${(fileMemory.maxRssKiB / 1024).toFixed(1)} MiB (${(fileMemory.startRssKiB / 1024).toFixed(1)} MiB before parsing), ` +
        `${(fileMemory.bytes / 1e6 / (fileMemory.ms / 1000)).toFixed(1)} MB/s in a new process (both threads' code not yet optimised)`,
    );
  }
  if (memory) {
    out.push(
      `peak RSS streaming ${(memory.bytes / (1 << 20)).toFixed(0)} MiB (generated, child process): ` +
        `${memory.peakRssMB.toFixed(1)} MiB (${memory.startRssMB.toFixed(1)} MiB before parsing; target < ${TARGET_RSS_MB}) ` +
        `${ok(memory.peakRssMB < TARGET_RSS_MB)}; ${(memory.bytes / 1e6 / (memory.ms / 1000)).toFixed(1)} MB/s incl. generation, ` +
        `${memory.problems} problems; heap still held by the parser at the end: ` +
        `${memory.heapRetainedMiB === null ? '?' : memory.heapRetainedMiB.toFixed(1)} MiB`,
    );
  }
  out.push('');
  out.push(
    `per-matcher cost on the first ${(Math.min(breakdownBytes, fileBytes) / 1e6).toFixed(0)} MB ` +
      `(no matcher: ${bd.framing.ms.toFixed(0)} ms, ${mbps(bd.framing).toFixed(1)} MB/s; each row = that matcher ` +
      `alone, best of 2; it includes framing the lines the matcher wakes, which no matcher leaves unframed):`,
  );
  out.push(
    table(
      ['matcher', 'ms', '+ms over none', 'MB/s', 'problems'],
      bd.rows.map((r) => [r.matcher, r.ms.toFixed(0), r.extraMs.toFixed(0), r.mbps.toFixed(1), r.problems]),
    ),
  );
  if (profile) {
    const cut = (s: string): string => (s.length > 100 ? s.slice(0, 99) + '…' : s);
    out.push('');
    out.push(
      `CPU profile of the parser on the whole log (self time, ${profile.totalMs.toFixed(0)} ms sampled):`,
    );
    out.push(
      table(
        ['file', 'ms', '%'],
        profile.files.map((r) => [cut(r.name), r.ms.toFixed(0), r.pct.toFixed(1)]),
      ),
    );
    out.push('');
    out.push(
      table(
        ['function', 'ms', '%'],
        profile.functions.map((r) => [cut(r.name), r.ms.toFixed(0), r.pct.toFixed(1)]),
      ),
    );
  }
  out.push('');
  out.push(
    `total bench time ${((Date.now() - started) / 1000).toFixed(1)} s; numbers in bench-out/parser.json`,
  );
  process.stdout.write(out.join('\n') + '\n');

  const json = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? null,
    log: { file: path.relative(ROOT, file), bytes: fileBytes, lines: parser.lines, fixtures, generatedMs },
    rounds,
    floor: { bestMs: floor.ms, mbps: mbps(floor), runsMs: res.floor!.all },
    parser: {
      bestMs: parser.ms,
      mbps: mbps(parser),
      runsMs: res.parser!.all,
      problems: parser.found,
      firstProblemMs: parser.firstProblemMs,
      firstProblemLogLine: parser.firstProblemLogLine,
      framedLines: parser.framed ?? null,
    },
    naive: {
      bestMs: naive.ms,
      mbps: mbps(naive),
      runsMs: res.naive!.all,
      matches: naive.found,
      patterns: NAIVE_PATTERNS.map((p) => ({ name: p.name, regexp: p.re.source, source: p.source })),
    },
    ratios: {
      parserOverNaive: vsNaive,
      parserOverFloor: vsFloor,
      parserOverFloorByRound: perRound,
      targets: {
        parserOverNaive: TARGET_VS_NAIVE,
        parserOverFloor: TARGET_VS_FLOOR,
        peakRssMB: TARGET_RSS_MB,
      },
      met: !missed,
    },
    memory,
    fileMemory,
    breakdown: {
      bytes: Math.min(breakdownBytes, fileBytes),
      framingMs: bd.framing.ms,
      framingMbps: mbps(bd.framing),
      matchers: bd.rows,
    },
    profile,
  };
  fs.writeFileSync(path.join(OUT, 'parser.json'), JSON.stringify(json, null, 2) + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(String(e instanceof Error ? (e.stack ?? e.message) : e) + '\n');
  process.exit(1);
});
