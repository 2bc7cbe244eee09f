/**
 * Turns a byte or text stream into lines, in bounded memory.
 *
 * - "\n" and "\r\n" end lines. A stream whose first chunk has "\r" but no "\n" uses "\r" alone as the line
 *   end (GitLab traces saved with CR-only line ends). Other "\r"s stay in the line: the framer treats them
 *   as "overwrite the line" (progress bars, GitLab's `section_start:...\r\e[0K`).
 * - Invalid UTF-8 becomes U+FFFD; a line longer than `maxLineLength` is cut there and the rest of it is
 *   dropped, so one 1 GB line cannot exhaust memory.
 */

export const DEFAULT_MAX_LINE_LENGTH = 1 << 20;

export interface SplitOptions {
  maxLineLength?: number;
}

export class LineSplitter {
  private pending = '';
  private dropping = false;
  private crMode: boolean | undefined;
  private readonly decoder = new TextDecoder('utf-8', { fatal: false });
  private readonly max: number;

  constructor(opts: SplitOptions = {}) {
    this.max = opts.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
  }

  /** Feeds a chunk; returns the complete lines it finished. */
  push(chunk: Uint8Array | string): string[] {
    const text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    return this.pushText(text);
  }

  /** Ends the stream; returns the last line if it had no line end. */
  end(): string[] {
    const rest = this.decoder.decode();
    const out = rest ? this.pushText(rest) : [];
    if (this.pending.length > 0) out.push(this.pending);
    this.pending = '';
    this.dropping = false;
    return out;
  }

