/**
 * The failed runs of a branch, their failed jobs, and each job's problems: what `ci-triage runs` prints
 * and the extension's runs view shows. Built only on CiProvider and the engine.
 */
import { parseChunks } from '../core/parser';
import type { ParseOptions } from '../core/parser';
import type { Environment, Problem } from '../core/model';
import type { CiProvider, Job, LogStream, Run } from './ciProvider';
import { isJobLogError, NotFoundError, ScopeError } from './errors';
import { mergeAnnotations } from './mergeAnnotations';
import type { LogCache } from './logCache';

export interface TriagedJob {
  job: Job;
  /** Complete problems of the job, or [] when `error` is set: a partial log's problems are not shown. */
  problems: Problem[];
  environment: Environment | null;
  /** Why the job has no problems to show (log expired, not ready, cut off). */
  error: string | null;
  /** Things that did not stop the triage (annotations unreadable). */
  warnings: string[];
  /** Whether the log came from the disk cache. */
  fromCache: boolean;
}

export interface TriagedRun {
  run: Run;
  jobs: TriagedJob[];
}

export interface TriageOptions {
  parse?: ParseOptions;
  cache?: LogCache | null;
  /** Jobs parsed at once. */
  concurrency?: number;
}

export function isFailed(c: Run['conclusion']): boolean {
  return c === 'failure' || c === 'timedOut';
}

/** The failed runs of the branch's newest commit (or `headSha`), with their failed jobs parsed. */
export async function triageBranch(
  provider: CiProvider,
  query: { branch: string; headSha?: string | null },
  opts: TriageOptions = {},
): Promise<TriagedRun[]> {
  const runs = (await provider.listRuns(query)).filter((r) => isFailed(r.conclusion));
  const out: TriagedRun[] = [];
  for (const run of runs) {
    const jobs = (await provider.listJobs(run)).filter((j) => isFailed(j.conclusion) && !j.allowFailure);
    out.push({ run, jobs: await mapLimit(jobs, opts.concurrency ?? 4, (j) => triageJob(provider, j, opts)) });
  }
  return out;
}

/** One job's problems: its log parsed while it downloads (or from the cache), merged with its annotations. */
export async function triageJob(
  provider: CiProvider,
  job: Job,
  opts: TriageOptions = {},
): Promise<TriagedJob> {
  const warnings: string[] = [];
  const annotations = provider.annotations(job).catch((e: unknown) => {
    if (e instanceof ScopeError || e instanceof NotFoundError) {
      warnings.push(`annotations unavailable: ${e.message}`);
      return [];
    }
    throw e;
  });
  const result: TriagedJob = {
    job,
    problems: [],
    environment: null,
    error: null,
    warnings,
    fromCache: false,
  };
  try {
    const key = { provider: provider.kind, repo: provider.repo.path, jobId: job.id, attempt: job.attempt };
    const cached = opts.cache ? await opts.cache.read(key) : null;
    let stream: LogStream;
    if (cached) {
      stream = cached;
      result.fromCache = true;
    } else {
      const live = await provider.openLog(job);
      // Only finished jobs' logs are final, so only those are kept.
      stream = opts.cache && job.status === 'completed' ? opts.cache.tee(key, live) : live;
    }
    const parsed = await parseStream(stream, opts.parse);
    result.problems = mergeAnnotations(parsed.problems, await annotations);
    result.environment = parsed.environment;
  } catch (e) {
    await annotations.catch(() => []);
    if (isJobLogError(e)) {
      result.error = e.message;
      result.problems = [];
      return result;
    }
    throw e;
  }
  return result;
}

async function parseStream(stream: LogStream, parse: ParseOptions = {}) {
  const problems: Problem[] = [];
  const parser = await parseChunks(stream, parse, (ps) => {
    for (const p of ps) problems.push(p);
  });
  return { problems, environment: parser.environment };
}

/** Runs `fn` over `items` with at most `limit` at a time, keeping the order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (t: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
