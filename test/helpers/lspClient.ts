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
} from 'vscode-languageserver-protocol/node';
import type { CiTriageInitOptions } from '../../src/protocol';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface TestServer {
  connection: ProtocolConnection;
  initialize: InitializeResult;
  process: ChildProcess;
  /** What the server wrote to stderr so far (for failure messages). */
  stderr(): string;
  close(): Promise<void>;
}

export async function startServer(
  opts: {
    init?: Partial<CiTriageInitOptions>;
    capabilities?: ClientCapabilities;
    rootUri?: string | null;
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
  connection.listen();
  const initialize = await connection.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri: opts.rootUri ?? null,
    capabilities: opts.capabilities ?? {},
    initializationOptions: { logCacheDir: null, ...opts.init } satisfies CiTriageInitOptions,
  });
  await connection.sendNotification(InitializedNotification.type, {});
  return {
    connection,
    initialize,
    process: child,
    stderr: () => err,
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
