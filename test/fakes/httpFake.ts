/**
 * The machinery the GitHub and GitLab fakes share: a node:http server on 127.0.0.1 (random port) under a
 * path prefix, a router, ETags and 304s, pagination headers, fault switches, and a request log that tests
 * count. A module, not test glue: the demo serves the same fakes.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createHash } from 'node:crypto';

export type FaultName =
  | 'unauthorized'
  | 'scope'
  | 'sso'
  | 'notFound'
  | 'logExpired'
  | 'rateLimit'
  | 'tooManyRequests'
  | 'secondaryRateLimit'
  | 'serverError'
  | 'resetMidLog'
  | 'slowLog';

export interface FaultOptions {
  /** How many requests it hits (default: every one until cleared). */
  times?: number;
  /** Only requests whose path (after the prefix) contains this. */
  match?: string;
  /** Seconds for `retry-after` / the rate-limit reset (default 60). */
  retryAfter?: number;
  /** slowLog: pause between chunks (default 50 ms). */
  delayMs?: number;
}

/** What a provider's fake adds around the routes. */
export interface ServerHooks {
  /** Auth checks and request faults: a reply here answers the request instead of the route. */
  gate(r: RouteRequest, fault: ActiveFault | null): Reply | null;
  /** Adds headers every answer carries (rate-limit headers). */
  finish(r: RouteRequest, reply: Reply): Reply;
}

export interface ActiveFault extends FaultOptions {
  name: FaultName;
  left: number;
}

export interface RecordedRequest {
  method: string;
  /** Path after the prefix, without the query. */
  path: string;
  query: string;
  status: number;
  ifNoneMatch: string | null;
  authorization: string | null;
  privateToken: string | null;
  /** Which listener answered: the API, or the log host (GitHub's short-lived log URLs). */
  server: 'api' | 'logs';
  fault: FaultName | null;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** JSON-serialised unless a string. */
  body?: unknown;
  /** A log to send in chunks; subject to the resetMidLog and slowLog faults. */
  log?: string;
}

export interface RouteRequest {
  method: string;
  path: string;
  params: string[];
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Handler = (r: RouteRequest) => Reply | Promise<Reply>;

interface Route {
  method: string;
  re: RegExp;
  handler: Handler;
}

const LOG_FAULTS: ReadonlySet<FaultName> = new Set(['resetMidLog', 'slowLog']);

/** One listening server with a prefix, routes, faults and a request log. */
export class FakeHttpServer {
  readonly requests: RecordedRequest[] = [];
  private readonly routes: Route[] = [];
  private faults: ActiveFault[] = [];
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private port = 0;

  constructor(
    readonly prefix: string,
    private readonly kind: 'api' | 'logs',
    private readonly hooks: ServerHooks,
  ) {}

