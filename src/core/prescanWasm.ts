/**
 * The pre-scan's line classifier in WebAssembly (`src/wasm/prescan.ts`, built into `prescanWasm.generated.ts`): one
 * call splits a piece of a GitHub raw log and gives `idleMask` for each line, listing those not UNWANTED; the
 * JavaScript only makes the hints from that list (and classifies a line longer than the longest line, ASK). It did
 * it all at ~330 ns a line, as much as the parser's whole thread; this takes ~130 ns a line, SIMD searches mostly.
 */
import { PIECE } from './lines';
import type { WakeData } from './matcher';
import { PRESCAN_WASM } from './prescanWasm.generated';

/** Where the tables go in the module's memory (the layout `src/wasm/prescan.ts` reads). */
const FIRST = 0;
const INDENTED = 1024;
const LAST = 2048;
const FLAG = 3072;
const PINDEX = 4096;
const PREFIXES = 5120;
const WORDS = 12288;
const NEEDS = 16384;
const NEEDWORDS = 20480;
const XFIRST = 24576;
const XINDENTED = 26624;
const XLAST = 28672;
const GROUPS = 30720;
const GROUPWORDS = 32768;
const FOLD = 36864;
const STRINGS = 40960;
const STRINGS_END = 65536;
/** Numbers per line in `Filtered.out`. */
export const REC = 5;
/** A line's mask in `Filtered.out` when the JavaScript must classify it. */
export const ASK = -5;

/** The part of the WebAssembly API used here (the project's `lib` has no DOM types). */
interface Memory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const WASM = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

interface Exports {
  memory: Memory;
  init(needBits: number): number;
  scan(len: number, max: number): number;
  bufAt(): number;
  outAt(): number;
  linesOf(): number;
  lastStartOf(): number;
  consumedOf(): number;
}

let compiled: object | null | undefined;

function module(): object | null {
  if (compiled === undefined) {
    try {
      compiled = WASM !== undefined ? new WASM.Module(Buffer.from(PRESCAN_WASM, 'base64')) : null;
    } catch {
      // A runtime without SIMD: the JavaScript classifies every line, as it did before.
      compiled = null;
    }
  }
  return compiled;
}

/** A piece's lines, as `LineFilter.scan` found them. */
export interface Filtered {
  /**
   * The lines not UNWANTED, REC numbers each: the line's start, its "\n", its index among the piece's lines, the
   * previous line's start (-1: none in the piece) and its `idleMask` (or ASK), ENV_MAY_WANT as the sign bit.
   */
  out: Int32Array;
  count: number;
  lines: number;
  /** The start of the piece's last complete line (-1: none). */
  lastStart: number;
  /** Where the unfinished line starts (the bytes after the last "\n"). */
  consumed: number;
}

export class LineFilter {
  private readonly x: Exports;
  private readonly bytes: Uint8Array;
  private readonly buf: number;
  private readonly out: Int32Array;

  private constructor(x: Exports) {
    this.x = x;
    this.bytes = new Uint8Array(x.memory.buffer);
    this.buf = x.bufAt();
    this.out = new Int32Array(x.memory.buffer, x.outAt());
  }

  /** A filter for these tables, or null when it cannot have one (no WebAssembly, tables too large). */
  static create(data: WakeData | null): LineFilter | null {
    const m = data !== null ? module() : null;
    if (m === null || data === null || WASM === undefined) return null;
    const x = new WASM.Instance(m, {
      env: {
        abort: () => {
          throw new Error('prescan.wasm aborted');
        },
      },
    }).exports as unknown as Exports;
    if (!write(x.memory, data)) return null;
    return x.init(data.needBits) ? new LineFilter(x) : null;
  }

