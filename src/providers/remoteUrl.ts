/**
 * Git remote URLs to repositories: github.com and GitHub Enterprise, gitlab.com and self-hosted GitLab
 * (nested groups, an instance under a path), in https, ssh and scp-like forms.
 */
import type { ProviderKind, RepositoryRef } from './ciProvider';

export interface ParsedRemote {
  /** Host name, lower-case, without port. */
  host: string;
  /** The port given in the URL, or null. */
  port: number | null;
  protocol: 'https' | 'http' | 'ssh' | 'git';
  /** Path segments of the repository, without `.git` (for https this may still start with an instance prefix). */
  segments: string[];
}

/** Parses a git remote URL; null when it is not one we understand (a local path, a bundle). */
export function parseRemoteUrl(raw: string): ParsedRemote | null {
  const url = raw.trim();
  if (url === '') return null;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url);
  if (scheme) {
    const proto = scheme[1]!.toLowerCase();
    const protocol =
      proto === 'https'
        ? 'https'
        : proto === 'http'
          ? 'http'
          : proto === 'ssh' || proto === 'git+ssh'
            ? 'ssh'
            : proto === 'git'
              ? 'git'
              : null;
    if (!protocol) return null;
    let u: URL;
    try {
      // URL() only parses special schemes fully; give ssh/git an http scheme so host and port come out.
      u = new URL(
        protocol === 'https' || protocol === 'http' ? url : 'http://' + url.slice(scheme[0].length),
      );
    } catch {
      return null;
    }
    const segments = splitPath(decodeURIComponent(u.pathname));
    if (!u.hostname || segments.length < 2) return null;
    return { host: u.hostname.toLowerCase(), port: u.port ? Number(u.port) : null, protocol, segments };
  }
  // scp-like: [user@]host:path (a colon before any slash; not a Windows drive letter)
  const scp = /^(?:[^@/\s]{1,256}@)?([^:/\s]{2,256}):(?!\/\/)\/?([^\s]{1,2048})$/.exec(url);
  if (scp) {
    const segments = splitPath(scp[2]!);
    if (segments.length < 2) return null;
    return { host: scp[1]!.toLowerCase(), port: null, protocol: 'ssh', segments };
  }
  return null;
}

function splitPath(p: string): string[] {
  const segs = p.split('/').filter((s) => s !== '');
  const last = segs.length - 1;
  if (last >= 0) segs[last] = segs[last]!.replace(/\.git$/, '');
  if (segs[last] === '') segs.pop();
  return segs;
}

/** Guesses the provider from the host; null when the host says nothing (then --provider decides). */
export function guessProvider(host: string): ProviderKind | null {
  if (host === 'github.com' || host === 'www.github.com' || host.endsWith('.ghe.com')) return 'github';
  if (host === 'gitlab.com' || /(^|[.-])gitlab([.-]|$)/.test(host)) return 'gitlab';
  if (/(^|[.-])github([.-]|$)/.test(host)) return 'github';
  return null;
}

export interface ResolveOptions {
  provider?: ProviderKind | null;
  /** `--api-url`: GitHub REST base or GitLab instance URL. Its path is kept. */
  apiUrl?: string | null;
}

/** The repository a remote points at, with the API to use. Throws a plain Error with a user message. */
export function repositoryFromRemote(remote: string, opts: ResolveOptions = {}): RepositoryRef {
  const parsed = parseRemoteUrl(remote);
  if (!parsed) throw new Error(`cannot read the git remote URL '${stripUserInfo(remote)}'`);
  const provider = opts.provider ?? guessProvider(parsed.host);
  if (!provider)
    throw new Error(`cannot tell whether ${parsed.host} is GitHub or GitLab: pass --provider github|gitlab`);
  let segments = parsed.segments;
  const apiUrl = opts.apiUrl ? trimSlash(opts.apiUrl) : defaultApiUrl(provider, parsed);
  // An https remote of a GitLab under a path repeats that path: https://HOST/gitlab/group/proj.git
  const prefix = provider === 'gitlab' ? splitPath(new URL(apiUrl).pathname) : [];
  if (prefix.length > 0 && parsed.protocol !== 'ssh' && startsWith(segments, prefix))
    segments = segments.slice(prefix.length);
  if (provider === 'github' && segments.length !== 2)
    throw new Error(`'${segments.join('/')}' is not an OWNER/NAME GitHub repository`);
  if (segments.length < 2) throw new Error(`'${segments.join('/')}' is not a GROUP/PROJECT GitLab path`);
  return { provider, apiUrl, webUrl: webUrlFor(provider, apiUrl), path: segments.join('/') };
}

/** The repository given as `--repo OWNER/NAME|GROUP/PROJECT`. */
export function repositoryFromPath(
  path: string,
  provider: ProviderKind,
  apiUrl?: string | null,
): RepositoryRef {
  const segments = splitPath(path.replace(/^\/+/, ''));
  if (segments.length < 2 || (provider === 'github' && segments.length !== 2))
    throw new Error(
      provider === 'github' ? `--repo '${path}' is not OWNER/NAME` : `--repo '${path}' is not GROUP/PROJECT`,
    );
  const api = apiUrl
    ? trimSlash(apiUrl)
    : provider === 'github'
      ? 'https://api.github.com'
      : 'https://gitlab.com';
  return { provider, apiUrl: api, webUrl: webUrlFor(provider, api), path: segments.join('/') };
}

function defaultApiUrl(provider: ProviderKind, r: ParsedRemote): string {
  if (provider === 'github')
    return r.host === 'github.com' || r.host === 'www.github.com'
      ? 'https://api.github.com'
      : `https://${r.host}/api/v3`;
  // ssh ports are not the web port; keep an explicit https port only.
  const port = r.protocol === 'https' && r.port ? `:${r.port}` : '';
  return `${r.protocol === 'http' ? 'http' : 'https'}://${r.host}${port}`;
}

/** The web base for links: GitHub's API host differs from its web host; GitLab's instance URL is both. */
export function webUrlFor(provider: ProviderKind, apiUrl: string): string {
  if (provider === 'gitlab') return trimSlash(apiUrl);
  const u = new URL(apiUrl);
  if (u.hostname === 'api.github.com') return 'https://github.com';
  if (u.hostname.startsWith('api.') && u.hostname.endsWith('.ghe.com'))
    return `${u.protocol}//${u.host.slice(4)}`;
  return `${u.protocol}//${u.host}${trimSlash(u.pathname.replace(/\/api\/v3\/?$/, ''))}`;
}

function startsWith(a: string[], prefix: string[]): boolean {
  return prefix.every((p, i) => a[i] === p) && a.length > prefix.length;
}

function trimSlash(s: string): string {
  return s.replace(/\/+$/, '');
}

function stripUserInfo(u: string): string {
  return u.replace(/\/\/[^/@\s]{1,512}@/, '//');
}
