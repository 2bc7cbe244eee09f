/**
 * One failed job's problems, without parsing on the extension host's thread: the provider's log stream is
 * written to the disk cache (I/O only), then the language server parses the cached file, and the check-run
 * annotations are merged in.
 */
import type * as vscode from 'vscode';
import type { Environment, Problem, Step } from '../core/model';
import type { ParseLogFileResult } from '../protocol';
import type { CiProvider, Job } from '../providers/ciProvider';
import { isJobLogError, LogNotReadyError, NotFoundError, ScopeError } from '../providers/errors';
import type { LogCache, LogKey } from '../providers/logCache';
import { mergeAnnotations } from '../providers/mergeAnnotations';

export interface JobProblems {
  job: Job;
  problems: Problem[];
  environment: Environment | null;
  /** The log's steps (sections, groups), empty when the log could not be had. */
  steps: Step[];
  /** The cached log file the problems' log lines refer to, or null when the log could not be had. */
  logFile: string | null;
  /** Why there are no problems to show (log expired, not ready, cut off), or null. */
  error: string | null;
  warnings: string[];
}

/** Parses a log file off the extension host's thread (the language server; a JSON-RPC peer in benchmarks). */
export type ParseLogFile = (
  file: string,
  workspace: string | null,
  token?: vscode.CancellationToken,
) => Promise<ParseLogFileResult>;

export interface JobTriageDeps {
  provider: CiProvider;
  cache: LogCache;
  parse: ParseLogFile;
  /** Folder the problems' `path` is made relative to (the repository's root). */
  workspace: string;
}

/**
 * The job's log file in the cache, downloading it first if need be (I/O only: the bytes go to disk). Throws
 * LogNotReadyError while the job runs, and the provider's job-log errors (expired, cut off).
 */
export async function cachedLog(
  provider: CiProvider,
  cache: LogCache,
  job: Job,
  token?: vscode.CancellationToken,
): Promise<string> {
  const key: LogKey = {
    provider: provider.kind,
    repo: provider.repo.path,
    jobId: job.id,
    attempt: job.attempt,
  };
  if (!(await cache.has(key))) {
    if (job.status !== 'completed') throw new LogNotReadyError(`job ${job.name} is still running`);
    for await (const _chunk of cache.tee(key, await provider.openLog(job))) {
      if (token?.isCancellationRequested) break;
    }
  }
  return cache.fileFor(key);
}

export async function triageJob(
  deps: JobTriageDeps,
  job: Job,
  token?: vscode.CancellationToken,
): Promise<JobProblems> {
  const { provider, cache } = deps;
  const warnings: string[] = [];
  const out: JobProblems = {
    job,
    problems: [],
    environment: null,
    steps: [],
    logFile: null,
    error: null,
    warnings,
  };
  const annotations = provider.annotations(job).catch((e: unknown) => {
    if (e instanceof ScopeError || e instanceof NotFoundError) {
      warnings.push(`annotations unavailable: ${e.message}`);
      return [];
    }
    throw e;
  });
  try {
    const file = await cachedLog(provider, cache, job, token);
    if (token?.isCancellationRequested) return out;
    const parsed = await deps.parse(file, deps.workspace, token);
    out.logFile = file;
    out.problems = mergeAnnotations(parsed.problems, await annotations);
    out.environment = parsed.environment;
    out.steps = parsed.steps;
  } catch (e) {
    await annotations.catch(() => []);
    if (isJobLogError(e)) {
      out.error = e.message;
      return out;
    }
    throw e;
  }
  return out;
}
