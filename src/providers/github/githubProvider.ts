/** GitHub Actions behind CiProvider: octokit with the retry and throttling plugins, plus ETags. */
import { Octokit } from '@octokit/rest';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
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
import { LogNotReadyError, UnexpectedResponseError, registerSecret } from '../errors';
import { DEFAULT_RETRY, EtagCache, bodyStream, conditionalFetch, fetchWithRetry, newStats } from '../http';
import type { FetchFn, RetryPolicy } from '../http';
import { githubError } from './githubErrors';
import { toAnnotation, toJob, toPullRequest, toRun } from './mapping';
import type { GhRun } from './mapping';

export interface GithubProviderOptions {
  repo: RepositoryRef;
  token: string | null;
  retry?: Partial<RetryPolicy>;
  /** Give up on a log that sends nothing for this long. */
  logIdleTimeoutMs?: number;
  /** Shared between providers so a refresh by a new instance is still conditional. */
  etags?: EtagCache;
  fetch?: FetchFn;
}

const ThrottledOctokit = Octokit.plugin(retry, throttling);
type Client = InstanceType<typeof ThrottledOctokit>;

let instances = 0;
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

export class GithubProvider implements CiProvider {
  readonly kind = 'github';
  readonly repo: RepositoryRef;
  readonly stats: RequestStats = newStats();
  private readonly octokit: Client;
  private readonly owner: string;
  private readonly name: string;
  private readonly host: string;
  private readonly policy: RetryPolicy;
  private readonly rawFetch: FetchFn;

  constructor(private readonly opts: GithubProviderOptions) {
    this.repo = opts.repo;
    [this.owner, this.name] = opts.repo.path.split('/') as [string, string];
    this.host = new URL(opts.repo.apiUrl).host;
    this.policy = { ...DEFAULT_RETRY, ...opts.retry };
    this.rawFetch = opts.fetch ?? fetch;
    registerSecret(opts.token);
    const policy = this.policy;
    const stats = this.stats;
    // A short wait is worth it once; a long one becomes a RateLimitError with the reset time.
    const onLimit = (retryAfter: number, _o: unknown, _k: unknown, retryCount: number) => {
      if (retryCount < 1 && retryAfter * 1000 <= policy.maxRateLimitWaitMs) {
        stats.retries++;
        return true;
      }
      return false;
    };
    this.octokit = new ThrottledOctokit({
      auth: opts.token ?? undefined,
      baseUrl: opts.repo.apiUrl,
      userAgent: 'ci-triage',
      log: quiet,
      request: { fetch: conditionalFetch(opts.etags ?? new EtagCache(), this.stats, this.rawFetch) },
      retry: {
        retries: policy.retries,
        retryAfterBaseValue: policy.retryBaseMs,
        // 429 and 403 rate limits are the throttling plugin's; 410 means the log is gone for good.
        doNotRetry: [400, 401, 403, 404, 409, 410, 422, 429, 451],
      },
      throttle: {
        id: `ci-triage-${process.pid}-${++instances}`,
        onRateLimit: onLimit,
        onSecondaryRateLimit: onLimit,
      },
    });
  }

  private fail(e: unknown, what: string): never {
    throw githubError(e, this.host, what, Boolean(this.opts.token));
  }

  private get slug(): string {
    return `${this.owner}/${this.name}`;
  }

  async findPullRequest(branch: string): Promise<PullRequestRef | null> {
    try {
      const { data } = await this.octokit.rest.pulls.list({
        owner: this.owner,
        repo: this.name,
        head: `${this.owner}:${branch}`,
        state: 'open',
        per_page: 5,
      });
      return data[0] ? toPullRequest(data[0]) : null;
    } catch (e) {
      this.fail(e, `the pull requests of ${this.slug}`);
    }
  }

