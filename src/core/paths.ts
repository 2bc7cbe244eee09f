/**
 * Path mapping: from a path as a log printed it to a workspace-relative, "/"-separated one, or null when the
 * file is not a project file (installed packages, interpreter internals, other absolute paths) or would
 * escape the workspace.
 *
 * Without a workspace the mapping is pure string work. With one, a path that exists in the workspace is
 * preferred (so a monorepo checked out in a subfolder still maps), and containment is checked on real paths
 * so a symlink never leads out of the workspace.
 */
import { realpathSync } from 'node:fs';
import { join, sep } from 'node:path';
import { detach } from './text';

export type PathMapper = (file: string) => string | null;

export interface PathMapperOptions {
  /** The local workspace folder (absolute), or null for pure string mapping. */
  workspace: string | null;
  /**
   * Checkout folders the log revealed (GitLab's `Initialized empty Git repository in /builds/g/s/p/.git/`);
   * read on every call, so the parser can pass a live list as the log streams in.
   */
  checkoutDirs?: () => readonly string[];
}

const MAX_CACHE = 10_000;
const MAX_PATH = 4096;

/** Folders whose files are never the project's own, even inside the workspace. */
const NOT_PROJECT = new Set([
  'node_modules',
  'site-packages',
  'dist-packages',
  '.tox',
  '.nox',
  '.venv',
  '__pypackages__',
  '.git',
  'bower_components',
]);

/** Runner folders next to the checkouts: `_work/_temp`, `_work/_actions`, the tool cache... */
const RUNNER_WORK_DIRS = new Set(['_temp', '_actions', '_tool', '_PipelineMapping', '_update', '_diag']);

type Place = 'exists' | 'missing' | 'escapes';

export function createPathMapper(opts: PathMapperOptions): PathMapper {
  const workspace = opts.workspace ? realOrNull(opts.workspace) : null;
  const cache = new Map<string, string | null>();
  let dirsSeen = 0;

  return (file) => {
    const dirs = opts.checkoutDirs?.() ?? EMPTY;
    if (dirs.length !== dirsSeen) {
      // What the log revealed changes the mapping of /builds/... paths.
      dirsSeen = dirs.length;
      cache.clear();
    }
    const hit = cache.get(file);
    if (hit !== undefined || cache.has(file)) return hit ?? null;
    let out: string | null;
    try {
      out = mapPath(file, workspace, dirs);
    } catch {
      out = null;
    }
    if (cache.size >= MAX_CACHE) cache.clear();
    // Copies: a key or value sliced from a log line would keep that line's whole decoded chunk alive.
    if (out !== null) out = detach(out);
    cache.set(detach(file), out);
    return out;
  };
}

const EMPTY: readonly string[] = [];

function mapPath(raw: string, workspace: string | null, dirs: readonly string[]): string | null {
  const file = raw.trim();
  if (file.length === 0 || file.length > MAX_PATH || file.indexOf('\0') >= 0) return null;
  // `<frozen importlib._bootstrap>`, `<string>`, `<stdin>`: not files.
  if (file.charCodeAt(0) === 60) return null;
  let p = file.replace(/\\/g, '/');
  if (p.startsWith('file://')) p = p.slice(7);
  else if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(p)) return null;
  if (p.startsWith('~')) return null;

  const drive = /^[A-Za-z]:\//.test(p) ? p.slice(0, 2) : '';
  const absolute = drive !== '' || p.startsWith('/');
  const parts = normalise(drive ? p.slice(2) : p, absolute);
  if (parts === null) return null;

  if (!absolute) return finish([parts], workspace);
  if (p.startsWith('//')) return null;
  const candidates = checkoutRest(parts, drive, dirs, workspace);
  if (candidates === null) return null;
  return finish(candidates, workspace);
}

/**
 * Resolves "." and ".." segments. An absolute path's ".." stops at the root (as the OS does); a relative
 * path that climbs above its start escapes the workspace: null.
 */
function normalise(p: string, absolute: boolean): string[] | null {
  const out: string[] = [];
  for (const s of p.split('/')) {
    if (s === '' || s === '.') continue;
    if (s === '..') {
      if (out.length === 0) {
        if (!absolute) return null;
        continue;
      }
      out.pop();
    } else out.push(s);
  }
  return out;
}

/**
 * For an absolute path: the workspace-relative candidates, best first, or null when it is not under a
 * known checkout. Several candidates come from a GitLab path whose namespace depth is unknown, or from
 * suffixes tried when a workspace is given.
 */
