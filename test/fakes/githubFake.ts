/**
 * A fake GitHub REST API (the Actions and Checks endpoints CI Triage uses) on 127.0.0.1, under a path
 * prefix like GitHub Enterprise's `/api/v3`. Job logs answer 302 to a second listener (another origin,
 * as GitHub's short-lived blob URLs are) with a signed, expiring query.
 */
import { FakeHttpServer, paginate, sign } from './httpFake';
import type { ActiveFault, FaultName, FaultOptions, RecordedRequest, Reply, RouteRequest } from './httpFake';
import { ghJob, ghRepo, ghRun } from './builders';
import type { GhAnnotation, GhJob, GhJobInit, GhPull, GhRun, GhRunInit } from './builders';

export interface GithubFakeOptions {
  /** Path of the REST base on the fake (default `/api/v3`; `''` serves at the root like api.github.com). */
  prefix?: string;
  /** The token the fake accepts. */
  token?: string;
}

export interface SeededJob extends GhJobInit {
  log?: string;
  annotations?: GhAnnotation[];
}

/** What a re-run or cancel asked for, for tests to check. */
export interface RecordedAction {
  action: 'rerunFailedJobs' | 'rerunJob' | 'cancelRun';
  id: number;
}

const LOG_SECRET = 'fake-blob-signing-key';

export class GithubFake {
  readonly token: string;
  readonly runs: GhRun[] = [];
  readonly jobs = new Map<number, GhJob[]>();
  readonly logs = new Map<number, string>();
  readonly annotations = new Map<number, GhAnnotation[]>();
  readonly pulls: GhPull[] = [];
  readonly actions: RecordedAction[] = [];
  readonly api: FakeHttpServer;
  readonly logHost: FakeHttpServer;
  rateLimit = { limit: 5000, remaining: 4999, used: 1, reset: Math.floor(Date.now() / 1000) + 3600 };

  private constructor(opts: GithubFakeOptions) {
    this.token = opts.token ?? 'ghp_fakeToken0123456789abcdefABCDEF012345';
    this.api = new FakeHttpServer(opts.prefix ?? '/api/v3', 'api', {
      gate: (r, f) => this.gate(r, f),
      finish: (r, reply) => this.finish(r, reply),
    });
    this.logHost = new FakeHttpServer('/blobs', 'logs', { gate: () => null, finish: (_r, reply) => reply });
    this.routes();
  }

  static async start(opts: GithubFakeOptions = {}): Promise<GithubFake> {
    const f = new GithubFake(opts);
    await f.api.start();
    await f.logHost.start();
    return f;
  }

  /** The REST base to give the client, e.g. http://127.0.0.1:PORT/api/v3 */
  get url(): string {
    return this.api.url;
  }

  /** Every request both listeners saw, in order. */
  get requests(): RecordedRequest[] {
    return [...this.api.requests, ...this.logHost.requests];
  }

  clearRequests(): void {
    this.api.clearRequests();
    this.logHost.clearRequests();
  }

  /** Turns a fault on. resetMidLog and slowLog hit the log download; the others hit API requests. */
  fault(name: FaultName, opts: FaultOptions = {}): void {
    (name === 'resetMidLog' || name === 'slowLog' ? this.logHost : this.api).fault(name, opts);
  }

  clearFaults(): void {
    this.api.clearFaults();
    this.logHost.clearFaults();
  }

  async close(): Promise<void> {
    await Promise.all([this.api.close(), this.logHost.close()]);
  }

  /** Adds a run with its jobs, their logs and annotations. */
  addRun(init: GhRunInit, jobs: SeededJob[] = []): GhRun {
    const run = ghRun(this.url, init);
    this.runs.push(run);
    const list = jobs.map((j) => {
      const job = ghJob(this.url, run, j);
      if (j.log !== undefined) this.logs.set(job.id, j.log);
      if (j.annotations) this.annotations.set(job.id, j.annotations);
      return job;
    });
    this.jobs.set(run.id, list);
    return run;
  }

  addPull(pull: GhPull): void {
    this.pulls.push(pull);
  }

