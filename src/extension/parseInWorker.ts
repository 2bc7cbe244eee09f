/** Runs the log engine in a worker thread, so a large log never blocks the extension host's event loop. */
import { Worker } from 'node:worker_threads';
import type * as vscode from 'vscode';
import type { ParseWorkerInput, ParseWorkerMessage } from '../core/parseWorker';
import type { Environment, LogFormat, Problem, Step } from '../core/model';

export interface WorkerParseResult {
  problems: Problem[];
  lines: number;
  format: LogFormat;
  steps: Step[];
  environment: Environment;
}

export class ParseCancelled extends Error {
  constructor() {
    super('parse cancelled');
  }
}

/**
 * Parses `input.file` in a new worker running `workerScript` (dist/parseWorker.js). Cancelling the token
 * terminates the worker and rejects with ParseCancelled.
 */
export function parseInWorker(
  workerScript: string,
  input: ParseWorkerInput,
  token?: vscode.CancellationToken,
): Promise<WorkerParseResult> {
  if (token?.isCancellationRequested) return Promise.reject(new ParseCancelled());
  return new Promise((resolve, reject) => {
    const problems: Problem[] = [];
    let settled = false;
    const worker = new Worker(workerScript, { workerData: input });
    const finish = (settle: () => void) => {
      if (settled) return;
      settled = true;
      cancelled?.dispose();
      void worker.terminate();
      settle();
    };
    const cancelled = token?.onCancellationRequested(() => finish(() => reject(new ParseCancelled())));
    worker.on('message', (m: ParseWorkerMessage) => {
      switch (m.kind) {
        case 'problems':
          for (const p of m.problems) problems.push(p);
          break;
        case 'done':
          finish(() =>
            resolve({
              problems,
              lines: m.lines,
              format: m.format,
              steps: m.steps,
              environment: m.environment,
            }),
          );
          break;
        case 'error':
          finish(() => reject(new Error(m.message)));
          break;
      }
    });
    worker.on('error', (e) => finish(() => reject(e)));
    worker.on('exit', (code) =>
      finish(() => reject(new Error(`the parse worker stopped (exit code ${code}) before it finished`))),
    );
  });
}
