/**
 * HTTP behaviour both providers share: conditional requests (ETag / If-None-Match, 304 served from
 * memory), bounded retries with backoff, waiting out short rate limits, and log bodies as streams that
 * say when they stop part way.
 */
import type { LogStream, RequestStats } from './ciProvider';
import { LogIncompleteError, RateLimitError, connectionError, formatReset, resetTime } from './errors';

export type FetchFn = typeof fetch;

export interface RetryPolicy {
  /** Retries after the first try for 5xx and network errors (default 3). */
  retries: number;
  /** Backoff base: waits base, 4×base, 9×base... (default 400 ms: three retries take 5.6 s at most). */
  retryBaseMs: number;
  /** A rate limit that resets within this is waited out once; longer ones throw RateLimitError (default 60 s). */
  maxRateLimitWaitMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 3, retryBaseMs: 400, maxRateLimitWaitMs: 60_000 };

export function newStats(): RequestStats {
  return { requests: 0, notModified: 0, retries: 0 };
}

interface CachedBody {
  etag: string;
  body: string;
  headers: [string, string][];
}

/** Remembers the ETag and body of JSON GETs per URL. Bounded: the oldest entries go first. */
export class EtagCache {
  private readonly map = new Map<string, CachedBody>();
  constructor(private readonly maxEntries = 500) {}

  get(url: string): CachedBody | undefined {
    return this.map.get(url);
  }

  set(url: string, v: CachedBody): void {
    this.map.delete(url);
    this.map.set(url, v);
    while (this.map.size > this.maxEntries) this.map.delete(this.map.keys().next().value as string);
  }
}

/**
 * Wraps fetch so that a GET of a URL seen before carries `If-None-Match`, and a 304 answer comes back as
 * the cached 200 body: callers never see a 304, and `stats.notModified` counts them.
 */
export function conditionalFetch(cache: EtagCache, stats: RequestStats, inner: FetchFn = fetch): FetchFn {
  return async (input, init) => {
    stats.requests++;
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (method !== 'GET') return inner(input, init);
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    const cached = cache.get(url);
    if (cached && !headers.has('if-none-match')) headers.set('if-none-match', cached.etag);
    const res = await inner(input, { ...init, headers });
    if (res.status === 304 && cached) {
      stats.notModified++;
      await res.body?.cancel();
      const merged = new Headers(cached.headers);
      // Fresh rate-limit headers matter more than the cached ones.
      for (const [k, v] of res.headers) if (k.startsWith('x-ratelimit') || k === 'etag') merged.set(k, v);
      return withUrl(
        new Response(cached.body, { status: 200, statusText: 'OK', headers: merged }),
        res.url || url,
      );
    }
    const etag = res.headers.get('etag');
    const type = res.headers.get('content-type') ?? '';
    if (res.status === 200 && etag && type.includes('json')) {
      const body = await res.text();
      cache.set(url, { etag, body, headers: [...res.headers] });
      return withUrl(
        new Response(body, { status: 200, statusText: 'OK', headers: res.headers }),
        res.url || url,
      );
    }
    return res;
  };
}

// A constructed Response has an empty url; octokit's paginator reads it.
function withUrl(res: Response, url: string): Response {
  Object.defineProperty(res, 'url', { value: url });
  return res;
}

