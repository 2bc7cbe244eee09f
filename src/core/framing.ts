/**
 * Framing: from a raw log line to clean text plus its place in the job's structure.
 *
 * Understands GitHub Actions raw job logs (timestamp prefix, `##[group]` and the other `##[...]` commands),
 * `gh run view --log` output (job, step and timestamp columns), GitLab traces (`section_start`/`section_end`
 * markers, the runner's optional timestamp prefix, `\r` overwrites) and plain tool output. Every check is a
 * character test or an anchored regex, so framing is linear in the line's length.
 */
import stripAnsi from 'strip-ansi';
import type { LogFormat, Step, StepStatus } from './model';
import { detach } from './text';

export type LineCommand =
  'error' | 'warning' | 'notice' | 'command' | 'debug' | 'group' | 'endgroup' | 'section';

/** A log line after framing, as the matchers see it. */
export interface FramedLine {
  /** 1-based line number in the log. */
  n: number;
  /** The text with timestamps, columns, ANSI, `##[...]` commands and section markers removed. */
  text: string;
  /** The GitHub command the line carried (`##[error]` gives 'error'), or null. */
  command: LineCommand | null;
  /** The innermost step, section or group the line belongs to. */
  group: Step | null;
  /** The top-level step or section (what "which step printed it" means). */
  step: Step | null;
  /** Where the first `:` of `text` is, or -1: several matchers start from it (`path:line` locations). */
  colon: number;
}

const ISO_TS = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?Z ?/;
const SECTION = /section_(start|end):(\d+):([^\s[\]]+)(?:\[[^\]\r\n]*\])?\r?/g;
// The most frequent first.
const GH_COMMANDS: readonly LineCommand[] = [
  'group',
  'endgroup',
  'command',
  'error',
  'warning',
  'debug',
  'notice',
  'section',
];

/**
 * The command of a line that starts with `##[`: `##[group]...` gives 'group'; null for no known one. (A pattern
 * allocated a match and two strings for each of a log's thousands of group lines.)
 */
