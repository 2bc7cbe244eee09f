/**
 * pip install failures, one problem per cause: an unknown requirement (`Could not find a version ...`
 * with its `No matching distribution found ...`), a dependency conflict (`Cannot install ... conflicting
 * dependencies` with its `ResolutionImpossible`), and a package whose build failed, however many boxes,
 * `Failed building wheel` and `Failed to build` lines pip prints about it. The output of a failed
 * subprocess (`╰─> [N lines of output]` ... `[end of output]`) is skipped, nested boxes included.
 *
 * `pip check`'s broken requirements are a problem each (the same lines under the resolver's advice after an install
 * are not: the install went on).
 *
 * uv reports as miette does: `  × No solution found when resolving dependencies:` (or `× Failed to build ...`),
 * then its causes, `├─▶ ...` and the last `╰─▶ ...`: one problem, the report and its first cause (a `×` line with
 * no cause under it is not uv's).
 */
import type { FramedLine } from '../framing';
import type { Matcher, MatcherContext, Wake } from '../matcher';

// pip's rich diagnostics start `error: kebab-case-id`, then a `× message` box.
const DIAGNOSTIC_ID = /^error: [a-z]+(?:-[a-z]+)+$/;
const BOX_OUTPUT = /^╰─> \[(\d{1,7}) lines? of output\]/;
const BOX_PACKAGE =
  /^(?:Building wheel|Running setup\.py install|Running setup\.py develop|Building editable) for (\S{1,200})/;
const ERROR_STARTS = [
  'Could not open requirements file',
  'Invalid requirement',
  'Could not install packages due to',
  'THESE PACKAGES DO NOT MATCH THE HASHES',
  'Double requirement given',
  'Could not install requirement',
  'Invalid wheel filename',
  'Can not perform a',
  'Will not install to the user site',
  'File "setup.py" or "setup.cfg" not found',
];
const ERROR_MATCHES = [
  /^Package '[^']{1,200}' requires a different Python/,
  /^Directory '.{1,500}' is not installable/,
];
// Lines pip prints as ERROR that are advice, not the failure.
const ERROR_ADVICE = ["pip's dependency resolver does not currently", 'Ignored the following versions'];
const MAX_BOX_LINES = 1_000_000;
// The first non-blank character of every line pip acts on: `╰─>`, `×`, `error:`, `ERROR:`, `Failed`, `note:`.
const PIP_CHARS = 'eEFn\u2570\u00d7';
/** uv's cause lines: `├─▶ ` and the last, `╰─▶ `. */
const UV_CAUSE = /^[\u251c\u2570]\u2500\u25b6 (.{1,2000})$/;
const UV_MAX_CAUSES = 20;
// `pip check`'s findings: `pkg 1.0 requires dep, which is not installed.`, `pkg 1.0 has requirement dep>=2, but you
// have dep 1.0.` (the same lines after a resolver's ERROR are its advice: pip install went on).
const CHECK_WORDS = [', which is not installed.', ', but you have '];
const PIP_CHECK =
  /^(\S{1,200}) (\S{1,100}) (?:requires \S.{0,500}, which is not installed\.|has requirement \S.{0,500}, but you have \S{1,200} \S{1,100}\.)$/;
// Poetry's solver: `Because proj depends on a (1.0) which depends on b (>=2.0), b is required.`, more `So, because`
// lines, the last ending `version solving failed.` (Poetry 1.x: indented by two under `SolverProblemError`).
const POETRY_START = 'Because ';
const POETRY_END = 'version solving failed.';
const POETRY_MAX_LINES = 12;
const WAKE: Wake = {
  first: PIP_CHARS,
  indented: PIP_CHARS,
  words: CHECK_WORDS,
  prefixes: [POETRY_START, `  ${POETRY_START}`],
};

function indentOf(t: string): number {
  let i = 0;
  while (i < t.length && t.charCodeAt(i) === 32) i++;
  return i;
}

function norm(pkg: string): string {
  return pkg.toLowerCase().replace(/[-_.]+/g, '-');
}

