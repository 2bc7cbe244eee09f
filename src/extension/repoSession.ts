/**
 * One repository's CI state: which provider and repository its remote points at, the branch's runs, their
 * jobs, and the failed jobs' problems. Loads on demand (never from activate()); a newer load cancels an
 * older one, so a branch switch mid-load never shows the old branch's runs.
 */
import * as vscode from 'vscode';
import type { CiProvider, Job, PullRequestRef, RepositoryRef, Run } from '../providers/ciProvider';
import { createProvider } from '../providers/createProvider';
import { AuthError, ProviderError, redact } from '../providers/errors';
import type { EtagCache } from '../providers/http';
import type { LogCache } from '../providers/logCache';
import { repositoryFromRemote } from '../providers/remoteUrl';
import { isFailed, mapLimit } from '../providers/triage';
import type { Auth } from './auth';
import { apiUrlFor, readConfig } from './config';
import type { RepoHead } from './gitRepositories';
import { cachedLog, triageJob } from './jobTriage';
import type { JobProblems, ParseLogFile } from './jobTriage';

export type SessionState =
  | { kind: 'idle' }
  | { kind: 'loading' }
  | { kind: 'noRemote'; message: string }
  | { kind: 'signedOut'; message: string }
  /** `reason` is the ProviderError kind (network, rateLimit, scope...) or 'unexpected'. */
  | { kind: 'error'; message: string; reason: string }
  | { kind: 'ready' };

export interface RunEntry {
  run: Run;
  /** The run's jobs; null until loaded (failed runs load at once, others when expanded). */
  jobs: Job[] | null;
  /** Failed jobs' problems by job id. */
  triaged: Map<string, JobProblems>;
  /** A run of an earlier commit than the branch's newest one with runs (ciTriage.problems.latestCommitOnly off). */
  olderCommit: boolean;
}

export interface SessionDeps {
  auth: Auth;
  cache: LogCache;
  etags: EtagCache;
  parse: ParseLogFile;
  log: vscode.LogOutputChannel;
}

const JOBS_AT_ONCE = 3;

export class RepoSession {
  state: SessionState = { kind: 'idle' };
  repo: RepositoryRef | null = null;
  pull: PullRequestRef | null = null;
  runs: RunEntry[] = [];
  /** Why the latest refresh failed while older runs stay on screen, or null. */
  refreshError: string | null = null;
  private provider: CiProvider | null = null;
  private loading: vscode.CancellationTokenSource | null = null;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(
    readonly head: RepoHead,
    private readonly deps: SessionDeps,
  ) {}

  get label(): string {
    return this.head.branch ?? '(detached HEAD)';
  }

  /** Every failed job's triage, for the Problems panel. */
  get failedJobs(): JobProblems[] {
    return this.runs.flatMap((r) => [...r.triaged.values()]);
  }

  /** Loads the branch's runs and the failed jobs' problems. Resolves once this load is over or superseded. */
  async load(): Promise<void> {
    this.loading?.cancel();
    const cts = new vscode.CancellationTokenSource();
    this.loading = cts;
    const t0 = Date.now();
    try {
      const provider = await this.connect();
      if (!provider || cts.token.isCancellationRequested) return;
      // Keep the old runs on screen during a refresh; only the first load shows the loading state.
      if (this.state.kind !== 'ready') this.setState({ kind: 'loading' });
      const branch = this.head.branch!;
      const [runs, pull] = await Promise.all([
        // The latest attempts of the newest commit's runs; with the setting off, also the two commits before,
        // so a failure stays in view while the new commit's runs are pending.
        provider.listRuns({ branch, heads: readConfig().latestCommitOnly ? 1 : 3 }),
        provider.findPullRequest(branch).catch(() => null),
      ]);
      if (cts.token.isCancellationRequested) return;
      // The provider orders them: the newest commit's first, failed and running first within a commit.
      const newest = runs[0]?.headSha ?? null;
      const entries: RunEntry[] = runs.map((run) => ({
        run,
        jobs: null,
        triaged: new Map(),
        olderCommit: run.headSha !== newest,
      }));
      // Fail fast: a running run's jobs are looked at too, so a job that already failed shows now, not
      // when the whole run ends.
      const triaged = new Map<string, JobProblems>();
      for (const e of entries.filter((x) => isFailed(x.run.conclusion) || x.run.status !== 'completed')) {
        e.jobs = await provider.listJobs(e.run);
        const failed = e.jobs.filter((j) => isFailed(j.conclusion) && !j.allowFailure);
        const results = await mapLimit(failed, JOBS_AT_ONCE, (j) => {
          // A finished job's log never changes: a refresh reuses its triage instead of parsing it again.
          const known = this.triageMemo.get(jobKey(j));
          if (known && !known.error) return Promise.resolve(known);
          return triageJob(
            { provider, cache: this.deps.cache, parse: this.deps.parse, workspace: this.head.root.fsPath },
            j,
            cts.token,
          );
        });
        if (cts.token.isCancellationRequested) return;
        for (const r of results) {
          e.triaged.set(r.job.id, r);
          triaged.set(jobKey(r.job), r);
        }
      }
      this.triageMemo = triaged;
      this.runs = entries;
      this.pull = pull;
      const problems = this.failedJobs.reduce((n, j) => n + j.problems.length, 0);
      this.deps.log.info(
        `${this.repo!.path} ${branch}: ${runs.length} runs, ${this.failedJobs.length} failed jobs, ` +
          `${problems} problems in ${Date.now() - t0} ms (${provider.stats.requests} requests, ` +
          `${provider.stats.notModified} not modified)`,
      );
      this.refreshError = null;
      this.setState({ kind: 'ready' });
    } catch (e) {
      if (cts.token.isCancellationRequested) return;
      this.fail(e);
    } finally {
      if (this.loading === cts) this.loading = null;
      cts.dispose();
    }
  }

