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

/**
 * Parses a traceback frame line (`  File "path", line 12, in func`), also inside an exception group's margin
 * (`  |   File "path", line 12, in func`).
 */
export function parseFrame(text: string): Frame | null {
  const i = text.indexOf('File "');
  if (i < 0 || i > MAX_MARGIN + 10) return null;
  const m = i <= 8 ? FRAME.exec(text) : null;
  if (!m) {
    const g = text.indexOf('| ') > 0 ? groupLine(text) : null;
    return g !== null && g.sep === null ? parseFrame(g.content) : null;
  }
  return { file: m[1]!, line: Number(m[2]), func: m[3] ?? null };
}

/** A line of a Python 3.11+ exception group's traceback (see `groupLine`). */
export interface GroupLine {
  /** The margin's width over two: 1 for the outermost group's own lines, 2 for its exceptions', ... */
  depth: number;
  /**
   * `first`: `+-+---- 1 ----`, the group whose exception line came last at `depth` starts its list; `next`:
   * `+---- 2 ----` or the closing `+-------`, the exception at `depth` (and any deeper) ended. null: a text line.
   */
  sep: 'first' | 'next' | null;
  /** The text inside the margin (`content` of `  | content` or `  + content`). */
  content: string;
}

/** Deeper groups than this are not real. */
const MAX_MARGIN = 64;
const GROUP_START = 'Exception Group Traceback (most recent call last):';

/**
 * Reads the margin CPython (3.11+, `traceback.TracebackException.format`) draws around an exception group: two
 * spaces per level, then `| ` before each line, `+ ` before the outermost group's first, `+-+----` before its
 * first exception and `+----` before the next ones and after the last. Null for any other line.
 */
export function groupLine(text: string): GroupLine | null {
  let i = 0;
  const n = text.length;
  while (i < n && i <= MAX_MARGIN && text.charCodeAt(i) === 32) i++;
  if (i === 0 || i % 2 !== 0 || i >= n || i > MAX_MARGIN) return null;
  const c = text.charCodeAt(i);
  const after = i + 1 < n ? text.charCodeAt(i + 1) : -1;
  if (c === 124 /* | */) {
    if (after !== -1 && after !== 32) return null;
    return { depth: i / 2, sep: null, content: text.slice(i + 2) };
  }
  if (c !== 43 /* + */) return null;
  if (after === 32) return { depth: i / 2, sep: null, content: text.slice(i + 2) };
  if (text.startsWith('+-+--', i)) return { depth: i / 2, sep: 'first', content: '' };
  if (text.startsWith('+----', i)) return { depth: i / 2, sep: 'next', content: '' };
  return null;
}

/** The outermost exception group's own exception line (`  | ExceptionGroup: msg (2 sub-exceptions)`), or null. */
export function groupException(text: string): string | null {
  const g = groupLine(text);
  return g !== null && g.depth === 1 && g.sep === null ? exceptionLine(g.content) : null;
}

/** The first line of an exception group's traceback (`  + Exception Group Traceback (most recent call last):`). */
function isGroupStart(text: string): boolean {
  if (!text.startsWith('  + ')) return false;
  return text.startsWith(GROUP_START, 4);
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

type State = 'idle' | 'frames' | 'syntax' | 'group' | 'after' | 'chain' | 'fatal';

/** One level of an exception group being read: the frames of its traceback and its exception line. */
interface GroupLevel {
  project: Frame | null;
  file: Frame | null;
  exc: string | null;
  excLine: number;
}

/**
 * A crash faulthandler reports (pytest turns it on; `python -X faulthandler`): `Fatal Python error: Segmentation
 * fault`, then the crashing thread's stack, most recent call first (`Current thread 0x... (most recent call
 * first):`, or `Stack (most recent call first):`), its frames `  File "path", line 12 in func`.
 */
const FATAL = 'Fatal Python error: ';
/** What pytest (without -v) printed before a crash: the test file and its tests' progress (`tests/test_a.py ..`). */
const PYTEST_FILE = /^(\S{1,1000}\.py) [.sSxXfFE]{0,1000}$/;
const FAULT_STACK = /^(?:Current thread 0x[0-9a-f]{1,16}|Stack) \(most recent call first\):$/;
const FAULT_FRAME = /^ {2}File "([^"]{1,1000})", line (\d{1,9}) in (\S.{0,300})$/;
/** Lines from the error to its stack (`Python runtime state: initialized`, a blank line). */
const MAX_FATAL_LINES = 10;

