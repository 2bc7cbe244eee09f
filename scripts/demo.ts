/**
 * `npm run demo`: CI Triage in a real VS Code with no account. Starts the fake GitHub API with a branch's
 * failing runs, a throwaway git workspace whose remote and branch match, and code-server with the packaged
 * extension (dist/ci-triage.vsix, made by `npm run package`), prints the URL to open, and runs until Ctrl-C,
 * which stops code-server and the fake and removes the temporary folders.
 *
 *   node --import tsx scripts/demo.ts [--port N]   (default 8080, or a free port when 8080 is taken)
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GithubFake } from '../test/fakes/githubFake';
import { seedGithubBranch } from '../test/fakes/scenarios';
import {
  locateTools,
  makeRunDirs,
  prepareCodeServer,
  repoRoot,
  runEnv,
  startCodeServer,
} from '../test/e2e/codeServer';
import type { RunDirs, RunningServer } from '../test/e2e/codeServer';
import { gitWorkspace } from '../test/e2e/gitWorkspace';
import { killMarked, printTail, stopGroup } from '../test/e2e/processes';

const DEFAULT_PORT = 8080;

function say(what: string): void {
  console.error(`demo: ${what}`);
}

/** `--port N` or `--port=N`; undefined when absent. */
function parsePort(argv: readonly string[]): number | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = a === '--port' ? argv[++i] : a.startsWith('--port=') ? a.slice(7) : undefined;
    if (a !== '--port' && value === undefined)
      throw new Error(`unknown argument ${a} (usage: demo [--port N])`);
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > 65535)
      throw new Error(`--port needs a port number, not ${value}`);
    return n;
  }
  return undefined;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const asked = parsePort(process.argv.slice(2));
  let port = asked ?? DEFAULT_PORT;
  if (!(await portIsFree(port))) {
    if (asked !== undefined) throw new Error(`port ${port} on 127.0.0.1 is in use`);
    say(`port ${DEFAULT_PORT} is in use; code-server takes a free one`);
    port = 0;
  }
  const vsix = join(repoRoot, 'dist', 'ci-triage.vsix');
  if (!existsSync(vsix)) throw new Error(`${vsix} is missing: run npm run package first (npm run demo does)`);

  let fake: GithubFake | undefined;
  let ws: string | undefined;
  let dirs: RunDirs | undefined;
  let server: RunningServer | undefined;
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      if (server) {
        await stopGroup(server.process);
        process.off('exit', server.onExit);
      }
      // Whatever left code-server's process group still carries the run's marker.
      if (dirs) await killMarked(dirs.root).catch((e: Error) => say(e.message));
      await fake?.close().catch(() => undefined);
      for (const d of [dirs?.root, ws]) if (d) rmSync(d, { recursive: true, force: true });
    })());
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    // `on`, not `once`: Ctrl-C under npm delivers SIGINT twice (the terminal's, then npm's forwarded copy),
    // and a second signal with no handler would kill us before clean-up ends.
    process.on(sig, () => {
      if (stopping) return;
      say(`${sig}: stopping code-server and the fake GitHub API`);
      void stop().then(
        () => process.exit(0),
        (e: Error) => {
          say(`clean-up failed: ${e.message}`);
          process.exit(1);
        },
      );
    });

  try {
    say('checking code-server and Node 24 (scripts/e2e/setup.sh)');
    const tools = locateTools();
    fake = await GithubFake.start({ prefix: '/api/v3' });
    const sc = seedGithubBranch(fake);
    say(`fake GitHub API at ${fake.url} (${sc.repo}, branch ${sc.branch})`);
    ws = gitWorkspace(sc);
    dirs = makeRunDirs(mkdtempSync(join(tmpdir(), 'ci-triage-demo-')));
    // code-server deletes GITHUB_TOKEN from the extension host's environment; GH_TOKEN reaches it.
    const env = runEnv(dirs, { GH_TOKEN: fake.token });
    say('installing the extension into code-server');
    prepareCodeServer(tools, dirs, env, vsix, { 'ciTriage.github.apiUrl': fake.url }, port);
    server = await startCodeServer(tools, dirs, env, ws);
  } catch (e) {
    await stop();
    throw e;
  }
  const seconds = ((Date.now() - t0) / 1000).toFixed(1);
  say(`ready in ${seconds} s; workspace ${ws}; Ctrl-C stops everything`);
  // Not encodeURIComponent: a plain path reads better and code-server takes it as is.
  console.log(`Open ${server.url}/?folder=${encodeURI(ws)}`);
  server.process.once('exit', (code, signal) => {
    if (stopping) return;
    say(`code-server exited (${code ?? signal})`);
    printTail('code-server.log', server.logFile);
    void stop().then(() => process.exit(1));
  });
}

main().catch((e: Error) => {
  say(e.message);
  process.exit(1);
});
