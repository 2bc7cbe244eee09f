/** Finding a container engine (podman or docker) and telling whether it runs. */
import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { removeCommand } from './command';
import type { Engine } from './command';

export const ENGINES: readonly Engine[] = ['podman', 'docker'];

/** The full path of `name` on PATH, or null. */
export function findExecutable(name: string, path = process.env['PATH'] ?? ''): string | null {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const p = join(dir, name);
    try {
      if (statSync(p).isFile()) {
        accessSync(p, constants.X_OK);
        return p;
      }
    } catch {
      // Not here.
    }
  }
  return null;
}

/** The engine to use: the preferred one when given, else podman, else docker; null when none is installed. */
export function detectEngine(preferred: Engine | 'auto' = 'auto', path?: string): Engine | null {
  if (preferred !== 'auto') return findExecutable(preferred, path) !== null ? preferred : null;
  for (const e of ENGINES) if (findExecutable(e, path) !== null) return e;
  return null;
}

export const INSTALL_HINT =
  'install podman (Debian/Ubuntu: sudo apt-get install podman; Fedora: sudo dnf install podman; macOS: brew install podman && podman machine init && podman machine start) or Docker (https://docs.docker.com/engine/install/)';

/**
 * Null when `engine` answers (`podman info` / `docker info`), else what is wrong and how to fix it: a docker
 * client without a running daemon is the common case.
 */
export function engineProblem(engine: Engine, timeoutMs = 20_000): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(engine, ['info', '--format', '{{json .}}'], { timeout: timeoutMs }, (err, _out, stderr) => {
      if (!err) return resolve(null);
      const detail =
        String(stderr || err.message)
          .trim()
          .split('\n')[0] ?? '';
      const fix =
        engine === 'docker'
          ? 'start the Docker daemon (sudo systemctl start docker, or open Docker Desktop), or use podman'
          : 'check `podman info` (on macOS and Windows: podman machine start)';
      resolve(`${engine} is installed but does not run (${detail}): ${fix}`);
    });
  });
}

/**
 * Removes a reproduction's stopped container by name (removeCommand). Resolves either way: a container that
 * is not there (the usual case before a run) or still running is no error worth showing.
 */
export function removeContainer(engine: Engine, name: string, timeoutMs = 20_000): Promise<void> {
  const [cmd, ...argv] = removeCommand(engine, name);
  return new Promise((resolve) => {
    execFile(cmd!, argv, { timeout: timeoutMs }, () => resolve());
  });
}
