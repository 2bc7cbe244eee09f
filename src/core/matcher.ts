/** The seam between the parser and the per-tool matchers. */
import type { FramedLine } from './framing';
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
  /** For a line that starts with a space: the first character that is not a space (same alphabet). */
  indented?: string;
  /** Last characters of the text. */
  last?: string;
  /** `LINE_*` flags, any of which wakes the matcher. */
  flags?: number;
  /** Lines an earlier matcher claimed (known only as the chain runs). */
  claimed?: boolean;
}

/** In a `Wake` alphabet: any character from U+0080 on. */
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
  readonly wake?: Wake;
  /**
   * True while the matcher is inside a block (or waits for the next line): it then sees every line. Read after
   * each `line()` the matcher was shown, so it may change only there and in `flush`. A matcher with `wake` whose
   * idle state depends on lines it is not shown must declare it.
   */
  readonly busy?: boolean;
}

export type MatcherFactory = () => Matcher;

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
  const stop = Math.max(1, s.length - 13);
  for (let i = s.length - 1; i >= stop; i--) {
    const ch = s.charCodeAt(i);
    if (ch === 46) return i < s.length - 1;
    const alnum = (ch >= 48 && ch <= 57) || (ch >= 65 && ch <= 90) || (ch >= 97 && ch <= 122);
    if (!alnum) return false;
  }
  return false;
}

/** The parser's side of the context: the number of the last line a matcher claimed. */
export interface ClaimingContext extends MatcherContext {
  readonly claimedLine: number;
}

/** Calls the matchers a line wakes. `full` shows the line to every matcher (a step's first line). */
export type Dispatch = (l: FramedLine, ctx: ClaimingContext, full: boolean) => void;

type DispatchFactory = (m: readonly Matcher[], wanted: (l: FramedLine) => number, all: number) => Dispatch;
/** Dispatchers by source, so that parsers with the same matchers share one compiled function. */
const factories = new Map<string, DispatchFactory>();

const MAX_GATED = 31;

/**
 * Builds the dispatcher: the line's class (first, first non-space and last character, `LINE_*` flags) is
 * looked up in tables built from the matchers' `wake`, giving a bit mask of the matchers to call. A matcher's
 * `busy` is read only after it ran (its state changes nowhere else, but in `flush`, which a step's first line
 * follows), so an idle matcher costs one bit test per line.
 *
 * Each matcher is called from a call site of its own. A loop over the matchers is one megamorphic call site
 * that V8 cannot inline; unrolled, each site sees one matcher class, and its cheap rejection test is inlined
 * into the dispatcher.
 */
export function createDispatch(matchers: readonly Matcher[]): Dispatch {
  const byFirst = new Int32Array(129);
  const byIndented = new Int32Array(129);
  const byLast = new Int32Array(129);
  const byFlag = new Int32Array(128);
  let all = 0;
  const body: string[] = [];
  const fill = (table: Int32Array, chars: string | undefined, bit: number): void => {
    if (chars === undefined) return;
    for (let k = 0; k < chars.length; k++) {
      const c = chars.charCodeAt(k);
      table[c < 128 ? c : 128]! |= bit;
    }
  };
  matchers.forEach((m, i) => {
    const w = m.wake;
    if (w === undefined || i >= MAX_GATED) {
      body.push(`m${i}.line(l, c);`);
      return;
    }
    const bit = 1 << i;
    all |= bit;
    fill(byFirst, w.first, bit);
    fill(byIndented, w.indented, bit);
    fill(byLast, w.last, bit);
    // An indented line's first character is a space.
    if (w.first !== undefined && w.first.indexOf(' ') >= 0)
      for (let k = 0; k < 129; k++) byIndented[k]! |= bit;
    const flags = w.flags ?? 0;
    for (let f = 0; f < 128; f++) if ((f & flags) !== 0) byFlag[f]! |= bit;
    const claimed = w.claimed === true ? ' || c.claimedLine === l.n' : '';
    const busy = 'busy' in m ? ` busy = m${i}.busy ? busy | ${bit} : busy & ${~bit};` : '';
    body.push(`if ((mask & ${bit}) !== 0${claimed}) { m${i}.line(l, c);${busy} }`);
  });
  const wanted = (l: FramedLine): number => {
    const t = l.text;
    const n = t.length;
    // No matcher acts on an empty line while idle.
    if (n === 0) return byFlag[l.command !== null ? LINE_COMMAND : 0]!;
    const c0 = t.charCodeAt(0);
    const cl = t.charCodeAt(n - 1);
    let mask = byFirst[c0 < 128 ? c0 : 128]! | byLast[cl < 128 ? cl : 128]!;
    if (c0 === 32) {
      let k = 1;
      while (k < n && t.charCodeAt(k) === 32) k++;
      if (k < n) {
        const ck = t.charCodeAt(k);
        mask |= byIndented[ck < 128 ? ck : 128]!;
      }
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
    if (
      ((cl >= 48 && cl <= 57) || (cl >= 65 && cl <= 90) || (cl >= 97 && cl <= 122)) &&
      endsWithExtension(t)
    ) {
      flags |= LINE_EXTENSION_END;
    }
    return mask | byFlag[flags]!;
  };
  const names = matchers.map((_, i) => `m${i} = m[${i}]`).join(', ');
  // The source is built from indices and numbers only, never from log text.
  const source =
    `${names ? `const ${names};\n` : ''}let busy = 0;\n` +
    'return function dispatch(l, c, full) {\nconst mask = full ? all : wanted(l) | busy;\n' +
    `${body.join('\n')}\n};`;
  let make = factories.get(source);
  if (make === undefined) {
    make = new Function('m', 'wanted', 'all', source) as DispatchFactory;
    factories.set(source, make);
  }
  return make(matchers, wanted, all);
}