  /** Classifies the complete lines of `piece[from..]` (at most PIECE bytes: the module's buffer holds no more). */
  scan(piece: Uint8Array, from: number, max: number): Filtered {
    const len = piece.length - from;
    if (len > PIECE) throw new RangeError(`a piece of ${len} bytes, more than ${PIECE}`);
    this.bytes.set(from === 0 ? piece : piece.subarray(from), this.buf);
    const count = this.x.scan(len, max);
    return {
      out: this.out,
      count,
      lines: this.x.linesOf(),
      lastStart: this.x.lastStartOf(),
      consumed: this.x.consumedOf(),
    };
  }
}

/** Writes the tables; false when they do not fit. */
function write(memory: Memory, d: WakeData): boolean {
  const i32 = new Int32Array(memory.buffer);
  const u8 = new Uint8Array(memory.buffer);
  let str = STRINGS;
  const string = (s: string): number => {
    const at = str;
    if (at + s.length > STRINGS_END) throw new RangeError('wake strings');
    for (let k = 0; k < s.length; k++) u8[at + k] = s.charCodeAt(k);
    str += s.length;
    return at;
  };
  /** Records of `size` numbers from `at` (a count first when `counted`) up to `limit`. */
  const records = (at: number, limit: number, n: number, size: number, counted = true): number => {
    if (at + ((counted ? 1 : 0) + n * size) * 4 > limit) throw new RangeError('wake tables');
    if (counted) i32[at / 4] = n;
    return at / 4 + (counted ? 1 : 0);
  };
  const groups = (
    at: number,
    wordsAt: number,
    limit: number,
    gs: { bit: number; words: string[] }[],
  ): void => {
    const base = records(at, wordsAt, gs.length, 3);
    let word = 0;
    gs.forEach((g, k) => {
      i32[base + k * 3] = g.bit;
      i32[base + k * 3 + 1] = word;
      i32[base + k * 3 + 2] = g.words.length;
      for (const w of g.words) {
        const r = records(wordsAt + word * 8, limit, 1, 2, false);
        i32[r] = string(w);
        i32[r + 1] = w.length;
        word++;
      }
    });
  };
  const extras = (at: number, m: Map<number, number>): void => {
    const base = records(at, at + 2048, m.size, 2);
    [...m].forEach(([unit, bits], k) => {
      i32[base + k * 2] = unit;
      i32[base + k * 2 + 1] = bits;
    });
  };
  try {
    i32.set(d.first.subarray(0, 129), FIRST / 4);
    i32.set(d.indented.subarray(0, 129), INDENTED / 4);
    i32.set(d.last.subarray(0, 129), LAST / 4);
    i32.set(d.flag.subarray(0, 128), FLAG / 4);
    extras(XFIRST, d.firstX);
    extras(XINDENTED, d.indentedX);
    extras(XLAST, d.lastX);
    let rec = 0;
    for (let c = 0; c < 128; c++) {
      const ps = d.prefixes.filter((p) => p.prefix.charCodeAt(0) === c);
      i32[PINDEX / 4 + c * 2] = rec;
      i32[PINDEX / 4 + c * 2 + 1] = ps.length;
      for (const p of ps) {
        const r = records(PREFIXES + rec * 12, WORDS, 1, 3, false);
        i32[r] = p.bit;
        i32[r + 1] = string(p.prefix);
        i32[r + 2] = p.prefix.length;
        rec++;
      }
    }
    // Every word once, for the search of the rare tokens' first bytes.
    const every = [...new Set(d.words.flatMap((g) => g.words))];
    const w = records(WORDS, NEEDS, every.length, 2);
    every.forEach((word, k) => {
      i32[w + k * 2] = string(word);
      i32[w + k * 2 + 1] = word.length;
    });
    groups(NEEDS, NEEDWORDS, XFIRST, d.needs);
    groups(GROUPS, GROUPWORDS, FOLD, d.words);
    const f = records(FOLD, STRINGS, d.fold.length, 2) + 1;
    i32[f - 1] = d.virtualBits;
    d.fold.forEach((x, k) => {
      i32[f + k * 2] = x.virtual;
      i32[f + k * 2 + 1] = x.real;
    });
    return true;
  } catch {
    return false;
  }
}
