/**
 * `npm run bench` (second part): what the extension host feels.
 *
 * 1. Event-loop delay on the extension host's thread while a 100 MB log is parsed: the largest delay
 *    (perf_hooks.monitorEventLoopDelay) while the language server (dist/server.js, its own process) parses
 *    it, against the same parse run in-process on this thread (streamed in 1 MiB chunks, as the CLI does).
 *    Target: under 50 ms through the server.
 * 2. Event-loop delay while a 100 MB log is opened as a document: rendered by the server, its text received in a
 *    file read in pieces (as the extension does) and, for comparison, in the response.
 * 3. Time from "Refresh" to problems for a 10 MB failed job log: runs, jobs, log download from the fake
 *    GitHub (real HTTP on 127.0.0.1, 302 to the log host), disk cache, parse in the server, annotations
 *    merged; against the same pipeline with an in-process parse. VS Code's own rendering is not included.
 *
 * Options: --size-mb N (default 100), --refresh-mb N (default 10). Needs `npm run build` (dist/server.js).
 * Writes bench-out/extension.json.
 */
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  closeSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import {
  createProtocolConnection,
  InitializeRequest,
  InitializedNotification,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-languageserver-protocol/node';
import type { ProtocolConnection } from 'vscode-languageserver-protocol/node';
import {
  LOG_DOCUMENT_MAX_CHARS,
  ParseLogFileRequest,
  ProblemsNotification,
  RenderLogRequest,
} from '../../src/protocol';
import { renderedTextOf } from '../../src/protocol/renderFile';
import { parseLogFile } from '../../src/server/parseRequests';
import type { ParseLogFileResult } from '../../src/protocol';
import { GithubProvider } from '../../src/providers/github/githubProvider';
import { LogCache } from '../../src/providers/logCache';
import { isFailed } from '../../src/providers/triage';
import { triageJob } from '../../src/extension/jobTriage';
import type { ParseLogFile } from '../../src/extension/jobTriage';
import { GithubFake } from '../../test/fakes/githubFake';
import { generateLog, loadFixtureMaterial } from './logGenerator';

const ROOT = path.resolve(__dirname, '..', '..');
const OUT = path.join(ROOT, 'bench-out');
const TARGET_DELAY_MS = 50;

function num(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}
function log(msg: string): void {
  console.log(`bench: ${msg}`);
}

/** A generated log of `mb` MB (a mix of the fixtures' real tool output in GitHub framing), cached. */
function ensureLog(mb: number): string {
  const file = path.join(OUT, `ext-${mb}mb.log`);
  if (existsSync(file) && statSync(file).size >= mb * 1e6) return file;
  mkdirSync(OUT, { recursive: true });
  const material = loadFixtureMaterial(path.join(ROOT, 'test', 'fixtures'));
  const fd = openSync(file, 'w');
  for (const chunk of generateLog(mb * 1e6, { seed: 7, material })) writeSync(fd, Buffer.from(chunk, 'utf8'));
  closeSync(fd);
  return file;
}

async function startServer(): Promise<{ connection: ProtocolConnection; stop: () => void }> {
  const server = path.join(ROOT, 'dist', 'server.js');
  if (!existsSync(server)) throw new Error('dist/server.js is missing: run `npm run build` first');
  const child = spawn(process.execPath, [server, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const connection = createProtocolConnection(
    new StreamMessageReader(child.stdout),
    new StreamMessageWriter(child.stdin),
  );
  connection.listen();
  await connection.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri: null,
    capabilities: {},
    initializationOptions: { logCacheDir: null },
  });
  await connection.sendNotification(InitializedNotification.type, {});
  return {
    connection,
    stop: () => {
      connection.dispose();
      child.kill();
    },
  };
}

/** The same streamed parse as the server's, on this thread. */
function inProcess(file: string, workspace: string | null): Promise<ParseLogFileResult> {
  return parseLogFile({ file, workspace }, () => undefined);
}

interface DelayResult {
  maxMs: number;
  p99Ms: number;
  totalMs: number;
  problems: number;
}

/** `run`'s effect on this thread's event loop; `problems` counts a parse result's (0 for anything else). */
async function measureDelay(
  run: () => Promise<{ problems?: readonly unknown[] } | void>,
): Promise<DelayResult> {
  const h = monitorEventLoopDelay({ resolution: 5 });
  // A heartbeat as well: the largest gap between 5 ms timers is what a user's keystroke would wait.
  let last = performance.now();
  let maxGap = 0;
  const beat = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
  }, 5);
  h.enable();
  const t0 = performance.now();
  const r = await run();
  const totalMs = performance.now() - t0;
  h.disable();
  clearInterval(beat);
  // The heartbeat's own period is not a delay.
  const maxMs = Math.max(h.max / 1e6, maxGap - 5);
  return { maxMs, p99Ms: h.percentile(99) / 1e6, totalMs, problems: r?.problems?.length ?? 0 };
}

async function refreshToProblems(
  fake: GithubFake,
  repo: string,
  parse: ParseLogFile,
  cacheDir: string,
): Promise<{ ms: number; problems: number }> {
  rmSync(cacheDir, { recursive: true, force: true });
  const provider = new GithubProvider({
    repo: { provider: 'github', apiUrl: fake.url, webUrl: 'https://github.example', path: repo },
    token: fake.token,
  });
  const cache = new LogCache({ dir: cacheDir });
  const t0 = performance.now();
  const runs = await provider.listRuns({ branch: 'main' });
  let problems = 0;
  for (const run of runs.filter((r) => isFailed(r.conclusion))) {
    const jobs = (await provider.listJobs(run)).filter((j) => isFailed(j.conclusion));
    for (const job of jobs) {
      const t = await triageJob({ provider, cache, parse, workspace: ROOT }, job);
      if (t.error) throw new Error(`triage of ${job.name} failed: ${t.error}`);
      problems += t.problems.length;
    }
  }
  return { ms: performance.now() - t0, problems };
}