  route(method: string, pattern: string, handler: Handler): void {
    // `:id` matches one segment (may hold %2F-encoded slashes); the rest is literal.
    const re = new RegExp(
      '^' + pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[a-z_]+/g, '([^/]+)') + '$',
    );
    this.routes.push({ method, re, handler });
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      void this.handle(req, res);
    });
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Origin and prefix, e.g. http://127.0.0.1:41234/api/v3 */
  get url(): string {
    return `http://127.0.0.1:${this.port}${this.prefix}`;
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  fault(name: FaultName, opts: FaultOptions = {}): void {
    this.faults.push({ ...opts, name, left: opts.times ?? Infinity });
  }

  clearFaults(): void {
    this.faults = [];
  }

  clearRequests(): void {
    this.requests.length = 0;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private takeFault(path: string, isLog: boolean): ActiveFault | null {
    for (const f of this.faults) {
      if (f.left <= 0) continue;
      if (f.match && !path.includes(f.match)) continue;
      if (LOG_FAULTS.has(f.name) !== isLog) continue;
      f.left--;
      return f;
    }
    return null;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const u = new URL(req.url ?? '/', 'http://fake');
    // Keep %2F encoded: GitLab project paths with nested groups arrive that way.
    const rawPath = (req.url ?? '/').split('?')[0]!;
    const rec: RecordedRequest = {
      method: req.method ?? 'GET',
      path: rawPath,
      query: u.search,
      status: 0,
      ifNoneMatch: header(req, 'if-none-match'),
      authorization: header(req, 'authorization'),
      privateToken: header(req, 'private-token'),
      server: this.kind,
      fault: null,
    };
    this.requests.push(rec);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (!rawPath.startsWith(this.prefix + '/'))
      return this.send(res, rec, { status: 404, body: { message: 'Not Found' } });
    const path = rawPath.slice(this.prefix.length);
    rec.path = path;
    const rr: RouteRequest = {
      method: rec.method,
      path,
      params: [],
      query: u.searchParams,
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    const fault = this.takeFault(path, false);
    if (fault) rec.fault = fault.name;
    const early = this.hooks.gate(rr, fault);
    if (early) return this.send(res, rec, this.hooks.finish(rr, early));
    for (const r of this.routes) {
      if (r.method !== rec.method) continue;
      const m = r.re.exec(path);
      if (!m) continue;
      rr.params = m.slice(1).map((s) => decodeURIComponent(s));
      const reply = await r.handler(rr);
      return this.send(res, rec, this.hooks.finish(rr, reply), rr);
    }
    return this.send(res, rec, this.hooks.finish(rr, { status: 404, body: { message: 'Not Found' } }));
  }

  private async send(
    res: ServerResponse,
    rec: RecordedRequest,
    reply: Reply,
    rr?: RouteRequest,
  ): Promise<void> {
    const headers: Record<string, string> = { ...reply.headers };
    if (reply.log !== undefined) {
      const logFault = rr ? this.takeFault(rr.path, true) : null;
      if (logFault) rec.fault = logFault.name;
      rec.status = reply.status;
      return this.sendLog(res, reply, headers, logFault);
    }
    let body = '';
    if (reply.body !== undefined) {
      body = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
      headers['content-type'] ??=
        typeof reply.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8';
    }
    let status = reply.status;
    if (
      status === 200 &&
      rec.method === 'GET' &&
      typeof reply.body !== 'string' &&
      reply.body !== undefined
    ) {
      const etag = `W/"${createHash('sha1').update(body).digest('hex')}"`;
      headers.etag = etag;
      if (rec.ifNoneMatch === etag) {
        status = 304;
        body = '';
        delete headers['content-type'];
      }
    }
    rec.status = status;
    res.writeHead(status, headers);
    res.end(body);
  }

  private async sendLog(
    res: ServerResponse,
    reply: Reply,
    headers: Record<string, string>,
    fault: ActiveFault | null,
  ) {
    const buf = Buffer.from(reply.log ?? '', 'utf8');
    headers['content-type'] ??= 'text/plain; charset=utf-8';
    if (fault?.name === 'resetMidLog') {
      // Announce the whole length, send half, then drop the connection: what a proxy or LB reset looks like.
      headers['content-length'] = String(buf.length);
      res.writeHead(reply.status, headers);
      res.write(buf.subarray(0, Math.floor(buf.length / 2)));
      await new Promise((r) => setTimeout(r, 20));
      res.socket?.destroy();
      return;
    }
    res.writeHead(reply.status, headers);
    if (fault?.name === 'slowLog') {
      const step = Math.max(1, Math.ceil(buf.length / 8));
      for (let i = 0; i < buf.length; i += step) {
        if (res.destroyed) return;
        res.write(buf.subarray(i, i + step));
        await new Promise((r) => setTimeout(r, fault.delayMs ?? 50));
      }
      res.end();
      return;
    }
    res.end(buf);
  }
}

function header(req: IncomingMessage, name: string): string | null {
  const v = req.headers[name];
  return Array.isArray(v) ? (v[0] ?? null) : (v ?? null);
}

export interface PageOptions {
  defaultPerPage: number;
  /** The absolute URL of the list, for Link headers. */
  listUrl: string;
}

/** Slices `items` by `page`/`per_page` and returns the page and the Link (and GitLab X-*) headers. */
export function paginate<T>(items: readonly T[], query: URLSearchParams, opts: PageOptions) {
  const perPage = Math.min(
    100,
    Math.max(1, Number(query.get('per_page') ?? opts.defaultPerPage) || opts.defaultPerPage),
  );
  const page = Math.max(1, Number(query.get('page') ?? 1) || 1);
  const totalPages = Math.max(1, Math.ceil(items.length / perPage));
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const link = (p: number) => {
    const q = new URLSearchParams(query);
    q.set('page', String(p));
    q.set('per_page', String(perPage));
    return `${opts.listUrl}?${q.toString()}`;
  };
  const rels: string[] = [];
  if (page < totalPages) rels.push(`<${link(page + 1)}>; rel="next"`, `<${link(totalPages)}>; rel="last"`);
  if (page > 1) rels.push(`<${link(page - 1)}>; rel="prev"`, `<${link(1)}>; rel="first"`);
  const headers: Record<string, string> = {};
  if (rels.length > 0) headers.link = rels.join(', ');
  const gitlabHeaders: Record<string, string> = {
    'x-page': String(page),
    'x-per-page': String(perPage),
    'x-total': String(items.length),
    'x-total-pages': String(totalPages),
    'x-next-page': page < totalPages ? String(page + 1) : '',
    'x-prev-page': page > 1 ? String(page - 1) : '',
  };
  return { items: slice, headers, gitlabHeaders };
}

/** A signature for the fake log host's short-lived URLs. */
export function sign(secret: string, path: string, expires: number): string {
  return createHash('sha256').update(`${secret}\n${path}\n${expires}`).digest('hex').slice(0, 32);
}
