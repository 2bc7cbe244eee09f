/**
 * A fake GitLab v4 API (projects, pipelines, jobs, bridges, traces, merge requests) on 127.0.0.1, under
 * a path prefix like a self-hosted GitLab at `https://HOST/gitlab`. Project ids may be numeric or the
 * URL-encoded path with nested groups (`acme%2Fplatform%2Fbackend`).
 */
import { FakeHttpServer, paginate } from './httpFake';
import type { ActiveFault, FaultName, FaultOptions, RecordedRequest, Reply, RouteRequest } from './httpFake';
import { glJob, glPipeline, glProject, glBridge } from './builders';
import type {
  GlBridge,
  GlJob,
  GlJobInit,
  GlMergeRequest,
  GlPipeline,
  GlPipelineInit,
  GlProject,
} from './builders';

export interface GitlabFakeOptions {
  /** The instance path (default `/gitlab`); the API is under `${prefix}/api/v4`. */
  prefix?: string;
  token?: string;
}

export interface SeededGlJob extends GlJobInit {
  trace?: string;
}

export interface RecordedGlAction {
  action: 'retryJob' | 'cancelJob' | 'retryPipeline' | 'cancelPipeline';
  id: number;
}

export class GitlabFake {
  readonly token: string;
  readonly projects: GlProject[] = [];
  readonly pipelines: GlPipeline[] = [];
  readonly jobs = new Map<number, GlJob[]>();
  readonly bridges = new Map<number, GlBridge[]>();
  readonly traces = new Map<number, string>();
  readonly mergeRequests: GlMergeRequest[] = [];
  readonly actions: RecordedGlAction[] = [];
  readonly api: FakeHttpServer;
  private readonly prefix: string;

  private constructor(opts: GitlabFakeOptions) {
    this.token = opts.token ?? 'glpat-FakeToken0123456789ab';
    this.prefix = opts.prefix ?? '/gitlab';
    this.api = new FakeHttpServer(`${this.prefix}/api/v4`, 'api', {
      gate: (r, f) => this.gate(r, f),
      finish: (_r, reply) => this.finish(reply),
    });
    this.routes();
  }

  static async start(opts: GitlabFakeOptions = {}): Promise<GitlabFake> {
    const f = new GitlabFake(opts);
    await f.api.start();
    return f;
  }

  /** The instance URL to give the client, e.g. http://127.0.0.1:PORT/gitlab */
  get url(): string {
    return `${this.api.origin}${this.prefix}`;
  }

  get requests(): RecordedRequest[] {
    return this.api.requests;
  }

  clearRequests(): void {
    this.api.clearRequests();
  }

  fault(name: FaultName, opts: FaultOptions = {}): void {
    this.api.fault(name, opts);
  }

  clearFaults(): void {
    this.api.clearFaults();
  }

  async close(): Promise<void> {
    await this.api.close();
  }

  addProject(pathWithNamespace: string): GlProject {
    const p = glProject(this.url, pathWithNamespace);
    this.projects.push(p);
    return p;
  }

  addPipeline(project: GlProject, init: GlPipelineInit, jobs: SeededGlJob[] = []): GlPipeline {
    const p = glPipeline(project, init);
    this.pipelines.push(p);
    this.jobs.set(
      p.id,
      jobs.map((j) => {
        const job = glJob(project, p, j);
        if (j.trace !== undefined) this.traces.set(job.id, j.trace);
        return job;
      }),
    );
    return p;
  }

  /** A trigger job in `parent` whose downstream is `child` (a child pipeline, source parent_pipeline). */
  addBridge(project: GlProject, parent: GlPipeline, name: string, child: GlPipeline): void {
    const list = this.bridges.get(parent.id) ?? [];
    list.push(glBridge(project, parent, name, child));
    this.bridges.set(parent.id, list);
  }

  addMergeRequest(mr: GlMergeRequest): void {
    this.mergeRequests.push(mr);
  }

