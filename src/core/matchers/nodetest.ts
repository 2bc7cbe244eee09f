/**
 * Node's test runner (`node --test`), in its two reporters, and TAP from other producers:
 *
 * - TAP (`--test-reporter=tap`, the default when not on a terminal up to Node 20): `not ok 1 - name` and a YAML
 *   block with `location: 'file:line:col'`, `error:`, `name: 'TypeError'` and `stack:` frames, up to `...`;
 * - spec (the default on a terminal, and everywhere from Node 22): `✖ name (2.8ms)`, then the error indented
 *   under it and its `at ...` frames.
 *
 * One problem (tool `node:test`) per failed test, at the first stack frame in the test's file (else the test's
 * location, else the first project frame); the message is the error's first line (TAP: `Name: error`). A test
 * that failed only because a subtest did (`subtestsFailed`) or was cancelled with its parent is not one more
 * problem; nor a TAP `# TODO` or `# SKIP`.
 */
import type { Matcher, MatcherContext, Wake } from '../matcher';
import { frameOf, inProject, placeOf, sameFile } from './jest';
import type { Frame } from './jest';

const TAP_NOT_OK = /^( *)not ok \d{1,9}(?: -)? ?(.{0,1000})$/;
const SPEC_FAIL = /^( *)\u2716 (.{1,1000}) \(\d[\d.]{0,20}m?s\)$/;
const LOCATION = /^location: '(.{1,1000}):(\d{1,9}):(\d{1,9})'$/;
const YAML_STRING = /^'(.*)'$/;
const MAX_BLOCK = 1000;
const MAX_FRAMES = 50;
const WAKE: Wake[] = [
  // A prefix, not `first: 'n'` with a search: many lines start with `npm`.
  { prefixes: ['not ok '], first: '\u2716', indented: '\u2716' },
  { indented: 'n', needs: ['not ok '] },
];

interface Failure {
  kind: 'tap' | 'spec';
  indent: number;
  test: string;
  n: number;
  location: Frame | null;
  message: string | null;
  /** TAP: the error's class (`name:`). */
  name: string | null;
  /** TAP: the YAML key whose block the lines are in (`error`, `stack`). */
  key: string | null;
  /** TAP: the indent of the YAML block's keys (-1: not seen yet). */
  keyIndent: number;
  frames: Frame[];
  skip: boolean;
  lines: number;
}

function indentOf(s: string): number {
  let i = 0;
  while (i < s.length && s.charCodeAt(i) === 32) i++;
  return i;
}

/** `TestContext.<anonymous> (/a/b.test.js:3:29)`, a TAP stack line (no `at `) -> the location. */
function stackFrame(s: string): Frame | null {
  return frameOf(s.startsWith('at ') ? s : 'at ' + s);
}

export function createNodeTestMatcher(): Matcher {
  let f: Failure | null = null;

  function finish(ctx: MatcherContext): void {
    const b = f;
    f = null;
    if (b === null || b.skip) return;
    if (b.kind === 'spec' && b.message === null) return; // a suite whose tests failed
    const project = b.frames.filter(inProject);
    const where =
      (b.location !== null ? project.find((x) => sameFile(x.file, b.location!.file)) : undefined) ??
      b.location ??
      project[0] ??
      null;
    let message = b.message ?? 'test failed';
    if (b.name !== null && !message.startsWith(b.name)) message = `${b.name}: ${message}`;
    ctx.emit({
      ...placeOf(where, null),
      severity: 'error',
      tool: 'node:test',
      message,
      test: b.test,
      logLine: b.n,
    });
  }

  /** A line inside a failure; false when it ended before the line. */
  function blockLine(b: Failure, t: string, ctx: MatcherContext): boolean {
    if (++b.lines > MAX_BLOCK) return false;
    const s = t.trim();
    const ind = indentOf(t);
    if (b.kind === 'spec') {
      if (s.length === 0) return true;
      if (ind <= b.indent) return false;
      ctx.claim();
      const fr = s.startsWith('at ') ? frameOf(s.endsWith(' {') ? s.slice(0, -2) : s) : null;
      if (fr !== null) {
        if (b.frames.length < MAX_FRAMES) b.frames.push(fr);
      } else if (b.message === null) b.message = s;
      return true;
    }
    // TAP: the YAML block is indented under `not ok`, from `---` to `...`.
    if (s === '...' && ind > b.indent) {
      ctx.claim();
      finish(ctx);
      return true;
    }
    if (ind <= b.indent || s.length === 0) return s.length === 0;
    ctx.claim();
    if (s === '---') return true;
    // The keys' indent is the first line's (node: level with `---`; tape: deeper).
    if (b.keyIndent < 0) b.keyIndent = ind;
    const colon = s.indexOf(': ');
    const isKey = ind === b.keyIndent && /^[A-Za-z]\w{0,40}:(?: |$)/.test(s);
    if (isKey) {
      const key = s.slice(0, colon >= 0 ? colon : s.length - 1);
      const value = colon >= 0 ? s.slice(colon + 2) : '';
      b.key = key;
      if (key === 'location') {
        const m = LOCATION.exec(s);
        if (m) b.location = { file: m[1]!, line: Number(m[2]), column: Number(m[3]) };
      } else if (key === 'failureType') {
        if (value === "'subtestsFailed'" || value === "'cancelledByParent'") b.skip = true;
      } else if (key === 'at') {
        // tape: `at: Test.<anonymous> (/app/test/a.js:6:5)`.
        b.location ??= stackFrame(value);
      } else if (key === 'name') {
        b.name = YAML_STRING.exec(value)?.[1] ?? value;
      } else if (key === 'error' && value !== '|-' && value !== '|' && value !== '>-') {
        b.message = YAML_STRING.exec(value)?.[1] ?? value;
      }
      return true;
    }
    if (b.key === 'error' && b.message === null && s.length > 0) b.message = s;
    else if (b.key === 'stack' && b.frames.length < MAX_FRAMES) {
      const fr = stackFrame(s);
      if (fr !== null) b.frames.push(fr);
    }
    return true;
  }

  return {
    name: 'node:test',
    wake: WAKE,
    get busy(): boolean {
      return f !== null;
    },
    line(l, ctx) {
      const t = l.text;
      const claimed = ctx.claimed;
      if (f !== null) {
        if (blockLine(f, t, ctx)) return;
        finish(ctx);
      }
      if (claimed) return;
      const c = t.charCodeAt(0);
      const lead = c === 32 ? t.charCodeAt(indentOf(t)) : c;
      let m: RegExpExecArray | null;
      if (lead === 110 /* n */ && (m = TAP_NOT_OK.exec(t)) !== null) {
        const rest = m[2]!;
        const hash = rest.search(/ # (?:TODO|SKIP)\b/i);
        ctx.claim();
        f = failure('tap', m[1]!.length, hash >= 0 ? rest.slice(0, hash) : rest, l.n);
        f.skip = hash >= 0;
      } else if (lead === 0x2716 && (m = SPEC_FAIL.exec(t)) !== null) {
        ctx.claim();
        f = failure('spec', m[1]!.length, m[2]!, l.n);
      }
    },
    flush(ctx) {
      finish(ctx);
    },
  };
}

function failure(kind: 'tap' | 'spec', indent: number, test: string, n: number): Failure {
  return {
    kind,
    indent,
    test: test.trim(),
    n,
    location: null,
    message: null,
    name: null,
    key: null,
    keyIndent: -1,
    frames: [],
    skip: false,
    lines: 0,
  };
}
