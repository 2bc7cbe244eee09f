// AssemblyScript: the pre-scan's line classifier, compiled into `src/core/prescanWasm.generated.ts` by
// `npm run build:wasm` (a unit test checks that the committed module is this file's build).
//
// For each line of a piece of a GitHub raw log it computes what `idleMask` (src/core/prescan.ts) computes: a port of
// `runnerTextStart`, `scanRaw`, `WakeTables.wantedRaw` and `mayWantRaw` (src/core/matcher.ts, environment.ts) on
// the line's bytes, which the JavaScript reads as a latin1 string of them. The wake tables are the dispatcher's
// (written by `prescanWasm.ts`), so matchers change without this file; `mayWantRaw` is ported by hand, and a change
// there must be made here too. The unit tests compare both on every fixture and on generated lines.

// The tables (the layout `prescanWasm.ts` writes).
const FIRST: usize = 0;
const INDENTED: usize = 1024;
const LAST: usize = 2048;
const FLAG: usize = 3072;
/** Per first character (0-127): the first prefix record and how many. */
const PINDEX: usize = 4096;
/** Prefix records: bit, string offset, length. */
const PREFIXES: usize = 5120;
/** Count, then (string offset, length) per word searched in every line. */
const WORDS: usize = 12288;
/** Count, then (bit, first word record, word count) per need group. */
const NEEDS: usize = 16384;
/** (string offset, length) per need word. */
const NEEDWORDS: usize = 20480;
/** Count, then (UTF-16 unit, bits) per character past U+0080 of `first`, `indented`, `last`. */
const XFIRST: usize = 24576;
const XINDENTED: usize = 26624;
const XLAST: usize = 28672;
/** Count, then (bit, first word record, word count) per word group; the words at GROUPWORDS. */
const GROUPS: usize = 30720;
const GROUPWORDS: usize = 32768;
/** Count, the virtual bits, then (virtual bit, matcher bit) per wake alternative. */
const FOLD: usize = 36864;
/** Per byte: the WORDS (a bit each, up to 32) that start with it (set by `init`). */
const BYFIRST: usize = 38912;
/** The piece's bytes (and 16 more, read but never counted). */
const BUF: usize = 65536;
/** Lines: (start, its "\n", its index in the piece, the previous line's start or -1, mask) per line not UNWANTED. */
const OUT: usize = 65536 * 2 + 256;
const REC: usize = 20;

const LINE_COLON: i32 = 2;
const LINE_COLON_SINGLE: i32 = 4;
const LINE_LOCATION: i32 = 8;
const LINE_COLON_SPACE_C: i32 = 16;
const LINE_EXTENSION_END: i32 = 32;
const LINE_COLON_SPACE: i32 = 64;

/** `idleMask`'s answers. */
const UNWANTED: i32 = -2;
/** The JavaScript must tell (a line longer than the longest line): `prescanWasm.ts`'s ASK. */
const ASK: i32 = -5;
/** The environment may want the line (`prescan.ts`'s ENV_MAY_WANT: the sign bit here, masks use 31 bits). */
const ENV_MAY_WANT: i32 = i32.MIN_VALUE;

/** `rareIn`'s rare tokens. */
const HAS_CR: i32 = 1;
const HAS_CSI8: i32 = 2;
const HAS_WORD: i32 = 4;

let needBits: i32 = 0;
/** The lines of the last `scan`, the start of its last line, and where its unfinished line starts. */
let lines: i32 = 0;
let lastStart: i32 = -1;
let consumed: i32 = 0;
/** Bytes that may start a rare token: CR, C1 CSI, each word's first byte (up to 4 distinct). */
let rare0: v128 = i8x16.splat(13);
let rare1: v128 = i8x16.splat(13);
let rare2: v128 = i8x16.splat(13);
let rare3: v128 = i8x16.splat(13);
let rare4: v128 = i8x16.splat(13);
let rare5: v128 = i8x16.splat(13);

export function bufAt(): usize {
  return BUF;
}
export function outAt(): usize {
  return OUT;
}
export function linesOf(): i32 {
  return lines;
}
export function lastStartOf(): i32 {
  return lastStart;
}
export function consumedOf(): i32 {
  return consumed;
}

