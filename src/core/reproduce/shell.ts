/** Shell text helpers for reproduce.sh: quoting, comments, and a small word splitter for one command. */

/** `s` as one single-quoted POSIX shell word: nothing in it is expanded. */
export function shellQuote(s: string): string {
  const clean = s.replace(/\x00/g, '');
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(clean)) return clean;
  return `'${clean.replace(/'/g, `'\\''`)}'`;
}

/** Text made safe for one `# ...` comment line: control characters (newlines above all) become spaces. */
export function commentText(s: string): string {
  return s.replace(/[\x00-\x1f\x7f\u2028\u2029]/g, ' ');
}

export const SHELL_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** A word of a command line: its raw text (quotes kept) and its value when it has no expansions. */
export interface Word {
  raw: string;
  /** The word with quotes removed, or null when it holds `$`, backticks or globs (value unknown). */
  value: string | null;
  start: number;
  end: number;
}

/** One simple command of a logical line: its words, and where it sits in the line. */
export interface Segment {
  words: Word[];
  start: number;
  end: number;
}

/**
 * Splits a logical command line into simple commands at unquoted `;`, `&&`, `||`, `|` and `&`, each into
 * words. Returns null for what it does not understand (unbalanced quotes, subshells, here-documents):
 * callers then leave the line alone.
 */
export function splitCommands(line: string): Segment[] | null {
  const segments: Segment[] = [];
  let words: Word[] = [];
  let segStart = 0;
  let i = 0;
  const n = line.length;
  const endSegment = (at: number): void => {
    segments.push({ words, start: segStart, end: at });
    words = [];
  };
  while (i < n) {
    const c = line[i]!;
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === '#') break;
    if (c === ';' || c === '&' || c === '|') {
      endSegment(i);
      i += (c === '&' || c === '|') && line[i + 1] === c ? 2 : 1;
      segStart = i;
      continue;
    }
    if (c === '(' || c === ')' || c === '`' || c === '<' || c === '>' || c === '{' || c === '}') return null;
    const start = i;
    let value: string | null = '';
    while (i < n) {
      const d = line[i]!;
      if (d === ' ' || d === '\t' || d === ';' || d === '&' || d === '|' || d === '<' || d === '>') break;
      if (d === '(' || d === ')' || d === '`') return null;
      if (d === "'") {
        const close = line.indexOf("'", i + 1);
        if (close < 0) return null;
        if (value !== null) value += line.slice(i + 1, close);
        i = close + 1;
      } else if (d === '"') {
        let j = i + 1;
        let v = '';
        while (j < n && line[j] !== '"') {
          if (line[j] === '\\' && j + 1 < n) {
            v += line[j + 1];
            j += 2;
            continue;
          }
          if (line[j] === '$' || line[j] === '`') value = null;
          v += line[j];
          j++;
        }
        if (j >= n) return null;
        if (value !== null) value += v;
        i = j + 1;
      } else if (d === '\\') {
        if (i + 1 >= n) return null;
        if (value !== null) value += line[i + 1];
        i += 2;
      } else {
        if (d === '$' || d === '*' || d === '?' || d === '[') value = null;
        if (value !== null) value += d;
        i++;
      }
    }
    words.push({ raw: line.slice(start, i), value, start, end: i });
  }
  endSegment(Math.min(i, n));
  return segments.filter((s) => s.words.length > 0);
}

/**
 * Joins backslash-continued lines into logical lines. Each result says which input lines it covers, so a
 * caller can replace a whole logical line.
 */
export function logicalLines(lines: readonly string[]): Array<{ text: string; from: number; to: number }> {
  const out: Array<{ text: string; from: number; to: number }> = [];
  let i = 0;
  while (i < lines.length) {
    const from = i;
    let text = lines[i]!;
    while (/(^|[^\\])(\\\\)*\\$/.test(text) && i + 1 < lines.length) {
      text = text.slice(0, -1) + ' ' + lines[i + 1]!.trim();
      i++;
    }
    out.push({ text, from, to: i });
    i++;
  }
  return out;
}
