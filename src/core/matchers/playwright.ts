/**
 * Playwright Test's failures (its list, line and dot reporters print the same list at the end): a numbered header
 * with the project, the test's place and its titles, then the error, a code frame and the stack:
 *
 *   1) [chromium] › tests/app.spec.ts:12:5 › cart › adds an item ──────────────────────
 *
 *     Error: expect(received).toBe(expected) // Object.is equality
 *     ...
 *         at /home/runner/work/app/app/tests/app.spec.ts:15:20
 *
 * One problem per failed test: its message is the error's first line, its place the stack's frame in the test's
 * file (else the header's), the test its titles. A test the summary after the list calls flaky (it passed on a
 * retry) is a warning: it did not fail the run, but it is worth knowing. The GitHub reporter prints each failure
 * (and each retry) again as a `##[error]` annotation with the same header: those are read only when the list did
 * not print it.
 */
import type { Matcher, MatcherContext, Wake } from '../matcher';
import { frameOf, sameFile } from './jest';
import type { Frame } from './jest';

// A test's place as the list and the summary print it: `[project] › path:line:col › title › title ───` (the
// project only with several; the rule may be cut).
const PLACE =
  '(?:\\[([^\\]]{1,200})\\] \u203a )?([^\\s\u203a][^\u203a]{0,1000}?):(\\d{1,9}):(\\d{1,9}) \u203a (.{1,2000})$';
/** `  1) <place>`: a failure's header. */
const HEADER = new RegExp(`^ {1,8}(\\d{1,7})\\) ${PLACE}`);
const MAX_BLOCK = 400;
/** The summary after the list: `  1 failed`, `  2 flaky`, `  5 passed (3.2s)`, each kind's tests below it. */
const SUMMARY = /^ {1,4}\d{1,7} (failed|flaky|passed|skipped|interrupted|did not run)\b/;
/** `    <place>`: a test under a summary line. */
const SUMMARY_TEST = new RegExp(`^ {3,8}${PLACE}`);
/** Where the header's title ends: the rule playwright draws after it, and what a cut multi-byte rule leaves. */
const RULE = /[\s\u2500\ufffd]+$/;

export const PLAYWRIGHT_WAKE: Wake = { indented: '0123456789', needs: [') '] };

interface Failure {
  key: string;
  file: string;
  line: number;
  column: number;
  test: string;
  message: string | null;
  frame: Frame | null;
  lines: number;
  n: number;
}

export function createPlaywrightMatcher(): Matcher {
  let f: Failure | null = null;
  /** Failures read, held until the summary says which were flaky. */
  let done: Failure[] = [];
  /** In the summary: the kind of the tests it lists now. */
  let kind: string | null = null;
  const flaky = new Set<string>();
  /** Failures read (their headers), so the annotations that repeat them are not read again. */
  const seen = new Set<string>();

  function finish(): void {
    if (f !== null) done.push(f);
    f = null;
  }

  function report(ctx: MatcherContext): void {
    finish();
    for (const b of done) {
      const where = b.frame;
      ctx.emit({
        file: where?.file ?? b.file,
        line: where?.line ?? b.line,
        column: where?.column ?? b.column,
        severity: flaky.has(b.key) ? 'warning' : 'error',
        tool: 'playwright',
        message: b.message ?? `${b.test} failed`,
        test: b.test,
        logLine: b.n,
      });
    }
    done = [];
    kind = null;
    flaky.clear();
  }

  function keyOf(project: string | undefined, file: string, line: string, col: string, test: string): string {
    return `${project ?? ''}\u0000${file}:${line}:${col}\u0000${test}`;
  }

  /** A line of the summary; false when the summary ended before it. */
  function summaryLine(t: string, ctx: MatcherContext): boolean {
    const k = SUMMARY.exec(t);
    if (k !== null) {
      kind = k[1]!;
      ctx.claim();
      return true;
    }
    const m = SUMMARY_TEST.exec(t);
    if (m === null) return false;
    ctx.claim();
    if (kind === 'flaky') flaky.add(keyOf(m[1], m[2]!, m[3]!, m[4]!, m[5]!.replace(RULE, '')));
    return true;
  }

  /** A line of a failure; false when the failure ended before it. */
  function blockLine(b: Failure, t: string, ctx: MatcherContext): boolean {
    if (++b.lines > MAX_BLOCK || SUMMARY.test(t)) return false;
    const s = t.trim();
    if (s.length === 0) return true;
    ctx.claim();
    if (s.startsWith('at ')) {
      const frame = b.frame === null ? frameOf(s) : null;
      if (frame !== null && sameFile(frame.file, b.file)) b.frame = frame;
      return true;
    }
    b.message ??= s;
    return true;
  }

  return {
    name: 'playwright',
    wake: PLAYWRIGHT_WAKE,
    get busy(): boolean {
      return f !== null || done.length > 0;
    },
    line(l, ctx) {
      const t = l.text;
      const h = t.charCodeAt(0) === 32 && t.indexOf(') ') > 0 ? HEADER.exec(t) : null;
      if (h === null) {
        const plain = l.command === null || l.command === 'command';
        if (f !== null && plain && blockLine(f, t, ctx)) return;
        finish();
        if (kind === null && done.length > 0 && plain && SUMMARY.test(t)) kind = '';
        if (kind !== null && plain && summaryLine(t, ctx)) return;
        if (done.length > 0) report(ctx);
        return;
      }
      finish();
      ctx.claim();
      const test = h[6]!.replace(RULE, '');
      const key = keyOf(h[2], h[3]!, h[4]!, h[5]!, test);
      // An annotation of a failure the list printed (or a retry's annotation of one already read).
      if (seen.has(key)) return;
      seen.add(key);
      f = {
        key,
        file: h[3]!,
        line: Number(h[4]),
        column: Number(h[5]),
        test,
        message: null,
        frame: null,
        lines: 0,
        n: l.n,
      };
    },
    flush(ctx) {
      report(ctx);
    },
  };
}
