/**
 * doctest's own report (`python -m doctest`, `doctest.testmod()`, Sphinx's `make doctest`): each failed example
 * is a block after a row of `*`s:
 *
 *     File "pkg/mod.py", line 5, in pkg.mod.add
 *     Failed example:
 *         add(1, 2)
 *     Expected:
 *         4
 *     Got:
 *         3
 *
 * or `Exception raised:` and the indented traceback. One problem per block, at the example's line, with the
 * example's qualified name as the test. pytest's `--doctest-modules` prints another shape (its matcher's), and a
 * unittest `DocTestSuite` failure is the unittest block's: both claim their lines first.
 */
import type { FramedLine } from '../framing';
import type { Matcher, MatcherContext, Wake } from '../matcher';
import { exceptionLine } from './traceback';

const HEAD = /^File "([^"]{1,1000})", line (\d{1,9}), in (\S{1,300})$/;
const MAX_TEXT = 200;
const MAX_BLOCK_LINES = 2000;

type State = 'idle' | 'head' | 'example' | 'expected' | 'got' | 'exception';

interface Failure {
  file: string;
  line: number;
  test: string;
  example: string | null;
  expected: string | null;
  got: string | null;
  raised: string | null;
  n: number;
}

/** Its first line, cut to MAX_TEXT. */
function firstText(s: string): string {
  const t = s.trim();
  return t.length > MAX_TEXT ? t.slice(0, MAX_TEXT) + '...' : t;
}

/** The message: what the example was, and what went wrong. */
function doctestMessage(f: Failure): string {
  const ex = `Failed example: ${f.example ?? '(none)'}`;
  if (f.raised !== null) return `${ex}: ${f.raised}`;
  if (f.expected !== null || f.got !== null) {
    return `${ex}: expected ${f.expected ?? 'nothing'}, got ${f.got ?? 'nothing'}`;
  }
  return ex;
}

// A block's first line starts at column 0 (a traceback's frames are indented).
const WAKE: Wake = { prefixes: ['File "'] };

class DoctestMatcher implements Matcher {
  readonly name = 'doctest';
  readonly wake = WAKE;
  private state: State = 'idle';
  private f: Failure | null = null;
  private lines = 0;

  get busy(): boolean {
    return this.state !== 'idle';
  }

  line(l: FramedLine, ctx: MatcherContext): void {
    const t = l.text;
    // Another matcher's claim rules the line out; ours (ending the block before) does not.
    const claimed = ctx.claimed;
    if (this.state !== 'idle') {
      if (++this.lines > MAX_BLOCK_LINES) this.end(ctx);
      else if (this.blockLine(t, ctx)) return;
    }
    if (t.charCodeAt(0) !== 70 /* F */ || !t.startsWith('File "') || claimed) return;
    const m = HEAD.exec(t);
    if (!m) return;
    this.f = {
      file: m[1]!,
      line: Number(m[2]),
      test: m[3]!,
      example: null,
      expected: null,
      got: null,
      raised: null,
      n: l.n,
    };
    this.state = 'head';
    this.lines = 0;
  }

  /** A line inside a block; false when the block ended before it (the line is then read as any other). */
  private blockLine(t: string, ctx: MatcherContext): boolean {
    const f = this.f!;
    const indented = t.startsWith('    ');
    if (this.state === 'head') {
      if (t === 'Failed example:') {
        ctx.claim();
        this.state = 'example';
        return true;
      }
      // Not doctest's block after all.
      this.state = 'idle';
      this.f = null;
      return false;
    }
    if (indented) {
      ctx.claim();
      const body = t.slice(4);
      if (this.state === 'example') f.example ??= firstText(body);
      else if (this.state === 'expected') f.expected ??= firstText(body);
      else if (this.state === 'got') f.got ??= firstText(body);
      else if (this.state === 'exception') {
        // The traceback is indented by four: its exception line is the last line at that indent.
        const exc = exceptionLine(body);
        if (exc !== null) f.raised = firstText(exc);
      }
      return true;
    }
    if (this.state === 'example' || this.state === 'expected') {
      if (t === 'Expected:' || t === 'Got:' || t === 'Exception raised:') {
        ctx.claim();
        this.state = t === 'Expected:' ? 'expected' : t === 'Got:' ? 'got' : 'exception';
        return true;
      }
      if (t === 'Expected nothing') {
        ctx.claim();
        f.expected = 'nothing';
        this.state = 'expected';
        return true;
      }
      if (t === 'Got nothing') {
        ctx.claim();
        f.got = 'nothing';
        this.end(ctx);
        return true;
      }
    }
    this.end(ctx);
    return false;
  }

  private end(ctx: MatcherContext): void {
    const f = this.f;
    const state = this.state;
    this.f = null;
    this.state = 'idle';
    if (f === null || state === 'head') return;
    ctx.emit({
      file: f.file,
      line: f.line,
      severity: 'error',
      tool: 'doctest',
      message: doctestMessage(f),
      test: f.test,
      logLine: f.n,
    });
  }

  flush(ctx: MatcherContext): void {
    this.end(ctx);
  }
}

export function createDoctestMatcher(): Matcher {
  return new DoctestMatcher();
}
