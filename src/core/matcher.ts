/** The seam between the parser and the per-tool matchers. */
import type { FramedLine, LineCommand } from './framing';
import type { ProblemInit, Step } from './model';

export interface MatcherContext {
  /** Reports a problem found now. Its logLine defaults to the current line. */
  emit(p: ProblemInit): void;
  /**
   * Reports a wrapper failure (tox `FAIL code 1`, `make: *** Error`, pytest's "no tests ran"): kept until
   * the current top-level step ends, and reported only if no other problem came from that step. With
   * `requireFailure`, only if the step also failed (or its status is unknown, as in plain logs).
   */
  emitFallback(p: ProblemInit, opts?: { requireFailure?: boolean }): void;
  /**
   * Reports what may echo a diagnostic the tool prints in full after it (a workflow command's message, which a
   * GitHub log keeps as a bare `##[warning]message`): kept until the current top-level step ends, and reported
   * only if no other problem from that step has the same message.
   */
  emitEcho(p: ProblemInit): void;
  /** Marks the current line as understood, so that catch-all matchers leave it alone. */
  claim(): void;
  /** True when a matcher earlier in the chain emitted a problem for, or claimed, the current line. */
  readonly claimed: boolean;
  /** The current top-level step, or null. */
  readonly step: Step | null;
  /** The line before the current one (whether or not this matcher saw it), or null on the first line. */
  readonly previous: FramedLine | null;
}

/**
 * Which lines wake an idle matcher. Each field is an over-approximation of the lines its `line()` can act on
 * while idle: a woken matcher still makes its own checks, but a line that wakes nothing is never shown to it.
 * The parser classifies each line once (character tests only) and calls just the matchers it wakes, plus the
 * busy ones. Every matcher also sees the first line of each step.
 */
export interface Wake {
  /** First characters of the text. `NON_ASCII` stands for every character from U+0080 on. */
  first?: string;
  /** Starts of the text (printable ASCII): finer than `first` where a letter is common. */
  prefixes?: readonly string[];
  /** For a line that starts with a space: the first character that is not a space (same alphabet). */
  indented?: string;
  /** Last characters of the text. */
  last?: string;
  /** `LINE_*` flags, any of which wakes the matcher. */
  flags?: number;
  /**
   * The GitHub commands whose lines wake the matcher (`group` for `##[group]...`, `command` for `[command]...`):
   * finer than `LINE_COMMAND`, every command (a log has thousands of `##[endgroup]` lines few matchers read).
   */
  commands?: readonly LineCommand[];
  /**
   * Words any of which, found anywhere in the raw line, wakes the matcher. The raw line is searched (timestamp and
   * colour codes included), so a coloured word still counts; a word with a colour code inside it does not.
   */
  words?: readonly string[];
  /**
   * Words one of which the raw line must also hold for the other fields to wake the matcher (searched like
   * `words`, and only on lines the other fields chose): what every line the matcher acts on while idle holds.
   */
  needs?: readonly string[];
  /** Lines an earlier matcher claimed (known only as the chain runs). */
  claimed?: boolean;
}

/**
 * In a `Wake` alphabet: any character from U+0080 on. Other characters from U+0081 on stand for themselves, so a
 * matcher that acts on `●` does not wake on every progress bar's `━`.
 */
export const NON_ASCII = '\u0080';

/** The line came with a GitHub command (`##[error]`, `[command]`, ...). */
export const LINE_COMMAND = 1;
/** The text holds a `:`. */
export const LINE_COLON = 2;
/** The first `:` is followed by something other than a second `:`. */
export const LINE_COLON_SINGLE = 4;
/** The text may start with a `path:line` location (see `mayBeLocation`). */
export const LINE_LOCATION = 8;
/** The first `:` is followed by ` c` (tox's `env: commands[0]> cmd`). */
export const LINE_COLON_SPACE_C = 16;
/** The text ends with a `.ext` extension (letters and digits after the last dot, up to 12). */
export const LINE_EXTENSION_END = 32;
/** The text holds `: ` (a diagnostic's `file: message`, `TS2345: message`, `: line 3, col 5`). */
export const LINE_COLON_SPACE = 64;

/**
 * A matcher sees every framed line in order (or, when it declares `wake`, the lines that wake it) and emits
 * problems. It must do a cheap test (a character or `startsWith`/`indexOf`) before any regex, and use only
 * regexes that cannot backtrack badly.
 */
export interface Matcher {
  readonly name: string;
  line(l: FramedLine, ctx: MatcherContext): void;
  /** The top-level step ended, or the log did: report what is buffered and reset. */
  flush?(ctx: MatcherContext): void;
  /** The lines that wake the matcher while it is idle. Without it, the matcher sees every line. */
  readonly wake?: Wake | readonly Wake[];
  /**
   * True while the matcher is inside a block (or waits for the next line): it then sees every line. Read after
   * each `line()` the matcher was shown, so it may change only there and in `flush`. A matcher with `wake` whose
   * idle state depends on lines it is not shown must declare it.
   */
  readonly busy?: boolean;
}