  private gate(r: RouteRequest, fault: ActiveFault | null): Reply | null {
    const auth = typeof r.headers.authorization === 'string' ? r.headers.authorization : '';
    const m = /^(?:token|bearer) (.+)$/i.exec(auth);
    if (!m) return { status: 401, body: err('Requires authentication') };
    if (m[1] !== this.token || fault?.name === 'unauthorized')
      return { status: 401, body: err('Bad credentials') };
    if (!fault) return null;
    const reset = Math.floor(Date.now() / 1000) + (fault.retryAfter ?? 60);
    switch (fault.name) {
      case 'scope':
        return {
          status: 403,
          headers: {
            'x-accepted-github-permissions': 'actions=read',
            'x-oauth-scopes': '',
            'x-accepted-oauth-scopes': 'repo',
          },
          body: err('Resource not accessible by personal access token'),
        };
      case 'sso':
        return {
          status: 403,
          headers: {
            'x-github-sso': 'required; url=https://github.example/orgs/octo/sso?authorization_request=AbC123',
          },
          body: err(
            'Resource protected by organization SAML enforcement. You must grant your Personal Access token access to this organization.',
          ),
        };
      case 'notFound':
        return { status: 404, body: err('Not Found') };
      case 'logExpired':
        return { status: 410, body: err('Gone') };
      case 'rateLimit':
        return {
          status: 403,
          headers: {
            'x-ratelimit-remaining': '0',
            'x-ratelimit-reset': String(reset),
            'x-ratelimit-used': '5000',
          },
          body: err('API rate limit exceeded for user ID 1.'),
        };
      case 'tooManyRequests':
        return {
          status: 429,
          headers: { 'retry-after': String(fault.retryAfter ?? 60) },
          body: err('Too many requests'),
        };
      case 'secondaryRateLimit':
        return {
          status: 403,
          headers: { 'retry-after': String(fault.retryAfter ?? 60) },
          body: err(
            'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
          ),
        };
      case 'serverError':
        return { status: 500, body: err('Server Error') };
      default:
        return null;
    }
  }

  private finish(r: RouteRequest, reply: Reply): Reply {
    if (!r.headers['if-none-match']) {
      this.rateLimit.used++;
      this.rateLimit.remaining = Math.max(0, this.rateLimit.limit - this.rateLimit.used);
    }
    return {
      ...reply,
      headers: {
        'x-ratelimit-limit': String(this.rateLimit.limit),
        'x-ratelimit-remaining': String(this.rateLimit.remaining),
        'x-ratelimit-reset': String(this.rateLimit.reset),
        'x-ratelimit-used': String(this.rateLimit.used),
        'x-ratelimit-resource': 'core',
        'x-github-api-version-selected': '2022-11-28',
        'x-github-media-type': 'github.v3; format=json',
        'x-github-request-id': `FAKE:${this.api.requests.length}`,
        ...reply.headers,
      },
    };
  }

  private repoRuns(owner: string, name: string): GhRun[] {
    return this.runs.filter((x) => x.repository.full_name === `${owner}/${name}`);
  }

  private findJob(owner: string, name: string, jobId: number): GhJob | undefined {
    for (const run of this.repoRuns(owner, name)) {
      const j = this.jobs.get(run.id)?.find((x) => x.id === jobId);
      if (j) return j;
    }
    return undefined;
  }

  private routes(): void {
    const api = this.api;
    const notFound: Reply = { status: 404, body: err('Not Found') };

    api.route('GET', '/repos/:owner/:repo', ({ params: [o, n] }) => ({
      status: 200,
      body: ghRepo(`${o}/${n}`),
    }));

    api.route('GET', '/repos/:owner/:repo/actions/runs', ({ params: [o, n], query, path }) => {
      let list = this.repoRuns(o!, n!);
      const branch = query.get('branch');
      const sha = query.get('head_sha');
      const status = query.get('status');
      if (branch) list = list.filter((x) => x.head_branch === branch);
      if (sha) list = list.filter((x) => x.head_sha === sha);
      if (status) list = list.filter((x) => x.status === status || x.conclusion === status);
      list = [...list].sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id - a.id);
      const page = paginate(list, query, { defaultPerPage: 30, listUrl: this.url + path });
      return {
        status: 200,
        headers: page.headers,
        body: { total_count: list.length, workflow_runs: page.items },
      };
    });

    api.route('GET', '/repos/:owner/:repo/actions/runs/:id', ({ params: [o, n, id] }) => {
      const run = this.repoRuns(o!, n!).find((x) => x.id === Number(id));
      return run ? { status: 200, body: run } : notFound;
    });

