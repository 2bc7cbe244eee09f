/**
 * Parsing a big log file on two threads: a pre-scan thread (`prescanThread.ts`) reads the file, splits and
 * classifies every line ahead of the parser, and the parser reads only the lines it hints at while idle
 * (`LogParser.prescanned`). The result is the parser's own whatever the thread does: hints only let it jump over
 * lines it would have skipped one by one, a chunk the scanner fails on comes without hints, and a thread that
 * does not start leaves the parse to one thread.
 */
import fs from 'node:fs';
import path from 'node:path';
import { MessageChannel, Worker } from 'node:worker_threads';
import { LogParser, parseChunks } from './parser';
import type { ParseOptions } from './parser';
import type { Problem } from './model';
import { FLOW_STOP, FLOW_TAKEN, READY } from './prescan';
import type { ReadFile, Scanned } from './prescan';

/** Bytes per read (64 KiB reads spend more on their round trips than on the bytes). */
const READ = 1 << 20;

/**
 * Chunks the thread may read ahead of the parser. A log alternates stretches the scanner is slower on (lines
 * nobody wants) with stretches the parser is (tool output): slack keeps both busy, in bounded memory.
 */
const AHEAD = 16;
/** How many chunks the parser takes between waking the thread (see `take`). */
const WAKE_EVERY = 4;

/**
 * Below this a second thread does not pay here: a new one takes 100-200 ms to start and runs slowly until its code
 * is optimised, and since the one-thread parse pre-scans in WebAssembly too (`parseChunks`) the thread only takes
 * that pre-scan off the parser (~1 ms a MB once warm). In a new process (the CLI): 40 MB 682-760 ms on one thread,
 * 764-778 on two; 100 MB the same either way. Warm (the language server), 200 MB: 924 -> 683 ms.
 */
export const AHEAD_MIN_BYTES = 64 << 20;

/** The pre-scan thread's script next to the running bundle (`dist/prescan.js`), or null. */
export function prescanScript(dir: string = __dirname): string | null {
  const f = path.join(dir, 'prescan.js');
  return fs.existsSync(f) ? f : null;
}

/** The script for a log of `bytes` (null: one thread is faster, or there is no script next to the bundle). */
export function prescanFor(bytes: number): string | null {
  return bytes >= AHEAD_MIN_BYTES ? prescanScript() : null;
}

/**
 * Starts a pre-scan thread and keeps it for the first big log (a long-lived process: the language server): that
 * parse then does not wait for a thread to start (~100 ms here, before its first problem).
 */
export async function prestartPrescan(script: string | null = prescanScript()): Promise<void> {
  if (script === null || (idle.get(script)?.length ?? 0) > 0) return;
  const w = await acquire(script);
  if (w !== null) release(script, w);
}

export interface AheadOptions {
  /** The pre-scan thread's script (`prescanFor`); null: one thread. */
  script: string | null;
  /**
   * Called before each chunk is parsed (the chunks before it are); what it throws (a cancellation) stops the
   * parse and is thrown.
   */
  beforeChunk?: () => void;
}

/**
 * Parses a log file as `parseChunks` parses its reads, handing each batch of problems to `onProblems`; with a
 * script, on two threads (the file must then stay put while it is read). With matchers of the caller's, on one:
 * a thread cannot be given functions. A read error is thrown as `fs` throws it (its `code` kept).
 */