export type MatcherFactory = () => Matcher;

/**
 * Two matchers behind one dispatcher bit (there are 31): each sees the lines either's `wake` holds, in order, the
 * second skipping what the first claimed as the registry's order would. `wake` must hold both matchers' wakes.
 */
export function mergeMatchers(name: string, wake: Wake, a: Matcher, b: Matcher): Matcher {
  return {
    name,
    wake,
    get busy(): boolean {
      return a.busy === true || b.busy === true;
    },
    line(l, ctx) {
      a.line(l, ctx);
      b.line(l, ctx);
    },
    flush(ctx) {
      a.flush?.(ctx);
      b.flush?.(ctx);
    },
  };
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * The cheap test for a `path:line` location at the start of a line: the path does not start with white
 * space and holds no colon (but a drive letter's), so the first colon, or the one after `C:`, is followed
 * by the line number. `colon` is `text.indexOf(':')`. True is only a maybe; false means no location.
 *
 * Here and in the matchers, `charCodeAt` is never called past the end of the text: once a call site has
 * read past the end, V8 stops inlining it and every later call there costs several times more.
 */
export function mayBeLocation(text: string, colon: number): boolean {
  const n = text.length;
  if (colon <= 0 || colon + 1 >= n) return false;
  const first = text.charCodeAt(0);
  if (first === 32 || (first >= 9 && first <= 13)) return false;
  if (isDigit(text.charCodeAt(colon + 1))) return true;
  if (colon !== 1) return false;
  const next = text.indexOf(':', 2);
  return next >= 0 && next + 1 < n && isDigit(text.charCodeAt(next + 1));
}

/** A cheap look at the last 13 characters for `.ext`. */
export function endsWithExtension(s: string): boolean {
  return endsWithExtensionIn(s, 0, s.length - 1, false);
}

/** The parser's side of the context: the number of the last line a matcher claimed. */
export interface ClaimingContext extends MatcherContext {
  readonly claimedLine: number;
}

/**
 * Calls the matchers a line wakes and returns the mask of those still busy (0: every matcher is idle). `raw` is
 * the line as read, searched for `words` (or
 * the latin1 string of its UTF-8 bytes: words are ASCII, found in one exactly where in the other). `pre`, when
 * not negative, is the line's `wantedRaw`, used instead: a superset of `wanted`, and a woken matcher that has
 * nothing to do with a line does nothing (the wake contract).
 */
export type Dispatch = (l: FramedLine, ctx: ClaimingContext, raw: string, pre: number) => number;

export interface Dispatcher {
  readonly dispatch: Dispatch;
  /**
   * Ends a step: flushes the matchers shown a line since the last flush. One that was shown none has nothing to
   * end (a flush leaves a matcher with nothing to report), and a log of 15,000 steps spent 5% of its parse in
   * flushes of idle matchers.
   */
  flush(ctx: MatcherContext): void;
  /** The matchers a framed line wakes while idle (what `dispatch` computes; for tests). */
  wanted(l: FramedLine, raw: string): number;
  /** A RawText for `wantedRaw` (it finds the wake words too). */
  newRawText(): RawText;
  /**
   * The matchers an unframed line may wake while they are idle: a superset of what `dispatch` would compute once
   * the line is framed, or -1 when framing is needed to tell (a matcher without `wake`, say). `r` is the line's
   * `scanRaw` result.
   */
  wantedRaw(r: RawText): number;
  /** The tables `wantedRaw` reads, for the pre-scan's WebAssembly filter (`prescanWasm.ts`); null: not gated. */
  wakeData(): WakeData | null;
}

/** What `wantedRaw` looks up, as data. */
export interface WakeData {
  first: Int32Array;
  indented: Int32Array;
  last: Int32Array;
  flag: Int32Array;
  /** Bits of single characters past U+0080 (the tables' slot 128 holds NON_ASCII's), by UTF-16 unit. */
  firstX: Map<number, number>;
  indentedX: Map<number, number>;
  lastX: Map<number, number>;
  prefixes: { bit: number; prefix: string }[];
  words: { bit: number; words: string[] }[];
  needs: { bit: number; words: string[] }[];
  needBits: number;
  fold: { virtual: number; real: number }[];
  virtualBits: number;
}

type DispatchFactory = (
  m: readonly Matcher[],
  wanted: (l: FramedLine, raw: string) => number,
) => { dispatch: Dispatch; flush: (ctx: MatcherContext) => void };
/** Dispatchers by source, so that parsers with the same matchers share one compiled function. */
const factories = new Map<string, DispatchFactory>();

const MAX_GATED = 31;

/** Tokens every `RawText` finds (`RawText.find`); wake words follow them. */
export const T_CR = 0;
export const T_ESC = 1;
export const T_CSI8 = 2;
export const T_COLON = 3;
export const T_MCCABE = 4;
const FIXED_TOKENS = ['\r', '\x1b', '\x9b', ':', ' (mccabe: '];
/** What the runners' timestamps look like (GitHub's, GitLab's with its stream marker). */
const TIMESTAMPS = [
  '2024-05-01T10:00:00.1234567Z ',
  '2024-05-01T10:00:00.123456Z 00O+',
  '2024-05-01T10:00:00.123Z 01E ',
];
/** `RawText.find` found nothing from here to the end of the string. */
const NONE = 0x7fffffff;

/**
 * An unframed line `s[start..end)` (a line of its own, or one of a chunk's lines) and, once `scanRaw` accepted
 * it, where its text lies: for lines whose only escapes are colours (SGR, `ESC [ digits ; m`), all the framer
 * would cut, the text's characters are the raw line's outside them.
 *
 * Searches go through `find`, which remembers, per token, the next place it occurs in `s`: over a chunk's
 * lines, a token that is rare costs one search for many lines instead of one per line.
 */
export class RawText {
  s = '';
  start = 0;
  end = 0;
  /** The first escape at or after the text's start, or -1. */
  esc = -1;
  /** The text's first and last characters in the raw line (past leading and before trailing colours); p > q: empty. */
  p = 0;
  q = -1;
  /**
   * The raw line is the latin1 string of the line's UTF-8 bytes (one character per byte): ASCII reads the same,
   * anything else must be decoded (or assumed) where a character counts.
   */
  bytes = false;
  private readonly tokens: string[];
  /** Per token: where it next occurs at or after `from[k]` in `s` (NONE: nowhere). */
  private readonly at: Int32Array;
  private readonly from: Int32Array;

  /** Tokens few lines hold and every line is asked about: CR, C1 CSI, the `words` (not the needs). */
  private readonly rare: number[];
  /** No rare token occurs from `rareFrom` up to `rareAt` (NONE: up to the end of `s`). */
  private rareFrom = NONE;
  private rareAt = 0;

  constructor(words: readonly string[] = [], everyLineWords: readonly number[] = []) {
    this.tokens = [...FIXED_TOKENS, ...words];
    this.at = new Int32Array(this.tokens.length);
    this.from = new Int32Array(this.tokens.length).fill(NONE);
    this.rare = [T_CR, T_CSI8, ...everyLineWords.map((id) => FIXED_TOKENS.length + id)];
  }

  /**
   * True when the line holds none of the rare tokens: one comparison for most lines, instead of a search (or
   * a cursor check) per token.
   */
  rareAbsent(): boolean {
    if (this.rareFrom <= this.start && this.rareAt >= this.end) return true;
    let min = NONE;
    const rare = this.rare;
    for (let i = 0; i < rare.length; i++) {
      const k = rare[i]!;
      this.find(k, this.start);
      const at = this.at[k]!;
      if (at < min) min = at;
    }
    this.rareFrom = this.start;
    this.rareAt = min;
    return min >= this.end;
  }

  private slice: string | null = null;

  /** The line `s[start..end)` (line end excluded). */
  set(s: string, start: number, end: number, bytes: boolean): void {
    if (s !== this.s) {
      this.s = s;
      this.from.fill(NONE);
      this.rareFrom = NONE;
    }
    this.start = start;
    this.end = end;
    this.bytes = bytes;
    this.slice = null;
  }

  /**
   * Whether the line holds token `k`, searched in the line alone: for tokens asked about on few lines, where
   * `find`'s search to the next occurrence would cross most of the chunk for each.
   */
  holds(k: number): boolean {
    if (this.start === 0 && this.end === this.s.length) return this.s.indexOf(this.tokens[k]!) >= 0;
    this.slice ??= this.s.slice(this.start, this.end);
    return this.slice.indexOf(this.tokens[k]!) >= 0;
  }

  /** Where token `k` first occurs in the line at or after `from`, or -1. (No token holds a line end.) */
  find(k: number, from: number): number {
    let at = this.at[k]!;
    if (from < this.from[k]! || (at < from && at !== NONE)) {
      const i = search(this.s, k, this.tokens[k]!, from);
      at = i < 0 ? NONE : i;
      this.at[k] = at;
      this.from[k] = from;
    }
    return at < this.end ? at : -1;
  }
}

/** `s.indexOf(token, from)`, with the single characters as literals (V8's fast path for them). */
function search(s: string, k: number, token: string, from: number): number {
  switch (k) {
    case T_CR:
      return s.indexOf('\r', from);
    case T_ESC:
      return s.indexOf('\x1b', from);
    case T_CSI8:
      return s.indexOf('\x9b', from);
    case T_COLON:
      return s.indexOf(':', from);
    default:
      return s.indexOf(token, from);
  }
}

/**
 * Fills `r` (whose line `set` gave) for the text that starts at `start`. False when the framer would do more than
 * cut colours (another escape sequence, a C1 CSI, a bare `\r`): only framing can tell that text.
 */
export function scanRaw(r: RawText, start: number): boolean {
  const s = r.s;
  const n = r.end;
  const rare = !r.rareAbsent();
  if (rare && r.find(T_CR, start) >= 0) return false;
  const esc = r.find(T_ESC, start);
  r.esc = esc;
  let p = start;
  let q = n - 1;
  if (esc >= 0) {
    if (rare && r.find(T_CSI8, start) >= 0) return false;
    // Every escape must be a colour; leading ones move p, trailing ones move q.
    let i = esc;
    let lead = esc === start;
    let last = -1;
    while (i >= 0) {
      let j = i + 1;
      if (j >= n || s.charCodeAt(j) !== 91 /* [ */) return false;
      j++;
      let c = j < n ? s.charCodeAt(j) : 0;
      while ((c >= 48 && c <= 57) || c === 59) c = ++j < n ? s.charCodeAt(j) : 0;
      if (c !== 109 /* m */) return false;
      if (lead) p = j + 1;
      last = j;
      i = j + 1 < n ? r.find(T_ESC, j + 1) : -1;
      lead = lead && i === j + 1;
    }
    // Colours that end the line: walk back over adjacent sequences from the end.
    if (last === n - 1) {
      let k = n - 1;
      for (;;) {
        // s[k] is the `m` of a sequence that ends at k: find its ESC.
        let b = k - 1;
        while (b >= start && s.charCodeAt(b) !== 27) b--;
        q = b - 1;
        if (q < p || s.charCodeAt(q) !== 109) break;
        // Another sequence right before? Only if an ESC [ digits m ends at q.
        let e = q - 1;
        while (e >= p && ((s.charCodeAt(e) >= 48 && s.charCodeAt(e) <= 57) || s.charCodeAt(e) === 59)) e--;
        if (e - 1 < p || s.charCodeAt(e) !== 91 || s.charCodeAt(e - 1) !== 27) break;
        k = q;
      }
    }
  }
  r.p = p;
  r.q = q;
  return true;
}

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** The wake tables of a matcher list: first, indented and last characters, flags, words. */
class WakeTables {
  readonly first = new Int32Array(129);
  readonly indented = new Int32Array(129);
  readonly last = new Int32Array(129);
  readonly flag = new Int32Array(128);
  /** Bits for single characters past U+0080 (the tables' slot 128 holds NON_ASCII's). */
  readonly firstX = new Map<number, number>();
  readonly indentedX = new Map<number, number>();
  readonly lastX = new Map<number, number>();
  /** `prefixes` by their first character. */
  readonly prefixTable: ({ bit: number; prefix: string }[] | undefined)[] = new Array(128).fill(undefined);
  readonly words: { bit: number; ids: number[] }[] = [];
  readonly needs: { bit: number; ids: number[] }[] = [];
  /** Bits of the matchers with `needs`. */
  needBits = 0;
  /** Bits past the matchers' own, one per extra `wake` alternative, and the matcher bit each stands for. */
  virtualBits = 0;
  readonly fold: { virtual: number; real: number }[] = [];
  /** Every distinct word, searched at most once per line (`stamp` marks the searches of the current line). */
  private readonly wordList: string[] = [];
  private readonly wordStamp: number[] = [];
  private readonly wordFound: boolean[] = [];
  private stamp = 0;
  /** By GitHub command: the bits its lines wake (`Wake.commands`). */
  private readonly commandBits = new Map<LineCommand, number>();
  /** Every matcher has a `wake` (and a bit): an idle line may skip them all. */
  gated = true;

  add(w: Wake, bit: number): void {
    this.fill(this.first, this.firstX, w.first, bit);
    this.fill(this.indented, this.indentedX, w.indented, bit);
    this.fill(this.last, this.lastX, w.last, bit);
    // An indented line's first character is a space.
    if (w.first !== undefined && w.first.indexOf(' ') >= 0) {
      for (let k = 0; k < 129; k++) this.indented[k]! |= bit;
    }
    for (const prefix of w.prefixes ?? []) {
      if (!/^[\x20-\x7e]+$/.test(prefix))
        throw new Error(`wake prefix ${JSON.stringify(prefix)} is not printable ASCII`);
      const c = prefix.charCodeAt(0);
      (this.prefixTable[c] ??= []).push({ bit, prefix });
    }
    const flags = w.flags ?? 0;
    for (let f = 0; f < 128; f++) if ((f & flags) !== 0) this.flag[f]! |= bit;
    for (const c of w.commands ?? []) this.commandBits.set(c, (this.commandBits.get(c) ?? 0) | bit);
    if (w.words !== undefined && w.words.length > 0) this.words.push({ bit, ids: this.wordIds(w.words) });
    if (w.needs !== undefined && w.needs.length > 0) {
      this.needs.push({ bit, ids: this.wordIds(w.needs) });
      this.needBits |= bit;
    }
  }

  private fill(table: Int32Array, extra: Map<number, number>, chars: string | undefined, bit: number): void {
    if (chars === undefined) return;
    for (let k = 0; k < chars.length; k++) {
      const c = chars.charCodeAt(k);
      if (c <= 128) table[c]! |= bit;
      else extra.set(c, (extra.get(c) ?? 0) | bit);
    }
  }

  lookup(table: Int32Array, extra: Map<number, number>, c: number): number {
    if (c < 128) return table[c]!;
    const x = extra.size > 0 ? extra.get(c) : undefined;
    return x === undefined ? table[128]! : table[128]! | x;
  }

  private wordIds(words: readonly string[]): number[] {
    return words.map((w) => {
      // Words are searched in the whole raw line: one a timestamp holds would wake the matcher on every line.
      if (TIMESTAMPS.some((t) => t.includes(w)))
        throw new Error(`wake word ${JSON.stringify(w)} is in timestamps`);
      // ASCII only, so that a line's UTF-8 bytes (RawText.bytes) hold a word exactly where its text does.
      if (!/^[\x20-\x7e]+$/.test(w)) throw new Error(`wake word ${JSON.stringify(w)} is not printable ASCII`);
      let id = this.wordList.indexOf(w);
      if (id < 0) {
        id = this.wordList.push(w) - 1;
        this.wordStamp.push(0);
        this.wordFound.push(false);
      }
      return id;
    });
  }

  private holdsAny(raw: string, ids: number[]): boolean {
    const stamp = this.stamp;
    for (let k = 0; k < ids.length; k++) {
      const id = ids[k]!;
      if (this.wordStamp[id] !== stamp) {
        this.wordStamp[id] = stamp;
        this.wordFound[id] = raw.indexOf(this.wordList[id]!) >= 0;
      }
      if (this.wordFound[id]) return true;
    }
    return false;
  }

  /** `mask` without the matchers whose `needs` the raw line lacks, with those its `words` wake. */
  wordMask(raw: string, mask: number): number {
    // A new line: a word two matchers share is searched once.
    this.stamp = (this.stamp + 1) | 0;
    if ((mask & this.needBits) !== 0) {
      const ns = this.needs;
      for (let i = 0; i < ns.length; i++) {
        const w = ns[i]!;
        if ((mask & w.bit) !== 0 && !this.holdsAny(raw, w.ids)) mask &= ~w.bit;
      }
    }
    const ws = this.words;
    for (let i = 0; i < ws.length; i++) {
      const w = ws[i]!;
      if ((mask & w.bit) === 0 && this.holdsAny(raw, w.ids)) mask |= w.bit;
    }
    return this.folded(mask);
  }

  /** `mask` with each wake alternative's bit turned into its matcher's. */
  private folded(mask: number): number {
    if ((mask & this.virtualBits) === 0) return mask;
    for (let i = 0; i < this.fold.length; i++)
      if ((mask & this.fold[i]!.virtual) !== 0) mask |= this.fold[i]!.real;
    return mask & ~this.virtualBits;
  }

  /** The matchers a framed line wakes. */
  wanted(l: FramedLine, raw: string): number {
    const t = l.text;
    const n = t.length;
    const byCommand = l.command !== null ? (this.commandBits.get(l.command) ?? 0) : 0;
    // No matcher acts on an empty line while idle (but for its words).
    if (n === 0) return this.wordMask(raw, byCommand | this.flag[l.command !== null ? LINE_COMMAND : 0]!);
    const c0 = t.charCodeAt(0);
    const cl = t.charCodeAt(n - 1);
    let mask = byCommand | this.lookup(this.first, this.firstX, c0) | this.lookup(this.last, this.lastX, cl);
    const ps = c0 < 128 ? this.prefixTable[c0] : undefined;
    if (ps !== undefined) {
      for (let i = 0; i < ps.length; i++) if (t.startsWith(ps[i]!.prefix)) mask |= ps[i]!.bit;
    }
    if (c0 === 32) {
      let k = 1;
      while (k < n && t.charCodeAt(k) === 32) k++;
      if (k < n) mask |= this.lookup(this.indented, this.indentedX, t.charCodeAt(k));
    }
    let flags = l.command !== null ? LINE_COMMAND : 0;
    const colon = l.colon;
    if (colon >= 0) {
      flags |= LINE_COLON;
      if (colon + 1 < n) {
        const next = t.charCodeAt(colon + 1);
        if (next !== 58) flags |= LINE_COLON_SINGLE;
        if (next === 32 && colon + 2 < n && t.charCodeAt(colon + 2) === 99) flags |= LINE_COLON_SPACE_C;
        if (mayBeLocation(t, colon)) flags |= LINE_LOCATION;
        if (next === 32 || t.indexOf(': ', colon + 1) >= 0) flags |= LINE_COLON_SPACE;
      }
    }
    if (isAlnum(cl) && endsWithExtension(t)) flags |= LINE_EXTENSION_END;
    return this.wordMask(raw, mask | this.flag[flags]!);
  }

  /**
   * `wanted` for a line not yet framed, from its raw text (`r` from `scanRaw`, no command): what colours could
   * hide from the raw characters is assumed present, so the result holds every matcher `wanted` would give.
   */
  wantedRaw(r: RawText): number {
    if (!this.gated) return -1;
    const s = r.s;
    const p = r.p;
    const q = r.q;
    // Words are searched from the line's start, as `wanted` does: a word may be found in a colour code's `[`.
    if (p > q) return this.rawWordMask(r, this.flag[0]!);
    const esc = r.esc;
    let c0 = s.charCodeAt(p);
    let cl = s.charCodeAt(q);
    if (r.bytes && (c0 >= 128 || cl >= 128)) {
      // UTF-8 bytes: the characters framing would see (the first or last UTF-16 unit); malformed: framing's call.
      if (c0 >= 128 && (c0 = utf8Unit(s, p, q)) < 0) return -1;
      if (cl >= 128 && (cl = utf8LastUnit(s, p, q)) < 0) return -1;
    }
    let mask = this.lookup(this.first, this.firstX, c0) | this.lookup(this.last, this.lastX, cl);
    // The first escape inside the text (past the leading colours), or -1.
    const inner = esc < 0 ? -1 : esc >= p ? esc : r.find(T_ESC, p);
    const ps = c0 < 128 ? this.prefixTable[c0] : undefined;
    if (ps !== undefined) {
      // A colour inside the prefix's span could hide the rest of it: assume it there when the characters before
      // the colour begin the prefix (pip's indented progress bars hid ` ERR_PNPM_` from this test otherwise).
      for (let i = 0; i < ps.length; i++) {
        const x = ps[i]!;
        if (
          s.startsWith(x.prefix, p) ||
          (inner >= 0 && inner < p + x.prefix.length && beginsWith(s, p, inner, x.prefix))
        )
          mask |= x.bit;
      }
    }
    if (c0 === 32) {
      // The first character that is not a space, past any colours among the spaces.
      let k = p + 1;
      for (;;) {
        while (k <= q && s.charCodeAt(k) === 32) k++;
        if (k > q || s.charCodeAt(k) !== 27) break;
        k = s.indexOf('m', k) + 1;
      }
      if (k <= q) {
        let ck = s.charCodeAt(k);
        if (r.bytes && ck >= 128 && (ck = utf8Unit(s, k, q)) < 0) return -1;
        mask |= this.lookup(this.indented, this.indentedX, ck);
      }
    }
    let flags = 0;
    const colon = r.find(T_COLON, p);
    if (colon >= 0 && colon <= q) {
      flags |= LINE_COLON;
      if (colon + 1 <= q) {
        const next = s.charCodeAt(colon + 1);
        if (next === 27) {
          // Whatever follows the colour: assume all of it.
          flags |= LINE_COLON_SINGLE | LINE_COLON_SPACE_C | LINE_LOCATION | LINE_COLON_SPACE;
        } else {
          if (next !== 58) flags |= LINE_COLON_SINGLE;
          if (next === 32 && colon + 2 <= q) {
            const after = s.charCodeAt(colon + 2);
            if (after === 99 || after === 27) flags |= LINE_COLON_SPACE_C;
          }
          if (rawMayBeLocation(r, colon, inner)) flags |= LINE_LOCATION;
          if (next === 32) flags |= LINE_COLON_SPACE;
          else {
            // A later ": " in the text, or ":" and a colour: tried at the line's colons (searching for ": " crossed
            // most of the chunk from a line that had none: a line holds few colons, a chunk few ": " after them).
            for (let k = r.find(T_COLON, colon + 1); k >= 0; k = r.find(T_COLON, k + 1)) {
              const d = s.charCodeAt(k + 1);
              if ((d === 32 && k < q) || (d === 27 && inner >= 0)) {
                flags |= LINE_COLON_SPACE;
                break;
              }
            }
          }
        }
      }
    }
    if (isAlnum(cl) && endsWithExtensionIn(s, p, q, esc >= 0)) flags |= LINE_EXTENSION_END;
    return this.rawWordMask(r, mask | this.flag[flags]!);
  }

  /** `wordMask` with the line's searches through `r.find`. */
  private rawWordMask(r: RawText, mask: number): number {
    if ((mask & this.needBits) !== 0) {
      const ns = this.needs;
      for (let i = 0; i < ns.length; i++) {
        const w = ns[i]!;
        if ((mask & w.bit) !== 0 && !rawHoldsAny(r, w.ids, false)) mask &= ~w.bit;
      }
    }
    if (!r.rareAbsent()) {
      const ws = this.words;
      for (let i = 0; i < ws.length; i++) {
        const w = ws[i]!;
        if ((mask & w.bit) === 0 && rawHoldsAny(r, w.ids, true)) mask |= w.bit;
      }
    }
    return this.folded(mask);
  }

  data(): WakeData | null {
    if (!this.gated) return null;
    const words = (groups: { bit: number; ids: number[] }[]) =>
      groups.map((g) => ({ bit: g.bit, words: g.ids.map((id) => this.wordList[id]!) }));
    return {
      first: this.first,
      indented: this.indented,
      last: this.last,
      flag: this.flag,
      firstX: this.firstX,
      indentedX: this.indentedX,
      lastX: this.lastX,
      prefixes: this.prefixTable.flatMap((ps) => ps ?? []),
      words: words(this.words),
      needs: words(this.needs),
      needBits: this.needBits,
      fold: this.fold,
      virtualBits: this.virtualBits,
    };
  }

  /** A RawText that finds this list's words too. */
  newRawText(): RawText {
    const everyLine = new Set<number>();
    for (const w of this.words) for (const id of w.ids) everyLine.add(id);
    return new RawText(this.wordList, [...everyLine]);
  }
}

/** Words are asked about on every line (`find`'s cursors pay), needs on a few (searched in the line). */
function rawHoldsAny(r: RawText, ids: number[], everyLine: boolean): boolean {
  for (let k = 0; k < ids.length; k++) {
    const token = FIXED_TOKENS.length + ids[k]!;
    if (everyLine ? r.find(token, r.start) >= 0 : r.holds(token)) return true;
  }
  return false;
}

/**
 * `mayBeLocation` on the text `r.s[p..q]` whose first colon is at `colon`, a superset where colours could hide.
 * `inner` is the first escape inside the text, or -1.
 */
function rawMayBeLocation(r: RawText, colon: number, inner: number): boolean {
  const s = r.s;
  const p = r.p;
  const q = r.q;
  if (colon <= p || colon + 1 > q) return false;
  const first = s.charCodeAt(p);
  if (first === 32 || (first >= 9 && first <= 13)) return false;
  const next = s.charCodeAt(colon + 1);
  if (isDigit(next) || next === 27) return true;
  // `C:` then the line's colon; a colour between `C` and `:` could make it one, and so could a first
  // character of several bytes.
  if (colon !== p + 1) return (inner > p && inner < colon) || (r.bytes && first >= 128);
  const k = r.find(T_COLON, colon + 1);
  if (k < 0 || k + 1 > q) return false;
  const d = s.charCodeAt(k + 1);
  return isDigit(d) || d === 27;
}

/**
 * The UTF-16 unit that the well-formed UTF-8 sequence starting at `s[i]` (one character per byte, ending by `q`)
 * decodes to first, or -1 when it is malformed.
 */
export function utf8Unit(s: string, i: number, q: number): number {
  const b0 = s.charCodeAt(i);
  if (b0 < 0x80) return b0;
  const len = b0 >= 0xc2 && b0 <= 0xdf ? 2 : b0 >= 0xe0 && b0 <= 0xef ? 3 : b0 >= 0xf0 && b0 <= 0xf4 ? 4 : 0;
  if (len === 0 || i + len - 1 > q) return -1;
  let cp = len === 2 ? b0 & 0x1f : len === 3 ? b0 & 0x0f : b0 & 0x07;
  for (let k = 1; k < len; k++) {
    const b = s.charCodeAt(i + k);
    if (b < 0x80 || b > 0xbf) return -1;
    cp = (cp << 6) | (b & 0x3f);
  }
  // Overlong forms, surrogates and code points past U+10FFFF are malformed.
  if (
    (len === 3 && cp < 0x800) ||
    (cp >= 0xd800 && cp <= 0xdfff) ||
    (len === 4 && (cp < 0x10000 || cp > 0x10ffff))
  )
    return -1;
  return cp < 0x10000 ? cp : 0xd800 + ((cp - 0x10000) >> 10);
}

/** Whether `s[p..end)` is the start of `prefix` (`end - p` at most its length). */
function beginsWith(s: string, p: number, end: number, prefix: string): boolean {
  for (let k = p; k < end; k++) if (s.charCodeAt(k) !== prefix.charCodeAt(k - p)) return false;
  return true;
}

/** The last UTF-16 unit of the well-formed UTF-8 character ending at `s[q]` (from `p` on), or -1. */
export function utf8LastUnit(s: string, p: number, q: number): number {
  let j = q;
  while (j > p && j > q - 3 && s.charCodeAt(j) >= 0x80 && s.charCodeAt(j) <= 0xbf) j--;
  const first = utf8Unit(s, j, q);
  if (first < 0) return -1;
  const b0 = s.charCodeAt(j);
  const len = b0 < 0x80 ? 1 : b0 <= 0xdf ? 2 : b0 <= 0xef ? 3 : 4;
  if (j + len - 1 !== q) return -1;
  if (len < 4) return first;
  let cp = s.charCodeAt(j) & 0x07;
  for (let k = 1; k < 4; k++) cp = (cp << 6) | (s.charCodeAt(j + k) & 0x3f);
  return 0xdc00 + ((cp - 0x10000) & 0x3ff);
}

/**
 * Whether the text `s[p..q]` ends with `.ext` (1 to 12 letters or digits, within its last 13 characters, the dot
 * not first), stepping over the colours inside it when `colours`.
 */
function endsWithExtensionIn(s: string, p: number, q: number, colours: boolean): boolean {
  let seen = 0;
  let i = q;
  while (i > p && seen < 13) {
    const ch = s.charCodeAt(i);
    if (ch === 109 /* m */ && colours) {
      let j = i - 1;
      while (j > p && (isDigit(s.charCodeAt(j)) || s.charCodeAt(j) === 59)) j--;
      if (j > p && s.charCodeAt(j) === 91 && s.charCodeAt(j - 1) === 27) {
        i = j - 2;
        continue;
      }
    }
    if (ch === 46) return i < q;
    if (!isAlnum(ch)) return false;
    seen++;
    i--;
  }
  return false;
}

/**
 * Builds the dispatcher: the line's class (first, first non-space and last character, `LINE_*` flags, words) is
 * looked up in tables built from the matchers' `wake`, giving a bit mask of the matchers to call. A matcher's
 * `busy` is read only after it ran (its state changes nowhere else, but in `flush`, which a step's first line
 * follows), so an idle matcher costs one bit test per line.
 *
 * Each matcher is called from a call site of its own. A loop over the matchers is one megamorphic call site
 * that V8 cannot inline; unrolled, each site sees one matcher class, and its cheap rejection test is inlined
 * into the dispatcher.
 */
export function createDispatcher(matchers: readonly Matcher[]): Dispatcher {
  const tables = new WakeTables();
  const body: string[] = [];
  const flushes: string[] = [];
  matchers.forEach((m, i) => {
    const w = m.wake;
    if (w === undefined || i >= MAX_GATED) {
      tables.gated = false;
      body.push(`m${i}.line(l, c);`);
      if (m.flush) flushes.push(`m${i}.flush(c);`);
      return;
    }
    const bit = 1 << i;
    const alternatives: readonly Wake[] = Array.isArray(w) ? w : [w as Wake];
    alternatives.forEach((alt, k) => {
      if (k === 0) return tables.add(alt, bit);
      // Another way to wake the matcher, with its own needs: a bit of its own, folded into the matcher's.
      const virtual = 1 << (MAX_GATED - 1 - tables.fold.length);
      if (virtual <= 1 << (matchers.length - 1)) throw new Error('too many wake alternatives');
      tables.add(alt, virtual);
      tables.fold.push({ virtual, real: bit });
      tables.virtualBits |= virtual;
    });
    const claimed = alternatives.some((a) => a.claimed === true) ? ' || c.claimedLine === l.n' : '';
    const busy = 'busy' in m ? ` busy = m${i}.busy ? busy | ${bit} : busy & ${~bit};` : '';
    body.push(`if ((mask & ${bit}) !== 0${claimed}) { shown |= ${bit}; m${i}.line(l, c);${busy} }`);
    if (m.flush) flushes.push(`if ((s & ${bit}) !== 0) m${i}.flush(c);`);
  });
  const wanted = (l: FramedLine, raw: string): number => tables.wanted(l, raw);
  const names = matchers.map((_, i) => `m${i} = m[${i}]`).join(', ');
  // The source is built from indices and numbers only, never from log text.
  const source =
    `${names ? `const ${names};\n` : ''}let busy = 0;\nlet shown = 0;\n` +
    'return {\ndispatch: function dispatch(l, c, raw, pre) {\n' +
    'const mask = (pre >= 0 ? pre : wanted(l, raw)) | busy;\n' +
    `${body.join('\n')}\nreturn busy;\n},\n` +
    `flush: function flush(c) {\nconst s = shown;\nshown = 0;\n${flushes.join('\n')}\n},\n};`;
  let make = factories.get(source);
  if (make === undefined) {
    make = new Function('m', 'wanted', source) as DispatchFactory;
    factories.set(source, make);
  }
  const made = make(matchers, wanted);
  return {
    dispatch: made.dispatch,
    flush: made.flush,
    wanted,
    wantedRaw: (r) => tables.wantedRaw(r),
    wakeData: () => tables.data(),
    newRawText: () => tables.newRawText(),
  };
}
