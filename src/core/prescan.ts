/**
 * The pre-scan: which lines of a GitHub raw log an idle parser would read, found ahead of the parser (on another
 * thread, see `prescanThread.ts`), so that the parser jumps over the others instead of splitting and classifying
 * each. Most lines of a real log interest no one, and classifying them is a third of the parser's time.
 */
import { mayWantRaw } from './environment';
import { runnerTextStart } from './framing';
import { ByteLineKind, ByteLines, DEFAULT_MAX_LINE_LENGTH } from './lines';
import { createDispatcher, scanRaw } from './matcher';
import type { Dispatcher, MatcherFactory, RawText } from './matcher';
import { allMatchers } from './matchers/registry';
import { ASK, LineFilter, REC } from './prescanWasm';
import type { MessagePort } from 'node:worker_threads';

/** What the pre-scan thread gives back for a chunk: its hints and the chunk itself (null: the stream's end). */
export interface Scanned {
  hints: Float64Array;
  chunk: Uint8Array | null;
  /** A file read by the thread ended (its last hints are here), or could not be read (`error`). */
  done?: boolean;
  error?: { code?: string; message: string };
}

/** Asks the pre-scan thread to read a file itself (see `prescanThread.ts`). */
export interface ReadFile {
  file: string;
  /** Bytes per read. */
  read: number;
  /** How many chunks the thread may be ahead of the parser. */
  ahead: number;
  /** An Int32Array's memory, shared: at FLOW_TAKEN the chunks the parser took, at FLOW_STOP non-zero to stop. */
  flow: SharedArrayBuffer;
  /** Where the parser gives chunks' memory back to be read into again (fresh memory is slow to fill). */
  recycle: MessagePort;
}
export const FLOW_TAKEN = 0;
export const FLOW_STOP = 1;

/** The pre-scan thread's first message: it loaded and listens. */
export const READY = 'ready';

/** `idleMask` for a line an idle parser leaves unframed. */
export const UNWANTED = -2;
/** No `idleMask` known. */
export const UNKNOWN = -3;
/** Numbers per hint: the line's stream offset, its number, its `idleMask` (digestPending true). */
export const HINT = 3;

/**
 * Added to an `idleMask` when the environment may want the line (`mayWantRaw`). Without it, an idle environment
 * would do nothing with the line: the parser frames it for the matchers only.
 */
export const ENV_MAY_WANT = 2 ** 31;

/**
 * What an idle parser does with the GitHub runner line `r` holds (its text from `text`): UNWANTED, or it frames
 * the line, and then the answer is the matchers it wakes (`wantedRaw`), plus ENV_MAY_WANT when the environment may
 * want it; or -1 when framing must tell. `digestPending` as `mayWantRaw` takes it.
 */
export function idleMask(r: RawText, text: number, d: Dispatcher, digestPending: boolean): number {
  if (!scanRaw(r, text)) return -1;
  if (r.p <= r.q) {
    // `##[...]` and `[command]` lines are framing's.
    const c0 = r.s.charCodeAt(r.p);
    if (c0 === 35 || c0 === 91) return -1;
  }
  const mask = d.wantedRaw(r);
  if (mask < 0) return mask;
  if (!mayWantRaw(r, digestPending)) return mask === 0 ? UNWANTED : mask;
  return mask + ENV_MAY_WANT;
}

/**
 * The dispatcher and the WebAssembly classifier of a matcher list, shared by its Prescanners: they keep nothing of a
 * parse (a Prescanner has its own RawText, and the classifier's results are read before `scan` returns), and making
 * them took ~1 ms, more than a small log's parse.
 */
const shared = new WeakMap<
  readonly MatcherFactory[],
  { dispatcher: Dispatcher; filter: LineFilter | null }
>();

/**
 * Splits a byte stream as the parser does (`ByteLines`) and lists the lines it must reach: each line an idle
 * parser could frame in any state, the line before it (the parser may be asked for it as `previous`), and each
 * batch's last line. A hint is HINT numbers (the line's stream offset, its number, its `idleMask`, -1 for a line
 * that is no plain runner line), in order. The parser may jump from any line start to the next hint when it is
 * idle: every line in between it would only have counted, and wakes no matcher (an `idleMask` of UNWANTED).
 */
export class Prescanner {
  private readonly dispatcher: Dispatcher;
  private readonly raw: RawText;
  private readonly lines: ByteLines;
  private n = 0;
  private prevAt = 0;
  private prevMask = UNWANTED;
  private hinted = 0;
  private out: number[] = [];
  /** The stream is LineSplitter's (CR-only line ends): the parser reads it without hints. */
  private text = false;

