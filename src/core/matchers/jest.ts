/**
 * Jest's failure blocks. After a `FAIL path` line, each `  ● Suite › test name` block is one failed test:
 * its message is the first line of the block (the matcher line or the error), its place the first stack frame
 * in the test file (else the first frame in the project, else the code frame's `>` line). `● Test suite failed
 * to run` is one problem for the suite, located at the ts-jest diagnostic when there is one. The summary that
 * repeats the blocks is removed by the parser's de-duplication.
 *
 * jest-light-runner (prettier's and babel's runner) prints its failures without the `●`: the titles joined by
 * ` > ` on a line of their own, then the error indented by four (`    Error: expect(...)...`, `    TypeError: x`)
 * and its stack, whose frames are `file://` URLs with a query (`cart.js?1744646620520:4:27`).
 */
import type { Matcher, MatcherContext, Wake } from '../matcher';
import { parseTsDiagnostic } from './tsc';
import type { TsDiagnostic } from './tsc';

const MAX_BLOCK = 1000;
const MAX_LINE = 4000;
const TIMING = / \(\d[\d.]{0,12} m?s\)$/;
const FRAME_LOC = /^(.{1,1000}?):(\d{1,9}):(\d{1,9})$/;
const CODE_FRAME = /^\s*> {1,2}(\d{1,9}) \|/;
const EXPECT_COMMENT = / \/\/ [^/]{1,200}$/;
// `FAIL path`, ` FAIL  path`, `  ● title`; jest-light-runner's error line under its title.
const WAKE: readonly Wake[] = [
  { first: 'F', indented: 'F\u25cf', prefixes: ['Jest: '] },
  { indented: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', needs: ['Error'] },
];
// Coverage under its threshold: `Jest: "global" coverage threshold for lines (90%) not met: 66.66%` (a path or glob
// for a per-file threshold), `Jest: Uncovered count for lines (12) exceeds global threshold (10)`, `Jest: Coverage
// data for ./src/x.js was not found.`. Like pytest-cov's, a fallback: only when its step failed and nothing else in
// it explains the failure.
const THRESHOLD =
  /^Jest: "(.{1,1000})" coverage threshold for \w{1,20} \([\d.]{1,20}%\) not met: -?[\d.]{1,20}%$/;
const UNCOVERED =
  /^Jest: Uncovered count for \w{1,20} \(\d{1,12}\) exceeds (.{1,1000}) threshold \(\d{1,12}\)$/;
const NO_DATA = /^Jest: Coverage data for (.{1,1000}) was not found\.$/;
// An error's first line: `Error: ...`, `TypeError: ...`, `AssertionError [ERR_ASSERTION]: ...`.
const LIGHT_ERROR = /^ {4}(?:[A-Z]\w{0,100})?Error\b/;

export interface Frame {
  file: string;
  line: number;
  column: number;
}

/** `at fn (path:1:2)` or `at path:1:2` (a `file://` URL's path too) -> the location, or null. */
export function frameOf(t: string): Frame | null {
  if (!t.startsWith('at ')) return null;
  let loc: string;
  if (t.charCodeAt(t.length - 1) === 41) {
    const open = t.lastIndexOf('(');
    if (open < 0) return null;
    loc = t.slice(open + 1, -1);
  } else {
    loc = t.slice(3);
  }
  const url = loc.startsWith('file://');
  if (url) loc = loc.slice(7);
  const m = FRAME_LOC.exec(loc);
  if (!m) return null;
  const line = Number(m[2]);
  if (line < 1) return null;
  let file = m[1]!;
  // A URL's query (an ESM loader's cache buster, `?1744646620520`) is no part of the path.
  const q = url ? file.indexOf('?') : -1;
  if (q > 0) file = file.slice(0, q);
  return { file, line, column: Number(m[3]) };
}

/** A JS test failure's place: the chosen frame's, else `file` alone (or nowhere). */
export function placeOf(
  where: Frame | null | undefined,
  file: string | null = null,
): { file: string | null; line: number | null; column: number | null } {
  return where
    ? { file: where.file, line: where.line, column: where.column }
    : { file, line: null, column: null };
}

/** Not a dependency's or the runtime's frame (vitest's too). */
export function inProject(f: { file: string }): boolean {
  const p = f.file;
  return !(
    p.includes('node_modules/') ||
    p.startsWith('node:') ||
    p.startsWith('internal/') ||
    p.startsWith('<') ||
    p.includes('node_modules\\')
  );
}

/** Of a failure's frames, the first in the test file, else the first in the project (none: undefined). */
export function testFrame(frames: readonly Frame[], testFile: string | null): Frame | undefined {
  const project = frames.filter(inProject);
  return (testFile !== null ? project.find((f) => sameFile(f.file, testFile)) : undefined) ?? project[0];
}

/** Two printed paths of one file (one may be relative to the other's folder). */
export function sameFile(a: string, b: string): boolean {
  if (a === b) return true;
  const [long, short] = a.length > b.length ? [a, b] : [b, a];
  return long.endsWith('/' + short) || long.endsWith('\\' + short);
}

export function createJestMatcher(): Matcher {
  /** The test file of the current `FAIL` line; blocks only count after one. */
  let failPath: string | null = null;
  let title: string | null = null;
  let startLine = 0;
  let lines: string[] = [];

  function reset(): void {
    title = null;
    lines = [];
  }

  function finish(ctx: MatcherContext): void {
    if (title === null) return;
    const t = title;
    const body = lines;
    reset();
    if (t === 'Console' || t.startsWith('Validation Warning') || t.startsWith('Deprecation Warning')) return;
    const suiteFailure = t.startsWith('Test suite failed to run');

    let first: string | null = null;
    const frames: Frame[] = [];
    let marker: number | null = null;
    let diagnostic: TsDiagnostic | null = null;
    let seen = 0;
    for (const raw of body) {
      const s = raw.trim();
      if (s.length === 0) continue;
      // ts-jest's diagnostic is the first line, or follows a "TypeScript diagnostics (...)" heading.
      if (suiteFailure && diagnostic === null && seen < 3 && s.indexOf(' TS') > 0) {
        const d = parseTsDiagnostic(s);
        if (d && d.file !== null) diagnostic = d;
      }
      seen++;
      if (first === null) {
        first = s;
        continue;
      }
      const f = frameOf(s);
      if (f) {
        if (frames.length < 50) frames.push(f);
        continue;
      }
      if (marker === null && s.charCodeAt(0) === 62) {
        const m = CODE_FRAME.exec(raw);
        if (m && Number(m[1]) >= 1) marker = Number(m[1]);
      }
    }
    const test = suiteFailure ? failPath : t;

    if (diagnostic !== null) {
      const d = diagnostic;
      ctx.emit({
        file: d.file,
        line: d.line,
        column: d.column,
        severity: 'error',
        tool: 'jest',
        code: d.code,
        message: d.rest,
        test,
        logLine: startLine,
      });
      return;
    }

    let message = first ?? t;
    // jest-light-runner keeps the `Error: ` that jest's own blocks drop before a matcher's message.
    if (message.startsWith('Error: expect(')) message = message.slice(7);
    if (message.startsWith('expect(')) message = message.replace(EXPECT_COMMENT, '');
    const where = testFrame(frames, failPath);
    const place = placeOf(where, failPath);
    // No frame: the code frame's `>` line, in the test file.
    if (!where && marker !== null) place.line = marker;
    ctx.emit({ ...place, severity: 'error', tool: 'jest', message, test, logLine: startLine });
  }

  return {
    name: 'jest',
    wake: WAKE,
    /** Inside a `●` block. */
    get busy(): boolean {
      return title !== null;
    },
    line(l, ctx) {
      const s = l.text;
      const c = s.length > 0 ? s.charCodeAt(0) : -1;
      if (title !== null) {
        // A block's lines are indented by four or more; anything less ends it.
        if (s.length === 0 || (c === 32 && s.startsWith('    '))) {
          if (lines.length < MAX_BLOCK) lines.push(s.length > MAX_LINE ? s.slice(0, MAX_LINE) : s);
          return;
        }
        if (s.trim().length === 0) {
          if (lines.length < MAX_BLOCK) lines.push('');
          return;
        }
        finish(ctx);
      }
      if (c === 74 /* J */ && s.startsWith('Jest: ')) {
        const t = s.trimEnd();
        const m = THRESHOLD.exec(t) ?? UNCOVERED.exec(t) ?? NO_DATA.exec(t);
        if (m === null) return;
        // The threshold's name: `global`, a path, or a glob (no one file).
        const name = m[1]!;
        const file = name === 'global' || /[*?{[]/.test(name) ? null : name;
        ctx.emitFallback(
          { file, line: null, severity: 'error', tool: 'jest', message: t.slice(6) },
          { requireFailure: true },
        );
        return;
      }
      // ` FAIL  path` when coloured (the badge is padded), `FAIL path` when not.
      if ((c === 70 && s.startsWith('FAIL ')) || (c === 32 && s.startsWith(' FAIL '))) {
        let p = s.trim().slice(5).trim().replace(TIMING, '');
        const sp = p.lastIndexOf(' ');
        if (sp >= 0) p = p.slice(sp + 1);
        failPath = p.length > 0 ? p : null;
        return;
      }
      if (c === 32 && failPath !== null && s.startsWith('  ● ') && s.trim().length > 2) {
        title = s.slice(4).trim();
        startLine = l.n;
        lines = [];
        ctx.claim();
        return;
      }
      if (c === 32 && failPath !== null && LIGHT_ERROR.test(s)) {
        // jest-light-runner: the title is the line before, unindented.
        const prev = ctx.previous;
        const p = prev !== null && prev.command === null ? prev.text.trimEnd() : '';
        const p0 = p.charCodeAt(0);
        if (p.length === 0 || p0 === 32 || p0 === 9 || p.startsWith('FAIL ') || p.startsWith('PASS ')) return;
        title = p;
        startLine = prev!.n;
        lines = [s];
        ctx.claim();
      }
    },
    flush(ctx) {
      finish(ctx);
      failPath = null;
    },
  };
}