/** After the tables are written: false when the words have more than 4 distinct first bytes (no filter then). */
export function init(needs: i32): bool {
  needBits = needs;
  const n = load<i32>(WORDS);
  let f0 = 13;
  let f1 = 13;
  let f2 = 13;
  let f3 = 13;
  let k = 0;
  if (n > 32) return false;
  for (let c = 0; c < 256; c++) store<i32>(BYFIRST + <usize>c * 4, 0);
  for (let i = 0; i < n; i++) {
    const c = <i32>load<u8>(<usize>load<i32>(WORDS + 4 + <usize>i * 8));
    const slot = BYFIRST + <usize>c * 4;
    store<i32>(slot, load<i32>(slot) | (1 << i));
    if (k > 0 && (c == f0 || c == f1 || c == f2 || c == f3)) continue;
    if (k == 4) return false;
    if (k == 0) f0 = c;
    else if (k == 1) f1 = c;
    else if (k == 2) f2 = c;
    else f3 = c;
    k++;
  }
  rare0 = i8x16.splat(13);
  rare1 = i8x16.splat(<i8>0x9b);
  rare2 = i8x16.splat(<i8>f0);
  rare3 = i8x16.splat(<i8>f1);
  rare4 = i8x16.splat(<i8>f2);
  rare5 = i8x16.splat(<i8>f3);
  return true;
}

@inline function at(i: i32): i32 {
  return <i32>load<u8>(BUF + <usize>i);
}

@inline function isDigit(c: i32): bool {
  return <u32>(c - 48) < 10;
}

@inline function isAlnum(c: i32): bool {
  return isDigit(c) || <u32>(c - 65) < 26 || <u32>(c - 97) < 26;
}

@inline function isHexLower(c: i32): bool {
  return isDigit(c) || <u32>(c - 97) < 6;
}

/** A 16-byte block's bits at `i`, those past `end` cleared (the buffer is readable 16 bytes past a piece). */
@inline function within(m: i32, i: i32, end: i32): i32 {
  const left = end - i;
  return left < 16 ? m & ((1 << left) - 1) : m;
}

/** The first `c` in [from, end), or -1. */
function find(from: i32, end: i32, c: i32): i32 {
  const v = i8x16.splat(<i8>c);
  for (let i = from; i < end; i += 16) {
    const m = within(i8x16.bitmask(i8x16.eq(v128.load(BUF + <usize>i), v)), i, end);
    if (m != 0) return i + ctz(m);
  }
  return -1;
}

/** Whether the string at `str` (`len` bytes, its first byte already matched) occurs at `i`, within [i, end). */
@inline function wordAt(i: i32, end: i32, str: i32, len: i32): bool {
  if (i + len > end) return false;
  for (let k = 1; k < len; k++) if (at(i + k) != <i32>load<u8>(<usize>(str + k))) return false;
  return true;
}

/** HAS_* for the rare tokens in [a, end): CR, C1 CSI, the words. */
function rareIn(a: i32, end: i32): i32 {
  let has = 0;
  for (let i = a; i < end; i += 16) {
    const v = v128.load(BUF + <usize>i);
    const hit = v128.or(
      v128.or(v128.or(i8x16.eq(v, rare0), i8x16.eq(v, rare1)), v128.or(i8x16.eq(v, rare2), i8x16.eq(v, rare3))),
      v128.or(i8x16.eq(v, rare4), i8x16.eq(v, rare5)),
    );
    let m = within(i8x16.bitmask(hit), i, end);
    while (m != 0) {
      const j = i + ctz(m);
      m &= m - 1;
      const c = at(j);
      if (c == 13) has |= HAS_CR;
      else if (c == 0x9b) has |= HAS_CSI8;
      if ((has & HAS_WORD) != 0) continue;
      for (let ws = load<i32>(BYFIRST + <usize>c * 4); ws != 0; ws &= ws - 1) {
        const rec = WORDS + 4 + <usize>ctz(ws) * 8;
        if (wordAt(j, end, load<i32>(rec), load<i32>(rec + 4))) {
          has |= HAS_WORD;
          break;
        }
      }
    }
  }
  return has;
}