  /** A run's jobs, loading them once for runs that did not fail. */
  async jobsOf(entry: RunEntry): Promise<Job[]> {
    if (entry.jobs) return entry.jobs;
    if (!this.provider) return [];
    entry.jobs = await this.provider.listJobs(entry.run);
    return entry.jobs;
  }

  async rerunFailedJobs(run: Run): Promise<void> {
    await (await this.connected()).rerunFailedJobs(run);
  }

  async rerunJob(job: Job): Promise<void> {
    await (await this.connected()).rerunJob(job);
  }

  async cancelRun(run: Run): Promise<void> {
    await (await this.connected()).cancelRun(run);
  }

  /** The job's log in the cache, downloaded first if need be. */
  async logOf(job: Job, token?: vscode.CancellationToken): Promise<string> {
    const known = this.triageMemo.get(jobKey(job))?.logFile;
    if (known) return known;
    return cachedLog(await this.connected(), this.deps.cache, job, token);
  }

  private async connected(): Promise<CiProvider> {
    const provider = this.provider ?? (await this.connect());
    if (!provider) throw new Error(this.state.kind === 'ready' ? 'not connected' : describe(this.state));
    return provider;
  }

  private triageMemo = new Map<string, JobProblems>();

  /** Stops any load; the session is about to be dropped. */
  dispose(): void {
    this.loading?.cancel();
    this.changed.dispose();
  }

  /** The provider for the remote, or null after setting the state that says why there is none. */
  private async connect(): Promise<CiProvider | null> {
    const config = readConfig();
    if (this.head.remoteUrl === null) {
      this.setState({ kind: 'noRemote', message: `${this.head.root.fsPath} has no git remote.` });
      return null;
    }
    if (this.head.branch === null) {
      this.setState({
        kind: 'noRemote',
        message: 'HEAD is detached: check out a branch to see its CI runs.',
      });
      return null;
    }
    let repo: RepositoryRef;
    try {
      const provider = config.provider === 'auto' ? null : config.provider;
      // The provider decides which URL setting applies; resolve once to learn it, then with its URL.
      const guess = repositoryFromRemote(this.head.remoteUrl, { provider });
      repo = repositoryFromRemote(this.head.remoteUrl, {
        provider: guess.provider,
        apiUrl: apiUrlFor(config, guess.provider),
      });
    } catch (e) {
      const why = (e as Error).message.replace('pass --provider github|gitlab', 'set ciTriage.provider');
      this.setState({ kind: 'noRemote', message: `${redact(why)}.` });
      return null;
    }
    const found = await this.deps.auth.token(repo.provider);
    if (!found) {
      const name = repo.provider === 'github' ? 'GitHub' : 'GitLab';
      // code-server takes GITHUB_TOKEN for itself and removes it from the extension host's environment.
      const env = repo.provider === 'github' ? 'GITHUB_TOKEN or GH_TOKEN' : 'GITLAB_TOKEN';
      this.setState({
        kind: 'signedOut',
        message: `No ${name} token for ${repo.path}: set one, or start VS Code with ${env}.`,
      });
      return null;
    }
    const same = this.provider && this.repo && sameRepo(this.repo, repo) && this.token === found.token;
    if (!same) {
      this.repo = repo;
      this.token = found.token;
      this.provider = createProvider(repo, { token: found.token, etags: this.deps.etags });
      this.deps.log.info(`${repo.path}: ${repo.provider} at ${repo.apiUrl}, token from ${found.source}`);
    }
    return this.provider;
  }

  private token: string | null = null;

  private fail(e: unknown): void {
    if (this.state.kind === 'ready' && !(e instanceof AuthError)) {
      // A failed refresh keeps the runs already shown (a network blip must not blank the view) and says so.
      const msg = e instanceof ProviderError ? e.message : redact(e instanceof Error ? e.message : String(e));
      this.refreshError = msg;
      this.deps.log.warn(`${this.head.root.fsPath}: refresh failed: ${msg}`);
      this.changed.fire();
      return;
    }
    if (e instanceof AuthError) {
      this.setState({ kind: 'signedOut', message: `${e.message}. Set a new token.` });
    } else if (e instanceof ProviderError) {
      this.setState({ kind: 'error', message: e.message, reason: e.kind });
    } else {
      const msg = redact(e instanceof Error ? e.message : String(e));
      this.deps.log.error(redact(e instanceof Error ? (e.stack ?? msg) : msg));
      this.setState({ kind: 'error', message: `Unexpected failure: ${msg}`, reason: 'unexpected' });
    }
    this.deps.log.warn(`${this.head.root.fsPath}: ${describe(this.state)}`);
  }

  private setState(s: SessionState): void {
    this.state = s;
    this.changed.fire();
  }
}

export function describe(s: SessionState): string {
  return 'message' in s ? s.message : s.kind;
}

function jobKey(j: Job): string {
  return `${j.id}:${j.attempt}:${j.status}:${j.conclusion ?? ''}`;
}

function sameRepo(a: RepositoryRef, b: RepositoryRef): boolean {
  return a.provider === b.provider && a.apiUrl === b.apiUrl && a.path === b.path;
}
