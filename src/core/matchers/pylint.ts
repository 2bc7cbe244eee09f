/**
 * pylint: the default text format `path:line:col: C0301: message (symbol)`, `--output-format=parseable`
 * `path:line: [C0301(symbol), object] message` and `--output-format=msvs` `path(line): [C0301(symbol)] message`,
 * with or without the `************* Module x` headers.
 * C/R/W messages are warnings, E/F errors, I informational. Columns are 0-based, kept as printed.
 */
import type { FramedLine } from '../framing';
import type { Matcher, MatcherContext, Wake } from '../matcher';
import { LINE_LOCATION, mayBeLocation } from '../matcher';
import type { Severity } from '../model';

const LOCATION = /^((?:[A-Za-z]:)?[^:\s][^:]{0,500}?):(\d{1,7})(?::(\d{1,7}))?$/;
const MSG_ID = /^([CRWEFI]\d{4}): (.*)$/;
const PARSEABLE = /^\[([CRWEFI]\d{4})\(([a-z0-9-]{1,80})\), [^\]]{0,300}\] (.*)$/;
// --output-format=msvs: `path(line): [C0116(missing-function-docstring)Cart.add] message` (the object optional).
const MSVS =
  /^((?:[A-Za-z]:)?[^\s(][^(]{0,500}?)\((\d{1,7})\): \[([CRWEFI]\d{4})\(([a-z0-9-]{1,80})\)[^\]]{0,300}\] (.*)$/;

function severityOf(id: string): Severity {
  switch (id.charCodeAt(0)) {
    case 69: // E
    case 70: // F
      return 'error';
    case 73: // I
      return 'info';
    default:
      return 'warning';
  }
}

const WAKE: Wake = { first: '*', flags: LINE_LOCATION, words: ['): ['] };

export function createPylintMatcher(): Matcher {
  return {
    name: 'pylint',
    wake: WAKE,
    line(l: FramedLine, ctx: MatcherContext): void {
      const t = l.text;
      if (t.length === 0) return;
      if (t.charCodeAt(0) === 42 /* * */ && t.startsWith('************* Module ')) {
        ctx.claim();
        return;
      }
      if (t.indexOf('): [') > 0) {
        const m = MSVS.exec(t);
        if (m && !ctx.claimed) {
          report(ctx, m[1]!, m[2]!, null, m[3]!, textMessage(m[3]!, m[5]!, m[4]!));
          return;
        }
      }
      // Cheap test: LOCATION needs a digit after the path's (first) colon.
      const colon = l.colon;
      if (!mayBeLocation(t, colon)) return;
      const sep = t.indexOf(': ', colon);
      // Both formats print at least 6 characters after the location.
      if (sep < 4 || sep + 7 >= t.length) return;
      const c = t.charCodeAt(sep + 2);
      // Cheap test: "X9999: " (text) or "[X9999(" (parseable) right after the location.
      let text: boolean;
      if (c === 91 /* [ */) text = false;
      else if (c >= 67 && c <= 87 && t.charCodeAt(sep + 7) === 58 /* : */) text = true;
      else return;
      if (ctx.claimed) return;
      const loc = LOCATION.exec(t.slice(0, sep));
      if (!loc) return;
      const rest = t.slice(sep + 2);
      let id: string;
      let message: string;
      let column: number | null = null;
      if (text) {
        const m = MSG_ID.exec(rest);
        if (!m || loc[3] === undefined) return;
        id = m[1]!;
        message = rest;
        column = Number(loc[3]);
      } else {
        const m = PARSEABLE.exec(rest);
        if (!m || loc[3] !== undefined) return;
        id = m[1]!;
        message = textMessage(id, m[3]!, m[2]!);
      }
      report(ctx, loc[1]!, loc[2]!, column, id, message);
    },
  };
}

function report(
  ctx: MatcherContext,
  file: string,
  line: string,
  column: number | null,
  id: string,
  message: string,
): void {
  ctx.emit({ file, line: Number(line), column, severity: severityOf(id), tool: 'pylint', code: id, message });
}

/** A message as the text format prints it, so every format reads (and de-duplicates) alike. */
function textMessage(id: string, message: string, symbol: string): string {
  return `${id}: ${message} (${symbol})`;
}
