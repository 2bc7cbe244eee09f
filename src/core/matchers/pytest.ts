/**
 * pytest: one problem per failed or errored test, from the `FAILURES`/`ERRORS` blocks (location and first
 * `E` line) joined to the short test summary or `-v` lines (full node id). Every `--tb` style is
 * understood: long and short (`path:line:` lines), native (Python tracebacks) and line (one
 * `path:line: message` per failure, no header). Collection errors count once, with the collected path as
 * test and file. "no tests ran" is a fallback that only counts when the step failed (exit 5).
 *
 * Blocks and summary entries are kept until the session's final `=== N failed in 1.2s ===` line (or the
 * step's end) and then reported together.
 */
import type { FramedLine } from '../framing';
import type { Matcher, MatcherContext, Wake } from '../matcher';
import type { ProblemInit } from '../model';
import {
  PYTEST_SESSION_END,
  exceptionLine,
  groupException,
  isChainLine,
  isLibraryPath,
  parseFrame,
  ruleTitle,
  samePath,
} from './traceback';

type Section = 'none' | 'blocks' | 'passes' | 'summary' | 'other';
type BlockKind = 'test' | 'setup' | 'teardown' | 'collect' | 'line' | 'conftest';

interface Loc {
  file: string;
  line: number;
  /** What follows `path:line: ` (`AssertionError`, `in test_x`, or the whole message in --tb=line). */
  rest: string;
}

interface Block {
  kind: BlockKind;
  /** Test name as in the header (`TestX.test_y[1]`), or the collected/conftest path. */
  name: string;
  logLine: number;
  locs: Loc[];
  /** First `E` line of the last chained exception. */
  eMessage: string | null;
  /** `E` lines of a SyntaxError start with `File "..."`: wait for the exception line itself. */
  eWaiting: boolean;
  /** --tb=native: the exception line that ends the traceback. */
  excMessage: string | null;
  captured: boolean;
  used: boolean;
}

interface Entry {
  kind: 'FAILED' | 'ERROR';
  nodeid: string;
  message: string | null;
  logLine: number;
}

const LOC = /^((?:[A-Za-z]:)?[^\s:][^:]{0,1000}):(\d{1,9}):(?: (.{0,2000}))?$/;
const SESSION_END = PYTEST_SESSION_END;
const RAN_SOMETHING = /\d+ (?:passed|failed|errors?|skipped|xfailed|xpassed)\b/;
const CONFTEST = /^ImportError while loading conftest '([^']{1,1000})'/;
const MAX_BLOCKS = 2000;
const MAX_ENTRIES = 5000;
const MAX_LOCS = 200;

function isLocation(text: string): Loc | null {
  // Path-looking start: not indentation, not an `E` line, not a separator.
  const c = text.length > 0 ? text.charCodeAt(0) : -1;
  if (c === 32 || c === 9 || c === 95 || c === 61 || c === 45 || c === 62) return null;
  if (text.indexOf(':') < 0) return null;
  const m = LOC.exec(text);
  if (!m) return null;
  return { file: m[1]!, line: Number(m[2]), rest: (m[3] ?? '').trim() };
}

/** `___ title ___` → title, or null. */
function blockTitle(text: string): string | null {
  if (!text.startsWith('___') || !text.endsWith('___')) return null;
  let i = 0;
  let j = text.length;
  while (i < j && text.charCodeAt(i) === 95) i++;
  while (j > i && text.charCodeAt(j - 1) === 95) j--;
  const t = text.slice(i, j).trim();
  return t.length > 0 ? t : null;
}

/** `FAILED a.py::t[x - y] - msg` → nodeid and message. */
function splitSummary(rest: string): { nodeid: string; message: string | null } {
  let cut = -1;
  const br = rest.indexOf('[');
  if (br >= 0) {
    const close = rest.indexOf('] - ', br);
    if (close >= 0) cut = close + 1;
  }
  if (cut < 0) cut = rest.indexOf(' - ');
  if (cut < 0) return { nodeid: rest.trim(), message: null };
  const message = rest.slice(cut + 3).trim();
  return { nodeid: rest.slice(0, cut).trim(), message: message.length > 0 ? message : null };
}

