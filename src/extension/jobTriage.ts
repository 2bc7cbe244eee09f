/**
 * One failed job's problems, without parsing on the extension host's thread: the provider's log stream is
 * written to the disk cache (I/O only), then the worker thread parses the cached file, and the check-run
 * annotations are merged in.
 */
import type * as vscode from 'vscode';
import type { Environment, Problem } from '../core/model';
import type { CiProvider, Job } from '../providers/ciProvider';
import { isJobLogError, LogNotReadyError, NotFoundError, ScopeError } from '../providers/errors';
import type { LogCache, LogKey } from '../providers/logCache';
import { mergeAnnotations } from '../providers/mergeAnnotations';
import { parseInWorker } from './parseInWorker';

export interface JobProblems {
  job: Job;
  problems: Problem[];
  environment: Environment | null;
  /** The cached log file the problems' log lines refer to, or null when the log could not be had. */
  logFile: string | null;
  /** Why there are no problems to show (log expired, not ready, cut off), or null. */
  error: string | null;
  warnings: string[];
}

export interface JobTriageDeps {
  provider: CiProvider;
  cache: LogCache;
  workerScript: string;
  /** Folder the problems' `path` is made relative to (the repository's root). */
  workspace: string;
}

export async function triageJobInWorker(
  deps: JobTriageDeps,
  job: Job,
  token?: vscode.CancellationToken,
): Promise<JobProblems> {
  const { provider, cache } = deps;
  const warnings: string[] = [];
  const out: JobProblems = { job, problems: [], environment: null, logFile: null, error: null, warnings };
  const annotations = provider.annotations(job).catch((e: unknown) => {
    if (e instanceof ScopeError || e instanceof NotFoundError) {
      warnings.push(`annotations unavailable: ${e.message}`);
      return [];
    }
    throw e;
  });
  try {
    const key: LogKey = {
      provider: provider.kind,
      repo: provider.repo.path,
      jobId: job.id,
      attempt: job.attempt,
    };
    if (!(await cache.has(key))) {
      if (job.status !== 'completed') throw new LogNotReadyError(`job ${job.name} is still running`);
      // Draining the tee only moves bytes to disk; the parse happens in the worker below.
      for await (const _chunk of cache.tee(key, await provider.openLog(job))) {
        if (token?.isCancellationRequested) break;
      }
    }
    if (token?.isCancellationRequested) return out;
    const file = cache.fileFor(key);
    const parsed = await parseInWorker(deps.workerScript, { file, workspace: deps.workspace }, token);
    out.logFile = file;
    out.problems = mergeAnnotations(parsed.problems, await annotations);
    out.environment = parsed.environment;
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