  private pushText(input: string): string[] {
    let text = input;
    if (this.crMode === undefined) {
      // Decide once we can tell a lone CR from half of a CRLF split across chunks.
      const seen = this.pending + text;
      if (seen.indexOf('\n') >= 0) this.crMode = false;
      else if (seen.length > 1 && seen.lastIndexOf('\r', seen.length - 2) >= 0) this.crMode = true;
      else {
        this.pending = seen.length > this.max ? seen.slice(0, this.max) : seen;
        return [];
      }
      this.pending = '';
      text = seen;
    }
    const sep = this.crMode ? '\r' : '\n';
    const out: string[] = [];
    let start = 0;
    for (;;) {
      const i = text.indexOf(sep, start);
      if (i < 0) break;
      let line: string;
      if (this.pending.length > 0 || this.dropping) {
        line = this.dropping ? this.pending : this.pending + text.slice(start, i);
        if (line.length > this.max) line = line.slice(0, this.max);
        this.pending = '';
        this.dropping = false;
      } else {
        line = i - start > this.max ? text.slice(start, start + this.max) : text.slice(start, i);
      }
      if (!this.crMode && line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
      out.push(line);
      start = i + 1;
    }
    if (start < text.length && !this.dropping) {
      this.pending += text.slice(start);
      if (this.pending.length > this.max) {
        this.pending = this.pending.slice(0, this.max);
        this.dropping = true;
      }
    }
    return out;
  }
}

/** Splits a stream of chunks into lines. */
export async function* splitLines(
  source: AsyncIterable<Uint8Array | string>,
  opts: SplitOptions = {},
): AsyncGenerator<string> {
  const splitter = new LineSplitter(opts);
  for await (const chunk of source) {
    for (const line of splitter.push(chunk)) yield line;
  }
  for (const line of splitter.end()) yield line;
}

/** Splits a whole text into lines with the same rules as the stream splitter. */
export function splitText(text: string, opts: SplitOptions = {}): string[] {
  const splitter = new LineSplitter(opts);
  return [...splitter.push(text), ...splitter.end()];
}

/** How a line `ByteLines` hands over must be decoded (see `ByteLineSink`). */
export const enum ByteLineKind {
  /** At most `maxLineLength` bytes, line end removed: decode as it is. */
  Plain = 0,
  /** Longer: decode, keep the first `maxLineLength` characters, then drop a final `\r`. */
  Cut = 1,
  /** The stream's last line (no line end): decode, keep the first `maxLineLength` characters. */
  Last = 2,
}

/**
 * Receives a line: its bytes `buf[start..end)` and `latin1`, a string of `buf`'s bytes (one character each); null
 * when a `jumper` is set (the sink makes it if it needs it: see `ByteLines.jumper`).
 */
export type ByteLineSink = (
  buf: Buffer,
  latin1: string | null,
  start: number,
  end: number,
  kind: ByteLineKind,
) => void;

/**
 * Splits a byte stream into lines without decoding them, for readers that decode only the lines they need. Each
 * line comes with a latin1 string of its bytes (unless a `jumper` is set): one character per byte, so it is cheap
 * to make and to search, and its ASCII characters are the line's.
 *
 * LineSplitter stays the reference; the same lines come out once decoded (see `ByteLineKind`). A stream it
 * would read with CR-only line ends, or one whose first line end is too far to tell, is not split here:
 * `push` returns false, and the caller hands `buffered()` and the rest of the stream to a LineSplitter.
 */
/** The most ByteLines turns into one latin1 string (see `ByteLines.pieces`). */
export const PIECE = 1 << 16;

export class ByteLines {
  private readonly max: number;
  /** Bytes kept of a line, enough for its first `max` characters and then some (a character is at most 3). */
  private readonly cap: number;
  /** Chunks seen before the line-end style is known (null once it is). */
  private undecided: Buffer[] | null = [];
  private undecidedBytes = 0;
  /** The pieces of an unfinished line (joined once it ends: joining per chunk would copy a long line over and over). */
  private carry: Buffer[] | null = null;
  private carried = 0;
  private dropping = false;
  /** Where the current piece starts in the stream (in bytes, after a leading byte order mark). */
  private base = 0;
  /** Where the unfinished line starts in the stream. */
  private carryAt = 0;
  /** Where the line being handed to the sink starts in the stream. */
  at = 0;
  /** Lines before this stream offset are being jumped over (see `jumper`); -1: none. */
  private skipTo = -1;
  /**
   * Asked at a line's start (its stream offset): where the next line to hand over starts. More than `at` when the
   * lines in between may be left out (the caller counted them); the answer must be a line's start. With a jumper the
   * sink gets no latin1 string: most of a piece's lines are jumped over, and those strings were half of what a
   * parse allocated (the lines are found with `Buffer.indexOf`, faster than on a string here).
   */
  jumper: ((at: number) => number) | null = null;
  /**
   * Takes the complete lines of `buf[from..]` (a piece that starts at stream offset `base`) in one call, instead of
   * the sink one by one, and returns where the unfinished line starts (`buf.length` when none): the pre-scan's
   * filter. Not with `jumper`.
   */
  bulk: ((buf: Buffer, from: number, base: number) => number) | null = null;

  constructor(
    private readonly sink: ByteLineSink,
    opts: SplitOptions = {},
  ) {
    this.max = opts.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
    this.cap = 3 * this.max + 4;
  }

  /** Feeds a chunk. False: this stream is LineSplitter's (see the class). */
  push(chunk: Uint8Array): boolean {
    const buf = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.undecided !== null) {
      // A copy: the caller may reuse (or hand away) its buffer once this returns.
      this.undecided.push(Buffer.from(buf));
      this.undecidedBytes += buf.length;
      let all = Buffer.concat(this.undecided);
      // LineSplitter's rule, on the same bytes: a "\n" means LF; else a "\r" before the last byte means CR-only,
      // and this stream is LineSplitter's. (Its decoder may hold a chunk's last bytes back and see that "\r" as
      // the last character: it then decides later, by itself. A "\n" it never holds back.)
      if (buf.indexOf(10) < 0) {
        if ((all.length > 1 && all.lastIndexOf(13, all.length - 2) >= 0) || all.length > this.cap)
          return false;
        return true;
      }
      this.undecided = null;
      // The decoder drops the byte order mark that starts a stream.
      if (all.length >= 3 && all[0] === 0xef && all[1] === 0xbb && all[2] === 0xbf) all = all.subarray(3);
      this.pieces(all);
      return true;
    }
    this.pieces(buf);
    return true;
  }

