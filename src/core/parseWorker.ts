/**
 * Worker-thread entry (bundled as dist/parseWorker.js): parses a log file off the caller's thread.
 *
 * The file is streamed from disk in bounded memory; problems go back in batches as they are found, so the
 * caller (the extension host) only receives results and never holds the log. Cancel by terminating the
 * worker. No `vscode` here: the same entry serves any Node caller.
 */
import { createReadStream } from 'node:fs';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { parseChunks } from './parser';
import type { LogParser } from './parser';
import type { Environment, LogFormat, Problem, Step } from './model';

/** What the worker is started with (`workerData`). */
export interface ParseWorkerInput {
  /** Absolute path of the log file. */
  file: string;
  /** The workspace folder the problems' `path` is made relative to, or null. */
  workspace: string | null;
}

/** Messages from the worker, in order: any number of `problems`, then one `done` or one `error`. */
export type ParseWorkerMessage =
  | { kind: 'problems'; problems: Problem[] }
  | { kind: 'done'; lines: number; format: LogFormat; steps: Step[]; environment: Environment }
  | { kind: 'error'; message: string };

const CHUNK_BYTES = 1 << 20;
// Large enough that a log full of problems is not thousands of messages, small enough to show early ones soon.
const BATCH = 500;

/** Parses `input.file`, posting messages to `post`. Never throws: a read failure becomes an `error` message. */
export async function parseFileForWorker(
  input: ParseWorkerInput,
  post: (m: ParseWorkerMessage) => void,
): Promise<void> {
  let batch: Problem[] = [];
  const add = (ps: Problem[]) => {
    for (const p of ps) batch.push(p);
    if (batch.length >= BATCH) {
      post({ kind: 'problems', problems: batch });
      batch = [];
    }
  };
  let parser: LogParser;
  try {
    parser = await parseChunks(
      createReadStream(input.file, { highWaterMark: CHUNK_BYTES }) as AsyncIterable<Buffer>,
      { workspace: input.workspace },
      add,
    );
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    // An errno code means the file could not be read; anything else is a bug in the engine.
    const message = err.code
      ? `cannot read ${input.file}: ${err.code}`
      : `parsing ${input.file} failed: ${err.message}`;
    post({ kind: 'error', message });
    return;
  }
  if (batch.length > 0) post({ kind: 'problems', problems: batch });
  post({
    kind: 'done',
    lines: parser.lines,
    format: parser.format,
    steps: parser.steps,
    environment: parser.environment,
  });
}

function main(port: MessagePort): void {
  void parseFileForWorker(workerData as ParseWorkerInput, (m) => port.postMessage(m));
}

if (!isMainThread && parentPort) main(parentPort);
