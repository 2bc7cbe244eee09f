/**
 * The Rust-built JavaScript linters' reports:
 * - Biome (`biome ci`, `check`, `lint`, `format`): a header `path:line:col category  FIXABLE  ━━━━` (`path category
 *   ━━━━` for the whole file: a formatting difference, unsorted imports), then, after a blank line, its message
 *   behind a severity mark (`✖`/`×` error, `⚠`/`!` warning, `ℹ`/`i` information). A header with no path (`ci ━━━`,
 *   `internalError/io ━━━`) is the command's own verdict: a fallback, for when no file's diagnostic explains it.
 * - oxlint's default (miette) report: `  ! eslint(no-unused-vars): message` (`x`/`×` an error, `!`/`⚠` a warning),
 *   then its place, `   ,-[src/app.js:1:5]` (`╭─[` with Unicode).
 */
import type { Matcher, MatcherContext, Wake } from '../matcher';
import type { Severity } from '../model';

/** Biome's header ends with a rule of `━`; oxlint's mark is indented. */
export const BIOME_WAKE: Wake = { last: '\u2501', indented: '!x\u00d7\u26a0' };

const CATEGORY = /^[a-z][A-Za-z]{0,60}(?:\/[A-Za-z]{1,60}){0,4}$/;
const TAG = /^[A-Z]{2,20}$/;
const PLACE = /^(\S.{0,1000}?):(\d{1,9}):(\d{1,9})$/;
const OXLINT_MARK = /^ {1,8}([x!\u00d7\u26a0]) ([a-z][\w-]{0,40}\([@\w/.-]{1,200}\)): (\S.{0,4000})$/;
const OXLINT_PLACE = /^ {1,16}(?:,-|\u256d\u2500)\[(\S.{0,1000}?):(\d{1,9}):(\d{1,9})\]$/;
/** Lines between a header and its message (a blank one), or a mark and its place. */
const GAP = 3;

function markSeverity(c: number): Severity | null {
  if (c === 0x2716 || c === 0xd7 || c === 120) return 'error';
  if (c === 0x26a0 || c === 33) return 'warning';
  if (c === 0x2139 || c === 105) return 'info';
  return null;
}

interface Header {
  file: string | null;
  line: number | null;
  column: number | null;
  code: string;
}

/** A Biome header's file, place and category, or null. */
function biomeHeader(s: string): Header | null {
  const bar = s.indexOf(' \u2501');
  if (bar <= 0) return null;
  for (let i = bar + 1; i < s.length; i++) if (s.charCodeAt(i) !== 0x2501) return null;
  const words = s.slice(0, bar).trim().split(/ +/);
  if (words.length === 1) {
    return CATEGORY.test(words[0]!) ? { file: null, line: null, column: null, code: words[0]! } : null;
  }
  const code = words[1]!;
  if (!CATEGORY.test(code)) return null;
  for (let i = 2; i < words.length; i++) if (!TAG.test(words[i]!)) return null;
  const at = PLACE.exec(words[0]!);
  if (at === null) return { file: words[0]!, line: null, column: null, code };
  return { file: at[1]!, line: Number(at[2]) || null, column: Number(at[3]), code };
}

export function createBiomeMatcher(): Matcher {
  /** A Biome header whose message is to come. */
  let header: Header | null = null;
  /** An oxlint diagnostic whose place is to come. */
  let mark: { severity: Severity; code: string; message: string } | null = null;
  let gap = 0;

  function biomeMessage(s: string, ctx: MatcherContext): boolean {
    const h = header!;
    const t = s.trim();
    if (t.length === 0) return ++gap <= GAP;
    header = null;
    const severity = markSeverity(t.charCodeAt(0));
    if (severity === null || t.charCodeAt(1) !== 32) return false;
    const problem = {
      file: h.file,
      line: h.line,
      column: h.column,
      severity,
      tool: 'biome',
      code: h.code,
      message: t.slice(2).trim(),
    };
    if (h.file === null) ctx.emitFallback(problem, { requireFailure: true });
    else ctx.emit(problem);
    return true;
  }

  return {
    name: 'biome',
    wake: BIOME_WAKE,
    get busy(): boolean {
      return header !== null || mark !== null;
    },
    line(l, ctx) {
      const s = l.text;
      if (header !== null && biomeMessage(s, ctx)) return;
      if (mark !== null) {
        const m = mark;
        const at = s.charCodeAt(0) === 32 ? OXLINT_PLACE.exec(s) : null;
        if (at !== null) {
          mark = null;
          ctx.emit({
            file: at[1]!,
            line: Number(at[2]) || null,
            column: Number(at[3]),
            severity: m.severity,
            tool: 'oxlint',
            code: m.code,
            message: m.message,
          });
          return;
        }
        if (++gap > GAP) mark = null;
      }
      const n = s.length;
      if (n === 0) return;
      if (s.charCodeAt(n - 1) === 0x2501) {
        const h = biomeHeader(s);
        if (h !== null) {
          header = h;
          gap = 0;
        }
        return;
      }
      if (s.charCodeAt(0) === 32) {
        const m = OXLINT_MARK.exec(s);
        if (m !== null) {
          mark = { severity: markSeverity(m[1]!.charCodeAt(0))!, code: m[2]!, message: m[3]! };
          gap = 0;
        }
      }
    },
    flush() {
      header = null;
      mark = null;
    },
  };
}