/**
 * Reports a traceback at its deepest project frame. Output of the program may be interleaved with the
 * frames (stdout and stderr are separate pipes), so lines that are neither frames nor code are skipped
 * until the exception line. Of a chain of tracebacks, the last one is reported. A traceback in a step that
 * passed was handled (logged, retried), so problems wait for the step's end and are dropped if it passed.
 */
// Idle, only pytest's rules (inPytest) and a traceback's first line matter (an exception group's is indented).
// A script that does not compile prints its SyntaxError with no `Traceback` line: `  File "x.py", line 3` first.
// Two alternatives (each beyond the first takes one of the dispatcher's 31 bits): an indented line needs either
// word, whichever its first character.
const WAKE: Wake[] = [
  // faulthandler's error line may follow pytest's test id or dots on the same line.
  { first: '=T', prefixes: ['Sorry: '], words: [FATAL] },
  { indented: '+F', needs: [GROUP_START, 'File "'] },
];
// compileall (and py_compile) on a file that does not compile: `Sorry: TabError: msg (legacy.py, line 7)`.
const SORRY =
  /^Sorry: ((?:SyntaxError|IndentationError|TabError)\b[^()]{0,500}) \(([^()]{1,500}), line (\d{1,9})\)$/;
const COMPILING = /^\*\*\* Error compiling '(.{1,1000})'\.\.\.$/;
/** Lines between a SyntaxError's location and its exception line: the source and the caret line. */
const MAX_SYNTAX_LINES = 6;

