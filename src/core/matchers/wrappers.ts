/**
 * Wrappers that only say "something inside failed": tox, nox and make; and coverage under its threshold
 * (pytest-cov's `FAIL Required test coverage ...`, coverage.py's `Coverage failure: ...`, vitest's `ERROR: Coverage
 * for lines (66%) does not meet global threshold (90%)`; jest's are the jest matcher's), which fails a step whose
 * tests all passed. They are fallbacks, reported only when nothing else in the step explains the failure (and
 * coverage only when its step failed).
 */
import type { FramedLine } from '../framing';
import type { Matcher, MatcherContext, Wake } from '../matcher';

// tox 3's summary: `ERROR:   py311: commands failed`.
const TOX3 =
  /^ERROR: {1,8}([\w.-]{1,200}: (?:commands failed|could not install deps.{0,500}|InterpreterNotFound.{0,500}))$/;
// tox 4's report: `  py311: FAIL code 1 (2.34=setup[1.84]+cmd[0.50] seconds)`.
const TOX4 = /^ {0,8}([\w.-]{1,200}: FAIL code \d{1,5}(?: \(.{0,500}\))?)$/;
const NOX = /^nox > (Session \S{1,200} (?:failed|raised exception|interrupted).{0,500})$/;
const MAKE = /^g?make(?:\[\d{1,4}\])?: (\*\*\* .{1,1000})$/;
const MAKE_TARGET = /^\*\*\* \[([^\]:]{1,500}):(\d{1,9}): [^\]]{0,500}\] Error \d/;
const PYTEST_COV =
  /^FAIL (Required test coverage of [\d.]{1,10}% not reached\. Total coverage: [\d.]{1,10}%)$/;
const COVERAGE = /^Coverage failure: total of [\d.]{1,10} is less than fail-under=[\d.]{1,10}$/;
// vitest's: `ERROR: Coverage for lines (66.66%) does not meet global threshold (90%)`, a glob's (`"src/**"`) for its
// files, `... for src/a.ts` with perFile.
const VITEST_COVERAGE =
  /^ERROR: (Coverage for \w{1,20} \([\d.]{1,20}%\) does not meet (?:global|"[^"]{1,1000}") threshold \([\d.]{1,20}%\)(?: for (\S.{0,1000}))?)$/;

function isNameChar(c: number): boolean {
  // `[\w.-]`
  return (
    (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 45
  );
}

/**
 * Whether the line, indented by `i` spaces and ending in `end`, may be tox 4's `name: FAIL code N` line
 * (`TOX4`): the code ends the line (`... code 1`) unless the timing does (`)`), and the env name (no
 * spaces, no colon) runs from `i` to the colon. Character tests only, so that no other line is searched.
 */
function mayBeTox4(text: string, i: number, end: number): boolean {
  if (end !== 41) {
    // `FAIL code \d{1,5}$`
    let k = text.length - 2;
    while (k >= 0 && text.charCodeAt(k) >= 48 && text.charCodeAt(k) <= 57) k--;
    if (text.charCodeAt(k) !== 32 || text.charCodeAt(k - 1) !== 101 /* e */) return false;
  }
  let j = i;
  while (isNameChar(text.charCodeAt(j))) j++;
  return j > i && text.charCodeAt(j) === 58; /* : */
}

// tox 3 (`ERROR:`), nox, make, tox 4's `FAIL code` lines and its `evaluation failed :(`, pytest-cov's `FAIL` line
// and coverage.py's.
const WAKE: Wake = { first: 'Enmge', indented: 'e', words: ['FAIL'], prefixes: ['Coverage failure: '] };

class WrappersMatcher implements Matcher {
  readonly name = 'wrappers';
  readonly wake = WAKE;
  /** tox 4's `evaluation failed :(` repeats the `FAIL code` lines before it. */
  private toxFailed = false;
  /** Nested makes print one `*** Error` per level; the first (innermost) names the real target. */
  private makeFailed = false;

  line(l: FramedLine, ctx: MatcherContext): void {
    const text = l.text;
    const c = text.length > 0 ? text.charCodeAt(0) : -1;
    if (c === 69 /* E */) {
      if (!text.startsWith('ERROR: ')) return;
      if (text.startsWith('ERROR: Coverage for ')) {
        const v = VITEST_COVERAGE.exec(text.trimEnd());
        if (v) this.fallback(ctx, 'vitest', v[1]!, v[2] ?? null, null, true);
        return;
      }
      const m = TOX3.exec(text.trimEnd());
      if (m) this.tox(m[1]!, ctx);
    } else {
      if (
        (c === 70 && text.startsWith('FAIL Required')) ||
        (c === 67 && text.startsWith('Coverage failure: '))
      ) {
        const t = text.trimEnd();
        const m = c === 70 ? PYTEST_COV.exec(t) : COVERAGE.exec(t);
        if (m) this.fallback(ctx, c === 70 ? 'pytest-cov' : 'coverage', m[1] ?? m[0], null, null, true);
        return;
      }
      if (c === 110 && text.startsWith('nox > ')) {
        const m = NOX.exec(text.trimEnd());
        if (m) this.fallback(ctx, 'nox', m[1]!);
        return;
      }
      if ((c === 109 || c === 103) && text.indexOf('***') > 0) {
        const m = MAKE.exec(text.trimEnd());
        if (m && !this.makeFailed) {
          this.makeFailed = true;
          const t = MAKE_TARGET.exec(m[1]!);
          this.fallback(ctx, 'make', m[1]!, t ? t[1]! : null, t ? Number(t[2]) : null);
        }
        return;
      }
      // tox 4's report lines: indented by at most a few spaces, the FAIL line ends with its timing or code.
      const end = text.charCodeAt(text.length - 1);
      const endOk = end === 41 /* ) */ || (end >= 48 && end <= 57);
      let i = 0;
      if (c === 32) while (i < 8 && text.charCodeAt(i) === 32) i++;
      if (endOk && mayBeTox4(text, i, end)) {
        if (text.indexOf(': FAIL code ', i) > 0) {
          const m = TOX4.exec(text.trimEnd());
          if (m) this.tox(m[1]!, ctx);
          return;
        }
      }
      if (
        !this.toxFailed &&
        (i === 0 ? c : text.charCodeAt(i)) === 101 /* e */ &&
        text.startsWith('evaluation failed :(', i)
      ) {
        // A line that looked like a FAIL line (and did not match one) is not this either.
        if (endOk && text.indexOf(': FAIL code ', i) > 0) return;
        this.tox(text.trim(), ctx);
      }
    }
  }

  flush(): void {
    this.toxFailed = false;
    this.makeFailed = false;
  }

  private tox(message: string, ctx: MatcherContext): void {
    this.toxFailed = true;
    this.fallback(ctx, 'tox', message);
  }

  private fallback(
    ctx: MatcherContext,
    tool: string,
    message: string,
    file: string | null = null,
    line: number | null = null,
    requireFailure = false,
  ): void {
    ctx.emitFallback({ file, line, severity: 'error', tool, message }, { requireFailure });
  }
}

export function createWrappersMatcher(): Matcher {
  return new WrappersMatcher();
}
