import { test } from 'node:test';
import fc from 'fast-check';
import { LineSplitter, splitLines, splitText } from '../../src/core/lines';
import { assertEqualFor } from '../helpers/assert';

/** Feeds the chunks one by one, as a download delivers them. */
function splitChunks(chunks: (Uint8Array | string)[], maxLineLength?: number): string[] {
  const s = new LineSplitter(maxLineLength !== undefined ? { maxLineLength } : {});
  const out: string[] = [];
  for (const c of chunks) out.push(...s.push(c));
  out.push(...s.end());
  return out;
}

const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));

function describe(chunks: (Uint8Array | string)[]): string {
  return chunks
    .map((c) => (typeof c === 'string' ? JSON.stringify(c) : Buffer.from(c).toString('hex')))
    .join(' | ');
}

test('a multi-byte character split between chunks, at every byte', () => {
  const text = 'a € b\n😀 ünïcödé ✓\nlast 𝄞';
  const all = bytes(text);
  for (let cut = 1; cut < all.length; cut++) {
    const chunks = [all.subarray(0, cut), all.subarray(cut)];
    assertEqualFor(describe(chunks), splitChunks(chunks), ['a € b', '😀 ünïcödé ✓', 'last 𝄞']);
  }
  // One byte at a time is the worst case for the decoder's carry-over.
  const single = [...all].map((b) => Uint8Array.of(b));
  assertEqualFor(describe(single), splitChunks(single), ['a € b', '😀 ünïcödé ✓', 'last 𝄞']);
});

test('CRLF split between chunks', () => {
  const chunks = [bytes('first\r\nsecond\r'), bytes('\nthird\r'), bytes('\n')];
  assertEqualFor(describe(chunks), splitChunks(chunks), ['first', 'second', 'third']);
  const strings = ['a\nb\r', '\nc\r\n'];
  assertEqualFor(describe(strings), splitChunks(strings), ['a', 'b', 'c']);
});

test('CRLF split right after a first chunk that holds no LF', () => {
  const chunks = [bytes('a\r'), bytes('\nb\n')];
  assertEqualFor(describe(chunks), splitChunks(chunks), ['a', 'b']);
});

test('CR-only line ends are detected from the first chunk and kept across chunks', () => {
  const chunks = [bytes('one\rtwo\rthr'), bytes('ee\rfour')];
  assertEqualFor(describe(chunks), splitChunks(chunks), ['one', 'two', 'three', 'four']);
  const text = 'section_start:1:a\r\x1b[0Kline\rsection_end:1:a\r\x1b[0K';
  assertEqualFor(text, splitText(text), ['section_start:1:a', '\x1b[0Kline', 'section_end:1:a', '\x1b[0K']);
});

test('in an LF stream a bare CR stays in its line (the framer treats it as an overwrite)', () => {
  const chunks = [bytes('progress 10%\rprogress 100%\nnext\r\n')];
  assertEqualFor(describe(chunks), splitChunks(chunks), ['progress 10%\rprogress 100%', 'next']);
});

test('the line length cap holds across chunks and drops the rest of the line', () => {
  const chunks = ['abcdef', 'ghijkl', 'mnop\nq\n', 'rstuvwxyz0123', '\nend'];
  assertEqualFor(describe(chunks), splitChunks(chunks, 10), ['abcdefghij', 'q', 'rstuvwxyz0', 'end']);
  // Capped inside a single chunk, and in bytes fed one at a time.
  assertEqualFor('one chunk', splitChunks(['0123456789abc\nx'], 10), ['0123456789', 'x']);
  const single = [...bytes('0123456789abcdef\nshort\n')].map((b) => Uint8Array.of(b));
  assertEqualFor('byte by byte', splitChunks(single, 10), ['0123456789', 'short']);
  // A capped last line with no line end is still returned, cut.
  assertEqualFor('unterminated', splitChunks(['0123456789', 'abc'], 10), ['0123456789']);
});

test('no final newline, empty input and empty lines', () => {
  assertEqualFor('a\\nb', splitChunks([bytes('a\nb')]), ['a', 'b']);
  assertEqualFor('a\\n', splitChunks([bytes('a\n')]), ['a']);
  assertEqualFor('(empty)', splitChunks([]), []);
  assertEqualFor('(empty chunk)', splitChunks([new Uint8Array(0)]), []);
  assertEqualFor('\\n\\n', splitChunks(['\n\n']), ['', '']);
  // A truncated multi-byte character at the very end becomes U+FFFD, not an exception or a lost line.
  const cut = bytes('ok\nhalf €').subarray(0, -1);
  assertEqualFor('truncated €', splitChunks([cut]), ['ok', 'half \uFFFD']);
});

test('invalid UTF-8 becomes U+FFFD and never merges lines', () => {
  const chunks = [Uint8Array.of(0x61, 0xff, 0x0a, 0xc0, 0x80, 0x0a, 0xe2, 0x82), Uint8Array.of(0x0a, 0x62)];
  const lines = splitChunks(chunks);
  assertEqualFor(describe(chunks), lines.length, 4, 'line count');
  assertEqualFor(describe(chunks), lines[3], 'b', 'last line');
});

test('any LF/CRLF text split into any chunks gives the same lines as the whole text', () => {
  const char = fc.constantFrom('a', 'é', '€', '😀', ' ', '\n', '\r\n', '\x1b', '\0', '\t');
  fc.assert(
    fc.property(
      fc.array(char, { maxLength: 200 }),
      fc.array(fc.nat(40), { maxLength: 10 }),
      (chars, cuts) => {
        const text = chars.join('');
        const all = bytes(text);
        const chunks: Uint8Array[] = [];
        let at = 0;
        for (const c of cuts) {
          const end = Math.min(all.length, at + c);
          chunks.push(all.subarray(at, end));
          at = end;
        }
        chunks.push(all.subarray(at));
        // The first chunk decides CR-only mode: keep at least one LF in it when the text has CRs.
        if (text.includes('\r') && !Buffer.from(chunks[0]!).toString().includes('\n')) return;
        assertEqualFor(describe(chunks), splitChunks(chunks), splitText(text));
      },
    ),
    { numRuns: 300 },
  );
});

test('splitLines streams an async source', async () => {
  async function* source(): AsyncGenerator<Uint8Array> {
    yield bytes('a\nb');
    yield bytes('c\nd');
  }
  const out: string[] = [];
  for await (const l of splitLines(source())) out.push(l);
  assertEqualFor('a\\nb | c\\nd', out, ['a', 'bc', 'd']);
});