  /**
   * `filter`: the lines are classified in WebAssembly (see `prescanWasm.ts`); false (or no WebAssembly): in
   * JavaScript, line by line. The hints are the same.
   */
  constructor(matchers: readonly MatcherFactory[] = allMatchers, opts: { filter?: boolean } = {}) {
    let s = shared.get(matchers);
    if (s === undefined) {
      const dispatcher = createDispatcher(matchers.map((f) => f()));
      s = { dispatcher, filter: LineFilter.create(dispatcher.wakeData()) };
      shared.set(matchers, s);
    }
    this.dispatcher = s.dispatcher;
    this.raw = this.dispatcher.newRawText();
    // No jumper here: every line comes with its latin1 string.
    this.lines = new ByteLines((buf, lat, start, end, kind) => this.line(lat!, start, end, kind));
    const filter = opts.filter !== false ? s.filter : null;
    if (filter !== null) this.lines.bulk = (buf, from, base) => this.bulk(filter, buf, from, base);
  }

  /** Whether the lines are classified in WebAssembly (for tests). */
  get filtered(): boolean {
    return this.lines.bulk !== null;
  }

  /** The hints of the lines a chunk completes (and of the last one). */
  push(chunk: Uint8Array): Float64Array {
    if (!this.text && !this.lines.push(chunk)) this.text = true;
    return this.take();
  }

  end(): Float64Array {
    if (!this.text && !this.lines.end()) this.text = true;
    return this.take();
  }

  private take(): Float64Array {
    if (this.text) return new Float64Array(0);
    if (this.hinted < this.n) this.hint(this.prevAt, this.n, this.prevMask);
    const out = Float64Array.from(this.out);
    this.out = [];
    return out;
  }

  private hint(at: number, n: number, mask: number): void {
    this.out.push(at, n, mask);
    this.hinted = n;
  }

  private line(lat: string, start: number, end: number, kind: ByteLineKind): void {
    this.classified(this.lines.at, ++this.n, this.mask(lat, start, end, kind));
  }

  /** Line `n` (at stream offset `at`) has `mask`: its hint, and the one of the line before it if that is none yet. */
  private classified(at: number, n: number, mask: number): void {
    if (mask !== UNWANTED) {
      if (this.hinted < n - 1) this.hint(this.prevAt, n - 1, this.prevMask);
      this.hint(at, n, mask);
    }
    this.prevAt = at;
    this.prevMask = mask;
  }

  /**
   * The complete lines of `buf[from..]` (stream offset `base`), classified by the filter (the JavaScript classifies
   * those it asks about), with the hints `line` would give: a line the filter left out was UNWANTED.
   */
  private bulk(filter: LineFilter, buf: Buffer, from: number, base: number): number {
    const f = filter.scan(buf, from, DEFAULT_MAX_LINE_LENGTH);
    const out = f.out;
    let next = 0;
    for (let c = 0, r = 0; c < f.count; c++, r += REC) {
      const index = out[r + 2]!;
      if (index !== next) {
        // The line before is one the filter left out.
        this.prevAt = base + from + out[r + 3]!;
        this.prevMask = UNWANTED;
      }
      let mask = out[r + 4]!;
      if (mask === ASK) mask = this.asked(buf, from + out[r]!, from + out[r + 1]!);
      // The module's ENV_MAY_WANT is the sign bit of its 32-bit mask.
      else if (mask < ASK) mask = (mask & 0x7fffffff) + ENV_MAY_WANT;
      this.classified(base + from + out[r]!, this.n + index + 1, mask);
      next = index + 1;
    }
    if (next !== f.lines) {
      this.prevAt = base + from + f.lastStart;
      this.prevMask = UNWANTED;
    }
    this.n += f.lines;
    return from + f.consumed;
  }

  /** `mask` of the line `buf[start..nl)` ("\n" at `nl`) as ByteLines hands it over. */
  private asked(buf: Buffer, start: number, nl: number): number {
    if (nl - start > DEFAULT_MAX_LINE_LENGTH) return -1;
    const end = nl > start && buf[nl - 1] === 13 ? nl - 1 : nl;
    return this.mask(buf.toString('latin1', start, end), 0, end - start, ByteLineKind.Plain);
  }

  private mask(lat: string, start: number, end: number, kind: ByteLineKind): number {
    if (kind !== ByteLineKind.Plain) return -1;
    const text = runnerTextStart(lat, start, end);
    if (text < 0) return -1;
    this.raw.set(lat, start, end, true);
    return idleMask(this.raw, text, this.dispatcher, true);
  }
}