  private gate(r: RouteRequest, fault: ActiveFault | null): Reply | null {
    const priv = r.headers['private-token'];
    const bearer = /^Bearer (.+)$/i.exec(
      typeof r.headers.authorization === 'string' ? r.headers.authorization : '',
    )?.[1];
    const given = typeof priv === 'string' ? priv : bearer;
    if (given !== this.token || fault?.name === 'unauthorized')
      return { status: 401, body: { message: '401 Unauthorized' } };
    if (!fault) return null;
    const retryAfter = fault.retryAfter ?? 60;
    switch (fault.name) {
      case 'scope':
      case 'sso':
        return {
          status: 403,
          headers: {
            'www-authenticate':
              'Bearer realm="", error="insufficient_scope", error_description="The request requires higher privileges than provided by the access token.", scope="api read_api"',
          },
          body: {
            error: 'insufficient_scope',
            error_description: 'The request requires higher privileges than provided by the access token.',
            scope: 'api read_api',
          },
        };
      case 'notFound':
        return { status: 404, body: { message: '404 Project Not Found' } };
      case 'logExpired':
        return { status: 410, body: { message: '410 Gone' } };
      case 'rateLimit':
      case 'tooManyRequests':
      case 'secondaryRateLimit':
        return {
          status: 429,
          headers: {
            'retry-after': String(retryAfter),
            'ratelimit-remaining': '0',
            'ratelimit-reset': String(Math.floor(Date.now() / 1000) + retryAfter),
            'ratelimit-name': 'throttle_authenticated_api',
          },
          body: 'Retry later\n',
        };
      case 'serverError':
        return { status: 500, body: { message: '500 Internal Server Error' } };
      default:
        return null;
    }
  }

  private finish(reply: Reply): Reply {
    return {
      ...reply,
      headers: {
        'ratelimit-limit': '2000',
        'ratelimit-observed': '1',
        'ratelimit-remaining': '1999',
        'ratelimit-reset': String(Math.floor(Date.now() / 1000) + 60),
        'x-request-id': `01FAKE${this.api.requests.length}`,
        'x-runtime': '0.010',
        ...reply.headers,
      },
    };
  }

  private project(idOrPath: string): GlProject | undefined {
    return this.projects.find((p) => String(p.id) === idOrPath || p.path_with_namespace === idOrPath);
  }

  private listUrl(path: string): string {
    return `${this.api.url}${path}`;
  }

