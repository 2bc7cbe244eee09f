/**
 * The language server on big `ci-log` documents: time to the first diagnostics and to the folding ranges for
 * a 10 MB and a 100 MB GitHub job log, how long another document's request waits meanwhile, and the server's
 * peak memory. The server runs as an editor would run it (`node server.js --stdio`, bundled by esbuild), a
 * fresh process per log; the log is opened the way the extension opens a job log: the raw file in the log
 * cache, opened as a `ci-triage-log:` document whose text the server renders itself. Writes `bench-out/server.json`.
 *
 *   node --import tsx scripts/bench/serverBench.ts [--sizes-mb 10,100] [--text-mb 10]
 *
 * `--text-mb N` also opens an N MB log as a plain `*.ci.log` file whose whole text is synced (0: skip).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { common } from '../build.mjs';
import {
  createProtocolConnection,
  DidOpenTextDocumentNotification,
  FoldingRangeRequest,
  InitializeRequest,
  InitializedNotification,
  PublishDiagnosticsNotification,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-languageserver-protocol/node';
import type { ProtocolConnection } from 'vscode-languageserver-protocol/node';
import {
  LOG_DOCUMENT_MAX_CHARS,
  LogDocumentOpenedNotification,
  RenderLogRequest,
  logDocumentUri,
} from '../../src/protocol';
import { generateLog, loadFixtureMaterial } from './logGenerator';

const ROOT = path.resolve(__dirname, '..', '..');
const OUT = path.join(ROOT, 'bench-out');
const CACHE = path.join(OUT, 'server-cache');
const SEED = 20240601;

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1]! : dflt;
}

function log(msg: string): void {
  process.stderr.write(msg + '\n');
}

async function bundleServer(): Promise<string> {
  const outfile = path.join(OUT, 'server.js');
  // As dist/server.js is built (scripts/build.mjs), into bench-out so a stale dist cannot be measured.
  await build({ ...common, entryPoints: [path.join(ROOT, 'src/server/server.ts')], outfile });
  // With the parser's pre-scan thread next to it, as in dist.
  await build({
    ...common,
    entryPoints: [path.join(ROOT, 'src/core/prescanThread.ts')],
    outfile: path.join(OUT, 'prescan.js'),
  });
  return outfile;
}

/** A generated GitHub job log of about `mb` MB in the cache folder (kept between runs). */
function ensureLog(mb: number): string {
  const file = path.join(CACHE, `gha-${mb}mb.log`);
  const bytes = mb * 1_000_000;
  if (fs.existsSync(file) && fs.statSync(file).size >= bytes) return file;
  log(`generating ${path.relative(ROOT, file)}...`);
  const material = loadFixtureMaterial(path.join(ROOT, 'test', 'fixtures'));
  const fd = fs.openSync(file, 'w');
  try {
    for (const chunk of generateLog(bytes, { seed: SEED + mb, material })) fs.writeSync(fd, chunk);
  } finally {
    fs.closeSync(fd);
  }
  return file;
}

interface Server {
  connection: ProtocolConnection;
  pid: number;
  close(): void;
}

async function startServer(serverJs: string): Promise<Server> {
  const child = spawn(process.execPath, [serverJs, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const connection = createProtocolConnection(
    new StreamMessageReader(child.stdout!),
    new StreamMessageWriter(child.stdin!),
  );
  connection.listen();
  await connection.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri: null,
    workspaceFolders: null,
    capabilities: {},
    initializationOptions: { logCacheDir: CACHE },
  });
  await connection.sendNotification(InitializedNotification.type, {});
  return {
    connection,
    pid: child.pid!,
    close: () => {
      connection.dispose();
      child.kill();
    },
  };
}

