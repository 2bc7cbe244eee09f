/**
 * pre-commit: a failed hook prints `name.....Failed`, `- hook id: X`, `- exit code: N` and/or
 * `- files were modified by this hook`, then the hook's own output. Diagnostics in that output belong
 * to the real tool's matcher (ruff, mypy, flake8 keep their names); a failed hook that printed none
 * becomes one `pre-commit` problem, `<hook id>: <what it printed>`, on each file it says it fixed
 * (`Fixing README.md`, black's `reformatted x.py`) or on no file.
 */
import type { FramedLine } from '../framing';
import type { Matcher, MatcherContext, Wake } from '../matcher';

const MAX_FIXED = 1000;
const STATUSES = ['Failed', 'Passed', 'Skipped'] as const;
type Status = (typeof STATUSES)[number];

interface HookBlock {
  name: string;
  id: string | null;
  status: string | null;
  first: string | null;
  fixed: { file: string; message: string; n: number }[];
  /** A matcher before this one understood a line of the hook's output. */
  diagnosed: boolean;
  n: number;
}

/** `name......(no files to check)Skipped` → name and status, or null. */
export function parseHookResult(t: string): { name: string; status: Status } | null {
  let status: Status | null = null;
  for (const s of STATUSES) if (t.endsWith(s)) status = s;
  if (!status) return null;
  let end = t.length - status.length;
  if (t.charCodeAt(end - 1) === 41 /* ) */) {
    const open = t.lastIndexOf('(', end - 1);
    if (open < 0) return null;
    end = open;
  }
  let dots = 0;
  while (end > 0 && t.charCodeAt(end - 1) === 46 /* . */) {
    end--;
    dots++;
  }
  if (dots < 3 || end === 0) return null;
  return { name: t.slice(0, end).trim(), status };
}

const FIXED = /^(?:Fixing|reformatted|Fixed) (\S.{0,500})$/;
const HOOK_LOCATED =
  /^((?:[A-Za-z]:)?[^\s:][^:]{0,1000}\.[A-Za-z0-9]{1,12}):(\d{1,9})(?::(\d{1,9}))?: (\S.{0,2000})$/;
// A hook's result line ends in `Failed`, `Passed` or `Skipped`, after a run of dots.
const WAKE: Wake = { last: 'd', needs: ['...'] };

/** A line that starts with a braille spinner frame (U+2800-U+28FF). */
function isSpinner(s: string): boolean {
  const c = s.charCodeAt(0);
  return c >= 0x2800 && c <= 0x28ff;
}

export function createPrecommitMatcher(): Matcher {
  let block: HookBlock | null = null;

  function close(ctx: MatcherContext): void {
    const b = block;
    block = null;
    if (!b || b.diagnosed) return;
    const id = b.id ?? b.name;
    if (b.fixed.length > 0) {
      for (const f of b.fixed) {
        ctx.emit({
          file: f.file,
          line: null,
          severity: 'error',
          tool: 'pre-commit',
          message: `${id}: ${f.message}`,
          logLine: f.n,
        });
      }
      return;
    }
    const what = b.status ?? 'Failed';
    const message = b.first ? `${id}: ${what} (${b.first})` : `${id}: ${what}`;
    ctx.emit({ file: null, line: null, severity: 'error', tool: 'pre-commit', message, logLine: b.n });
  }

  return {
    name: 'precommit',
    wake: WAKE,
    /** Inside a failed hook's output. */
    get busy(): boolean {
      return block !== null;
    },
    line(l: FramedLine, ctx: MatcherContext): void {
      const t = l.text;
      // Never read past the end: a charCodeAt call site that once did stays slow.
      const last = t.length > 1 ? t.charCodeAt(t.length - 1) : -1;
      // Cheap test: a hook result line ends in "Failed", "Passed" or "Skipped".
      if (last === 100 /* d */ && t.charCodeAt(t.length - 2) === 101 /* e */ && t.indexOf('...') > 0) {
        const r = parseHookResult(t);
        if (r) {
          close(ctx);
          if (r.status === 'Failed') {
            block = {
              name: r.name,
              id: null,
              status: null,
              first: null,
              fixed: [],
              diagnosed: false,
              n: l.n,
            };
          }
          return;
        }
      }
      if (!block) return;
      const b = block;
      const c = t.length > 0 ? t.charCodeAt(0) : -1;
      if (c === 45 /* - */ && t.startsWith('- ')) {
        if (t.startsWith('- hook id: ')) {
          b.id = t.slice(11).trim();
          return;
        }
        if (t.startsWith('- exit code: ')) {
          if (b.status === null) b.status = t.slice(2).trim();
          return;
        }
        if (t.startsWith('- files were modified by this hook')) {
          b.status = 'files were modified by this hook';
          return;
        }
        if (t.startsWith('- duration: ')) return;
      }
      if (
        (c === 112 /* p */ && t.startsWith('pre-commit hook(s) made changes')) ||
        (c === 65 /* A */ && t.startsWith('All changes made by hooks'))
      ) {
        close(ctx);
        return;
      }
      if (ctx.claimed) {
        b.diagnosed = true;
        return;
      }
      // Runner annotations (`##[error]Process completed ...`) are not the hook's output.
      if (l.command !== null && l.command !== 'command') return;
      // A diagnostic no matcher knows, `path:line[:col]: message` (sphinx-lint, pyflakes, a local hook): the
      // hook's own, at its place.
      const located = c > 32 && t.indexOf(': ') > 0 ? HOOK_LOCATED.exec(t) : null;
      if (located !== null) {
        b.diagnosed = true;
        ctx.emit({
          file: located[1]!,
          line: Number(located[2]),
          column: located[3] !== undefined ? Number(located[3]) : null,
          severity: 'error',
          tool: b.id ?? b.name,
          message: located[4]!.trimEnd(),
        });
        return;
      }
      // Only `Fixing`, `reformatted` and `Fixed` lines matter once the first line is kept: a line that
      // starts with another printable character (so has nothing for trim to remove there) is skipped as is.
      if (b.first !== null && c > 32 && c < 127 && c !== 70 /* F */ && c !== 114 /* r */) return;
      const s = t.trim();
      if (s.length === 0) return;
      // A progress spinner's frame (uv's `⠋ Resolving dependencies...`) says nothing about the failure.
      if (b.first === null && !isSpinner(s)) b.first = s;
      const m = FIXED.exec(s);
      if (m && b.fixed.length < MAX_FIXED) b.fixed.push({ file: m[1]!.trim(), message: s, n: l.n });
    },
    flush(ctx: MatcherContext): void {
      close(ctx);
    },
  };
}
