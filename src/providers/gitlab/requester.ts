/**
 * Gitbeaker's requester, replaced. Gitbeaker's own one retries only 429/502 (ten times, without
 * reading Retry-After), sends no If-None-Match, and throws errors without the status we map. This one
 * keeps gitbeaker's resources (endpoints, nested-group encoding, Link pagination) and uses our HTTP
 * behaviour: conditional requests, bounded backoff, rate limits, typed errors.
 */
import type { RequestStats } from '../ciProvider';
import { conditionalFetch, fetchWithRetry } from '../http';
import type { EtagCache, FetchFn, RetryPolicy } from '../http';
import { gitlabError } from './gitlabErrors';

interface ResourceOptions {
  url: string;
}

interface RequestOptions {
  body?: Record<string, unknown> | FormData;
  searchParams?: Record<string, unknown>;
  asStream?: boolean;
  signal?: AbortSignal;
}

interface FormattedResponse {
  body: unknown;
  headers: Record<string, string>;
  status: number;
}

export interface RequesterContext {
  token: string | null;
  policy: RetryPolicy;
  stats: RequestStats;
  etags: EtagCache;
  fetch: FetchFn;
  host: string;
}

export function authHeaders(token: string | null): Record<string, string> {
  return token ? { 'private-token': token } : {};
}

export function makeRequesterFn(ctx: RequesterContext) {
  const fetchFn = conditionalFetch(ctx.etags, ctx.stats, ctx.fetch);
  return (resource: ResourceOptions) => {
    const call =
      (method: string) =>
      async (endpoint: string, options: RequestOptions = {}): Promise<FormattedResponse> => {
        const base = resource.url.endsWith('/') ? resource.url : `${resource.url}/`;
        const url = new URL(endpoint, base);
        url.search = formatQuery(options.searchParams);
        const headers: Record<string, string> = { accept: 'application/json', ...authHeaders(ctx.token) };
        let body: string | undefined;
        if (options.body && !(options.body instanceof FormData) && Object.keys(options.body).length > 0) {
          body = JSON.stringify(snakeKeys(options.body));
          headers['content-type'] = 'application/json';
        }
        const res = await fetchWithRetry(
          fetchFn,
          url.href,
          { method, headers, body, signal: options.signal },
          ctx.policy,
          ctx.stats,
          (status, _h, text) => gitlabError(status, text, ctx.host, describe(endpoint), Boolean(ctx.token)),
        );
        const type = res.headers.get('content-type') ?? '';
        let out: unknown;
        if (options.asStream) out = res.body;
        else if (res.status === 204) out = null;
        else if (type.includes('json')) out = await res.json();
        else out = await res.text();
        return { body: out, headers: Object.fromEntries(res.headers), status: res.status };
      };
    return {
      get: call('GET'),
      post: call('POST'),
      put: call('PUT'),
      patch: call('PATCH'),
      delete: call('DELETE'),
    };
  };
}

/** GitLab's query format: snake_case keys, arrays as `key[]=`. Gitbeaker hands us camelCase. */
export function formatQuery(params: Record<string, unknown> | undefined): string {
  if (!params) return '';
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null) continue;
    const key = snake(k);
    if (Array.isArray(v)) for (const x of v) q.append(`${key}[]`, String(x));
    else q.append(key, String(v));
  }
  return q.toString();
}

function snake(k: string): string {
  return k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function snakeKeys(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [snake(k), v]));
}

/** "projects/a%2Fb/pipelines/5/jobs" → "projects/a/b/pipelines/5/jobs", for messages. */
function describe(endpoint: string): string {
  return decodeURIComponent(endpoint.split('?')[0]!);
}
