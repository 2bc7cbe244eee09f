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