  async listRuns(q: RunQuery): Promise<Run[]> {
    let runs: GhRun[];
    try {
      const { data } = await this.octokit.rest.actions.listWorkflowRunsForRepo({
        owner: this.owner,
        repo: this.name,
        ...(q.headSha ? { head_sha: q.headSha } : { branch: q.branch }),
        per_page: Math.min(100, q.limit ?? 50),
      });
      runs = data.workflow_runs;
    } catch (e) {
      this.fail(e, `the workflow runs of ${this.slug}`);
    }
    // `branch=` also matches forks' pull requests from a branch of the same name: keep our repository's.
    const ours = runs.filter(
      (r) =>
        (r.head_repository?.full_name ?? this.slug).toLowerCase() === this.slug.toLowerCase() &&
        (q.headSha ? r.head_sha === q.headSha : r.head_branch === q.branch),
    );
    const newest = [...ours].sort((a, b) => (b.created_at ?? '').localeCompare(a.created_at ?? ''));
    const shas = newestHeads(
      newest.map((r) => r.head_sha),
      q.headSha ? 1 : (q.heads ?? 1),
    );
    const latestPerWorkflow = new Map<string, GhRun>();
    for (const r of newest) {
      if (!shas.includes(r.head_sha)) continue;
      const key = `${r.head_sha}\u0000${r.workflow_id}\u0000${r.event}`;
      if (!latestPerWorkflow.has(key)) latestPerWorkflow.set(key, r);
    }
    return byHeadThenStatus([...latestPerWorkflow.values()].map(toRun), shas);
  }

  async listJobs(run: Run): Promise<Job[]> {
    try {
      const jobs = await this.octokit.paginate(this.octokit.rest.actions.listJobsForWorkflowRun, {
        owner: this.owner,
        repo: this.name,
        run_id: Number(run.id),
        filter: 'latest',
        per_page: 100,
      });
      return jobs.map(toJob);
    } catch (e) {
      this.fail(e, `the jobs of run ${run.id} of ${this.slug}`);
    }
  }

  async openLog(job: Job): Promise<LogStream> {
    const what = `the log of job ${job.id} (${job.name})`;
    if (job.status !== 'completed')
      throw new LogNotReadyError(
        `${what} is not ready: the job is still ${job.status}; try again when it ends`,
      );
    let location: string | undefined;
    let direct: Response | null = null;
    try {
      // GitHub answers with a 302 to a short-lived blob URL on another host. Follow it by hand so the
      // Authorization header never goes there (and the body streams instead of being buffered).
      const res = await this.octokit.request('GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs', {
        owner: this.owner,
        repo: this.name,
        job_id: Number(job.id),
        request: { redirect: 'manual', parseSuccessResponseBody: false },
      });
      const status = res.status as number;
      if (status >= 300 && status < 400) location = res.headers.location;
      else if (status === 200 && res.data)
        direct = new Response(res.data as unknown as ReadableStream<Uint8Array>, {
          headers: res.headers as Record<string, string>,
        });
    } catch (e) {
      this.fail(e, what);
    }
    if (direct) return bodyStream(direct, { what, idleTimeoutMs: this.opts.logIdleTimeoutMs });
    if (!location) throw new UnexpectedResponseError(`${this.host} gave no log location for ${what}`, null);
    const abort = new AbortController();
    this.stats.requests++;
    const res = await fetchWithRetry(
      this.rawFetch,
      location,
      { headers: { accept: 'text/plain' }, signal: abort.signal },
      this.policy,
      this.stats,
      (status, headers, body) =>
        githubError(
          { status, response: { headers, data: { message: body.slice(0, 200) } } },
          new URL(location).host,
          what,
          false,
        ),
    );
    return bodyStream(res, { what, idleTimeoutMs: this.opts.logIdleTimeoutMs, abort });
  }

  async annotations(job: Job): Promise<Annotation[]> {
    try {
      const list = await this.octokit.paginate(this.octokit.rest.checks.listAnnotations, {
        owner: this.owner,
        repo: this.name,
        check_run_id: Number(job.id),
        per_page: 100,
      });
      return list.map(toAnnotation);
    } catch (e) {
      this.fail(e, `the annotations of job ${job.id}`);
    }
  }

  async rerunFailedJobs(run: Run): Promise<void> {
    try {
      await this.octokit.rest.actions.reRunWorkflowFailedJobs({
        owner: this.owner,
        repo: this.name,
        run_id: Number(run.id),
      });
    } catch (e) {
      this.fail(e, `re-running the failed jobs of run ${run.id}`);
    }
  }

  async rerunJob(job: Job): Promise<void> {
    try {
      await this.octokit.rest.actions.reRunJobForWorkflowRun({
        owner: this.owner,
        repo: this.name,
        job_id: Number(job.id),
      });
    } catch (e) {
      this.fail(e, `re-running job ${job.id}`);
    }
  }

  async cancelRun(run: Run): Promise<void> {
    try {
      await this.octokit.rest.actions.cancelWorkflowRun({
        owner: this.owner,
        repo: this.name,
        run_id: Number(run.id),
      });
    } catch (e) {
      this.fail(e, `cancelling run ${run.id}`);
    }
  }
}
