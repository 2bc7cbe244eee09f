/**
 * A raw CI log made readable: timestamps, gh's job/step columns, ANSI and GitLab's section markers removed,
 * GitHub's `##[group]`/`##[error]` markers kept, and a GitLab section's first line starting with
 * `##[group]<section>` so both kinds read (and highlight) alike. Line N of the text is line N of the log, so
 * problems' log lines, folding ranges and symbols computed from the raw file apply to the text unchanged.
 */
import { Framer } from '../core/framing';
import { LineSplitter } from '../core/lines';
import { TRUNCATED_MARKER } from '../protocol';

export interface Rendered {
  text: string;
  lines: number;
  totalLines: number;
  truncated: boolean;
  /** Log lines left blank (a passed step's body in a log too big to show whole). */
  elided: number;
}

/**
 * Which log lines a big log's render may leave blank: a passed top-level step's body (its first line stays,
 * and its second says how many lines are hidden), never a line near a problem. Blank lines keep line N of
 * the text on log line N, so the failed steps at the end of a 100 MB log can be shown whole.
 */
export interface ElisionPlan {
  /** Step ranges [startLine, endLine] (1-based) whose lines after the first may be blanked. */
  ranges: { start: number; end: number; name: string }[];
}

// Lines kept on each side of a problem's log line even inside a passed step.
const PROBLEM_CONTEXT = 20;

/** Plans the elision from a parse of the log: passed top-level steps, less the lines around problems. */
export function planElision(
  steps: readonly {
    parent: number | null;
    status: string;
    startLine: number;
    endLine: number;
    name: string;
  }[],
  problemLines: readonly number[],
): ElisionPlan {
  const near = [...problemLines].filter((n) => n > 0).sort((a, b) => a - b);
  const ranges: ElisionPlan['ranges'] = [];
  for (const s of steps) {
    if (s.parent !== null || s.status !== 'success' || s.endLine - s.startLine < 3) continue;
    // Split the step around the problems it printed (rare in a passed step, but a warning can be one).
    let from = s.startLine;
    for (const n of near) {
      if (n < s.startLine || n > s.endLine) continue;
      if (n - PROBLEM_CONTEXT - 1 > from)
        ranges.push({ start: from, end: n - PROBLEM_CONTEXT - 1, name: s.name });
      from = Math.max(from, n + PROBLEM_CONTEXT);
    }
    if (s.endLine > from + 2) ranges.push({ start: from, end: s.endLine, name: s.name });
  }
  return { ranges };
}

const NL = 0x0a;

export async function renderLog(
  source: AsyncIterable<Uint8Array | string>,
  maxChars: number,
  cancelled: () => boolean = () => false,
  elision: ElisionPlan | null = null,
): Promise<Rendered> {
  const ranges = elision?.ranges ?? [];
  let r = 0;
  let elided = 0;
  const framer = new Framer();
  const splitter = new LineSplitter();
  const parts: string[] = [];
  let chars = 0;
  let n = 0;
  let truncated = false;
  let extra = 0;
  const add = (raw: string): void => {
    n++;
    if (truncated) {
      extra++;
      return;
    }
    let out = renderLine(framer, raw, n);
    while (r < ranges.length && ranges[r]!.end < n) r++;
    const range = ranges[r];
    // The step's first line stays (its `##[group]` name), the next says what is hidden, the rest are blank.
    if (range && n > range.start && n <= range.end) {
      elided++;
      out =
        n === range.start + 1
          ? `[CI Triage] ${range.end - range.start} lines of the passed step "${range.name}" are not shown: run "CI Triage: Open Full Log" to see them.`
          : '';
    }
    if (chars + out.length + 1 > maxChars) {
      truncated = true;
      extra++;
      return;
    }
    parts.push(out);
    chars += out.length + 1;
  };
  for await (const chunk of source) {
    if (cancelled()) throw new Error('render cancelled');
    if (truncated && typeof chunk !== 'string') {
      // Past the cut only the line count matters: count newlines without decoding or framing.
      for (let i = chunk.indexOf(NL); i >= 0; i = chunk.indexOf(NL, i + 1)) extra++;
      continue;
    }
    for (const line of splitter.push(chunk)) add(line);
  }
  if (!truncated) for (const line of splitter.end()) add(line);
  const lines = parts.length;
  if (truncated) {
    parts.push(
      `${TRUNCATED_MARKER}: showing lines 1-${lines} of about ${lines + extra}. ` +
        'Run "CI Triage: Open Full Log" to open the whole file.',
    );
  }
  return { text: parts.join('\n'), lines, totalLines: lines + extra, truncated, elided };
}

function renderLine(framer: Framer, raw: string, n: number): string {
  const l = framer.frame(raw, n);
  const c = l.command;
  if (
    c === 'group' ||
    c === 'endgroup' ||
    c === 'error' ||
    c === 'warning' ||
    c === 'notice' ||
    c === 'command' ||
    c === 'debug'
  ) {
    return `##[${c}]${l.text}`;
  }
  const g = l.group;
  // GitLab sections, nested ones too (a nested section is a group of the section around it).
  if (g && g.startLine === n && (g.kind === 'section' || framer.format === 'gitlab')) {
    return l.text ? `##[group]${g.name}: ${l.text}` : `##[group]${g.name}`;
  }
  return l.text;
}
