/** GitLab CI behind CiProvider: gitbeaker's resources over our requester, plain fetch for traces. */
import { Jobs, MergeRequests, Pipelines, Projects } from '@gitbeaker/rest';
import type {
  Annotation,
  CiProvider,
  Job,
  LogStream,
  PullRequestRef,
  RepositoryRef,
  RequestStats,
  Run,
  RunQuery,
} from '../ciProvider';
import { byHeadThenStatus, newestHeads } from '../ciProvider';
import { LogNotReadyError, registerSecret } from '../errors';
import { DEFAULT_RETRY, EtagCache, bodyStream, fetchWithRetry, newStats } from '../http';
import type { FetchFn, RetryPolicy } from '../http';
import { gitlabError } from './gitlabErrors';
import { authHeaders, makeRequesterFn } from './requester';
import { childPipelineIds, toJobs, toPullRequest, toRun } from './mapping';
import type { GlBridge, GlJob, GlMergeRequest, GlPipeline } from './mapping';

export interface GitlabProviderOptions {
  repo: RepositoryRef;
  token: string | null;
  retry?: Partial<RetryPolicy>;
  logIdleTimeoutMs?: number;
  etags?: EtagCache;
  fetch?: FetchFn;
}

/** Child pipelines of child pipelines are followed this deep. */
const MAX_CHILD_DEPTH = 3;

export class GitlabProvider implements CiProvider {
  readonly kind = 'gitlab';
  readonly repo: RepositoryRef;
  readonly stats: RequestStats = newStats();
  private readonly policy: RetryPolicy;
  private readonly host: string;
  private readonly rawFetch: FetchFn;
  private readonly pipelines: InstanceType<typeof Pipelines>;
  private readonly jobs: InstanceType<typeof Jobs>;
  private readonly projects: InstanceType<typeof Projects>;
  private readonly mergeRequests: InstanceType<typeof MergeRequests>;
  private projectId: number | null = null;

  constructor(private readonly opts: GitlabProviderOptions) {
    this.repo = opts.repo;
    this.policy = { ...DEFAULT_RETRY, ...opts.retry };
    this.host = new URL(opts.repo.apiUrl).host;
    this.rawFetch = opts.fetch ?? fetch;
    registerSecret(opts.token);
    const requesterFn = makeRequesterFn({
      token: opts.token,
      policy: this.policy,
      stats: this.stats,
      etags: opts.etags ?? new EtagCache(),
      fetch: this.rawFetch,
      host: this.host,
    });
    // `host` keeps its path: gitbeaker builds `${host}/api/v4/`, so https://HOST/gitlab works.
    const config = {
      host: opts.repo.apiUrl.replace(/\/+$/, ''),
      requesterFn,
      queryTimeout: null,
    } as unknown as ConstructorParameters<typeof Pipelines>[0];
    this.pipelines = new Pipelines(config);
    this.jobs = new Jobs(config);
    this.projects = new Projects(config);
    this.mergeRequests = new MergeRequests(config);
  }

  /** The numeric project id: pipelines carry it, and a fork's differs. */
  private async project(): Promise<number> {
    if (this.projectId === null) {
      const p = (await this.projects.show(this.repo.path)) as unknown as { id: number };
      this.projectId = p.id;
    }
    return this.projectId;
  }

  async findPullRequest(branch: string): Promise<PullRequestRef | null> {
    const id = await this.project();
    const list = (await this.mergeRequests.all({
      projectId: id,
      sourceBranch: branch,
      state: 'opened',
      perPage: 5,
      maxPages: 1,
    })) as unknown as GlMergeRequest[];
    const mr = list.find((m) => m.source_project_id === id) ?? null;
    return mr ? toPullRequest(mr) : null;
  }

  async listRuns(q: RunQuery): Promise<Run[]> {
    const id = await this.project();
    const perPage = Math.min(100, q.limit ?? 50);
    const list = (await this.pipelines.all(id, {
      ref: q.branch,
      ...(q.headSha ? { sha: q.headSha } : {}),
      orderBy: 'id',
      sort: 'desc',
      perPage,
      maxPages: 1,
    })) as unknown as GlPipeline[];
    // Merge request pipelines of a fork run under refs/merge-requests/..., and other projects' are not ours.
    // Child pipelines are listed too; they come in through their parent's bridges.
    const ours = list.filter(
      (p) => p.project_id === id && p.ref === q.branch && p.source !== 'parent_pipeline',
    );
    const shas = newestHeads(
      ours.map((p) => p.sha),
      q.headSha ? 1 : (q.heads ?? 1),
    );
    const latestPerSource = new Map<string, GlPipeline>();
    for (const p of ours) {
      if (!shas.includes(p.sha)) continue;
      const key = `${p.sha}\u0000${p.source}`;
      if (!latestPerSource.has(key)) latestPerSource.set(key, p);
    }
    return byHeadThenStatus(
      [...latestPerSource.values()].map((p) => toRun(p, this.repo.path)),
      shas,
    );
  }

  async listJobs(run: Run): Promise<Job[]> {
    const id = await this.project();
    const all: GlJob[] = [];
    let level = [Number(run.id)];
    const seen = new Set<number>();
    for (let depth = 0; depth <= MAX_CHILD_DEPTH && level.length > 0; depth++) {
      const next: number[] = [];
      for (const pid of level) {
        if (seen.has(pid)) continue;
        seen.add(pid);
        const jobs = (await this.jobs.all(id, {
          pipelineId: pid,
          includeRetried: true,
          perPage: 100,
        })) as unknown as GlJob[];
        all.push(...jobs);
        const bridges = (await this.jobs.allPipelineBridges(id, pid)) as unknown as GlBridge[];
        const children = childPipelineIds(bridges, id);
        if (depth > 0 && !run.childIds.includes(String(pid))) run.childIds.push(String(pid));
        next.push(...children);
      }
      level = next;
    }
    return toJobs(all);
  }

  async openLog(job: Job): Promise<LogStream> {
    const what = `the trace of job ${job.id} (${job.name})`;
    if (job.status !== 'completed')
      throw new LogNotReadyError(
        `${what} is not ready: the job is still ${job.status}; try again when it ends`,
      );
    const id = await this.project();
    // Plain fetch, not gitbeaker: its requester buffers the body or hands back a bare stream, and we need
    // the Response to check the stream against Content-Length and stalls while the parser reads it.
    const url = `${this.repo.apiUrl.replace(/\/+$/, '')}/api/v4/projects/${id}/jobs/${encodeURIComponent(job.id)}/trace`;
    const abort = new AbortController();
    this.stats.requests++;
    const res = await fetchWithRetry(
      this.rawFetch,
      url,
      { headers: { accept: 'text/plain', ...authHeaders(this.opts.token) }, signal: abort.signal },
      this.policy,
      this.stats,
      (status, _h, body) => gitlabError(status, body, this.host, what, Boolean(this.opts.token)),
    );
    return bodyStream(res, { what, idleTimeoutMs: this.opts.logIdleTimeoutMs, abort });
  }

  async annotations(_job: Job): Promise<Annotation[]> {
    // GitLab has no check-run annotations; code quality reports are artifacts, not API objects.
    return [];
  }

  async rerunFailedJobs(run: Run): Promise<void> {
    await this.pipelines.retry(await this.project(), Number(run.id));
  }

  async rerunJob(job: Job): Promise<void> {
    await this.jobs.retry(await this.project(), Number(job.id));
  }

  async cancelRun(run: Run): Promise<void> {
    await this.pipelines.cancel(await this.project(), Number(run.id));
  }
}