class TracebackMatcher implements Matcher {
  readonly name = 'traceback';
  readonly wake = WAKE;
  private state: State = 'idle';
  private deepest: Frame | null = null;
  private deepestProject: Frame | null = null;
  /** The deepest frame in a real file (not `<string>`, `<frozen ...>`): where library code failed. */
  private deepestFile: Frame | null = null;
  private seen = 0;
  /** The traceback's problem (a group's: one per exception in it), waiting for what follows it. */
  private excs: ProblemInit[] = [];
  private pending: ProblemInit[] = [];
  /** The exception group being read, one entry per depth (index 0 unused). */
  private levels: GroupLevel[] = [];
  /** The group's own problem, for a group none of whose exceptions could be read. */
  private groupExc: ProblemInit | null = null;
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
    if (this.state === 'group') {
      if (this.groupText(text, l.n, ctx)) return;
      // The line after a group is read as the line after a traceback.
      this.endGroup();
    }
    switch (this.state) {
      case 'idle':
      case 'group':
        break;
      case 'frames':
        this.frameLine(text, l.n, ctx);
        return;
      case 'syntax':
        if (this.syntaxLine(text, l.n, ctx)) return;
        break;
      case 'after':
        if (text.trim().length === 0 && this.seen++ < 3) return;
        if (isChainLine(text)) {
          ctx.claim();
          this.excs = [];
          this.state = 'chain';
          this.seen = 0;
          return;
        }
        this.keep();
        break;
      case 'chain':
        if (text.startsWith(TRACEBACK_START) || isGroupStart(text)) break;
        if (this.seen++ > 5) this.state = 'idle';
        return;
      case 'fatal':
        if (this.fatalLine(text, ctx)) return;
        break;
    }
    const fatalAt = c === 70 && text.startsWith(FATAL) ? 0 : this.state === 'idle' ? text.indexOf(FATAL) : -1;
    if (fatalAt >= 0 && !ctx.claimed) {
      ctx.claim();
      this.state = 'fatal';
      // pytest -v prints the test's id, then the crash: the test it crashed in. Without -v, the test file and the
      // progress of its tests before it: the test is the stack's frame in that file.
      const before = text.slice(0, fatalAt).trim();
      const test = before.indexOf('::') > 0 && before.indexOf(' ') < 0 ? before : null;
      const file =
        test !== null ? test.slice(0, test.indexOf('::')) : (PYTEST_FILE.exec(before)?.[1] ?? null);
      this.fatal = { message: text.slice(fatalAt).trim(), n: l.n, stack: false, test, file, inTest: false };
      this.deepest = null;
      this.deepestProject = null;
      this.seen = 0;
      return;
    }
    if (c === 32 && isGroupStart(text) && !ctx.claimed && !this.inPytest) {
      ctx.claim();
      this.state = 'group';
      this.levels = [];
      this.groupExc = null;
      this.excs = [];
      this.seen = 0;
      this.groupText(text, l.n, ctx);
      return;
    }
    if (c === 32 && this.state === 'idle' && !ctx.claimed && !this.inPytest) {
      const f = parseFrame(text);
      // `  File "x.py", line 3` (no function): where a file failed to compile.
      if (f !== null && f.func === null && text.charCodeAt(2) === 70) {
        ctx.claim();
        this.state = 'syntax';
        this.deepest = f;
        this.seen = 0;
        return;
      }
    }
    if (c === 83 /* S */ && text.startsWith('Sorry: ') && !ctx.claimed) {
      const m = SORRY.exec(text.trimEnd());
      if (m === null) return;
      ctx.claim();
      // It names the file by its base name; compileall's line before names it whole.
      const whole = ctx.previous ? COMPILING.exec(ctx.previous.text) : null;
      const file = whole && baseName(whole[1]!) === m[2] ? whole[1]! : m[2]!;
      this.excs = [pythonProblem({ file, line: Number(m[3]), func: null }, m[1]!, l.n)];
      this.state = 'after';
      this.seen = 0;
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

  /** The faulthandler report being read: its error line, and whether its stack began. */
  private fatal: {
    message: string;
    n: number;
    stack: boolean;
    test: string | null;
    /** The test file pytest was running (from the test's id, or the file it printed). */
    file: string | null;
    inTest: boolean;
  } = { message: '', n: 0, stack: false, test: null, file: null, inTest: false };

  /**
   * A line of a faulthandler report: the stack's header, or a frame (the first is where it crashed; the first not in
   * a library, where the project's code called it). False (the report is kept) at the first line past the frames.
   */
  private fatalLine(text: string, ctx: MatcherContext): boolean {
    const fatal = this.fatal;
    if (!fatal.stack) {
      if (FAULT_STACK.test(text)) {
        fatal.stack = true;
        ctx.claim();
        return true;
      }
      if (++this.seen <= MAX_FATAL_LINES) return true;
    } else {
      const m = text.charCodeAt(0) === 32 ? FAULT_FRAME.exec(text) : null;
      if (m !== null) {
        ctx.claim();
        const f: Frame = { file: m[1]!, line: Number(m[2]), func: m[3]! };
        this.deepest ??= f;
        // A test's crash is placed in its test file (as its failure would be); any other, in the project's code.
        const inTest = fatal.file !== null && samePath(f.file, fatal.file);
        if (inTest && !fatal.inTest) {
          this.deepestProject = f;
          fatal.inTest = true;
          if (fatal.test === null && f.func !== '<module>') fatal.test = `${fatal.file}::${f.func}`;
        } else if (this.deepestProject === null && !isLibraryPath(f.file)) this.deepestProject = f;
        if (++this.seen <= MAX_TRACE_LINES) return true;
      }
    }
    this.fatalDone();
    return false;
  }

  /** The faulthandler report is over (or its step): its problem is kept, at the frame found. */
  private fatalDone(): void {
    const fatal = this.fatal;
    const p = pythonProblem(this.deepestProject ?? this.deepest, fatal.message, fatal.n);
    this.excs = [fatal.test !== null ? { ...p, tool: 'pytest', test: fatal.test } : p];
    this.keep();
  }

  flush(ctx: MatcherContext): void {
    this.inPytest = false;
    if (this.state === 'group') this.endGroup();
    if (this.state === 'after') this.keep();
    if (this.state === 'fatal') this.fatalDone();
    this.state = 'idle';
    this.excs = [];
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
    this.excs = [pythonProblem(this.deepestProject ?? this.deepestFile, msg, n)];
    this.state = 'after';
    this.seen = 0;
  }

  /**
   * A line after a SyntaxError's location (false: it was none, and the line is read as any other): the source and
   * the caret line, then the exception line.
   */
  private syntaxLine(text: string, n: number, ctx: MatcherContext): boolean {
    const c = text.length > 0 ? text.charCodeAt(0) : -1;
    if (c === 32 && this.seen++ < MAX_SYNTAX_LINES) {
      ctx.claim();
      return true;
    }
    this.state = 'idle';
    const msg = c === 32 ? null : exceptionLine(text);
    if (msg === null || !/^(?:SyntaxError|IndentationError|TabError)\b/.test(msg)) return false;
    ctx.claim();
    const f = this.deepest!;
    this.excs = [pythonProblem(f.file.charCodeAt(0) === 60 ? null : f, msg, n)];
    this.state = 'after';
    this.seen = 0;
    return true;
  }

  /**
   * A line of an exception group (false: the group ended before it). Each exception in it that is no group
   * itself is a problem, at the deepest project frame of its traceback or else of the groups around it.
   */
  private groupText(text: string, n: number, ctx: MatcherContext): boolean {
    const g = groupLine(text);
    if (g === null || ++this.seen > MAX_TRACE_LINES) return false;
    ctx.claim();
    const levels = this.levels;
    const d = g.depth;
    if (g.sep === 'first') {
      // The exception line just read at this depth was the group's own.
      const lv = levels[d];
      if (lv && lv.exc !== null) {
        this.groupExc ??= pythonProblem(this.frameAround(d), lv.exc, lv.excLine);
        lv.exc = null;
      }
      levels.length = Math.min(levels.length, d + 1);
      return true;
    }
    if (g.sep === 'next') {
      this.endLevels(d);
      return true;
    }
    while (levels.length <= d) levels.push({ project: null, file: null, exc: null, excLine: 0 });
    const lv = levels[d]!;
    const t = g.content;
    if (t.startsWith(TRACEBACK_START) || t.startsWith(GROUP_START)) {
      lv.project = null;
      lv.file = null;
      lv.exc = null;
      return true;
    }
    if (t.charCodeAt(0) === 32) {
      const f = parseFrame(t);
      if (f) {
        if (f.file.charCodeAt(0) !== 60) lv.file = f;
        if (!isLibraryPath(f.file)) lv.project = f;
      }
      return true;
    }
    if (isChainLine(t)) {
      // Of a chain, the last exception is reported.
      lv.exc = null;
      return true;
    }
    const msg = exceptionLine(t);
    if (msg !== null) {
      lv.exc = msg;
      lv.excLine = n;
    }
    return true;
  }

  /** The exceptions at `depth` and deeper ended: each still held is a problem. */
  private endLevels(depth: number): void {
    const levels = this.levels;
    for (let k = depth; k < levels.length; k++) {
      const lv = levels[k]!;
      if (lv.exc !== null) this.excs.push(pythonProblem(this.frameAround(k), lv.exc, lv.excLine));
    }
    levels.length = Math.min(levels.length, depth);
  }

  /** The deepest project frame at `depth`, else in the groups around it; else the deepest file frame. */
  private frameAround(depth: number): Frame | null {
    for (let k = depth; k > 0; k--) {
      const p = this.levels[k]?.project;
      if (p) return p;
    }
    for (let k = depth; k > 0; k--) {
      const f = this.levels[k]?.file;
      if (f) return f;
    }
    return null;
  }

  private endGroup(): void {
    this.endLevels(1);
    if (this.excs.length === 0 && this.groupExc !== null) this.excs.push(this.groupExc);
    this.levels = [];
    this.groupExc = null;
    this.state = 'after';
    this.seen = 0;
  }

  private keep(): void {
    for (const e of this.excs) if (this.pending.length < MAX_PENDING) this.pending.push(e);
    this.excs = [];
    this.state = 'idle';
  }
}

function baseName(p: string): string {
  return p.slice(Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')) + 1);
}

function pythonProblem(f: Frame | null, message: string, logLine: number): ProblemInit {
  return {
    file: f ? f.file : null,
    line: f ? f.line : null,
    severity: 'error',
    tool: 'python',
    message,
    logLine,
  };
}

export function createTracebackMatcher(): Matcher {
  return new TracebackMatcher();
}