function ghCommandAt(s: string): LineCommand | null {
  for (const c of GH_COMMANDS) if (s.startsWith(c, 3) && s.charCodeAt(3 + c.length) === 93 /* ] */) return c;
  return null;
}
// BuildKit's plain progress (`docker build`, docker/build-push-action): `#9 657.2 ` before what a build step's
// command printed (the step number, the seconds since it started). Its own lines (`#9 [4/8] RUN ...`,
// `#9 DONE 1.2s`) have no seconds and keep their `#`.
const BUILDKIT = /^#\d{1,5} \d{1,7}\.\d{1,3} /;
// The GitHub web UI's copy of a log keeps links to lines: `[15](https://github.com/...#step:6:16)8`.
// The URL stops at `[` as well, so a line of `[1](http://[1](http://...` cannot make it backtrack
// quadratically: each attempt scans only up to the next candidate.
const WEB_LINK = /\[(\d+)\]\(https?:\/\/[^)\s[]*#step:\d+:\d+\)/g;
const MAX_STEPS = 10_000;
const RUNNER_SECTION =
  /^(?:prepare_executor|prepare_script|get_sources|restore_cache|download_artifacts|archive_cache|archive_cache_on_failure|upload_artifacts_on_success|upload_artifacts_on_failure|cleanup_file_variables|resolve_secrets)$/;
// Deeper nesting is not real (GitHub groups do not nest, GitLab sections barely do); without a cap, a log
// of unclosed `##[group]`s makes every line walk an ever longer stack.
const MAX_DEPTH = 64;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** A leading `YYYY-MM-DDTHH:MM:SS[.fraction]Z` (1 to 9 fraction digits); `lastIndex` is its length. */
const TIMESTAMP = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?Z/y;

/**
 * The runner's `YYYY-MM-DDTHH:MM:SS.fffffffZ ` as TIMESTAMP reads it, not followed by what gitlabStreamLength
 * takes for GitLab's stream marker.
 */
const RUNNER_TIMESTAMP = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z (?![0-9a-f]{2}[OE])/y;

/** Where a line `plainStart` accepts has its text: after the runner's timestamp and a space. */
export const PLAIN_TEXT_AT = 29;

/** Where the text of `s[base..end)` starts when the line has the runner's timestamp and a space (see `plainStart`), else -1. */
export function runnerTextStart(s: string, base: number, end: number): number {
  if (end - base < PLAIN_TEXT_AT) return -1;
  // (Past `end`, the lookahead can only see the line end, which is no stream marker.)
  RUNNER_TIMESTAMP.lastIndex = base;
  return RUNNER_TIMESTAMP.test(s) ? base + PLAIN_TEXT_AT : -1;
}

/** After GitLab's timestamp at `at`: length of its ` 00O` / ` 01E+` stream marker, or 0. */
function gitlabStreamLength(s: string, at: number): number {
  if (at + 3 >= s.length) return 0;
  if (s.charCodeAt(at) !== 32 || !isHex(s.charCodeAt(at + 1)) || !isHex(s.charCodeAt(at + 2))) return 0;
  const k = s.charCodeAt(at + 3);
  if (k !== 79 && k !== 69) return 0;
  const c = at + 4 < s.length ? s.charCodeAt(at + 4) : -1;
  return c === 43 || c === 32 ? 5 : 4;
}

function isHex(c: number): boolean {
  return isDigit(c) || (c >= 97 && c <= 102);
}

/** Cheap test for `YYYY-MM-DDTHH:` at `i`. */
function looksLikeTimestamp(s: string, i: number): boolean {
  return (
    s.length >= i + 20 &&
    isDigit(s.charCodeAt(i)) &&
    isDigit(s.charCodeAt(i + 3)) &&
    s.charCodeAt(i + 4) === 45 &&
    s.charCodeAt(i + 7) === 45 &&
    s.charCodeAt(i + 10) === 84
  );
}

export class Framer {
  format: LogFormat = 'plain';
  readonly steps: Step[] = [];
  private lastLine = 0;
  /** Open groups, innermost last. */
  private stack: Step[] = [];
  private topStep: Step | null = null;
  private ghStepName: string | null = null;
  private sawGitHub = false;
  private lastTopSection: Step | null = null;
  private closeAfterLine = false;
  /** Groups opened past MAX_DEPTH: their endgroups are swallowed. */
  private overflow = 0;

  /** Frames one raw line (no line terminator). `n` is its 1-based number. */
  frame(raw: string, n: number): FramedLine {
    this.lastLine = n;
    if (this.closeAfterLine) {
      this.closeAfterLine = false;
      this.topStep = null;
    }
    let s = raw;
    const fmt = this.format;
    // A BOM starts a file; gh puts one mid-line on a step's first line. Once a log is known to be a GitHub
    // raw log, only a line's first character needs the check.
    if (fmt === 'github' ? s.length > 0 && s.charCodeAt(0) === 0xfeff : s.indexOf('\uFEFF') >= 0)
      s = s.replace(/\uFEFF/g, '');

    // gh run view --log: "job<TAB>step<TAB>2024-...Z text" (pastes may turn tabs into spaces).
    if (fmt === 'plain' || fmt === 'gh-cli') {
      const cols = this.ghCliColumns(s);
      if (cols) {
        this.format = 'gh-cli';
        if (cols.step !== this.ghStepName) {
          this.ghStepName = cols.step;
          this.startTopStep(cols.step, 'step', n);
        }
        s = cols.rest;
      }
    }

    // Where the text starts in `s`, past the timestamp: cut only once, together with the escapes.
    let start = 0;
    if (s.length >= 20 && isDigit(s.charCodeAt(0))) {
      // One sticky regex test: cheaper than reading the 20-odd characters one by one.
      TIMESTAMP.lastIndex = 0;
      const iso = TIMESTAMP.test(s) ? TIMESTAMP.lastIndex : 0;
      if (iso > 0) {
        const gl = gitlabStreamLength(s, iso);
        if (gl > 0) {
          start = iso + gl;
          if (this.format === 'plain') this.format = 'gitlab';
        } else {
          start = iso < s.length && s.charCodeAt(iso) === 32 ? iso + 1 : iso;
          if (this.format === 'plain') this.format = 'github';
        }
      }
    }

    let command: LineCommand | null = null;
    // GitLab markers and web-UI links cannot occur in a GitHub raw log: skip their scans there.
    if (this.format !== 'github' && s.indexOf('section_', start) >= 0) {
      s = this.sections(s.slice(start), n);
      start = 0;
    }
    if (s.indexOf('\r', start) >= 0) {
      s = lastSegment(s.slice(start));
      start = 0;
    }
    const esc = s.indexOf('\x1b', start);
    if (esc >= 0) s = stripEscapesFrom(s, start, esc);
    else if (start > 0) s = s.slice(start);

    // Never read past the end: a charCodeAt call site that once did stays slow.
    const first = s.length > 1 ? s.charCodeAt(0) : -1;
    if (first === 35 && s.charCodeAt(1) === 35) {
      const found = s.charCodeAt(2) === 91 /* [ */ ? ghCommandAt(s) : null;
      if (found !== null) {
        command = found;
        s = s.slice(found.length + 4);
        this.sawGitHub = true;
        if (this.format === 'plain') this.format = 'github';
        this.ghCommand(command, s, n);
      }
    } else if (first === 91 && s.startsWith('[command]')) {
      command = 'command';
      s = s.slice(9);
    } else if (first === 35 && isDigit(s.charCodeAt(1))) {
      const m = BUILDKIT.exec(s);
      if (m) s = s.slice(m[0].length);
    }
    if (this.format === 'plain' && s.indexOf('](http') >= 0) s = s.replace(WEB_LINK, '$1');

    if (this.format === 'gitlab' && s.startsWith('ERROR: Job failed')) {
      // A runner section whose end shares this line (`section_end:..:cleanup_file_variables\r\e[0KERROR: Job
      // failed`) is not where the job failed: the last user section is. One still open (a failed clone) is.
      const top = this.topStep;
      const closingRunner = top !== null && this.closeAfterLine && RUNNER_SECTION.test(top.name);
      const target = closingRunner ? (this.lastTopSection ?? top) : (top ?? this.lastTopSection);
      if (target) target.status = 'failure';
      // GitLab stops at the first failing section: the user sections before it passed.
      for (const st of this.steps)
        if (st.parent === null && st.status === 'unknown' && st !== target) st.status = 'success';
    } else if (this.format === 'gitlab' && s.startsWith('Job succeeded')) {
      for (const st of this.steps) if (st.status === 'unknown') st.status = 'success';
    }

    // endLine is written when a step or group closes, not on every line: open ones are settled by finish().
    return { n, text: s, command, group: this.group, step: this.topStep, colon: s.indexOf(':') };
  }

  /**
   * Where the text of the GitHub raw log line `s[base..end)` starts, for a line framing would only cut the timestamp and colours
   * from (the caller checks the text for commands and escapes): the log is known to be a GitHub raw log, the line
   * has the runner's 28-character timestamp and a space, and no pending step change. Else -1.
   */
  plainStart(s: string, base: number, end: number): number {
    return this.plainReady ? runnerTextStart(s, base, end) : -1;
  }

  /**
   * `frame` for a line `plainStart` accepted whose text holds no command, no `\r` and no escape but colours (what
   * the pre-scan or the parser's own look at the raw line found): only the timestamp and the colours go. The state
   * is `plainReady` still, and stays so.
   */
  framePlain(raw: string, n: number, textAt = PLAIN_TEXT_AT): FramedLine {
    this.lastLine = n;
    return this.plainLine(raw, textAt, raw.indexOf('\x1b', textAt), n, this.group, this.topStep);
  }

  /** Whether `plainStart` can accept lines now (it can until a framed line changes that). */
  get plainReady(): boolean {
    return this.format === 'github' && !this.closeAfterLine;
  }

  /** Line `n` was one `plainStart` accepted and nobody needed: only the line count moves. */
  skip(n: number): void {
    this.lastLine = n;
  }

  /** The innermost open step, section or group (what a framed line's `group` would be). */
  get group(): Step | null {
    return this.stack.length > 0 ? this.stack[this.stack.length - 1]! : this.topStep;
  }

  get step(): Step | null {
    return this.topStep;
  }

  /**
   * What `frame` gives for a line `plainStart` accepted (text from `start`, first escape at `esc` or -1, no
   * command), given the group and step it was read in.
   */
  plainLine(
    s: string,
    start: number,
    esc: number,
    n: number,
    group: Step | null,
    step: Step | null,
  ): FramedLine {
    const text = esc >= 0 ? stripEscapesFrom(s, start, esc) : s.slice(start);
    return { n, text, command: null, group, step, colon: text.indexOf(':') };
  }

  /** Closes what is still open at the end of the log. */
  finish(): void {
    for (const st of this.stack) st.endLine = Math.max(st.endLine, this.lastLine);
    if (this.topStep) {
      this.topStep.endLine = Math.max(this.topStep.endLine, this.lastLine);
      this.closeTop('end');
    }
    this.stack = [];
    this.overflow = 0;
  }

  private ghCliColumns(s: string): { step: string; rest: string } | null {
    const tab = s.indexOf('\t');
    let job: string, step: string, rest: string;
    if (tab > 0) {
      const tab2 = s.indexOf('\t', tab + 1);
      if (tab2 < 0) return null;
      job = s.slice(0, tab);
      step = s.slice(tab + 1, tab2);
      rest = s.slice(tab2 + 1);
      if (!looksLikeTimestamp(rest, 0) && !looksLikeTimestamp(rest, rest.charCodeAt(0) === 0xfeff ? 1 : 0))
        return null;
    } else {
      // A paste that turned the tabs into runs of spaces: find the timestamp, split what precedes it.
      const cut = Math.min(s.length, 400);
      const m = ISO_TS.exec(s.slice(0, cut));
      if (!m || m.index < 6) return null;
      const head = s.slice(0, m.index);
      const parts = head.split(/ {2,}/).filter((p) => p.length > 0);
      if (parts.length !== 2 || !/ {2,}$/.test(head)) return null;
      job = parts[0]!;
      step = parts[1]!;
      rest = s.slice(m.index);
    }
    if (job.length === 0) return null;
    return { step: step.trim(), rest };
  }

  private ghCommand(command: LineCommand, text: string, n: number): void {
    if (this.format === 'gh-cli') {
      // gh's step column frames the steps; an error annotation marks the step failed.
      if (command === 'error' && this.topStep) this.topStep.status = 'failure';
      return;
    }
    if (command === 'group') {
      if (this.stack.length === 0 && text.startsWith('Run ')) {
        this.startTopStep(text, 'step', n);
        this.stack.push(this.topStep!);
        // The header group of a step is the step itself; endgroup pops it but the step goes on.
        return;
      }
      if (!this.topStep) this.startTopStep('Set up job', 'step', n);
      if (this.stack.length >= MAX_DEPTH) this.overflow++;
      else this.stack.push(this.newStep(text, 'group', n));
    } else if (command === 'endgroup') {
      if (this.overflow > 0) {
        this.overflow--;
        return;
      }
      const g = this.stack.pop();
      if (g) g.endLine = n;
    } else if (command === 'error') {
      if (this.topStep) this.topStep.status = 'failure';
    }
  }

  private sections(s: string, n: number): string {
    SECTION.lastIndex = 0;
    let m: RegExpExecArray | null;
    let found = false;
    while ((m = SECTION.exec(s)) !== null) {
      found = true;
      if (this.format === 'plain') this.format = 'gitlab';
      const name = m[3]!;
      if (m[1] === 'start') {
        if (this.stack.length === 0) {
          this.startTopStep(name, 'section', n);
          this.stack.push(this.topStep!);
        } else if (this.stack.length < MAX_DEPTH) {
          this.stack.push(this.newStep(name, 'group', n));
        }
      } else {
        // Pop up to and including the section of that name; an unmatched end is ignored.
        const at = this.stack.map((x) => x.name).lastIndexOf(name);
        if (at >= 0) {
          const closed = this.stack.splice(at);
          for (const c of closed) c.endLine = n;
          if (at === 0 && this.topStep) {
            // Its fate is told later, by "ERROR: Job failed" or "Job succeeded".
            // The end marker's line still belongs to the section; the next line does not.
            // The runner's own sections (clean-up, artifacts, cache) are not what the job failed in.
            if (!RUNNER_SECTION.test(this.topStep.name)) this.lastTopSection = this.topStep;
            this.closeAfterLine = true;
          }
        }
      }
    }
    if (!found) return s;
    SECTION.lastIndex = 0;
    return s.replace(SECTION, '');
  }

  private newStep(name: string, kind: Step['kind'], n: number): Step {
    const parent = this.stack.length > 0 ? this.stack[this.stack.length - 1]!.id : (this.topStep?.id ?? null);
    const st: Step = {
      id: this.steps.length,
      name: detach(name),
      kind,
      parent,
      startLine: n,
      endLine: n,
      status: 'unknown',
    };
    if (this.steps.length < MAX_STEPS) this.steps.push(st);
    return st;
  }

  private startTopStep(name: string, kind: Step['kind'], n: number): void {
    this.closeAfterLine = false;
    for (const g of this.stack) g.endLine = Math.max(g.endLine, n - 1);
    if (this.topStep) {
      this.topStep.endLine = Math.max(this.topStep.endLine, n - 1);
      this.closeTop('next');
    }
    this.stack = [];
    this.overflow = 0;
    const st: Step = {
      id: this.steps.length,
      name: detach(name),
      kind,
      parent: null,
      startLine: n,
      endLine: n,
      status: 'unknown',
    };
    if (this.steps.length < MAX_STEPS) this.steps.push(st);
    this.topStep = st;
  }

  private closeTop(why: 'next' | 'end'): void {
    const st = this.topStep!;
    let status: StepStatus = st.status;
    // A GitHub step that ended without an error annotation passed; a GitLab section's fate is known
    // only from "ERROR: Job failed" / "Job succeeded", and the log's last step may still be running.
    if (status === 'unknown' && (this.format === 'github' || this.format === 'gh-cli') && why === 'next') {
      status = 'success';
    }
    if (status === 'unknown' && why === 'end' && this.sawGitHub) status = 'success';
    st.status = status;
    this.topStep = null;
  }
}

/** Runner annotations that are not the step's failure. */
export function isNoiseError(text: string): boolean {
  return text.startsWith('Process completed with exit code') || text.startsWith('The operation was canceled');
}

/** The line without ANSI escape sequences. */
export function stripEscapes(s: string): string {
  const esc = s.indexOf('\x1b');
  return esc >= 0 ? stripEscapesFrom(s, 0, esc) : s.indexOf('\x9b') >= 0 ? stripAnsi(s) : s;
}

/**
 * `stripEscapes` of `s.slice(start)`, whose first ESC is at `esc`. Colours (SGR, `ESC [ digits ; m`) are nearly
 * all the escapes CI logs hold: a scan from ESC to ESC cuts them out (what `s.replace(/\x1b\[[0-9;]*m/g, '')`
 * does, without the regex engine, and with no copy of the timestamp-less line), and strip-ansi's full grammar
 * handles whatever else is left.
 */
function stripEscapesFrom(s: string, start: number, esc: number): string {
  let out = '';
  let from = start;
  let other = false;
  let i = esc;
  const n = s.length;
  while (i >= 0) {
    let j = i + 1;
    if (j < n && s.charCodeAt(j) === 91 /* [ */) {
      j++;
      let c = j < n ? s.charCodeAt(j) : 0;
      while ((c >= 48 && c <= 57) || c === 59) c = ++j < n ? s.charCodeAt(j) : 0;
      if (c === 109 /* m */) {
        if (i > from) out += s.slice(from, i);
        from = j + 1;
        i = s.indexOf('\x1b', from);
        continue;
      }
    }
    other = true;
    i = s.indexOf('\x1b', i + 1);
  }
  // Nothing cut: the text as it is; else what came before the last escape, and what follows it.
  const t = from === start ? (start > 0 ? s.slice(start) : s) : from < n ? out + s.slice(from) : out;
  return other || t.indexOf('\x9b') >= 0 ? stripAnsi(t) : t;
}

/** For a line with bare "\r"s, what a terminal would show: the last non-empty segment. */
function lastSegment(s: string): string {
  let end = s.length;
  while (end > 0) {
    const i = s.lastIndexOf('\r', end - 1);
    const seg = s.slice(i + 1, end);
    // stripAnsi only where there is an escape: a line of thousands of blank segments stays cheap.
    const visible = seg.indexOf('\x1b') < 0 && seg.indexOf('\x9b') < 0 ? seg : stripEscapes(seg);
    if (visible.trim().length > 0) return seg;
    if (i < 0) break;
    end = i;
  }
  return s.replace(/\r/g, '');
}
