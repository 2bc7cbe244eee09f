/**
 * The pre-scan thread (bundled as `dist/prescan.js`) of `parseFileAhead`: asked to read a file (`ReadFile`), it
 * reads it itself and posts each chunk with its hints (`Prescanner`), at most `ahead` chunks ahead of what the
 * parser took (a shared counter), then `done`; then it waits for the next file. The reads are here, not on the
 * parser's thread: with them on the parser's event loop (a stream read while it parsed), the two threads took
 * turns instead of working at once. A chunk always comes: if the scanner throws, the rest of the file gets no
 * hints (the parser reads it line by line) but loses nothing.
 */
import fs from 'node:fs';
import { parentPort, receiveMessageOnPort } from 'node:worker_threads';
import { FLOW_STOP, FLOW_TAKEN, Prescanner, READY } from './prescan';
import type { ReadFile, Scanned } from './prescan';

const NONE = new Float64Array(0);
const port = parentPort;
if (port !== null) {
  let scanner: Prescanner | null = new Prescanner();
  const scan = (chunk: Uint8Array | null): Float64Array => {
    try {
      if (scanner !== null) return chunk !== null ? scanner.push(chunk) : scanner.end();
    } catch {
      scanner = null;
    }
    return NONE;
  };
  const post = (m: Scanned): void => {
    // Moved, not copied (but the shared empty array).
    const moved: ArrayBuffer[] = [];
    if (m.hints !== NONE) moved.push(m.hints.buffer as ArrayBuffer);
    if (m.chunk !== null) moved.push(m.chunk.buffer as ArrayBuffer);
    port.postMessage(m, moved);
  };
  port.on('message', (m: ReadFile) => {
    readFile(m);
    scanner = new Prescanner();
  });
  const readFile = (m: ReadFile): void => {
    const flow = new Int32Array(m.flow);
    let fd = -1;
    try {
      fd = fs.openSync(m.file, 'r');
      for (let k = 0; ; k++) {
        // Wait while AHEAD chunks are not taken yet (or until told to stop).
        for (;;) {
          if (Atomics.load(flow, FLOW_STOP) !== 0) return;
          const taken = Atomics.load(flow, FLOW_TAKEN);
          if (k - taken < m.ahead) break;
          Atomics.wait(flow, FLOW_TAKEN, taken, 1000);
        }
        // Memory the parser gave back, else new (reading into new memory took 3-10 times as long).
        const back = receiveMessageOnPort(m.recycle)?.message as ArrayBuffer | undefined;
        const buf =
          back !== undefined && back.byteLength === m.read
            ? Buffer.from(back)
            : Buffer.allocUnsafeSlow(m.read);
        const n = fs.readSync(fd, buf, 0, buf.length, null);
        if (n === 0) break;
        const chunk = n === buf.length ? buf : buf.subarray(0, n);
        post({ hints: scan(chunk), chunk });
      }
      post({ hints: scan(null), chunk: null, done: true });
    } catch (e) {
      port.postMessage({ hints: NONE, chunk: null, done: true, error: describe(e) } satisfies Scanned);
    } finally {
      if (fd >= 0) fs.closeSync(fd);
      m.recycle.close();
    }
  };
  port.postMessage(READY);
}

function describe(e: unknown): { code?: string; message: string } {
  const code = (e as NodeJS.ErrnoException).code;
  return {
    ...(typeof code === 'string' ? { code } : {}),
    message: e instanceof Error ? e.message : String(e),
  };
}