/** Peak resident memory of a process (Linux: VmHWM), in MiB, or null elsewhere. */
function peakRssMiB(pid: number): number | null {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

interface Figures {
  label: string;
  logMB: number;
  textMB: number;
  firstDiagnosticsMs: number;
  allDiagnosticsMs: number;
  diagnostics: number;
  foldingMs: number;
  foldingRanges: number;
  /** When the first request sent after the big document was answered: the document had arrived. */
  documentArrivedMs: number;
  /** Slowest folding request on a small document after that, while the big one was being parsed. */
  slowestOtherRequestMs: number;
  otherRequests: number;
  peakRssMiB: number | null;
}

/**
 * Opens `uri` (`open`: as the extension does) and measures; the server is fresh, so VmHWM is this document's peak.
 * `textMB` is the size of the document's text.
 */
async function measure(
  s: Server,
  label: string,
  logMB: number,
  uri: string,
  open: () => Promise<void>,
  textMB: number,
  expectedDiagnostics: number | null,
): Promise<Figures> {
  const small = pathToFileURL(path.join(OUT, 'small.ci.log')).href;
  await s.connection.sendNotification(DidOpenTextDocumentNotification.type, {
    textDocument: {
      uri: small,
      languageId: 'ci-log',
      version: 1,
      text: '##[group]Run x\nok\n##[endgroup]\n',
    },
  });
  await s.connection.sendRequest(FoldingRangeRequest.type, { textDocument: { uri: small } });

  let first = -1;
  let last = -1;
  let count = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const t0 = performance.now();
  s.connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
    if (p.uri !== uri || p.diagnostics.length === 0) return;
    const t = performance.now() - t0;
    if (first < 0) first = t;
    last = t;
    count = p.diagnostics.length;
    if (expectedDiagnostics === null || count >= expectedDiagnostics) done();
  });
  await open();
  const foldingP = s.connection
    .sendRequest(FoldingRangeRequest.type, { textDocument: { uri } })
    .then((r) => ({ ms: performance.now() - t0, n: r?.length ?? 0 }));

  // Meanwhile, another document's requests, one after the other: how long does each wait?
  let parsing = true;
  let slowest = 0;
  let others = 0;
  let arrived = -1;
  const poll = (async () => {
    while (parsing) {
      const a = performance.now();
      await s.connection.sendRequest(FoldingRangeRequest.type, { textDocument: { uri: small } });
      // The first request queues behind the document's transfer: that wait is the sync's, not the parse's.
      if (arrived < 0) arrived = performance.now() - t0;
      else slowest = Math.max(slowest, performance.now() - a);
      others++;
    }
  })();
  const folding = await foldingP;
  // The final publish follows the parse; without a known count, the folding answer marks the parse's end.
  if (expectedDiagnostics === null) done();
  await finished;
  parsing = false;
  await poll;
  return {
    label,
    logMB,
    textMB,
    firstDiagnosticsMs: first,
    allDiagnosticsMs: last,
    diagnostics: count,
    foldingMs: folding.ms,
    foldingRanges: folding.n,
    documentArrivedMs: arrived,
    slowestOtherRequestMs: slowest,
    otherRequests: Math.max(0, others - 1),
    peakRssMiB: peakRssMiB(s.pid),
  };
}

function report(f: Figures): void {
  const p = `server ${f.label}:`;
  console.log(`${p} document received and stored after ${f.documentArrivedMs.toFixed(0)} ms`);
  console.log(`${p} first diagnostics after ${f.firstDiagnosticsMs.toFixed(0)} ms`);
  console.log(`${p} all ${f.diagnostics} diagnostics after ${f.allDiagnosticsMs.toFixed(0)} ms`);
  console.log(`${p} ${f.foldingRanges} folding ranges after ${f.foldingMs.toFixed(0)} ms`);
  console.log(
    `${p} slowest of ${f.otherRequests} requests on another document during the parse ${f.slowestOtherRequestMs.toFixed(0)} ms`,
  );
  console.log(`${p} peak RSS ${f.peakRssMiB === null ? 'n/a (no /proc)' : `${f.peakRssMiB.toFixed(0)} MiB`}`);
}

async function main(): Promise<void> {
  fs.mkdirSync(CACHE, { recursive: true });
  const sizes = arg('--sizes-mb', '10,100')
    .split(',')
    .map(Number)
    .filter((n) => n > 0);
  const textMB = Number(arg('--text-mb', '10'));
  const serverJs = await bundleServer();
  const results: Figures[] = [];

  for (const mb of sizes) {
    const file = ensureLog(mb);
    const s = await startServer(serverJs);
    try {
      // The extension renders the job log first (timestamps off, capped below VS Code's sync limit).
      const r = await s.connection.sendRequest(RenderLogRequest, { file, maxChars: LOG_DOCUMENT_MAX_CHARS });
      const uri = logDocumentUri({ file, job: `bench ${mb} MB`, url: null, workspace: null });
      const label = `${mb} MB job log (ci-triage-log, ${(r.text.length / 1e6).toFixed(0)} MB shown${r.truncated ? ', truncated' : ''})`;
      // Its text is not synced back: the server keeps its own render (LogDocumentOpened).
      const open = (): Promise<void> =>
        s.connection.sendNotification(LogDocumentOpenedNotification, {
          uri,
          version: 1,
          maxChars: LOG_DOCUMENT_MAX_CHARS,
        });
      const f = await measure(s, label, mb, uri, open, r.text.length / 1e6, null);
      report(f);
      results.push(f);
    } finally {
      s.close();
    }
  }

  if (textMB > 0) {
    const file = ensureLog(textMB);
    const text = fs.readFileSync(file, 'utf8');
    const s = await startServer(serverJs);
    try {
      const uri = pathToFileURL(path.join(OUT, `text-${textMB}mb.ci.log`)).href;
      const open = (): Promise<void> =>
        s.connection.sendNotification(DidOpenTextDocumentNotification.type, {
          textDocument: { uri, languageId: 'ci-log', version: 1, text },
        });
      const label = `${textMB} MB *.ci.log (text synced)`;
      const f = await measure(s, label, textMB, uri, open, Buffer.byteLength(text) / 1e6, null);
      report(f);
      results.push(f);
    } finally {
      s.close();
    }
  }
  fs.writeFileSync(
    path.join(OUT, 'server.json'),
    JSON.stringify({ node: process.version, results }, null, 2),
  );
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : String(e));
  process.exit(1);
});
