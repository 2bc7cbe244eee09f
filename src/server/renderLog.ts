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
}

const NL = 0x0a;

export async function renderLog(
  source: AsyncIterable<Uint8Array | string>,
  maxChars: number,
  cancelled: () => boolean = () => false,
): Promise<Rendered> {
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
    const out = renderLine(framer, raw, n);
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
  return { text: parts.join('\n'), lines, totalLines: lines + extra, truncated };
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
  if (g && g.kind === 'section' && g.startLine === n) {
    return l.text ? `##[group]${g.name}: ${l.text}` : `##[group]${g.name}`;
  }
  return l.text;
}