/** `tests/a.py::TestX::test_y[1]` → `TestX.test_y[1]`, the name pytest's block header shows. */
function headerName(nodeid: string): string {
  const i = nodeid.indexOf('::');
  if (i < 0) return nodeid;
  const rest = nodeid.slice(i + 2);
  const br = rest.indexOf('[');
  const head = br >= 0 ? rest.slice(0, br) : rest;
  return head.split('::').join('.') + (br >= 0 ? rest.slice(br) : '');
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * A `-v` result line ends with its kind, then maybe the percentage (`/^ *\[ {0,2}\d{1,3}%\]$/`):
 * where the text before that percentage ends, or -1 when the line cannot be one. A backward character
 * scan, as it runs on every passing test's line.
 */
function verboseKindEnd(t: string, c0: number): number {
  const len = t.length;
  const last = t.charCodeAt(len - 1);
  if (last === 68 /* D */ || last === 82 /* R */) return len;
  if (last !== 93 /* ] */ || t.charCodeAt(len - 2) !== 37 /* % */) return -1;
  // The node id has no spaces. When the line starts with a printable character (no indentation), its
  // first space ends the node id, so the character after it is `F`, `E` (the kind) or whitespace. This
  // rejects a passing test's line without walking back over the padding.
  if (c0 > 32 && c0 < 127) {
    const d = t.charCodeAt(t.indexOf(' ') + 1);
    if (d > 32 && d < 127 && d !== 70 /* F */ && d !== 69 /* E */) return -1;
  }
  // ` *\[ {0,2}\d{1,3}%\]`, read from the end.
  let k = len - 3;
  while (k >= 0 && isDigit(t.charCodeAt(k))) k--;
  const digits = len - 3 - k;
  if (digits < 1 || digits > 3) return -1;
  const afterSpaces = k;
  while (k >= 0 && t.charCodeAt(k) === 32) k--;
  if (afterSpaces - k > 2 || t.charCodeAt(k) !== 91 /* [ */) return -1;
  k--;
  while (k >= 0 && t.charCodeAt(k) === 32) k--;
  return k + 1;
}

function nodeFile(nodeid: string): string {
  const i = nodeid.indexOf('::');
  return i < 0 ? nodeid : nodeid.slice(0, i);
}

// Outside its sections: rules, -q's final line, `no tests ran`, conftest errors, FAILED/ERROR summaries, xdist's
// `[gw0]` and the -v result lines that matter (a passing test's line wakes nothing: most of a -v log).
const WAKE: Wake = { first: '=0123456789nIFE[', words: ['FAIL', 'ERROR'] };
const USAGE_ERROR = /^\S{1,200}: error: (\S.{0,2000})$/;

class PytestMatcher implements Matcher {
  readonly name = 'pytest';
  readonly wake = WAKE;
  private section: Section = 'none';
  private blocks: Block[] = [];
  private current: Block | null = null;
  private entries: Entry[] = [];
  private entryKeys = new Set<string>();
  /** The last line was pytest's `ERROR: usage:`: the next says what was wrong with the command line. */
  private usage = false;

  line(l: FramedLine, ctx: MatcherContext): void {
    const text = l.text;
    const c = text.length > 0 ? text.charCodeAt(0) : -1;
    if (this.usage) {
      // `ERROR: usage: pytest [options] ...`, then argparse's `pytest: error: unrecognized arguments: --cov`.
      this.usage = false;
      const m = USAGE_ERROR.exec(text);
      if (m) {
        ctx.claim();
        ctx.emit({ file: null, line: null, severity: 'error', tool: 'pytest', message: m[1]! });
        return;
      }
    }
    if (c === 69 /* E */ && text.startsWith('ERROR: usage: ')) {
      ctx.claim();
      this.usage = true;
      return;
    }
    if (c === 61 /* = */) {
      const title = ruleTitle(text);
      if (title !== null && title.length > 0) {
        this.sectionHeader(title, l.n, ctx);
        return;
      }
    } else if (c >= 48 && c <= 57 /* digit: -q's final line */) {
      if (text.indexOf(' in ') > 0 && SESSION_END.test(text.trimEnd())) {
        this.sessionEnd(text.trimEnd(), l.n, ctx);
        return;
      }
    } else if (c === 110 /* n */ && text.startsWith('no tests ran in ')) {
      this.sessionEnd(text.trimEnd(), l.n, ctx);
      return;
    } else if (c === 73 /* I */ && text.startsWith('ImportError while loading conftest')) {
      const m = CONFTEST.exec(text);
      if (m) {
        ctx.claim();
        this.section = 'blocks';
        this.current = this.newBlock('conftest', m[1]!, l.n);
        return;
      }
    }

    switch (this.section) {
      case 'blocks':
        ctx.claim();
        this.blockLine(text, l.n);
        return;
      case 'summary':
        ctx.claim();
        this.summaryLine(text, l.n);
        return;
      case 'passes':
      case 'other':
        ctx.claim();
        return;
      case 'none':
        this.progressLine(text, c, l.n, ctx);
        return;
    }
  }

  /** Inside a FAILURES/ERRORS, PASSES or summary section, every line is pytest's. */
  get busy(): boolean {
    return this.section !== 'none' || this.usage;
  }

  flush(ctx: MatcherContext): void {
    this.report(ctx);
    this.section = 'none';
  }

  private sectionHeader(title: string, n: number, ctx: MatcherContext): void {
    this.current = null;
    if (title === 'FAILURES' || title === 'ERRORS') {
      ctx.claim();
      this.section = 'blocks';
    } else if (title === 'PASSES') {
      ctx.claim();
      this.section = 'passes';
    } else if (title === 'short test summary info') {
      ctx.claim();
      this.section = 'summary';
    } else if (title === 'test session starts') {
      // A new run (another tox env, a rerun): what came before is complete.
      this.report(ctx);
      this.section = 'none';
    } else if (SESSION_END.test(title)) {
      this.sessionEnd(title, n, ctx);
    } else if (title === 'warnings summary' || title.startsWith('slowest') || this.section !== 'none') {
      // A pytest section (warnings, durations, plugin reports) ends the blocks or the summary.
      ctx.claim();
      this.section = 'other';
    }
  }

  private sessionEnd(title: string, n: number, ctx: MatcherContext): void {
    ctx.claim();
    this.report(ctx);
    this.section = 'none';
    // Exit 5: nothing was collected or everything was deselected. A step that tolerates it is no failure.
    if (title.startsWith('no tests ran') || !RAN_SOMETHING.test(title)) {
      ctx.emitFallback(
        { file: null, line: null, severity: 'error', tool: 'pytest', message: title, logLine: n },
        { requireFailure: true },
      );
    }
  }

  private newBlock(kind: BlockKind, name: string, n: number): Block {
    const b: Block = {
      kind,
      name,
      logLine: n,
      locs: [],
      eMessage: null,
      eWaiting: false,
      excMessage: null,
      captured: false,
      used: false,
    };
    if (this.blocks.length < MAX_BLOCKS) this.blocks.push(b);
    return b;
  }

  private blockLine(text: string, n: number): void {
    const c = text.length > 0 ? text.charCodeAt(0) : -1;
    if (c === 95 /* _ */) {
      const title = blockTitle(text);
      if (title !== null) {
        this.current = this.blockFromTitle(title, n);
        return;
      }
    }
    const b = this.current;
    if (!b || b.kind === 'line') {
      // --tb=line: `path:line: message`, one line per failure, no header.
      const loc = isLocation(text);
      if (loc && this.section === 'blocks' && (!b || b.kind === 'line')) {
        const lb = this.newBlock('line', '', n);
        lb.locs.push(loc);
        this.current = lb;
      }
      return;
    }
    if (c === 45 /* - */ && text.startsWith('---')) {
      if (text.indexOf(' coverage: ') > 0) {
        // pytest-cov's report follows the last block.
        this.section = 'other';
        this.current = null;
        return;
      }
      if (text.indexOf(' Captured ') > 0) {
        b.captured = true;
        return;
      }
    }
    if (b.captured) return;
    if (b.kind === 'conftest' && c !== 69 && c !== 32 && isLocation(text) === null) {
      // pytest stops after a conftest import error: its output ends with the traceback.
      this.section = 'none';
      this.current = null;
      return;
    }
    if (c === 69 /* E */ && (text.length === 1 || text.charCodeAt(1) === 32)) {
      this.eLine(b, text.slice(1).trim());
      return;
    }
    if (c === 32) {
      const f = parseFrame(text);
      if (f) this.addLoc(b, { file: f.file, line: f.line, rest: '' });
      // An exception group (Python 3.11+, printed natively): its own exception line, in the margin.
      else if (b.locs.length > 0 && b.excMessage === null) b.excMessage = groupException(text);
      return;
    }
    if (isChainLine(text)) {
      b.eMessage = null;
      b.eWaiting = false;
      b.excMessage = null;
      return;
    }
    const loc = isLocation(text);
    if (loc) {
      this.addLoc(b, loc);
      return;
    }
    // A strict xfail that passed has no traceback, only this line (older pytest's summary omits it).
    if (c === 91 /* [ */ && text.startsWith('[XPASS(strict)]')) {
      b.excMessage ??= text.trim();
      return;
    }
    // --tb=native: the exception line closes the traceback.
    if (b.locs.length > 0 && b.excMessage === null) {
      const msg = exceptionLine(text);
      if (msg !== null) b.excMessage = msg;
    }
  }

  private eLine(b: Block, content: string): void {
    if (b.eMessage !== null && !b.eWaiting) return;
    if (content.startsWith('File "')) {
      // A SyntaxError: `E     File "x.py", line 3` ... `E   SyntaxError: ...`.
      const f = parseFrame(content);
      if (f) this.addLoc(b, { file: f.file, line: f.line, rest: '' });
      b.eWaiting = true;
      return;
    }
    if (b.eWaiting) {
      const msg = exceptionLine(content);
      if (msg === null) return;
      b.eMessage = msg;
      b.eWaiting = false;
      return;
    }
    if (content.length > 0) b.eMessage = content;
  }

  private addLoc(b: Block, loc: Loc): void {
    if (b.locs.length < MAX_LOCS) b.locs.push(loc);
    else b.locs[MAX_LOCS - 1] = loc;
  }

  private blockFromTitle(title: string, n: number): Block {
    if (title.startsWith('ERROR collecting ')) return this.newBlock('collect', title.slice(17).trim(), n);
    if (title.startsWith('ERROR at setup of ')) return this.newBlock('setup', title.slice(18).trim(), n);
    if (title.startsWith('ERROR at teardown of '))
      return this.newBlock('teardown', title.slice(21).trim(), n);
    const name = title.startsWith('[doctest] ') ? title.slice(10).trim() : title;
    return this.newBlock('test', name, n);
  }

  private summaryLine(text: string, n: number): void {
    if (text.startsWith('FAILED ')) this.addEntry('FAILED', text.slice(7), n);
    else if (text.startsWith('ERROR ')) this.addEntry('ERROR', text.slice(6), n);
  }

  /** Lines outside pytest's sections: `-v` results, xdist's `[gw0] FAILED`, a summary line seen alone. */
  private progressLine(text: string, c: number, n: number, ctx: MatcherContext): void {
    if (c === 70 /* F */ && text.startsWith('FAILED ') && text.indexOf('::') > 0) {
      ctx.claim();
      this.addEntry('FAILED', text.slice(7), n);
      return;
    }
    if (c === 69 /* E */ && text.startsWith('ERROR ') && text.indexOf('::') > 0) {
      ctx.claim();
      this.addEntry('ERROR', text.slice(6), n);
      return;
    }
    let t = text;
    if (c === 91 /* [ */ && t.startsWith('[gw')) {
      // xdist: `[gw0] [ 50%] FAILED tests/a.py::test_x`
      const sp = t.indexOf('] ');
      if (sp < 0) return;
      t = t.slice(sp + 2);
      if (t.charCodeAt(0) === 91) {
        const sp2 = t.indexOf('] ');
        if (sp2 < 0) return;
        t = t.slice(sp2 + 2);
      }
      if (t.startsWith('FAILED ') && t.indexOf('::') > 0) {
        ctx.claim();
        this.addEntry('FAILED', t.slice(7), n, false);
      } else if (t.startsWith('ERROR ') && t.indexOf('::') > 0) {
        ctx.claim();
        this.addEntry('ERROR', t.slice(6), n, false);
      }
      return;
    }
    // -v: `tests/a.py::test_x FAILED                [ 50%]` (or the kind last, without the percentage).
    const end = verboseKindEnd(t, c);
    if (end < 0) return;
    let kind: Entry['kind'];
    let i: number;
    const d = t.charCodeAt(end - 1);
    if (d === 68 /* D */ && end > 7 && t.startsWith(' FAILED', end - 7)) {
      kind = 'FAILED';
      i = end - 7;
    } else if (d === 82 /* R */ && end > 6 && t.startsWith(' ERROR', end - 6)) {
      kind = 'ERROR';
      i = end - 6;
    } else return;
    const nodeid = t.slice(0, i).trim();
    if (nodeid.indexOf('::') <= 0 || nodeid.indexOf(' ') >= 0) return;
    ctx.claim();
    this.addEntry(kind, nodeid, n, false);
  }

  private addEntry(kind: Entry['kind'], rest: string, n: number, withMessage = true): void {
    const s = withMessage ? splitSummary(rest) : { nodeid: rest.trim(), message: null };
    let nodeid = s.nodeid;
    if (nodeid.startsWith('collecting ')) nodeid = nodeid.slice(11);
    if (nodeid.length === 0) return;
    const key = kind + '\u0000' + nodeid;
    if (this.entryKeys.has(key)) {
      // The summary repeats what a -v line said, now with the message.
      if (s.message !== null) {
        const e = this.entries.find((x) => x.kind === kind && x.nodeid === nodeid);
        if (e && e.message === null) e.message = s.message;
      }
      return;
    }
    if (this.entries.length >= MAX_ENTRIES) return;
    this.entryKeys.add(key);
    this.entries.push({ kind, nodeid, message: s.message, logLine: n });
  }

  private findBlock(e: Entry): Block | null {
    const name = headerName(e.nodeid);
    const isNode = e.nodeid.indexOf('::') >= 0;
    for (const b of this.blocks) {
      if (b.used) continue;
      if (!isNode) {
        if (b.kind === 'collect' && samePath(b.name, e.nodeid)) return b;
        continue;
      }
      if (b.name !== name) continue;
      if (e.kind === 'FAILED' ? b.kind === 'test' : b.kind !== 'collect') return b;
    }
    if (isNode && e.kind === 'FAILED') return this.lineBlockFor(e);
    return null;
  }

  /**
   * --tb=line prints one `path:line: message` per failure with a traceback, in order, with no test name. The
   * summary's message is the same crash message (cut with `...`): it tells which line is the test's, and that a
   * failure with no traceback (`[XPASS(strict)]`) has none. Without a message, the next line in order.
   */
  private lineBlockFor(e: Entry): Block | null {
    const want = e.message === null ? null : e.message.endsWith('...') ? e.message.slice(0, -3) : e.message;
    let next: Block | null = null;
    for (const b of this.blocks) {
      if (b.used || b.kind !== 'line') continue;
      if (want === null) return b;
      if (lineMessage(b)?.startsWith(want)) return b;
      next ??= b;
    }
    return want !== null && want.startsWith('[') ? null : next;
  }

  private report(ctx: MatcherContext): void {
    this.current = null;
    for (const e of this.entries) {
      const b = this.findBlock(e);
      if (b) b.used = true;
      ctx.emit(this.problem(b, e));
    }
    for (const b of this.blocks) if (!b.used) ctx.emit(this.problem(b, null));
    this.blocks = [];
    this.entries = [];
    this.entryKeys.clear();
  }

  private problem(b: Block | null, e: Entry | null): ProblemInit {
    let file: string | null = null;
    let line: number | null = null;
    let test: string | null = e ? e.nodeid : null;
    const testFile = e
      ? nodeFile(e.nodeid)
      : b && (b.kind === 'collect' || b.kind === 'conftest')
        ? b.name
        : null;
    if (b) {
      const loc = pickLoc(b, testFile);
      if (b.kind === 'collect' || b.kind === 'conftest') {
        // The collected path is the problem's file; a frame in it (import error, SyntaxError) gives the line.
        const inFile = loc !== null && samePath(loc.file, b.name);
        file = b.kind === 'collect' || !inFile ? b.name : loc.file;
        line = inFile ? loc.line : null;
        if (b.kind === 'collect') test = test ?? b.name;
      } else if (loc) {
        file = loc.file;
        line = loc.line;
        if (test === null && b.kind !== 'line') test = guessNodeId(b, loc.file);
      }
    }
    if (file === null && testFile !== null) file = testFile;
    const message =
      (b && b.kind === 'line' ? lineMessage(b) : null) ??
      (b && (b.eMessage ?? b.excMessage)) ??
      e?.message ??
      (b ? lineMessage(b) : null) ??
      (e ? e.kind : 'failed');
    return {
      file,
      line,
      severity: 'error',
      tool: 'pytest',
      message,
      test,
      logLine: b ? b.logLine : e!.logLine,
    };
  }
}

/** The last location in the test file, else the last one in the project, else the last one. */
function pickLoc(b: Block, testFile: string | null): Loc | null {
  const locs = b.locs;
  if (locs.length === 0) return null;
  let file = testFile;
  if (file === null) {
    // Without a node id, the test's own frame comes first (pytest cuts the traceback there).
    const first = locs.find((l) => !isLibraryPath(l.file));
    file = first ? first.file : null;
  }
  if (file !== null) {
    for (let i = locs.length - 1; i >= 0; i--) if (samePath(locs[i]!.file, file)) return locs[i]!;
  }
  for (let i = locs.length - 1; i >= 0; i--) if (!isLibraryPath(locs[i]!.file)) return locs[i]!;
  return locs[locs.length - 1]!;
}

/** --tb=line and doctest blocks: the text after `path:line: `, when it is a message. */
function lineMessage(b: Block): string | null {
  for (let i = b.locs.length - 1; i >= 0; i--) {
    const r = b.locs[i]!.rest;
    if (r.length > 0 && !r.startsWith('in ')) return r;
  }
  return null;
}

function guessNodeId(b: Block, file: string): string {
  const br = b.name.indexOf('[');
  const head = br >= 0 ? b.name.slice(0, br) : b.name;
  return `${file}::${head.split('.').join('::')}${br >= 0 ? b.name.slice(br) : ''}`;
}

export function createPytestMatcher(): Matcher {
  return new PytestMatcher();
}