export function headersOf(res: Response): Record<string, string> {
  return Object.fromEntries(res.headers);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Maps an HTTP error answer to a typed error; `body` is the answer's text (at most a few KB). */
export type ErrorMapper = (status: number, headers: Record<string, string>, body: string) => Error;

/**
 * One request with bounded retries: 5xx and network errors back off and retry; 429 (and a 403 that says
 * it is a rate limit) waits out a short `retry-after` once, else throws RateLimitError. Other statuses
 * of 400 and above go through `mapError`. Returns the response (body unread) for status < 400.
 */
export async function fetchWithRetry(
  fetchFn: FetchFn,
  url: string,
  init: RequestInit,
  policy: RetryPolicy,
  stats: RequestStats,
  mapError: ErrorMapper,
): Promise<Response> {
  const host = new URL(url).host;
  let waitedForLimit = false;
  for (let attempt = 0; ; attempt++) {
    let res: Response;
    try {
      res = await fetchFn(url, init);
    } catch (e) {
      if (init.signal?.aborted) throw e;
      if (attempt < policy.retries) {
        stats.retries++;
        await sleep((attempt + 1) ** 2 * policy.retryBaseMs);
        continue;
      }
      throw connectionError(host, e);
    }
    if (res.status < 400) return res;
    const headers = headersOf(res);
    const body = (await res.text().catch(() => '')).slice(0, 4096);
    const limited =
      res.status === 429 ||
      (res.status === 403 && (headers['x-ratelimit-remaining'] === '0' || /rate limit/i.test(body)));
    if (limited) {
      const reset = resetTime(headers);
      const wait = reset ? reset.getTime() - Date.now() : Infinity;
      if (!waitedForLimit && wait <= policy.maxRateLimitWaitMs) {
        waitedForLimit = true;
        stats.retries++;
        await sleep(Math.max(0, wait));
        continue;
      }
      throw new RateLimitError(`${host} rate limit reached: ${formatReset(reset)}`, reset);
    }
    if (res.status >= 500 && attempt < policy.retries) {
      stats.retries++;
      await sleep((attempt + 1) ** 2 * policy.retryBaseMs);
      continue;
    }
    throw mapError(res.status, headers, body);
  }
}

export interface BodyStreamOptions {
  /** What the stream is, for messages: "the log of job 123". */
  what: string;
  /** Give up when no byte arrives for this long (default 60 s). */
  idleTimeoutMs?: number;
  /** Aborts the underlying request when the stream stops early. */
  abort?: AbortController;
}

/**
 * A response body as a LogStream. A reset, a stall, or fewer bytes than Content-Length announced ends it
 * with LogIncompleteError, so a caller never takes a partial log for the whole one.
 */
export async function* bodyStream(res: Response, opts: BodyStreamOptions): LogStream {
  const body = res.body;
  if (!body) return;
  const expected = Number(res.headers.get('content-length') ?? NaN);
  const idle = opts.idleTimeoutMs ?? 60_000;
  const reader = body.getReader();
  let bytes = 0;
  let finished = false;
  try {
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const stalled = new Promise<'stalled'>((resolve) => {
        timer = setTimeout(() => resolve('stalled'), idle);
      });
      let step: Awaited<ReturnType<typeof reader.read>> | 'stalled';
      try {
        step = await Promise.race([reader.read(), stalled]);
      } catch (e) {
        throw new LogIncompleteError(
          `${opts.what} stopped after ${bytes} bytes (${describe(e)}): it is not shown as complete; try again`,
          bytes,
          { cause: e },
        );
      } finally {
        clearTimeout(timer);
      }
      if (step === 'stalled') {
        opts.abort?.abort();
        throw new LogIncompleteError(
          `${opts.what} stalled: no data for ${Math.round(idle / 1000)} s after ${bytes} bytes; try again`,
          bytes,
        );
      }
      if (step.done) break;
      bytes += step.value.byteLength;
      yield step.value;
    }
    if (Number.isFinite(expected) && bytes < expected)
      throw new LogIncompleteError(
        `${opts.what} ended after ${bytes} of ${expected} bytes; try again`,
        bytes,
      );
    finished = true;
  } finally {
    if (!finished) {
      opts.abort?.abort();
      reader.cancel().catch(() => {});
    }
    try {
      reader.releaseLock();
    } catch {
      // a read still pending after a stall: the cancel above ends it
    }
  }
}

function describe(e: unknown): string {
  let cur: unknown = e;
  for (let i = 0; i < 4 && cur && typeof cur === 'object'; i++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && !code.startsWith('UND_ERR')) return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return e instanceof Error ? e.message : String(e);
}