/** Whether [a, end) holds the string at `str` (`len` bytes): its first two bytes found 16 places at a time. */
function holds(a: i32, end: i32, str: i32, len: i32): bool {
  const c0 = <i32>load<u8>(<usize>str);
  if (len == 1) return find(a, end, c0) >= 0;
  const v0 = i8x16.splat(<i8>c0);
  const v1 = i8x16.splat(<i8>load<u8>(<usize>(str + 1)));
  for (let i = a; i < end; i += 16) {
    const both = v128.and(i8x16.eq(v128.load(BUF + <usize>i), v0), i8x16.eq(v128.load(BUF + <usize>i + 1), v1));
    let m = within(i8x16.bitmask(both), i, end);
    while (m != 0) {
      if (wordAt(i + ctz(m), end, str, len)) return true;
      m &= m - 1;
    }
  }
  return false;
}

/** Whether [a, end) holds one of `count` words from record `first` of `words`. */
function holdsAny(a: i32, end: i32, words: usize, first: i32, count: i32): bool {
  for (let w = 0; w < count; w++) {
    const wr = words + <usize>(first + w) * 8;
    if (holds(a, end, load<i32>(wr), load<i32>(wr + 4))) return true;
  }
  return false;
}

/** `rawWordMask`: `mask` without the need groups whose words the raw line [a, end) lacks, with the words' groups. */
function wordMask(mask: i32, a: i32, end: i32, rare: bool): i32 {
  if ((mask & needBits) != 0) {
    const n = load<i32>(NEEDS);
    for (let g = 0; g < n; g++) {
      const rec = NEEDS + 4 + <usize>g * 12;
      const bit = load<i32>(rec);
      if ((mask & bit) != 0 && !holdsAny(a, end, NEEDWORDS, load<i32>(rec + 4), load<i32>(rec + 8))) mask &= ~bit;
    }
  }
  if (rare) {
    const n = load<i32>(GROUPS);
    for (let g = 0; g < n; g++) {
      const rec = GROUPS + 4 + <usize>g * 12;
      const bit = load<i32>(rec);
      if ((mask & bit) == 0 && holdsAny(a, end, GROUPWORDS, load<i32>(rec + 4), load<i32>(rec + 8))) mask |= bit;
    }
  }
  // `folded`: each wake alternative's bit turned into its matcher's.
  const virtual = load<i32>(FOLD + 4);
  if ((mask & virtual) == 0) return mask;
  const n = load<i32>(FOLD);
  for (let k = 0; k < n; k++) {
    const rec = FOLD + 8 + <usize>k * 8;
    if ((mask & load<i32>(rec)) != 0) mask |= load<i32>(rec + 4);
  }
  return mask & ~virtual;
}

/** `lookup`: a table's bits for UTF-16 unit `c` (slot 128 for every unit past ASCII, and the unit's own). */
function lookup(table: usize, extra: usize, c: i32): i32 {
  if (c < 128) return load<i32>(table + <usize>c * 4);
  let bits = load<i32>(table + 128 * 4);
  const n = load<i32>(extra);
  for (let k = 0; k < n; k++) {
    const rec = extra + 4 + <usize>k * 8;
    if (load<i32>(rec) == c) bits |= load<i32>(rec + 4);
  }
  return bits;
}