export async function parseFileAhead(
  file: string,
  opts: ParseOptions,
  onProblems: (problems: Problem[]) => void,
  ahead: AheadOptions,
): Promise<LogParser> {
  const script = opts.matchers === undefined ? ahead.script : null;
  const thread = script !== null ? await acquire(script) : null;
  if (thread === null) return parseChunks(fileChunks(file, ahead.beforeChunk), opts, onProblems);
  const parser = new LogParser(opts);
  parser.prescanThread = true;
  const flow = new Int32Array(new SharedArrayBuffer(8));
  const recycle = new MessageChannel();
  /** Chunks parsed, not yet given back: the parser may still read the last one's bytes (a skipped line, decoded
   * if the next line asks for it as `previous`); a line of an older one it has copied. */
  const parsed: Uint8Array[] = [];
  return new Promise<LogParser>((resolve, reject) => {
    let over = false;
    const finish = (error?: unknown): void => {
      if (over) return;
      over = true;
      recycle.port1.close();
      thread.off('message', scanned);
      thread.off('error', lost);
      thread.off('exit', lost);
      if (error === undefined) {
        release(script!, thread);
        resolve(parser);
        return;
      }
      // Stopped mid-file: the thread is not reused.
      Atomics.store(flow, FLOW_STOP, 1);
      Atomics.notify(flow, FLOW_TAKEN);
      release(script!, thread, false);
      reject(error);
    };
    // One chunk per turn of the event loop: the thread's messages arrive in bursts (it reads ahead), and parsing
    // a burst at once kept a language server from its other requests (275 ms) and its progress from going out.
    const queue: Scanned[] = [];
    let pumping = false;
    const pump = (): void => {
      const m = queue.shift();
      if (m !== undefined && !over) take(m);
      pumping = queue.length > 0 && !over;
      if (pumping) setImmediate(pump);
    };
    const scanned = (m: Scanned): void => {
      if (over) return;
      queue.push(m);
      if (!pumping) {
        pumping = true;
        setImmediate(pump);
      }
    };
    const take = (m: Scanned): void => {
      try {
        if (m.error !== undefined) throw readError(m.error);
        parser.prescanned(m.hints);
        if (m.chunk !== null) {
          ahead.beforeChunk?.();
          parser.pushRead(m.chunk, onProblems);
          // The thread, AHEAD chunks ahead, sleeps; waking it for each chunk cost a system call each (~10 ms a
          // 200 MB log): every WAKE_EVERY, while AHEAD - WAKE_EVERY chunks still wait here.
          if ((Atomics.add(flow, FLOW_TAKEN, 1) + 1) % WAKE_EVERY === 0) Atomics.notify(flow, FLOW_TAKEN);
          parsed.push(m.chunk);
          if (parsed.length > 2) {
            const old = parsed.shift()!.buffer as ArrayBuffer;
            recycle.port1.postMessage(old, [old]);
          }
        }
        if (m.done === true) {
          const last = parser.endChunks();
          if (last.length > 0) onProblems(last);
          finish();
        }
      } catch (e) {
        finish(e);
      }
    };
    const lost = (): void => finish(new Error('the pre-scan thread stopped while it read the log'));
    thread.on('message', scanned);
    thread.on('error', lost);
    thread.on('exit', lost);
    const ask: ReadFile = {
      file,
      read: READ,
      ahead: AHEAD,
      flow: flow.buffer as SharedArrayBuffer,
      recycle: recycle.port2,
    };
    thread.postMessage(ask, [recycle.port2]);
  });
}

/** The file's reads, `beforeChunk` before each (the one-thread path). */
async function* fileChunks(file: string, beforeChunk?: () => void): AsyncGenerator<Buffer> {
  const stream = fs.createReadStream(file, { highWaterMark: READ });
  try {
    for await (const c of stream as AsyncIterable<Buffer>) {
      beforeChunk?.();
      yield c;
    }
  } finally {
    stream.destroy();
  }
}

/** A read error from the thread, as `fs` would have thrown it here. */
function readError(e: { code?: string; message: string }): Error {
  const err = new Error(e.message) as NodeJS.ErrnoException;
  if (e.code !== undefined) err.code = e.code;
  return err;
}

/**
 * Threads kept between parses, per script: a new thread's first megabytes scan at half speed (its code not yet
 * optimised), and the language server parses log after log.
 */
const idle = new Map<string, Worker[]>();
const KEEP = 2;

/** Threads parsing now; past MAX_BUSY, more logs at once are parsed on one thread each (memory stays bounded). */
let busy = 0;
const MAX_BUSY = 2;

/**
 * A ready thread (kept or new), or null when it does not start or MAX_BUSY are busy: the caller parses on one
 * thread. Give it back with `release` or terminate it.
 */
async function acquire(script: string): Promise<Worker | null> {
  if (busy >= MAX_BUSY) return null;
  busy++;
  const kept = idle.get(script)?.pop();
  if (kept !== undefined) {
    kept.ref();
    return kept;
  }
  const w = new Worker(script);
  // An idle thread that dies leaves the pool.
  w.on('exit', () => {
    const list = idle.get(script);
    const k = list?.indexOf(w) ?? -1;
    if (k >= 0) list!.splice(k, 1);
  });
  // A parse handles its thread's errors (see `lost`); an idle thread's must not go unhandled.
  w.on('error', () => {});
  const ready = await new Promise<boolean>((resolve) => {
    w.once('message', (m) => resolve(m === READY));
    w.once('error', () => resolve(false));
    w.once('exit', () => resolve(false));
  });
  if (ready) return w;
  busy--;
  void w.terminate();
  return null;
}

/** The parse is over: a thread that saw its file to the end is kept for the next, any other is stopped. */
function release(script: string, w: Worker, reusable = true): void {
  busy--;
  if (!reusable) {
    void w.terminate();
    return;
  }
  const list = idle.get(script) ?? [];
  idle.set(script, list);
  if (list.length >= KEEP) {
    void w.terminate();
    return;
  }
  // Kept, but it must not keep the process alive.
  w.unref();
  list.push(w);
}
