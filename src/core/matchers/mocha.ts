/**
 * Mocha's failures (the spec reporter's, and dot's and list's, which print the same list): after `  3 failing`,
 * each failure is a numbered title, one line per suite level, the last ending in `:`, then the error and its
 * stack:
 *
 *       2) price
 *            discount
 *              refuses negative:
 *          RangeError: negative price
 *           at discount (lib/price.js:5:20)
 *           at Context.<anonymous> (test/price.spec.js:10:7)
 *
 * One problem per failure: its message is the error's first line, its place the test body's frame
 * (`Context.<anonymous>`), else the first frame in the project; the test is the titles joined by spaces (mocha's
 * full title).
 */
import type { Matcher, MatcherContext, Wake } from '../matcher';
import { frameOf, inProject, placeOf } from './jest';
import type { Frame } from './jest';

const FAILING = /^ {1,4}\d{1,7} failing$/;
const HEADER = /^ {1,4}(\d{1,7})\) (\S.{0,1000})$/;
const MAX_BLOCK = 500;
const NAMED_FILE = /\(([^()\s]{1,1000}\.[cm]?[jt]sx?)\)$/;
export const MOCHA_WAKE: Wake = { indented: '0123456789', needs: [' failing'] };

interface Failure {
  titles: string[];
  /** The last title line (ending in `:`) came: what follows is the error. */
  titled: boolean;
  message: string | null;
  test: Frame | null;
  first: Frame | null;
  frames: number;
  lines: number;
  n: number;
}

export function createMochaMatcher(): Matcher {
  /** Past `N failing`: the list of failures. */
  let listing = false;
  let f: Failure | null = null;

  function finish(ctx: MatcherContext): void {
    const b = f;
    f = null;
    if (b === null || b.message === null) return;
    const where = b.test ?? b.first;
    // A timeout's stack is the timer's: the message names the test file.
    const named = where === null ? NAMED_FILE.exec(b.message) : null;
    ctx.emit({
      ...placeOf(where, named?.[1] ?? null),
      severity: 'error',
      tool: 'mocha',
      message: b.message,
      test: b.titles.join(' '),
      logLine: b.n,
    });
  }

  /** A line of a failure; false when the failure ended before it. */
  function blockLine(b: Failure, t: string, ctx: MatcherContext): boolean {
    const s = t.trim();
    if (++b.lines > MAX_BLOCK) return false;
    if (!b.titled) {
      if (s.length === 0) return true;
      ctx.claim();
      const last = s.endsWith(':');
      b.titles.push(last ? s.slice(0, -1) : s);
      b.titled = last;
      return true;
    }
    const frame = s.startsWith('at ') ? frameOf(s) : null;
    if (frame !== null || (s.startsWith('at ') && b.message !== null)) {
      ctx.claim();
      b.frames++;
      if (frame !== null && inProject(frame)) {
        b.first ??= frame;
        if (b.test === null && s.startsWith('at Context.<anonymous> ')) b.test = frame;
      }
      return true;
    }
    // The stack is the failure's end.
    if (b.frames > 0) return false;
    if (s.length === 0) return true;
    ctx.claim();
    b.message ??= s;
    return true;
  }

  return {
    name: 'mocha',
    wake: MOCHA_WAKE,
    get busy(): boolean {
      return listing;
    },
    line(l, ctx) {
      const t = l.text;
      if (listing) {
        if (f !== null && blockLine(f, t, ctx)) return;
        finish(ctx);
        const h = HEADER.exec(t);
        if (h !== null) {
          ctx.claim();
          f = {
            titles: [],
            titled: false,
            message: null,
            test: null,
            first: null,
            frames: 0,
            lines: 0,
            n: l.n,
          };
          blockLine(f, h[2]!, ctx);
          return;
        }
        // Past the list: its failures are indented, and blank lines separate them.
        if (t.trim().length > 0 && t.charCodeAt(0) !== 32) listing = false;
        if (listing || t.charCodeAt(0) !== 32) return;
      }
      if (t.charCodeAt(0) === 32 && FAILING.test(t)) listing = true;
    },
    flush(ctx) {
      finish(ctx);
      listing = false;
    },
  };
}
