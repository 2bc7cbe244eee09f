/**
 * code-server for the end-to-end tests: located (installed by scripts/e2e/setup.sh when missing), given a
 * per-run folder for everything it writes, the packaged extension installed, started on a free port.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MARKER, killGroup, pollUntil, tail } from './processes';

export const repoRoot = resolve(__dirname, '..', '..');

export interface Tools {
  /** Node 24, which code-server 4.139 needs. */
  node: string;
  /** code-server's out/node/entry.js. */
  entry: string;
  chromium: string;
}

/** The folders of one run; all of them inside `root`. */
export interface RunDirs {
  root: string;
  userData: string;
  extensions: string;
  xdgConfig: string;
  xdgData: string;
  xdgCache: string;
  tmp: string;
  profile: string;
}

export interface RunningServer {
  process: ChildProcess;
  /** http://127.0.0.1:PORT */
  url: string;
  logFile: string;
  /** Kills the process group if the test process exits without dispose(). */
  onExit: () => void;
}

export const DEFAULT_SETTINGS: Readonly<Record<string, unknown>> = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'chat.disableAIFeatures': true,
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'git.openRepositoryInParentFolders': 'never',
  // An empty secondary side bar (the chat's place) would take a third of every screenshot.
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

/** Finds code-server, its Node and Chromium, installing them (scripts/e2e/setup.sh) when missing. */
export function locateTools(): Tools {
  const r = spawnSync('bash', [join(repoRoot, 'scripts', 'e2e', 'setup.sh')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`scripts/e2e/setup.sh failed (exit ${r.status}):\n${r.stderr}`);
  const value = (k: string) => new RegExp(`^${k}=(.+)$`, 'm').exec(r.stdout)?.[1];
  const node = value('CODE_SERVER_NODE');
  const entry = value('CODE_SERVER_ENTRY');
  if (!node || !entry) throw new Error(`scripts/e2e/setup.sh did not print the tools:\n${r.stdout}`);
  return { node, entry, chromium: '/usr/bin/chromium' };
}

export function makeRunDirs(root: string): RunDirs {
  const dirs: RunDirs = {
    root,
    userData: join(root, 'user-data'),
    extensions: join(root, 'extensions'),
    xdgConfig: join(root, 'xdg-config'),
    xdgData: join(root, 'xdg-data'),
    xdgCache: join(root, 'xdg-cache'),
    tmp: join(root, 'tmp'),
    profile: join(root, 'chromium-profile'),
  };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  return dirs;
}

/** The environment of every process of the run: its writes go into the run folder, and it carries the marker. */
export function runEnv(dirs: RunDirs, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  return {
    ...env,
    ...extra,
    [MARKER]: dirs.root,
    XDG_CONFIG_HOME: dirs.xdgConfig,
    XDG_DATA_HOME: dirs.xdgData,
    XDG_CACHE_HOME: dirs.xdgCache,
    TMPDIR: dirs.tmp,
  };
}

function commonArgs(dirs: RunDirs): string[] {
  return [
    ...['--config', join(dirs.root, 'config.yaml')],
    ...['--user-data-dir', dirs.userData],
    ...['--extensions-dir', dirs.extensions],
  ];
}

/** Writes the config (`port` 0: a free one) and user settings, and installs the extension. */
export function prepareCodeServer(
  tools: Tools,
  dirs: RunDirs,
  env: Record<string, string>,
  vsix: string,
  settings: Record<string, unknown>,
  port = 0,
): void {
  // Port 0: code-server binds a free port and prints it, so two runs never race for one.
  writeFileSync(join(dirs.root, 'config.yaml'), `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  mkdirSync(join(dirs.userData, 'User'), { recursive: true });
  writeFileSync(
    join(dirs.userData, 'User', 'settings.json'),
    JSON.stringify({ ...DEFAULT_SETTINGS, ...settings }, null, 2),
  );
  const r = spawnSync(tools.node, [tools.entry, ...commonArgs(dirs), '--install-extension', vsix], {
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  writeFileSync(join(dirs.root, 'install-extension.log'), `${r.stdout}\n${r.stderr}`);
  if (r.status !== 0 || !/successfully installed/i.test(r.stdout))
    throw new Error(`installing ${vsix} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
}

/** Starts code-server on `workspace` and waits for "HTTP server listening". */
export async function startCodeServer(
  tools: Tools,
  dirs: RunDirs,
  env: Record<string, string>,
  workspace: string,
  opts: { trust?: boolean } = {},
): Promise<RunningServer> {
  const logFile = join(dirs.root, 'code-server.log');
  const logFd = openSync(logFile, 'a');
  const args = [
    tools.entry,
    ...commonArgs(dirs),
    ...['--auth', 'none', '--disable-telemetry', '--disable-update-check'],
    // Workspace trust stays off unless a test is about Restricted Mode.
    ...(opts.trust ? [] : ['--disable-workspace-trust']),
    ...['--disable-getting-started-override', '--ignore-last-opened', workspace],
  ];
  // Its own process group, so one kill reaches the extension host, the pty host and the file watcher too.
  const child = spawn(tools.node, args, { env, stdio: ['ignore', logFd, logFd], detached: true });
  closeSync(logFd);
  const onExit = () => killGroup(child.pid, 'SIGKILL');
  process.on('exit', onExit);
  try {
    const url = await pollUntil(
      () => {
        if (child.exitCode !== null || child.signalCode !== null)
          throw new Error(`code-server exited (${child.exitCode ?? child.signalCode})`);
        return /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(
          readFileSync(logFile, 'utf8'),
        )?.[1];
      },
      'code-server to print "HTTP server listening"',
      30_000,
      () => tail(logFile, 20),
    );
    return { process: child, url, logFile, onExit };
  } catch (e) {
    killGroup(child.pid, 'SIGKILL');
    process.off('exit', onExit);
    throw e;
  }
}