  /**
   * Splits a chunk in pieces of at most PIECE bytes (a line across two goes through the carry, as across two
   * chunks). A latin1 string of a 1 MiB chunk is allocated among the large objects, and parsing 1 MiB reads
   * whole was 25% slower than in 64 KiB pieces.
   */
  private pieces(buf: Buffer): void {
    if (buf.length <= PIECE) return this.lines(buf);
    for (let i = 0; i < buf.length; i += PIECE) this.lines(buf.subarray(i, i + PIECE));
  }

  /** The bytes fed while the line-end style was unknown (for the LineSplitter that takes over). */
  buffered(): Buffer {
    return Buffer.concat(this.undecided ?? []);
  }

  /** Ends the stream. False: this stream is LineSplitter's. */
  end(): boolean {
    if (this.undecided !== null) return false;
    const c = this.takeCarry(null);
    this.at = this.carryAt;
    if (c !== null && c.length > 0) this.sink(c, c.toString('latin1'), 0, c.length, ByteLineKind.Last);
    return true;
  }

  private lines(buf: Buffer): void {
    const base = this.base;
    const n = buf.length;
    this.base += n;
    let k = 0;
    if (this.skipTo >= 0) {
      if (this.skipTo >= base + n) return;
      k = this.skipTo - base;
      this.skipTo = -1;
    } else if (this.carry !== null) {
      const nl = buf.indexOf(10);
      if (nl < 0) {
        this.keep(buf, 0);
        return;
      }
      const line = this.takeCarry(this.dropping ? null : buf.subarray(0, Math.min(nl, this.cap)))!;
      this.at = this.carryAt;
      this.complete(line, line.toString('latin1'), 0, line.length);
      k = nl + 1;
    }
    if (this.bulk !== null && n <= PIECE) {
      k = this.bulk(buf, k, base);
      if (k < n) {
        this.carryAt = base + k;
        this.keep(buf, k);
      }
      return;
    }
    const jump = this.jumper;
    if (jump !== null) {
      while (k < n) {
        const to = jump(base + k);
        if (to !== base + k) {
          if (to >= base + n) {
            this.skipTo = to;
            return;
          }
          k = to - base;
        }
        const j = buf.indexOf(10, k);
        if (j < 0) break;
        this.at = base + k;
        this.complete(buf, null, k, j);
        k = j + 1;
      }
    } else {
      const lat = buf.toString('latin1');
      for (;;) {
        const j = lat.indexOf('\n', k);
        if (j < 0) break;
        this.at = base + k;
        this.complete(buf, lat, k, j);
        k = j + 1;
      }
    }
    if (k < n) {
      this.carryAt = base + k;
      this.keep(buf, k);
    }
  }

  /** A line's bytes up to its "\n". */
  private complete(buf: Buffer, lat: string | null, start: number, end: number): void {
    if (end - start > this.max) {
      this.sink(buf, lat, start, Math.min(end, start + this.cap), ByteLineKind.Cut);
      return;
    }
    this.sink(buf, lat, start, end > start && buf[end - 1] === 13 ? end - 1 : end, ByteLineKind.Plain);
  }

  /** Keeps `buf[from..]`, the start (or more) of an unfinished line, up to `cap` bytes. */
  private keep(buf: Buffer, from: number): void {
    if (this.dropping) return;
    const take = Math.min(buf.length - from, this.cap - this.carried);
    // A copy: the stream may reuse its buffer, and a slice would pin the whole chunk.
    (this.carry ??= []).push(Buffer.from(buf.subarray(from, from + take)));
    this.carried += take;
    if (from + take < buf.length) this.dropping = true;
  }

  /** The unfinished line's bytes (then `tail`), and forget them; null when there were none. */
  private takeCarry(tail: Buffer | null): Buffer | null {
    const parts = this.carry;
    this.carry = null;
    this.carried = 0;
    this.dropping = false;
    if (parts === null) return null;
    if (tail !== null) parts.push(tail);
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }
}