  private routes(): void {
    const api = this.api;
    const noProject: Reply = { status: 404, body: { message: '404 Project Not Found' } };
    const notFound = (what: string): Reply => ({ status: 404, body: { message: `404 ${what} Not Found` } });

    api.route('GET', '/projects/:id', ({ params: [id] }) => {
      const p = this.project(id!);
      return p ? { status: 200, body: p } : noProject;
    });

    api.route('GET', '/projects/:id/pipelines', ({ params: [id], query, path }) => {
      const p = this.project(id!);
      if (!p) return noProject;
      let list = this.pipelines.filter((x) => x.project_id === p.id);
      const ref = query.get('ref');
      const sha = query.get('sha');
      const status = query.get('status');
      if (ref) list = list.filter((x) => x.ref === ref);
      if (sha) list = list.filter((x) => x.sha === sha);
      if (status) list = list.filter((x) => x.status === status);
      list = [...list].sort((a, b) => (query.get('sort') === 'asc' ? a.id - b.id : b.id - a.id));
      const page = paginate(list, query, { defaultPerPage: 20, listUrl: this.listUrl(path) });
      return { status: 200, headers: { ...page.headers, ...page.gitlabHeaders }, body: page.items };
    });

    api.route('GET', '/projects/:id/pipelines/:pid', ({ params: [id, pid] }) => {
      const p = this.project(id!);
      const pipe = p && this.pipelines.find((x) => x.project_id === p.id && x.id === Number(pid));
      return pipe ? { status: 200, body: pipe } : notFound('Pipeline');
    });

    api.route('GET', '/projects/:id/pipelines/:pid/jobs', ({ params: [id, pid], query, path }) => {
      const p = this.project(id!);
      if (!p) return noProject;
      let list = this.jobs.get(Number(pid)) ?? [];
      if (query.get('include_retried') !== 'true') list = list.filter((j) => !j.retried);
      const page = paginate(list, query, { defaultPerPage: 20, listUrl: this.listUrl(path) });
      return { status: 200, headers: { ...page.headers, ...page.gitlabHeaders }, body: page.items };
    });

    api.route('GET', '/projects/:id/pipelines/:pid/bridges', ({ params: [id, pid], query, path }) => {
      if (!this.project(id!)) return noProject;
      const list = this.bridges.get(Number(pid)) ?? [];
      const page = paginate(list, query, { defaultPerPage: 20, listUrl: this.listUrl(path) });
      return { status: 200, headers: { ...page.headers, ...page.gitlabHeaders }, body: page.items };
    });

    const findJob = (id: string, jid: string): GlJob | undefined => {
      const p = this.project(id);
      if (!p) return undefined;
      for (const list of this.jobs.values()) {
        const j = list.find((x) => x.id === Number(jid) && x.pipeline.project_id === p.id);
        if (j) return j;
      }
      return undefined;
    };

    api.route('GET', '/projects/:id/jobs/:jid', ({ params: [id, jid] }) => {
      const j = findJob(id!, jid!);
      return j ? { status: 200, body: j } : notFound('Job');
    });

    api.route('GET', '/projects/:id/jobs/:jid/trace', ({ params: [id, jid] }) => {
      const j = findJob(id!, jid!);
      if (!j) return notFound('Job');
      return { status: 200, log: this.traces.get(j.id) ?? '' };
    });

    api.route('POST', '/projects/:id/jobs/:jid/retry', ({ params: [id, jid] }) => {
      const j = findJob(id!, jid!);
      if (!j) return notFound('Job');
      if (!['failed', 'canceled', 'success'].includes(j.status))
        return { status: 403, body: { message: '403 Forbidden  - Job is not retryable' } };
      this.actions.push({ action: 'retryJob', id: j.id });
      return {
        status: 201,
        body: { ...j, id: j.id + 1, status: 'pending', started_at: null, finished_at: null },
      };
    });

    api.route('POST', '/projects/:id/jobs/:jid/cancel', ({ params: [id, jid] }) => {
      const j = findJob(id!, jid!);
      if (!j) return notFound('Job');
      this.actions.push({ action: 'cancelJob', id: j.id });
      return { status: 201, body: { ...j, status: 'canceled' } };
    });

    for (const action of ['retry', 'cancel'] as const) {
      api.route('POST', `/projects/:id/pipelines/:pid/${action}`, ({ params: [id, pid] }) => {
        const p = this.project(id!);
        const pipe = p && this.pipelines.find((x) => x.project_id === p.id && x.id === Number(pid));
        if (!pipe) return notFound('Pipeline');
        this.actions.push({ action: action === 'retry' ? 'retryPipeline' : 'cancelPipeline', id: pipe.id });
        return {
          status: action === 'retry' ? 201 : 200,
          body: { ...pipe, status: action === 'retry' ? 'pending' : 'canceled' },
        };
      });
    }

    api.route('GET', '/projects/:id/merge_requests', ({ params: [id], query }) => {
      const p = this.project(id!);
      if (!p) return noProject;
      const branch = query.get('source_branch');
      const state = query.get('state');
      const list = this.mergeRequests.filter(
        (m) =>
          m.project_id === p.id &&
          (!branch || m.source_branch === branch) &&
          (!state || state === 'all' || m.state === state),
      );
      return { status: 200, body: list };
    });
  }
}