function checkoutRest(
  parts: string[],
  drive: string,
  dirs: readonly string[],
  workspace: string | null,
): string[][] | null {
  const rest = runnerRest(parts, drive, dirs);
  if (rest !== null) {
    const [first, ...others] = rest;
    if (!workspace || first === undefined) return rest;
    // A monorepo checked out in a subfolder, or a workspace that is a subfolder of the checkout: try the
    // shorter suffixes too, but only ones that exist (checked in finish()).
    const out = [first, ...others];
    for (let i = 1; i < first.length; i++) out.push(first.slice(i));
    return out;
  }
  if (workspace) {
    // A log from a run in this very folder (a local run, or a runner whose workspace is this path).
    const ws = workspace.split(sep).join('/');
    const abs = drive + '/' + parts.join('/');
    const prefix = ws.endsWith('/') ? ws : ws + '/';
    if (abs.startsWith(prefix)) return [abs.slice(prefix.length).split('/')];
  }
  return null;
}

/** The path under a CI checkout folder, as candidate part lists; null when it is under none. */
function runnerRest(parts: string[], drive: string, dirs: readonly string[]): string[][] | null {
  const n = parts.length;
  // Folders the log itself named win: they are exact.
  let best: string[] | null = null;
  let bestLen = -1;
  for (const d of dirs) {
    const dm = /^([A-Za-z]:)?(.*)$/.exec(d)!;
    if ((dm[1] ?? '').toUpperCase() !== drive.toUpperCase()) continue;
    const dp = dm[2]!.split('/').filter((s) => s.length > 0);
    if (dp.length > bestLen && dp.length < n && dp.every((s, i) => parts[i] === s)) {
      best = parts.slice(dp.length);
      bestLen = dp.length;
    }
  }
  if (best !== null) return [best];

  // $GITHUB_WORKSPACE is always <work folder>/<repo>/<repo>.
  const checkout = (at: number): string[][] | null =>
    n > at + 2 && parts[at] === parts[at + 1] && !RUNNER_WORK_DIRS.has(parts[at]!)
      ? [parts.slice(at + 2)]
      : null;
  if (drive === '') {
    // GitHub-hosted Linux /home/runner/work/..., macOS /Users/runner/work/..., job containers /__w/...
    if (parts[2] === 'work' && parts[1] === 'runner' && (parts[0] === 'home' || parts[0] === 'Users')) {
      return checkout(3);
    }
    if (parts[0] === '__w') return checkout(1);
    // Container actions run with the workspace mounted at /github/workspace.
    if (n > 2 && parts[0] === 'github' && parts[1] === 'workspace') return [parts.slice(2)];
  } else if (parts[0] === 'a') {
    // GitHub-hosted Windows: D:\a\<repo>\<repo>\x.
    return checkout(1);
  }
  // Self-hosted runners: .../_work/<repo>/<repo>/x.
  const w = parts.indexOf('_work');
  if (w >= 0) return checkout(w + 1);
  // GitLab: /builds/<namespace...>/<project>/x. Without a hint from the log, assume the common
  // /builds/<group>/<project>/ (a subgroup needs the log or the workspace to tell); with a workspace, deeper
  // namespaces are tried too and the one whose rest exists wins. Older docker+machine runners put
  // /builds/<runner token>/<concurrency id>/ before the namespace; Windows runners use C:\GitLab-Runner\builds.
  let b = parts[0] === 'builds' ? 0 : parts[1] === 'builds' && /^gitlab-runner$/i.test(parts[0]!) ? 1 : -1;
  if (b >= 0) {
    if (n > b + 3 && /^\d{1,4}$/.test(parts[b + 2]!) && /^[A-Za-z0-9_-]{8}$/.test(parts[b + 1]!)) b += 2;
    const out: string[][] = [];
    for (let depth = 2; depth <= 6 && b + 1 + depth < n; depth++) out.push(parts.slice(b + 1 + depth));
    return out.length > 0 ? out : null;
  }
  return null;
}

/** Picks the candidate to report: the first that exists in the workspace, else the first one. */
function finish(candidates: string[][], workspace: string | null): string | null {
  const ok = candidates.filter((c) => c.length > 0 && !c.some((s) => NOT_PROJECT.has(s)));
  if (ok.length === 0) return null;
  if (!workspace) return ok[0]!.join('/');
  let fallback: string | null = null;
  let firstChecked = false;
  for (const c of ok) {
    const place = whereIs(workspace, c);
    if (place === 'exists') return c.join('/');
    if (!firstChecked) {
      firstChecked = true;
      if (place === 'missing') fallback = c.join('/');
    }
  }
  return fallback;
}

/** Whether `rel` exists in the workspace, is missing, or (through a symlink) leads out of it. */
function whereIs(workspace: string, rel: string[]): Place {
  for (let k = rel.length; k >= 0; k--) {
    const full = join(workspace, ...rel.slice(0, k));
    const real = realOrNull(full);
    if (real === null) continue;
    if (!inside(workspace, real)) return 'escapes';
    return k === rel.length ? 'exists' : 'missing';
  }
  return 'missing';
}

function inside(root: string, p: string): boolean {
  if (p === root) return true;
  const prefix = root.endsWith(sep) ? root : root + sep;
  return p.startsWith(prefix);
}

function realOrNull(p: string): string | null {
  try {
    return realpathSync.native(p);
  } catch {
    return null;
  }
}