    api.route('GET', '/repos/:owner/:repo/actions/runs/:id/jobs', ({ params: [o, n, id], query, path }) => {
      const run = this.repoRuns(o!, n!).find((x) => x.id === Number(id));
      if (!run) return notFound;
      const list = this.jobs.get(run.id) ?? [];
      const page = paginate(list, query, { defaultPerPage: 30, listUrl: this.url + path });
      return { status: 200, headers: page.headers, body: { total_count: list.length, jobs: page.items } };
    });

    api.route('GET', '/repos/:owner/:repo/actions/jobs/:id', ({ params: [o, n, id] }) => {
      const job = this.findJob(o!, n!, Number(id));
      return job ? { status: 200, body: job } : notFound;
    });

    api.route('GET', '/repos/:owner/:repo/actions/jobs/:id/logs', ({ params: [o, n, id] }) => {
      const job = this.findJob(o!, n!, Number(id));
      if (!job || job.status !== 'completed' || !this.logs.has(job.id)) return notFound;
      const expires = Math.floor(Date.now() / 1000) + 60;
      const path = `/blobs/jobs/${job.id}/log.txt`;
      const location = `${this.logHost.origin}${path}?sig=${sign(LOG_SECRET, path, expires)}&se=${expires}&sp=r`;
      return { status: 302, headers: { location } };
    });

    this.logHost.route('GET', '/jobs/:id/log.txt', ({ params: [id], query, headers, path }) => {
      if (headers.authorization)
        return {
          status: 400,
          body: '<Error><Code>InvalidAuthenticationInfo</Code><Message>Authorization header not allowed with a signed URL</Message></Error>',
        };
      const expires = Number(query.get('se'));
      if (query.get('sig') !== sign(LOG_SECRET, '/blobs' + path, expires) || expires * 1000 < Date.now())
        return { status: 403, body: '<Error><Code>AuthenticationFailed</Code></Error>' };
      const log = this.logs.get(Number(id));
      return log === undefined ? { status: 404, body: 'BlobNotFound' } : { status: 200, log };
    });

    api.route(
      'GET',
      '/repos/:owner/:repo/check-runs/:id/annotations',
      ({ params: [o, n, id], query, path }) => {
        if (!this.findJob(o!, n!, Number(id))) return notFound;
        const list = this.annotations.get(Number(id)) ?? [];
        const page = paginate(list, query, { defaultPerPage: 30, listUrl: this.url + path });
        return { status: 200, headers: page.headers, body: page.items };
      },
    );

    api.route('GET', '/repos/:owner/:repo/pulls', ({ params: [o, n], query }) => {
      const head = query.get('head');
      const state = query.get('state') ?? 'open';
      const list = this.pulls.filter(
        (p) =>
          p.base.repo.full_name === `${o}/${n}` &&
          (state === 'all' || p.state === state) &&
          (!head || `${p.head.repo.owner.login}:${p.head.ref}` === head),
      );
      return { status: 200, body: list };
    });

    api.route('POST', '/repos/:owner/:repo/actions/runs/:id/rerun-failed-jobs', ({ params: [o, n, id] }) => {
      const run = this.repoRuns(o!, n!).find((x) => x.id === Number(id));
      if (!run) return notFound;
      if (run.status !== 'completed') return { status: 403, body: err('This workflow run is not completed') };
      this.actions.push({ action: 'rerunFailedJobs', id: run.id });
      return { status: 201, body: {} };
    });

    api.route('POST', '/repos/:owner/:repo/actions/jobs/:id/rerun', ({ params: [o, n, id] }) => {
      const job = this.findJob(o!, n!, Number(id));
      if (!job) return notFound;
      this.actions.push({ action: 'rerunJob', id: job.id });
      return { status: 201, body: {} };
    });

    api.route('POST', '/repos/:owner/:repo/actions/runs/:id/cancel', ({ params: [o, n, id] }) => {
      const run = this.repoRuns(o!, n!).find((x) => x.id === Number(id));
      if (!run) return notFound;
      if (run.status === 'completed')
        return { status: 409, body: err('Cannot cancel a workflow run that is completed.') };
      this.actions.push({ action: 'cancelRun', id: run.id });
      return { status: 202, body: {} };
    });
  }
}

function err(message: string) {
  return { message, documentation_url: 'https://docs.github.com/rest', status: '' };
}