async function main(): Promise<void> {
  const sizeMb = num('--size-mb', 100);
  const refreshMb = num('--refresh-mb', 10);
  const big = ensureLog(sizeMb);
  const small = ensureLog(refreshMb);
  const { connection, stop } = await startServer();
  // As the extension's client does: gather the batches, then take the summary.
  const batches = new Map<string, ParseLogFileResult['problems']>();
  connection.onNotification(ProblemsNotification, (p) => batches.get(p.id)?.push(...p.problems));
  let n = 0;
  const viaServer: ParseLogFile = async (file, workspace) => {
    const id = `bench${++n}`;
    const problems: ParseLogFileResult['problems'] = [];
    batches.set(id, problems);
    const { problemCount, ...summary } = await connection.sendRequest(ParseLogFileRequest, {
      file,
      workspace,
      id,
    });
    batches.delete(id);
    if (problemCount !== problems.length)
      throw new Error(`${problems.length} of ${problemCount} problems arrived`);
    return { ...summary, problems };
  };
  const results: Record<string, unknown> = {};
  try {
    // Warm both paths once on the small log (JIT, server start-up).
    await viaServer(small, ROOT);
    await inProcess(small, ROOT);

    // The noise floor: the same monitor over an idle wait as long as the parse (other processes share the CPUs).
    const idle = await measureDelay(async () => {
      await new Promise((r) => setTimeout(r, 3000));
    });
    log(
      `event loop idle for 3 s (noise floor): max delay ${idle.maxMs.toFixed(1)} ms, p99 ${idle.p99Ms.toFixed(1)} ms`,
    );
    const server = await measureDelay(() => viaServer(big, ROOT));
    log(
      `event loop while parsing ${sizeMb} MB in the language server: max delay ${server.maxMs.toFixed(1)} ms, ` +
        `p99 ${server.p99Ms.toFixed(1)} ms, parse ${(server.totalMs / 1000).toFixed(2)} s, ${server.problems} problems ` +
        `(target < ${TARGET_DELAY_MS} ms: ${server.maxMs < TARGET_DELAY_MS ? 'MET' : 'MISSED'})`,
    );
    const local = await measureDelay(() => inProcess(big, ROOT));
    log(
      `baseline, the same parse on this thread: max delay ${local.maxMs.toFixed(1)} ms, p99 ${local.p99Ms.toFixed(1)} ms, ` +
        `parse ${(local.totalMs / 1000).toFixed(2)} s`,
    );
    results.eventLoop = { sizeMb, idle, server, inProcess: local, targetMs: TARGET_DELAY_MS };

    // Opening the log as a document: the server renders it; the text comes in a file the client reads in
    // pieces (as the extension's client does), or in the response.
    const opened: Record<string, DelayResult> = {};
    for (const viaFile of [true, false]) {
      let chars = 0;
      const d = await measureDelay(async () => {
        const r = await connection.sendRequest(RenderLogRequest, {
          file: big,
          maxChars: LOG_DOCUMENT_MAX_CHARS,
          viaFile,
        });
        chars = (await renderedTextOf(r)).length;
      });
      opened[viaFile ? 'viaFile' : 'inResponse'] = d;
      log(
        `event loop while a ${sizeMb} MB log is rendered and its ${(chars / 1e6).toFixed(0)} MB text received ` +
          `${viaFile ? 'in a file (as the extension does)' : 'in the response'}: max delay ${d.maxMs.toFixed(1)} ms, ` +
          `${(d.totalMs / 1000).toFixed(2)} s`,
      );
    }
    results.openLog = opened;

    const fake = await GithubFake.start({ prefix: '/api/v3' });
    const cacheDir = mkdtempSync(path.join(tmpdir(), 'ci-triage-bench-cache-'));
    try {
      const repo = 'octo/bench';
      fake.addRun({ repo, branch: 'main', sha: 'a'.repeat(40), conclusion: 'failure', at: 1, name: 'CI' }, [
        { name: 'tests', conclusion: 'failure', log: readFileSync(small, 'utf8') },
        { name: 'build', conclusion: 'success', log: 'ok\n' },
      ]);
      const rounds: { server: number; local: number; problems: number }[] = [];
      for (let i = 0; i < 3; i++) {
        const s = await refreshToProblems(fake, repo, viaServer, cacheDir);
        const l = await refreshToProblems(fake, repo, (f, w) => inProcess(f, w), cacheDir);
        rounds.push({ server: s.ms, local: l.ms, problems: s.problems });
      }
      const best = (k: 'server' | 'local') => Math.min(...rounds.map((r) => r[k]));
      log(
        `refresh to problems, ${refreshMb} MB failed log (fake GitHub over HTTP, download, cache, parse): ` +
          `${best('server').toFixed(0)} ms through the language server, ${best('local').toFixed(0)} ms parsing in-process ` +
          `(best of 3; ${rounds[0]!.problems} problems)`,
      );
      results.refresh = { refreshMb, rounds, bestServerMs: best('server'), bestInProcessMs: best('local') };
    } finally {
      await fake.close();
      rmSync(cacheDir, { recursive: true, force: true });
    }
  } finally {
    stop();
  }
  writeFileSync(path.join(OUT, 'extension.json'), JSON.stringify(results, null, 2));
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(`bench: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
