/**
 * The CLI's HTTP through a proxy when the environment names one (`HTTPS_PROXY`, `HTTP_PROXY`, lower case too,
 * and `NO_PROXY`), as curl and git read them. Node's own fetch ignores them. (In VS Code, the extension host's
 * fetch follows the editor's `http.proxy` settings itself.)
 */
import { EnvHttpProxyAgent, fetch as undiciFetch } from 'undici';
import type { FetchFn } from '../providers/http';

export interface EnvProxy {
  fetch: FetchFn;
  /** For messages: the proxy and the variable that set it, without any password in its URL. */
  describe: string;
}

const NAMES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'];

/** The environment's proxy, or null (plain fetch) when none is set. */
export function proxyFromEnv(env: NodeJS.ProcessEnv = process.env): EnvProxy | null {
  const name = NAMES.find((n) => (env[n] ?? '').trim() !== '');
  if (name === undefined) return null;
  const dispatcher = new EnvHttpProxyAgent({
    httpProxy: env.HTTP_PROXY ?? env.http_proxy,
    httpsProxy: env.HTTPS_PROXY ?? env.https_proxy,
    noProxy: env.NO_PROXY ?? env.no_proxy,
  });
  // undici's fetch is the one Node's fetch is built from; its types are declared apart.
  const fetch = ((input: Parameters<FetchFn>[0], init?: Parameters<FetchFn>[1]) =>
    undiciFetch(input as never, { ...(init as object), dispatcher } as never)) as unknown as FetchFn;
  return { fetch, describe: `the proxy ${withoutPassword(env[name]!.trim())} (${name})` };
}

function withoutPassword(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}
