/**
 * Bare Python tracebacks (tool `python`), plus the traceback helpers the pytest and unittest matchers share.
 *
 * A traceback that pytest or unittest printed inside a failure block is theirs: they run earlier and claim
 * those lines, so a claimed `Traceback (most recent call last):` is skipped here.
 */
import type { FramedLine } from '../framing';
import type { Matcher, MatcherContext, Wake } from '../matcher';
import type { ProblemInit } from '../model';

export interface Frame {
  file: string;
  line: number;
  /** The function name, or null for frames without one (SyntaxError's `File "x.py", line 3`). */
  func: string | null;
}

const TRACEBACK_START = 'Traceback (most recent call last):';
const FRAME = /^ {0,8}File "([^"]{1,1000})", line (\d{1,9})(?:, in (\S.{0,300}))?$/;
const EXC_LINE = /^([A-Za-z_]\w{0,200}(?:\.[A-Za-z_]\w{0,200}){0,20})(?::(?: .*)?)?$/;
const EXC_SUFFIX =
  /(?:Error|Exception|Warning|Exit|Interrupt|Iteration|Failure|Failed|Timeout|Fault|Group|Invalid|Denied|NotFound|Refused)$/;
const MAX_TRACE_LINES = 1000;

/** The body of pytest's last line, `2 failed, 1 passed in 0.12s` or `no tests ran in 0.01s`. */
export const PYTEST_SESSION_END =
  /^(?:(\d+ [a-z]+(?:, \d+ [a-z]+){0,12})|no tests ran) in \d{1,9}(?:\.\d{1,9})?s(?: \(\d{1,4}(?::\d\d){1,2}\))?$/;
const MAX_PENDING = 100;

/** Parses a traceback frame line (`  File "path", line 12, in func`). */
export function parseFrame(text: string): Frame | null {
  const i = text.indexOf('File "');
  if (i < 0 || i > 8) return null;
  const m = FRAME.exec(text);
  if (!m) return null;
  return { file: m[1]!, line: Number(m[2]), func: m[3] ?? null };
}

/** True for code that is not the project's: installed packages, the standard library, frozen modules. */
export function isLibraryPath(file: string): boolean {
  const f = file.indexOf('\\') >= 0 ? file.replace(/\\/g, '/') : file;
  return (
    f.charCodeAt(0) === 60 /* '<' : <frozen ...>, <string> */ ||
    f.indexOf('site-packages/') >= 0 ||
    f.indexOf('dist-packages/') >= 0 ||
    /\/lib\/(?:python|pypy)\d/.test(f) ||
    /(?:^|\/)Lib\//.test(f) ||
    f.indexOf('/_pytest/') >= 0 ||
    f.indexOf('/pluggy/') >= 0
  );
}

/**
 * If `text` is a Python exception line (`ValueError: boom`, `pkg.mod.MyError`, `KeyboardInterrupt`), returns
 * it trimmed; otherwise null. An undotted name must look like an exception class, so that ordinary output
 * such as `Done` or `Fetching data` is not taken for one.
 */
export function exceptionLine(text: string): string | null {
  const c = text.charCodeAt(0);
  // Starts with a letter or underscore, at column 0.
  if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95)) return null;
  const t = text.trimEnd();
  const m = EXC_LINE.exec(t);
  if (!m) return null;
  const name = m[1]!;
  const dot = name.lastIndexOf('.');
  const last = dot >= 0 ? name.slice(dot + 1) : name;
  const first = last.charCodeAt(0);
  if (!(first >= 65 && first <= 90)) return null;
  if (dot < 0 && !EXC_SUFFIX.test(last)) return null;
  return t;
}

/** `=== title ===` → `title` ('' for a bare rule); null when the line is not framed by `=`s. */
export function ruleTitle(text: string): string | null {
  let j = text.length;
  while (j > 0 && text.charCodeAt(j - 1) === 32) j--;
  if (j < 4 || text.charCodeAt(0) !== 61 || text.charCodeAt(1) !== 61) return null;
  if (text.charCodeAt(j - 1) !== 61 || text.charCodeAt(j - 2) !== 61) return null;
  let i = 0;
  while (i < j && text.charCodeAt(i) === 61) i++;
  while (j > i && text.charCodeAt(j - 1) === 61) j--;
  return text.slice(i, j).trim();
}

/** The "another exception follows" lines between chained tracebacks. */
export function isChainLine(text: string): boolean {
  return (
    text.startsWith('During handling of the above exception') ||
    text.startsWith('The above exception was the direct cause')
  );
}

/** True when two printed paths name the same file (one relative, `./`-prefixed, or absolute). */
export function samePath(a: string, b: string): boolean {
  const x = normalisePath(a);
  const y = normalisePath(b);
  if (x === y) return true;
  if (x.length > y.length) return x.endsWith('/' + y);
  return y.endsWith('/' + x);
}

