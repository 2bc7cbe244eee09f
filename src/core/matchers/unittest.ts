/**
 * unittest failure blocks, as `python -m unittest`, nose and Django's test runner print them:
 *
 *     ======================================================================
 *     FAIL: test_total (shop.tests.test_cart.CartTest.test_total)
 *     ----------------------------------------------------------------------
 *     Traceback (most recent call last):
 *       File "/src/shop/tests/test_cart.py", line 15, in test_total
 *     AssertionError: 6 != 5
 *
 * Python 3.11+ prints `(module.Class.method)`, older versions `(module.Class)`; nose prints bare
 * `module.function` for test functions. A test marked `@expectedFailure` that passes fails the run too: 3.11+
 * lists it as `UNEXPECTED SUCCESS: name (id)`, a block without a traceback.
 */
import type { FramedLine } from '../framing';
import type { Matcher, MatcherContext, Wake } from '../matcher';
import type { Frame } from './traceback';
import { exceptionLine, groupException, isLibraryPath, parseFrame } from './traceback';

const HEADER = /^(?:FAIL|ERROR|(UNEXPECTED SUCCESS)): (\S.{0,1000})$/;
// `test_x (pkg.mod.Class.test_x)`, then maybe a subtest's `(i=1)` or `[label]`.
const NAME_PAREN = /^(\S{1,500}) \(([^()\s]{1,500})\)(?: |$)/;
const MAX_BLOCK_LINES = 1000;
const MAX_FRAMES = 200;

interface Block {
  test: string;
  method: string;
  logLine: number;
  /** Frames of every traceback in the block, in order; `sectionStart` indexes the last traceback's first. */
  frames: Frame[];
  sectionStart: number;
  message: string | null;
  /** Past the header's dashes: the traceback has begun. */
  body: boolean;
  /** The exception line of the current traceback has been seen; later lines are its continuation. */
  done: boolean;
  captured: boolean;
  lines: number;
}

const RULE_PREFIX: Record<string, string> = { '=': '='.repeat(10), '-': '-'.repeat(10) };

function isRule(text: string, ch: '=' | '-'): boolean {
  if (text.length < 20 || !text.startsWith(RULE_PREFIX[ch]!)) return false;
  const code = ch.charCodeAt(0);
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 32) end--;
  for (let i = 10; i < end; i++) if (text.charCodeAt(i) !== code) return false;
  return true;
}

export const UNITTEST_WAKE: Wake = { first: '=' };

class UnittestMatcher implements Matcher {
  readonly name = 'unittest';
  readonly wake = UNITTEST_WAKE;
  /** A `====` rule was the previous line: a header may follow. */
  private afterRule = false;
  private block: Block | null = null;

  line(l: FramedLine, ctx: MatcherContext): void {
    const text = l.text;
    const c = text.length > 0 ? text.charCodeAt(0) : -1;
    if (c === 61 /* = */ && isRule(text, '=')) {
      // Another matcher's claim (a pytest section) rules the line out; our own emit below does not.
      const other = ctx.claimed;
      this.finish(ctx);
      this.afterRule = !other;
      return;
    }
    if (this.afterRule) {
      this.afterRule = false;
      if ((c === 70 || c === 69 || c === 85) && !ctx.claimed) {
        const m = HEADER.exec(text);
        if (m) {
          if (m[1] === undefined) {
            ctx.claim();
            this.start(m[2]!, l.n);
            return;
          }
          ctx.emit({
            file: null,
            line: null,
            severity: 'error',
            tool: 'unittest',
            message: 'unexpected success: the test is marked @expectedFailure but passed',
            test: testName(m[2]!.trimEnd()).test,
          });
          return;
        }
      }
    }
    const b = this.block;
    if (!b) return;
    ctx.claim();
    if (++b.lines > MAX_BLOCK_LINES) {
      this.finish(ctx);
      return;
    }
    if (c === 45 /* - */ && isRule(text, '-')) {
      if (b.body) this.finish(ctx);
      else b.body = true;
      return;
    }
    if (!b.body || b.captured) return;
    if (text.indexOf('>> begin captured') >= 0) {
      b.captured = true;
      return;
    }
    if (c === 32) {
      if (b.done) return;
      const f = parseFrame(text);
      if (f) {
        if (b.frames.length < MAX_FRAMES) b.frames.push(f);
      } else if (b.frames.length > b.sectionStart) {
        // An exception group (Python 3.11+): its own exception line, in the margin, ends the traceback.
        const msg = groupException(text);
        if (msg !== null) {
          b.message = msg;
          b.done = true;
        }
      }
      return;
    }
    if (text.startsWith('Traceback (most recent call last):')) {
      b.sectionStart = b.frames.length;
      b.done = false;
      return;
    }
    if (b.done || b.frames.length === b.sectionStart) return;
    const msg = exceptionLine(text);
    if (msg !== null) {
      b.message = msg;
      b.done = true;
    }
  }

  /** After a rule (a header may follow) and inside a block. */
  get busy(): boolean {
    return this.afterRule || this.block !== null;
  }

  flush(ctx: MatcherContext): void {
    this.finish(ctx);
    this.afterRule = false;
  }

  private start(header: string, n: number): void {
    const { test, method } = testName(header.trimEnd());
    this.block = {
      test,
      method,
      logLine: n,
      frames: [],
      sectionStart: 0,
      message: null,
      body: false,
      done: false,
      captured: false,
      lines: 0,
    };
  }

  private finish(ctx: MatcherContext): void {
    const b = this.block;
    if (!b) return;
    this.block = null;
    // A DocTestSuite failure: doctest's own report follows in the message, past the rule that ended the block,
    // and is the doctest matcher's (at the example's line, not in doctest.py).
    if (b.message !== null && b.message.startsWith('AssertionError: Failed doctest test for ')) return;
    const f = pickFrame(b);
    ctx.emit({
      file: f ? f.file : null,
      line: f ? f.line : null,
      severity: 'error',
      tool: 'unittest',
      message: b.message ?? 'test failed',
      test: b.test,
      logLine: b.logLine,
    });
  }
}

/** The test id and method a block header names. */
function testName(header: string): { test: string; method: string } {
  const np = NAME_PAREN.exec(header);
  if (np) {
    const method = np[1]!;
    const paren = np[2]!;
    // 3.11+: "(pkg.mod.Class.method)"; before: "(pkg.mod.Class)".
    return { test: paren === method || paren.endsWith('.' + method) ? paren : `${paren}.${method}`, method };
  }
  // nose: `pkg.mod.test_func`, `pkg.mod.test_gen(1, 2)`, `Failure: ImportError (...)`.
  const name = header.split(/[ (]/, 1)[0]!;
  return { test: header, method: name.slice(name.lastIndexOf('.') + 1) };
}

/** The test method's frame, else the deepest project frame of the last traceback, else the deepest. */
function pickFrame(b: Block): Frame | null {
  for (let i = b.frames.length - 1; i >= 0; i--) if (b.frames[i]!.func === b.method) return b.frames[i]!;
  for (let i = b.frames.length - 1; i >= b.sectionStart; i--) {
    if (!isLibraryPath(b.frames[i]!.file)) return b.frames[i]!;
  }
  for (let i = b.frames.length - 1; i >= 0; i--) if (!isLibraryPath(b.frames[i]!.file)) return b.frames[i]!;
  return b.frames.length > 0 ? b.frames[b.frames.length - 1]! : null;
}

export function createUnittestMatcher(): Matcher {
  return new UnittestMatcher();
}