export function createPipMatcher(): Matcher {
  let reported = new Set<string>();
  let anonymous = false;
  let builds = 0;
  let requirement: string | null = null;
  let conflict = false;
  let diagnosticN = -10;
  let boxIndent = -1;
  let boxLeft = 0;

  function reset(): void {
    reported = new Set();
    anonymous = false;
    builds = 0;
    requirement = null;
    conflict = false;
    advice = false;
    diagnosticN = -10;
    boxIndent = -1;
  }

  /** After the resolver's advice: the conflicts it lists are not failures (pip install went on). */
  let advice = false;

  function emit(ctx: MatcherContext, message: string): void {
    ctx.emit({ file: null, line: null, severity: 'error', tool: 'pip', message });
  }

  /** Poetry's solver report awaiting its `version solving failed.` (null: none open). */
  let poetry: { message: string; n: number; lines: number } | null = null;

  /** The line `t` (from `indent`) of an open Poetry report: true when it was one of its lines. */
  function poetryLine(t: string, indent: number, ctx: MatcherContext): boolean {
    const p = poetry!;
    const s = t.slice(indent).trimEnd();
    if (s.endsWith(POETRY_END)) {
      poetry = null;
      ctx.claim();
      ctx.emit({
        file: null,
        line: null,
        severity: 'error',
        tool: 'poetry',
        message: p.message,
        logLine: p.n,
      });
      return true;
    }
    if (++p.lines > POETRY_MAX_LINES || (s.length > 0 && indent > 2)) {
      poetry = null;
      return false;
    }
    ctx.claim();
    return true;
  }

  /** uv's report awaiting its causes (null: none open). */
  let uv: { message: string; cause: string | null; n: number; lines: number } | null = null;

  function uvDone(ctx: MatcherContext): void {
    const u = uv;
    uv = null;
    // A `×` line with no cause under it is someone else's (vitest marks a failed test so).
    if (u === null || u.cause === null) return;
    const message = `${u.message.replace(/:$/, '')}: ${u.cause}`;
    ctx.emit({ file: null, line: null, severity: 'error', tool: 'uv', message, logLine: u.n });
  }

  /** A package's build failed: one problem unless this package (or an unnamed build) already has one. */
  function buildFailed(ctx: MatcherContext, pkg: string | null, message: string): void {
    if (pkg !== null) {
      const k = norm(pkg);
      if (reported.has(k)) return ctx.claim();
      reported.add(k);
      if (anonymous) {
        anonymous = false;
        return ctx.claim();
      }
    } else {
      anonymous = true;
    }
    builds++;
    emit(ctx, message);
  }

  function box(ctx: MatcherContext, msg: string): void {
    if (msg.startsWith('Encountered error while generating package metadata')) {
      if (builds > 0) ctx.claim();
      else buildFailed(ctx, null, msg);
      return;
    }
    if (msg.startsWith('Failed to build installable wheels')) {
      if (builds > 0) ctx.claim();
      else emit(ctx, msg);
      return;
    }
    if (msg.indexOf('did not run successfully') >= 0) {
      const p = BOX_PACKAGE.exec(msg);
      buildFailed(ctx, p ? p[1]! : null, msg);
      return;
    }
    emit(ctx, msg);
  }

  function error(ctx: MatcherContext, e: string): void {
    if (e.startsWith('Could not find a version that satisfies the requirement ')) {
      requirement = e.slice(56).split(' ', 1)[0]!;
      emit(ctx, e);
    } else if (e.startsWith('No matching distribution found for ')) {
      const req = e.slice(35).trim();
      if (req === requirement) ctx.claim();
      else emit(ctx, e);
      requirement = null;
    } else if (e.startsWith('Cannot install ') && e.indexOf('conflicting dependencies') > 0) {
      conflict = true;
      emit(ctx, e);
    } else if (e.startsWith('ResolutionImpossible')) {
      if (conflict) ctx.claim();
      else emit(ctx, e);
    } else if (e.startsWith('Failed building wheel for ')) {
      buildFailed(ctx, e.slice(26).trim(), e);
    } else if (
      e.startsWith('Could not build wheels for ') ||
      e.startsWith('Failed to build installable wheels')
    ) {
      if (builds > 0) ctx.claim();
      else emit(ctx, e);
    } else if (e.startsWith('Command errored out with exit status')) {
      // Old pip repeats it at the end ("... Check the logs for full command output.").
      if (builds > 0 && e.indexOf('Check the logs') > 0) ctx.claim();
      else buildFailed(ctx, null, e);
    } else if (ERROR_ADVICE.some((a) => e.startsWith(a))) {
      ctx.claim();
      advice = true;
    } else if (ERROR_STARTS.some((a) => e.startsWith(a)) || ERROR_MATCHES.some((r) => r.test(e))) {
      emit(ctx, e);
    }
  }

  return {
    name: 'pip',
    wake: WAKE,
    /** Inside a failed subprocess's output box, uv's report, the resolver's list of conflicts, or Poetry's report. */
    get busy(): boolean {
      return boxIndent >= 0 || uv !== null || advice || poetry !== null;
    },
    line(l: FramedLine, ctx: MatcherContext): void {
      const t = l.text;
      const c0 = t.length > 0 ? t.charCodeAt(0) : -1;
      const indent = c0 === 32 ? indentOf(t) : 0;
      if (uv !== null) {
        const m = ++uv.lines <= UV_MAX_CAUSES ? UV_CAUSE.exec(t.slice(indent).trimEnd()) : null;
        if (m !== null) {
          uv.cause ??= m[1]!;
          ctx.claim();
          // `╰─▶` is the last cause.
          if (t.charCodeAt(indent) === 0x2570) uvDone(ctx);
          return;
        }
        uvDone(ctx);
      }
      if (poetry !== null && poetryLine(t, indent, ctx)) return;
      if (indent <= 2 && t.startsWith(POETRY_START, indent)) {
        poetry = { message: t.slice(indent).trim(), n: l.n, lines: 0 };
        poetryLine(t, indent, ctx);
        return;
      }
      if (boxIndent >= 0) {
        // Inside a failed subprocess's output: its own errors and boxes are part of this failure.
        if ((indent <= boxIndent + 4 && t.endsWith('[end of output]')) || --boxLeft <= 0) boxIndent = -1;
        ctx.claim();
        return;
      }
      if (indent === 0 && (t.indexOf(CHECK_WORDS[0]!) > 0 || t.indexOf(CHECK_WORDS[1]!) > 0)) {
        if (advice) {
          // The resolver's list: `a 1.0 requires c==1.0, but you have c 2.0 which is incompatible.`
          ctx.claim();
          return;
        }
        if (PIP_CHECK.test(t.trimEnd())) {
          emit(ctx, t.trim());
          return;
        }
      }
      // The resolver's list ended (its ERROR line sets it again below).
      advice = false;
      const c = indent === 0 ? c0 : t.charCodeAt(indent);
      if (c === 0x2570 /* ╰ */) {
        const m = BOX_OUTPUT.exec(t.slice(indent));
        if (m) {
          boxIndent = indent;
          boxLeft = Math.min(Number(m[1]) + 2, MAX_BOX_LINES);
          ctx.claim();
        }
        return;
      }
      if (c === 0xd7 /* × */) {
        if (t.charCodeAt(indent + 1) !== 32) return;
        if (l.n - diagnosticN <= 3) box(ctx, t.slice(indent + 2).trim());
        else {
          // No `error: id` above it: not pip's box; uv's report if causes follow.
          uv = { message: t.slice(indent + 2).trim(), cause: null, n: l.n, lines: 0 };
        }
        return;
      }
      if (c === 101 /* e */) {
        if (t.startsWith('error: ', indent) && DIAGNOSTIC_ID.test(t.slice(indent))) {
          diagnosticN = l.n;
          ctx.claim();
        }
        return;
      }
      if (c === 69 /* E */) {
        if (t.startsWith('ERROR: ', indent)) error(ctx, t.slice(indent + 7).trim());
        return;
      }
      if (c === 70 /* F */ && t.startsWith('Failed to build ', indent)) {
        const names = t
          .slice(indent + 16)
          .trim()
          .split(/\s+/);
        // "Failed to build installable wheels for ..." is the summary of the builds above.
        if (names[0] === 'installable') {
          if (builds > 0) ctx.claim();
          else emit(ctx, t.trim());
          return;
        }
        for (const n of names) if (n) buildFailed(ctx, n, `Failed to build ${n}`);
        return;
      }
      if (c === 110 /* n */ && t.startsWith('note: This error originates from a subprocess', indent))
        ctx.claim();
    },
    flush(ctx): void {
      uvDone(ctx);
      poetry = null;
      reset();
    },
  };
}
