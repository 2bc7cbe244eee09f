/**
 * A repository's branch, HEAD commit and remote read straight from its `.git` files, without running git.
 * For Restricted Mode, where VS Code's git extension is off: running git in an untrusted folder could run
 * code its config names (hooks, fsmonitor), reading a few small files cannot.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';

export interface GitHeadInfo {
  /** The work tree's root folder. */
  root: string;
  remoteUrl: string | null;
  /** The branch on the remote (the upstream's name when the branch has one), or null when HEAD is detached. */
  branch: string | null;
  headSha: string | null;
}

const MAX_FILE = 4 * 1024 * 1024;
const SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

async function readSmall(file: string): Promise<string | null> {
  try {
    const s = await stat(file);
    if (!s.isFile() || s.size > MAX_FILE) return null;
    return await readFile(file, 'utf8');
  } catch {
    return null;
  }
}

/** The git directory and the common directory (they differ for a linked worktree) of `root`, or null. */
async function gitDirs(root: string): Promise<{ gitDir: string; commonDir: string } | null> {
  const dotGit = join(root, '.git');
  let gitDir: string;
  try {
    const s = await stat(dotGit);
    if (s.isDirectory()) gitDir = dotGit;
    else {
      const text = await readSmall(dotGit);
      const m = /^gitdir: (.+)$/m.exec(text ?? '');
      if (!m) return null;
      const p = m[1]!.trim();
      gitDir = isAbsolute(p) ? p : resolve(root, p);
    }
  } catch {
    return null;
  }
  const common = (await readSmall(join(gitDir, 'commondir')))?.trim();
  return { gitDir, commonDir: common ? (isAbsolute(common) ? common : resolve(gitDir, common)) : gitDir };
}

/** The sections of a git config: `branch "main"` → { remote: 'origin', merge: 'refs/heads/main' }. */
export function parseGitConfig(text: string): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  let section: Record<string, string> | null = null;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const head = /^\[\s*([A-Za-z0-9.-]+)(?:\s+"((?:[^"\\]|\\.)*)")?\s*\]/.exec(line);
    if (head) {
      const name = head[2] !== undefined ? `${head[1]!.toLowerCase()} "${head[2]}"` : head[1]!.toLowerCase();
      section = out.get(name) ?? {};
      out.set(name, section);
      continue;
    }
    const kv = /^([A-Za-z][A-Za-z0-9-]*)\s*(?:=\s*(.*))?$/.exec(line);
    if (section && kv) {
      let v = (kv[2] ?? 'true').replace(/\s+[#;].*$/, '').trim();
      if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1);
      section[kv[1]!.toLowerCase()] = v;
    }
  }
  return out;
}

async function resolveRef(dirs: { gitDir: string; commonDir: string }, ref: string): Promise<string | null> {
  if (!/^refs\/[^\0\s]+$/.test(ref) || ref.includes('..')) return null;
  for (const dir of [dirs.gitDir, dirs.commonDir]) {
    const v = (await readSmall(join(dir, ref)))?.trim();
    if (v && SHA.test(v)) return v;
  }
  const packed = await readSmall(join(dirs.commonDir, 'packed-refs'));
  for (const line of (packed ?? '').split('\n')) {
    const [sha, name] = line.trim().split(' ');
    if (name === ref && sha && SHA.test(sha)) return sha;
  }
  return null;
}

/** What HEAD of the work tree at `root` is, or null when `root` holds no git repository. */
export async function readGitHead(root: string): Promise<GitHeadInfo | null> {
  const dirs = await gitDirs(root);
  if (!dirs) return null;
  const head = (await readSmall(join(dirs.gitDir, 'HEAD')))?.trim();
  if (!head) return null;
  const config = parseGitConfig((await readSmall(join(dirs.commonDir, 'config'))) ?? '');
  let local: string | null = null;
  let headSha: string | null = null;
  if (head.startsWith('ref: ')) {
    const ref = head.slice(5).trim();
    if (ref.startsWith('refs/heads/')) local = ref.slice('refs/heads/'.length);
    headSha = await resolveRef(dirs, ref);
  } else if (SHA.test(head)) headSha = head;
  const branchCfg = local !== null ? config.get(`branch "${local}"`) : undefined;
  const upstreamRemote = branchCfg?.remote && branchCfg.remote !== '.' ? branchCfg.remote : null;
  const remoteNames = [...config.keys()].filter((k) => k.startsWith('remote "')).map((k) => k.slice(8, -1));
  const remote =
    (upstreamRemote && remoteNames.includes(upstreamRemote) ? upstreamRemote : null) ??
    (remoteNames.includes('origin') ? 'origin' : (remoteNames[0] ?? null));
  const remoteUrl = remote ? (config.get(`remote "${remote}"`)?.url ?? null) : null;
  const merge = upstreamRemote ? branchCfg?.merge : undefined;
  const branch = merge?.startsWith('refs/heads/') ? merge.slice('refs/heads/'.length) : local;
  return { root: dirname(join(root, '.git')), remoteUrl, branch, headSha };
}
