/**
 * The one seam between CI Triage and a CI service. GitHub Actions and GitLab CI implement it; nothing
 * above `providers/` sees an octokit or gitbeaker type, only the model below.
 */

export type ProviderKind = 'github' | 'gitlab';

/** Where a repository lives: the API to talk to and its path there. */
export interface RepositoryRef {
  provider: ProviderKind;
  /** REST base: `https://api.github.com`, `https://HOST/api/v3`, or the GitLab instance `https://HOST[/prefix]`. */
  apiUrl: string;
  /** Web base for links: `https://github.com`, `https://HOST[/prefix]`. */
  webUrl: string;
  /** `owner/name` on GitHub; `group/sub/project` on GitLab. */
  path: string;
}

/** Normalised run/job state. `queued` and `running` are not finished; the others are. */
export type RunStatus = 'queued' | 'running' | 'completed';

/** Outcome of a finished run/job, in our words. `null` while not finished. */
export type Conclusion = 'success' | 'failure' | 'cancelled' | 'skipped' | 'neutral' | 'timedOut' | null;

/** One run of a workflow (GitHub) or a pipeline (GitLab), child pipelines included. */
export interface Run {
  provider: ProviderKind;
  /** Provider id as a string (GitHub run id, GitLab pipeline id). */
  id: string;
  name: string;
  url: string;
  branch: string | null;
  headSha: string;
  /** The repository the run's commit came from (`owner/name`); a fork's run is not ours. */
  headRepository: string | null;
  status: RunStatus;
  conclusion: Conclusion;
  /** The provider's raw status word (GitHub conclusion or status, GitLab status), for display. */
  rawStatus: string;
  /** GitHub `run_attempt`; for GitLab the highest attempt of any of its jobs. */
  attempt: number;
  event: string | null;
  createdAt: string | null;
  updatedAt: string | null;
  /** GitLab child pipelines' ids whose jobs this run includes. */
  childIds: string[];
}

export interface Step {
  number: number;
  name: string;
  status: RunStatus;
  conclusion: Conclusion;
  startedAt: string | null;
  completedAt: string | null;
}

/** An earlier try of the same job (GitLab retried jobs keep their own id). */
export interface Attempt {
  attempt: number;
  jobId: string;
  conclusion: Conclusion;
  startedAt: string | null;
}

export interface Job {
  provider: ProviderKind;
  id: string;
  runId: string;
  name: string;
  url: string;
  status: RunStatus;
  conclusion: Conclusion;
  rawStatus: string;
  /** 1 for the first try. */
  attempt: number;
  /** Earlier tries, oldest first (GitLab); GitHub keeps them under the run's earlier attempts. */
  previousAttempts: Attempt[];
  /** A failure the pipeline tolerates (GitLab `allow_failure`). */
  allowFailure: boolean;
  startedAt: string | null;
  completedAt: string | null;
  steps: Step[];
  /** GitLab stage, GitHub null. */
  stage: string | null;
}

/** A GitHub check-run annotation: file and line that the raw log lost. */
export interface Annotation {
  file: string | null;
  line: number | null;
  endLine: number | null;
  column: number | null;
  endColumn: number | null;
  severity: 'error' | 'warning' | 'info';
  title: string | null;
  message: string;
}

export interface PullRequestRef {
  number: number;
  url: string;
  headSha: string;
  headBranch: string;
  /** `owner/name` of the head (a fork for outside contributions). */
  headRepository: string | null;
}

export interface RunQuery {
  branch: string;
  /** Only runs of this commit (a PR's head); otherwise the newest commit that has runs on the branch. */
  headSha?: string | null;
  /** At most this many recent runs are looked at (default 50). */
  limit?: number;
  /** How many of the branch's newest commits with runs to include (default 1: the newest only). */
  heads?: number;
}

/** Requests sent, and how many a conditional request answered with 304. */
export interface RequestStats {
  requests: number;
  notModified: number;
  retries: number;
}

/** A job log, as bytes arriving. Breaks with LogIncompleteError if the download stops part way. */
export type LogStream = AsyncIterable<Uint8Array>;

export interface CiProvider {
  readonly kind: ProviderKind;
  readonly repo: RepositoryRef;
  readonly stats: RequestStats;
  /** The open pull/merge request whose head is `branch` in this repository, or null. */
  findPullRequest(branch: string): Promise<PullRequestRef | null>;
  /**
   * The latest run (attempt) of each workflow (pipeline) for the branch's newest commit, or its `heads`
   * newest commits: the newest commit's first, failed and running first within a commit.
   */
  listRuns(query: RunQuery): Promise<Run[]>;
  /** The run's jobs (child pipelines' too), latest attempt of each, with steps. */
  listJobs(run: Run): Promise<Job[]>;
  /** The job's log as a stream. LogNotReadyError while the job runs; LogExpiredError once deleted. */
  openLog(job: Job): Promise<LogStream>;
  /** Annotations attached to the job (GitHub check-run annotations; none on GitLab). */
  annotations(job: Job): Promise<Annotation[]>;
  rerunFailedJobs(run: Run): Promise<void>;
  rerunJob(job: Job): Promise<void>;
  cancelRun(run: Run): Promise<void>;
}

export function isFinished(s: RunStatus): boolean {
  return s === 'completed';
}

/** Failed first, then running/queued, then the rest; newest first inside each group. */
export function compareRuns(a: Run, b: Run): number {
  const rank = (r: Run) =>
    r.conclusion === 'failure' || r.conclusion === 'timedOut' ? 0 : r.status !== 'completed' ? 1 : 2;
  return rank(a) - rank(b) || (b.createdAt ?? '').localeCompare(a.createdAt ?? '');
}

/** The first `n` distinct commits of `shas` (newest first), at least one. */
export function newestHeads(shas: readonly string[], n: number): string[] {
  const out: string[] = [];
  for (const s of shas) {
    if (out.length >= Math.max(1, n)) break;
    if (!out.includes(s)) out.push(s);
  }
  return out;
}

/** The newest commit's runs first, then each older commit's; compareRuns within a commit. */
export function byHeadThenStatus(runs: Run[], shas: readonly string[]): Run[] {
  return runs.sort((a, b) => shas.indexOf(a.headSha) - shas.indexOf(b.headSha) || compareRuns(a, b));
}
