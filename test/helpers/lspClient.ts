/**
 * A real LSP client for tests: starts the CI Triage language server from source (`src/server/server.ts`
 * through tsx) as a child process speaking LSP over stdio, exactly as another editor would, and returns a
 * protocol connection to it.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import {
  createProtocolConnection,
  DidOpenTextDocumentNotification,
  LogMessageNotification,
  PublishDiagnosticsNotification,
  InitializeRequest,
  InitializedNotification,
  ShutdownRequest,
  ExitNotification,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-languageserver-protocol/node';
import type {
  ClientCapabilities,
  InitializeResult,
  ProtocolConnection,
  PublishDiagnosticsParams,
  WorkspaceFolder,
} from 'vscode-languageserver-protocol/node';
import type { CiTriageInitOptions } from '../../src/protocol';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface TestServer {
  connection: ProtocolConnection;
  initialize: InitializeResult;
  process: ChildProcess;
  /** What the server wrote to stderr so far (for failure messages). */
  stderr(): string;
  /** The `window/logMessage` texts the server sent so far. */
  logMessages(): string[];
  /** Sends `textDocument/didOpen`. */
  open(uri: string, text: string, opts?: { languageId?: string; version?: number }): Promise<void>;
  /**
   * The first `textDocument/publishDiagnostics` for `uri` that `accept` takes, among those received since the
   * server started and those to come. Rejects after `timeoutMs` with what did arrive, and the server's stderr.
   */
  diagnostics(
    uri: string,
    accept?: (p: PublishDiagnosticsParams) => boolean,
    timeoutMs?: number,
  ): Promise<PublishDiagnosticsParams>;
  close(): Promise<void>;
}

export async function startServer(
  opts: {
    init?: Partial<CiTriageInitOptions>;
    capabilities?: ClientCapabilities;
    rootUri?: string | null;
    workspaceFolders?: WorkspaceFolder[] | null;
  } = {},
): Promise<TestServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/server/server.ts'), '--stdio'], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const connection = createProtocolConnection(
    new StreamMessageReader(child.stdout!),
    new StreamMessageWriter(child.stdin!),
  );
  const published: PublishDiagnosticsParams[] = [];
  const waiters = new Set<(p: PublishDiagnosticsParams) => void>();
  connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
    published.push(p);
    for (const w of [...waiters]) w(p);
  });
  const logs: string[] = [];
  connection.onNotification(LogMessageNotification.type, (m) => logs.push(m.message));
  connection.listen();
  const initialize = await connection.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri: opts.rootUri ?? null,
    workspaceFolders: opts.workspaceFolders ?? null,
    capabilities: opts.capabilities ?? {},
    initializationOptions: { logCacheDir: null, ...opts.init } satisfies CiTriageInitOptions,
  });
  await connection.sendNotification(InitializedNotification.type, {});
  return {
    connection,
    initialize,
    process: child,
    stderr: () => err,
    logMessages: () => [...logs],
    async open(uri, text, o = {}) {
      await connection.sendNotification(DidOpenTextDocumentNotification.type, {
        textDocument: { uri, languageId: o.languageId ?? 'ci-log', version: o.version ?? 1, text },
      });
    },
    diagnostics(uri, accept = () => true, timeoutMs = 20_000) {
      const done = published.find((p) => p.uri === uri && accept(p));
      if (done) return Promise.resolve(done);
      return new Promise((resolve, reject) => {
        const waiter = (p: PublishDiagnosticsParams): void => {
          if (p.uri !== uri || !accept(p)) return;
          waiters.delete(waiter);
          clearTimeout(timer);
          resolve(p);
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          const got = published.filter((p) => p.uri === uri);
          reject(
            new Error(
              `no matching diagnostics for ${uri} within ${timeoutMs} ms; got ${JSON.stringify(got)}\nserver stderr: ${err}`,
            ),
          );
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    async close() {
      const exited = new Promise<void>((resolve) => {
        if (child.exitCode !== null) resolve();
        else child.once('exit', () => resolve());
      });
      try {
        await connection.sendRequest(ShutdownRequest.type);
        await connection.sendNotification(ExitNotification.type);
      } catch {
        child.kill();
      }
      await exited;
      connection.dispose();
    },
  };
}