function normalisePath(p: string): string {
  let s = p.indexOf('\\') >= 0 ? p.replace(/\\/g, '/') : p;
  while (s.startsWith('./') || s.startsWith('../')) s = s.slice(s.indexOf('/') + 1);
  return s;
}

type State = 'idle' | 'frames' | 'after' | 'chain';

/**
 * Reports a traceback at its deepest project frame. Output of the program may be interleaved with the
 * frames (stdout and stderr are separate pipes), so lines that are neither frames nor code are skipped
 * until the exception line. Of a chain of tracebacks, the last one is reported. A traceback in a step that
 * passed was handled (logged, retried), so problems wait for the step's end and are dropped if it passed.
 */
// Idle, only pytest's rules (inPytest) and a traceback's first line matter.
const WAKE: Wake = { first: '=T' };

class TracebackMatcher implements Matcher {
  readonly name = 'traceback';
  readonly wake = WAKE;
  private state: State = 'idle';
  private deepest: Frame | null = null;
  private deepestProject: Frame | null = null;
  /** The deepest frame in a real file (not `<string>`, `<frozen ...>`): where library code failed. */
  private deepestFile: Frame | null = null;
  private seen = 0;
  private exc: ProblemInit | null = null;
  private pending: ProblemInit[] = [];
  /**
   * Between pytest's session header and its last line, a traceback at column 0 is output of the code
   * under test (`-s`, logging); pytest reports the failures themselves in its blocks.
   */
  private inPytest = false;

  line(l: FramedLine, ctx: MatcherContext): void {
    const text = l.text;
    const c = text.length > 0 ? text.charCodeAt(0) : -1;
    if (c === 61 /* = */) {
      const body = ruleTitle(text);
      if (body === 'test session starts') this.inPytest = true;
      else if (body !== null && PYTEST_SESSION_END.test(body)) this.inPytest = false;
    }
    switch (this.state) {
      case 'idle':
        break;
      case 'frames':
        this.frameLine(text, l.n, ctx);
        return;
      case 'after':
        if (text.trim().length === 0 && this.seen++ < 3) return;
        if (isChainLine(text)) {
          ctx.claim();
          this.exc = null;
          this.state = 'chain';
          this.seen = 0;
          return;
        }
        this.keep();
        break;
      case 'chain':
        if (text.startsWith(TRACEBACK_START)) break;
        if (this.seen++ > 5) this.state = 'idle';
        return;
    }
    if (c === 84 /* T */ && text.startsWith(TRACEBACK_START) && !ctx.claimed && !this.inPytest) {
      ctx.claim();
      this.state = 'frames';
      this.deepest = null;
      this.deepestProject = null;
      this.deepestFile = null;
      this.seen = 0;
    }
  }

  get busy(): boolean {
    return this.state !== 'idle';
  }

  flush(ctx: MatcherContext): void {
    this.inPytest = false;
    if (this.state === 'after') this.keep();
    this.state = 'idle';
    this.exc = null;
    const passed = ctx.step?.status === 'success';
    if (!passed) for (const p of this.pending) ctx.emit(p);
    this.pending = [];
  }

  private frameLine(text: string, n: number, ctx: MatcherContext): void {
    if (++this.seen > MAX_TRACE_LINES) {
      this.state = 'idle';
      return;
    }
    const c = text.length > 0 ? text.charCodeAt(0) : -1;
    if (c === 32) {
      const f = parseFrame(text);
      if (f) {
        ctx.claim();
        this.deepest = f;
        if (f.file.charCodeAt(0) !== 60) this.deepestFile = f;
        if (!isLibraryPath(f.file)) this.deepestProject = f;
      }
      return;
    }
    if (text.startsWith(TRACEBACK_START)) {
      // A traceback that never reached its exception line (cut or interleaved); start again.
      this.deepest = null;
      this.deepestProject = null;
      this.deepestFile = null;
      this.seen = 0;
      return;
    }
    if (!this.deepest) return;
    const msg = exceptionLine(text);
    if (msg === null) return;
    ctx.claim();
    const f = this.deepestProject ?? this.deepestFile;
    this.exc = {
      file: f ? f.file : null,
      line: f ? f.line : null,
      severity: 'error',
      tool: 'python',
      message: msg,
      logLine: n,
    };
    this.state = 'after';
    this.seen = 0;
  }

  private keep(): void {
    if (this.exc && this.pending.length < MAX_PENDING) this.pending.push(this.exc);
    this.exc = null;
    this.state = 'idle';
  }
}

export function createTracebackMatcher(): Matcher {
  return new TracebackMatcher();
}