/** `utf8Unit`: the first UTF-16 unit of the UTF-8 character at `i` (ending by `q`), or -1 when malformed. */
function utf8Unit(i: i32, q: i32): i32 {
  const b0 = at(i);
  if (b0 < 0x80) return b0;
  const len = b0 >= 0xc2 && b0 <= 0xdf ? 2 : b0 >= 0xe0 && b0 <= 0xef ? 3 : b0 >= 0xf0 && b0 <= 0xf4 ? 4 : 0;
  if (len == 0 || i + len - 1 > q) return -1;
  let cp = len == 2 ? b0 & 0x1f : len == 3 ? b0 & 0x0f : b0 & 0x07;
  for (let k = 1; k < len; k++) {
    const b = at(i + k);
    if (b < 0x80 || b > 0xbf) return -1;
    cp = (cp << 6) | (b & 0x3f);
  }
  if ((len == 3 && cp < 0x800) || (cp >= 0xd800 && cp <= 0xdfff) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
    return -1;
  return cp < 0x10000 ? cp : 0xd800 + ((cp - 0x10000) >> 10);
}

/** `utf8LastUnit`: the last UTF-16 unit of the UTF-8 character ending at `q` (from `p` on), or -1. */
function utf8LastUnit(p: i32, q: i32): i32 {
  let j = q;
  while (j > p && j > q - 3 && at(j) >= 0x80 && at(j) <= 0xbf) j--;
  const first = utf8Unit(j, q);
  if (first < 0) return -1;
  const b0 = at(j);
  const len = b0 < 0x80 ? 1 : b0 <= 0xdf ? 2 : b0 <= 0xef ? 3 : 4;
  if (j + len - 1 != q) return -1;
  if (len < 4) return first;
  let cp = at(j) & 0x07;
  for (let k = 1; k < 4; k++) cp = (cp << 6) | (at(j + k) & 0x3f);
  return 0xdc00 + ((cp - 0x10000) & 0x3ff);
}

/** `s.startsWith(str, p)` with the line ending at `end`. */
@inline function startsAt(p: i32, end: i32, str: usize, len: i32): bool {
  if (p + len > end) return false;
  for (let k = 0; k < len; k++) if (at(p + k) != <i32>load<u8>(str + <usize>k)) return false;
  return true;
}

/** The same for a literal. */
function startsLit(p: i32, end: i32, s: string): bool {
  const len = s.length;
  if (p + len > end) return false;
  for (let k = 0; k < len; k++) if (at(p + k) != <i32>s.charCodeAt(k)) return false;
  return true;
}

/** `mayWantRaw` (digestPending true) for text [p..q], the first escape at `esc`, the line ending at `end`. */
function envWants(p: i32, q: i32, esc: i32, end: i32, a: i32): bool {
  if (p > q) return false;
  const c = at(p);
  if (c == 32) {
    const d = p + 1 <= q ? at(p + 1) : -1;
    return d == 43 || d == 27;
  }
  if (c == 36) return true;
  if (c == 67) return starts(p, esc, end, 'Current runner version: ') || starts(p, esc, end, 'Cloning into ');
  if (c == 68) return starts(p, esc, end, 'Digest: ');
  if (c == 73 || c == 82) {
    const cl = at(q);
    return starts(p, esc, end, 'Running with gitlab-runner ') || cl == 47 || cl == 116 || esc >= 0;
  }
  if (c == 80) return starts(p, esc, end, 'Python ') || starts(p, esc, end, 'Poetry (version ');
  if (c == 83) return starts(p, esc, end, 'Successfully ') || starts(p, esc, end, 'Starting service ');
  if (c == 85) return starts(p, esc, end, 'Using ');
  if (c == 112) return starts(p, esc, end, 'platform ') || mayBeToolVersion(p, q, esc);
  if (isDigit(c)) return esc >= 0 || holdsLit(a, end, ' (mccabe: ');
  if (c >= 97 && c <= 122) return mayBeToolVersion(p, q, esc);
  return false;
}

function starts(p: i32, esc: i32, end: i32, s: string): bool {
  return startsLit(p, end, s) || (esc >= 0 && esc < p + s.length);
}

function holdsLit(a: i32, end: i32, s: string): bool {
  const c = <i32>s.charCodeAt(0);
  let i = find(a, end, c);
  while (i >= 0) {
    if (i + s.length <= end) {
      let ok = true;
      for (let k = 1; k < s.length && ok; k++) ok = at(i + k) == <i32>s.charCodeAt(k);
      if (ok) return true;
    }
    i = find(i + 1, end, c);
  }
  return false;
}

function mayBeToolVersion(p: i32, q: i32, esc: i32): bool {
  const sp = find(p, q + 1, 32);
  if (sp < 0) return false;
  if (esc >= 0 && esc < sp) return true;
  const len = sp - p;
  if (len < 2 || sp + 1 > q) return false;
  if (len > 7) {
    if (len > 21) return false;
    for (let i = p; i < sp; i++) if (at(i) >= 128) return true;
    return false;
  }
  const c = at(sp + 1);
  return isDigit(c) || c == 118 || c == 27;
}

/** `rawMayBeLocation`. */
function mayBeLocation(p: i32, q: i32, colon: i32, inner: i32, end: i32): bool {
  if (colon <= p || colon + 1 > q) return false;
  const first = at(p);
  if (first == 32 || (first >= 9 && first <= 13)) return false;
  const next = at(colon + 1);
  if (isDigit(next) || next == 27) return true;
  if (colon != p + 1) return (inner > p && inner < colon) || first >= 128;
  const k = find(colon + 1, end, 58);
  if (k < 0 || k + 1 > q) return false;
  const d = at(k + 1);
  return isDigit(d) || d == 27;
}

/** `endsWithExtensionIn`. */
function endsWithExtension(p: i32, q: i32, colours: bool): bool {
  let seen = 0;
  let i = q;
  while (i > p && seen < 13) {
    const ch = at(i);
    if (ch == 109 && colours) {
      let j = i - 1;
      while (j > p && (isDigit(at(j)) || at(j) == 59)) j--;
      if (j > p && at(j) == 91 && at(j - 1) == 27) {
        i = j - 2;
        continue;
      }
    }
    if (ch == 46) return i < q;
    if (!isAlnum(ch)) return false;
    seen++;
    i--;
  }
  return false;
}

/** Whether the line [a, end) starts with the runner's timestamp and a space, not followed by GitLab's stream marker. */
function runnerLine(a: i32, end: i32): bool {
  if (end - a < 29) return false;
  // `dddd-dd-ddTdd:dd:dd.dddddddZ `: bytes 0-15 and 13-28, each a digit where DIGITS has 0xff, else TEMPLATE's.
  const lo = v128.load(BUF + <usize>a);
  const hi = v128.load(BUF + <usize>a + 13);
  const ten = i8x16.splat(10);
  const zero = i8x16.splat(48);
  const okLo = v128.bitselect(
    i8x16.lt_u(i8x16.sub(lo, zero), ten),
    i8x16.eq(lo, i8x16(0, 0, 0, 0, 45, 0, 0, 45, 0, 0, 84, 0, 0, 58, 0, 0)),
    i8x16(-1, -1, -1, -1, 0, -1, -1, 0, -1, -1, 0, -1, -1, 0, -1, -1),
  );
  const okHi = v128.bitselect(
    i8x16.lt_u(i8x16.sub(hi, zero), ten),
    i8x16.eq(hi, i8x16(58, 0, 0, 58, 0, 0, 46, 0, 0, 0, 0, 0, 0, 0, 90, 32)),
    i8x16(0, -1, -1, 0, -1, -1, 0, -1, -1, -1, -1, -1, -1, -1, 0, 0),
  );
  if (!v128.all_true<i8>(v128.and(okLo, okHi))) return false;
  // (Past `end`, the JavaScript's lookahead sees the line end, which is no stream marker.)
  return !(a + 31 < end && isHexLower(at(a + 29)) && isHexLower(at(a + 30)) && (at(a + 31) == 79 || at(a + 31) == 69));
}

/** `idleMask` (digestPending true) of the plain line [a, end). */
function classify(a: i32, end: i32): i32 {
  if (!runnerLine(a, end)) return -1;
  const text = a + 29;
  // scanRaw.
  const has = rareIn(a, end);
  if ((has & HAS_CR) != 0) return -1;
  const n = end;
  const esc = find(text, n, 27);
  let p = text;
  let q = n - 1;
  if (esc >= 0) {
    if ((has & HAS_CSI8) != 0) return -1;
    let i = esc;
    let lead = esc == text;
    let last = -1;
    while (i >= 0) {
      let j = i + 1;
      if (j >= n || at(j) != 91) return -1;
      j++;
      let c = j < n ? at(j) : 0;
      while (isDigit(c) || c == 59) c = ++j < n ? at(j) : 0;
      if (c != 109) return -1;
      if (lead) p = j + 1;
      last = j;
      i = j + 1 < n ? find(j + 1, n, 27) : -1;
      lead = lead && i == j + 1;
    }
    if (last == n - 1) {
      let k = n - 1;
      for (;;) {
        let b = k - 1;
        while (b >= text && at(b) != 27) b--;
        q = b - 1;
        if (q < p || at(q) != 109) break;
        let e = q - 1;
        while (e >= p && (isDigit(at(e)) || at(e) == 59)) e--;
        if (e - 1 < p || at(e) != 91 || at(e - 1) != 27) break;
        k = q;
      }
    }
  }
  // idleMask: commands are framing's.
  if (p <= q) {
    const c = at(p);
    if (c == 35 || c == 91) return -1;
  }
  // wantedRaw.
  const rare = has != 0;
  let mask: i32;
  if (p > q) {
    mask = wordMask(load<i32>(FLAG), a, end, rare);
  } else {
    let c0 = at(p);
    let cl = at(q);
    if (c0 >= 128 && (c0 = utf8Unit(p, q)) < 0) return -1;
    if (cl >= 128 && (cl = utf8LastUnit(p, q)) < 0) return -1;
    mask = lookup(FIRST, XFIRST, c0) | lookup(LAST, XLAST, cl);
    const inner = esc < 0 ? -1 : esc >= p ? esc : find(p, n, 27);
    if (c0 < 128) {
      const pi = PINDEX + <usize>c0 * 8;
      const pn = load<i32>(pi + 4);
      for (let x = 0; x < pn; x++) {
        const rec = PREFIXES + <usize>(load<i32>(pi) + x) * 12;
        const str = <usize>load<i32>(rec + 4);
        const len = load<i32>(rec + 8);
        let hit = startsAt(p, end, str, len);
        if (!hit && inner >= 0 && inner < p + len) {
          hit = true;
          for (let k = p; k < inner; k++) if (at(k) != <i32>load<u8>(str + <usize>(k - p))) hit = false;
        }
        if (hit) mask |= load<i32>(rec);
      }
    }
    if (c0 == 32) {
      let k = p + 1;
      for (;;) {
        while (k <= q && at(k) == 32) k++;
        if (k > q || at(k) != 27) break;
        k = find(k, n, 109) + 1;
      }
      if (k <= q) {
        let ck = at(k);
        if (ck >= 128 && (ck = utf8Unit(k, q)) < 0) return -1;
        mask |= lookup(INDENTED, XINDENTED, ck);
      }
    }
    let flags = 0;
    const colon = find(p, n, 58);
    if (colon >= 0 && colon <= q) {
      flags |= LINE_COLON;
      if (colon + 1 <= q) {
        const next = at(colon + 1);
        if (next == 27) {
          flags |= LINE_COLON_SINGLE | LINE_COLON_SPACE_C | LINE_LOCATION | LINE_COLON_SPACE;
        } else {
          if (next != 58) flags |= LINE_COLON_SINGLE;
          if (next == 32 && colon + 2 <= q) {
            const after = at(colon + 2);
            if (after == 99 || after == 27) flags |= LINE_COLON_SPACE_C;
          }
          if (mayBeLocation(p, q, colon, inner, n)) flags |= LINE_LOCATION;
          if (next == 32) flags |= LINE_COLON_SPACE;
          else {
            for (let k = find(colon + 1, n, 58); k >= 0; k = find(k + 1, n, 58)) {
              const d = at(k + 1);
              if ((d == 32 && k < q) || (d == 27 && inner >= 0)) {
                flags |= LINE_COLON_SPACE;
                break;
              }
            }
          }
        }
      }
    }
    if (isAlnum(cl) && endsWithExtension(p, q, esc >= 0)) flags |= LINE_EXTENSION_END;
    mask = wordMask(mask | load<i32>(FLAG + <usize>flags * 4), a, end, rare);
  }
  if (!envWants(p, q, esc, end, a)) return mask == 0 ? UNWANTED : mask;
  return mask | ENV_MAY_WANT;
}

/**
 * Splits the piece's `len` bytes (BUF) in lines and lists those not UNWANTED (OUT, REC bytes each), a line longer
 * than `max` as ASK. Returns how many; `linesOf`, `lastStartOf` and `consumedOf` tell the rest.
 */
export function scan(len: i32, max: i32): i32 {
  let i = 0;
  let out = 0;
  let n = 0;
  let last = -1;
  const nl = i8x16.splat(10);
  for (;;) {
    // The next "\n".
    let j = -1;
    for (let k = i; k < len; k += 16) {
      const m = within(i8x16.bitmask(i8x16.eq(v128.load(BUF + <usize>k), nl)), k, len);
      if (m != 0) {
        j = k + ctz(m);
        break;
      }
    }
    if (j < 0) break;
    const end = j > i && at(j - 1) == 13 ? j - 1 : j;
    const mask = j - i > max ? ASK : classify(i, end);
    if (mask != UNWANTED) {
      const rec = OUT + <usize>out * REC;
      store<i32>(rec, i);
      store<i32>(rec + 4, j);
      store<i32>(rec + 8, n);
      store<i32>(rec + 12, last);
      store<i32>(rec + 16, mask);
      out++;
    }
    last = i;
    n++;
    i = j + 1;
  }
  lines = n;
  lastStart = last;
  consumed = i;
  return out;
}
