/**
 * Linters a CI job runs beside the language's own (often through pre-commit):
 * - codespell: `path:line: teh ==> the`;
 * - yamllint `-f parsable`: `path:line:col: [error] message (rule)` (its default format is stylish's: the eslint
 *   matcher reads it, and names it yamllint by its `(rule)`);
 * - shellcheck `-f gcc`: `path:line:col: error|warning|note|style: message [SC2086]`, and its default tty format:
 *   `In path line 3:`, the source line, then `^-- SC2086 (info): message` under the column.
 * - bandit: `>> Issue: [B602:name] message`, its `Severity:` and `Location: path:line[:col]` below it.
 * - markdownlint (markdownlint-cli and -cli2, and their GitHub actions' annotations):
 *   `path:line[:col] [error|warning] MD009/no-trailing-spaces message`.
 * - pydocstyle: `path:line at module level:` or `path:line in public function `name`:`, then the indented
 *   `D103: message` (its explanation, with `-e`, after it);
 * - TSLint: prose (`ERROR: path:line:col - message`; 5.x `ERROR: path[line, col]: message`), verbose
 *   (`ERROR: (rule) path[line, col]: message`) and stylish (a `path:line:col` header line, then
 *   `ERROR: line:col  rule  message` rows).
 * - knip: `Unused files (2)`, `Unused dependencies (1)`, `Unresolved imports (1)`... each followed by its rows,
 *   `src/orphan.ts` or `lodash  package.json:14:6` (the name, then where; an enum member's enum between them);
 *   its `Configuration hints` are no problems.
 * - reviewdog's rdjsonl, which a job pipes any linter into reviewdog as (often echoed with `tee`): one Diagnostic a line,
 *   `{"message":"...","location":{"path":"a.py","range":{"start":{"line":3,"column":5}}},"severity":"ERROR",
 *   "source":{"name":"ruff"},"code":{"value":"F401"}}`; the tool is its source's name, else `reviewdog`.
 * Each row is a problem with the linter's own severity (shellcheck's info and style, bandit's Low, are `info`).
 */
import type { Matcher, MatcherContext, Wake } from '../matcher';
import { LINE_LOCATION } from '../matcher';
import type { ProblemInit, Severity } from '../model';

const CODESPELL = /^((?:[A-Za-z]:)?[^:\s][^:]{0,1000}):(\d{1,9}): (\S{1,200} ==> \S.{0,500})$/;
const YAMLLINT =
  /^((?:[A-Za-z]:)?[^:\s][^:]{0,1000}):(\d{1,9}):(\d{1,9}): \[(error|warning)\] (.{1,2000}?)(?: \(([\w-]{1,100})\))?$/;
const SHELLCHECK_GCC =
  /^((?:[A-Za-z]:)?[^:\s][^:]{0,1000}):(\d{1,9}):(\d{1,9}): (error|warning|note|style): (.{1,2000}) \[(SC\d{4,5})\]$/;
const MARKDOWNLINT =
  /^((?:[A-Za-z]:)?[^:\s][^:]{0,1000}):(\d{1,9})(?::(\d{1,9}))? (?:(error|warning) )?((MD\d{3})(?:\/[\w-]{1,100}){0,5} .{1,4000})$/;
const SHELLCHECK_IN = /^In (\S.{0,1000}) line (\d{1,9}):$/;
const SHELLCHECK_CARET = /^( *)\^-*\^? ?(SC\d{4,5}) \((error|warning|info|style)\): (.{1,2000})$/;
const PYDOCSTYLE_AT =
  /^((?:[A-Za-z]:)?[^:\s][^:]{0,1000}\.pyi?):(\d{1,9}) (?:at (?:module|package) level|in (?:public|private) .{1,300}):$/;
const PYDOCSTYLE_CODE = /^\s{1,16}(D\d{3}): (.{1,2000})$/;
const TSLINT =
  /^(ERROR|WARNING): (?:\(([\w/-]{1,100})\) )?(\S.{0,1000}?)(?:\[(\d{1,9}), (\d{1,9})\]: |:(\d{1,9}):(\d{1,9}) - )(.{1,4000})$/;
const TSLINT_ROW = /^(ERROR|WARNING): (\d{1,9}):(\d{1,9}) {1,40}([\w/-]{1,100}) {1,40}(\S.{0,4000})$/;
const TSLINT_HEADER = /^(\S.{0,1000}?):\d{1,9}:\d{1,9}$/;
const KNIP_SECTION =
  /^((?:Unused|Unlisted|Unresolved|Duplicate) (?:files|dependencies|devDependencies|optionalPeerDependencies|binaries|imports|exports|exported types|exports in namespaces|exported types in namespaces|enum members|class members|catalog entries)) \((\d{1,7})\)$/;
const KNIP_ROW = /^(\S.{0,500}?)(?: {2,}\S.{0,500}?)? {2,}(\S[^\s:]{0,1000})(?::(\d{1,9}):(\d{1,9}))?$/;
const MAX_BLOCK = 200;
// Lines these start with, which must also be among the needs (an alternative's needs hold for its prefixes too).
const STARTS = [
  '>> Issue: ',
  'ERROR: ',
  'WARNING: ',
  'Unused ',
  'Unlisted ',
  'Unresolved ',
  'Duplicate ',
  '{"',
];
// One alternative (another would take one of the dispatcher's 31 bits): any of the words, on a location or `In `,
// bandit's `>> Issue: `, a TSLint severity or a knip section.
const WAKE: Wake = {
  flags: LINE_LOCATION,
  prefixes: ['In ', ...STARTS],
  needs: [
    ' ==> ',
    ': [',
    ' [SC',
    ' line ',
    ' MD0',
    ' at module level:',
    ' at package level:',
    ' in public ',
    ' in private ',
    '"location":',
    ...STARTS,
  ],
};
// bandit: `>> Issue: [B602:name] message`, then `Severity: High   Confidence: High` and `Location: path:line[:col]`.
const BANDIT_ISSUE = /^>> Issue: \[(B\d{3,4})(?::[\w-]{1,100})?\] (.{1,2000})$/;
const BANDIT_SEVERITY = /^Severity: (High|Medium|Low|Undefined)\b/;
const BANDIT_LOCATION = /^Location: ((?:[A-Za-z]:)?[^:]{1,1000}):(\d{1,9})(?::(\d{1,9}))?$/;
const BANDIT_LINES = 12;

/** An rdjsonl line longer than this is not read (JSON.parse is linear, but a diagnostic is short). */
const MAX_RDJSON = 100_000;
const TOOL_NAME = /^[\w.@/-]{1,100}$/;

/** A Diagnostic of reviewdog's rdjsonl, or null when `t` is none. */
function rdjson(t: string): ProblemInit | null {
  if (t.length > MAX_RDJSON || t.indexOf('"location":') < 0) return null;
  let d: unknown;
  try {
    d = JSON.parse(t);
  } catch {
    return null;
  }
  const o = d as {
    message?: unknown;
    location?: {
      path?: unknown;
      range?: { start?: { line?: unknown; column?: unknown }; end?: { line?: unknown; column?: unknown } };
    };
    severity?: unknown;
    source?: { name?: unknown };
    code?: { value?: unknown };
  };
  if (typeof o !== 'object' || o === null || typeof o.message !== 'string' || o.message.trim() === '')
    return null;
  const path = o.location?.path;
  if (typeof path !== 'string' || path.length === 0 || path.length > 1000) return null;
  const range = o.location?.range;
  const num = (x: unknown): number | null =>
    typeof x === 'number' && Number.isSafeInteger(x) && x > 0 ? x : null;
  const line = num(range?.start?.line);
  const endLine = line !== null ? num(range?.end?.line) : null;
  const endColumn = line !== null ? num(range?.end?.column) : null;
  const name = o.source?.name;
  const code = o.code?.value;
  return {
    file: path,
    line,
    column: line !== null ? num(range?.start?.column) : null,
    ...(endLine !== null ? { endLine } : {}),
    ...(endColumn !== null ? { endColumn } : {}),
    severity: o.severity === 'WARNING' ? 'warning' : o.severity === 'INFO' ? 'info' : 'error',
    tool: typeof name === 'string' && TOOL_NAME.test(name) ? name : 'reviewdog',
    ...(typeof code === 'string' && code.length > 0 && code.length <= 200 ? { code } : {}),
    message: o.message.trim().split('\n', 1)[0]!,
  };
}

function shellcheckSeverity(level: string): Severity {
  return level === 'error' ? 'error' : level === 'warning' ? 'warning' : 'info';
}

export function createLintersMatcher(): Matcher {
  /** Inside shellcheck's tty block for `file` at `line`. */
  let block: { file: string; line: number; lines: number } | null = null;
  /** Inside a bandit issue, before its `Location:`. */
  let issue: { code: string; message: string; severity: Severity; lines: number } | null = null;
  /** After pydocstyle's place line: the code and message follow. */
  let docAt: { file: string; line: number } | null = null;
  /** Inside a knip section: what each row is (`Unused dependency`), whether only a file, and how many are left. */
  let knip: { what: string; files: boolean; left: number } | null = null;

  /** A row of knip's section; false when the section ended before it. */
  function knipRow(t: string, ctx: MatcherContext): boolean {
    const k = knip!;
    const s = t.trimEnd();
    if (k.left <= 0 || s.length === 0 || KNIP_SECTION.test(s)) return false;
    k.left--;
    ctx.claim();
    // `Unused files` rows are the file alone; the others name a thing, then where it is.
    const m = k.files ? null : KNIP_ROW.exec(s);
    if (!k.files && m === null) return true;
    ctx.emit({
      file: m !== null ? m[2]! : s,
      line: m !== null && m[3] !== undefined ? Number(m[3]) : null,
      column: m !== null && m[4] !== undefined ? Number(m[4]) : null,
      severity: 'error',
      tool: 'knip',
      message: m !== null ? `${k.what}: ${m[1]!}` : k.what,
    });
    return true;
  }

  /** The file of TSLint's stylish rows (the header before the first, kept while rows follow). */
  let tslintFile: string | null = null;

  /** A TSLint line (prose, verbose or a stylish row); false when it is none. */
  function tslint(t: string, ctx: MatcherContext): boolean {
    let m = TSLINT_ROW.exec(t);
    if (m !== null) {
      const prev = ctx.previous;
      const p = prev !== null ? prev.text : '';
      if (!TSLINT_ROW.test(p)) {
        const h = TSLINT_HEADER.exec(p);
        tslintFile = h !== null ? h[1]! : null;
      }
      ctx.emit({
        file: tslintFile,
        line: Number(m[2]),
        column: Number(m[3]),
        severity: m[1] === 'ERROR' ? 'error' : 'warning',
        tool: 'tslint',
        code: m[4]!,
        message: `${m[5]!.trimEnd()}  ${m[4]!}`,
      });
      return true;
    }
    m = TSLINT.exec(t.trimEnd());
    if (m === null) return false;
    const rule = m[2];
    ctx.emit({
      file: m[3]!,
      line: Number(m[4] ?? m[6]),
      column: Number(m[5] ?? m[7]),
      severity: m[1] === 'ERROR' ? 'error' : 'warning',
      tool: 'tslint',
      ...(rule !== undefined ? { code: rule } : {}),
      message: rule !== undefined ? `${m[8]!}  ${rule}` : m[8]!,
    });
    return true;
  }

  /** A line of a bandit issue; false when it ended before the line. */
  function banditLine(t: string, ctx: MatcherContext): boolean {
    const b = issue!;
    const s = t.trim();
    if (++b.lines > BANDIT_LINES || s.startsWith('>> Issue: ')) return false;
    const sev = BANDIT_SEVERITY.exec(s);
    if (sev !== null) b.severity = sev[1] === 'High' ? 'error' : sev[1] === 'Medium' ? 'warning' : 'info';
    const m = BANDIT_LOCATION.exec(s);
    if (m !== null) {
      issue = null;
      ctx.emit({
        file: m[1]!,
        line: Number(m[2]),
        column: m[3] !== undefined ? Number(m[3]) : null,
        severity: b.severity,
        tool: 'bandit',
        code: b.code,
        message: b.message,
      });
    }
    ctx.claim();
    return true;
  }

  function tty(t: string, ctx: MatcherContext): boolean {
    const b = block!;
    if (++b.lines > MAX_BLOCK || t.startsWith('In ') || t.startsWith('For more information:')) return false;
    const m = SHELLCHECK_CARET.exec(t);
    if (m !== null) {
      ctx.claim();
      ctx.emit({
        file: b.file,
        line: b.line,
        column: m[1]!.length + 1,
        severity: shellcheckSeverity(m[3]!),
        tool: 'shellcheck',
        code: m[2]!,
        message: m[4]!.trimEnd(),
      });
    }
    return true;
  }

  return {
    name: 'linters',
    wake: WAKE,
    get busy(): boolean {
      return block !== null || issue !== null || docAt !== null || knip !== null;
    },
    line(l, ctx) {
      const t = l.text;
      if (knip !== null) {
        if (knipRow(t, ctx)) return;
        knip = null;
      }
      if (docAt !== null) {
        const at = docAt;
        docAt = null;
        const m = PYDOCSTYLE_CODE.exec(t.trimEnd());
        if (m !== null) {
          ctx.emit({
            file: at.file,
            line: at.line,
            severity: 'error',
            tool: 'pydocstyle',
            code: m[1]!,
            message: `${m[1]!}: ${m[2]!}`,
          });
          return;
        }
      }
      if (block !== null) {
        if (tty(t, ctx)) return;
        block = null;
      }
      if (issue !== null) {
        if (banditLine(t, ctx)) return;
        issue = null;
      }
      if (ctx.claimed) return;
      const c = t.charCodeAt(0);
      let m: RegExpExecArray | null;
      if (c === 62 /* > */ && (m = BANDIT_ISSUE.exec(t.trimEnd())) !== null) {
        ctx.claim();
        issue = {
          code: m[1]!,
          message: `[${t.slice(11, t.indexOf(']'))}] ${m[2]!}`,
          severity: 'error',
          lines: 0,
        };
        return;
      }
      if ((c === 69 /* E */ || c === 87) /* W */ && tslint(t, ctx)) return;
      if (c === 123 /* { */ && t.charCodeAt(1) === 34) {
        const p = rdjson(t.trimEnd());
        if (p !== null) ctx.emit(p);
        return;
      }
      if (c === 85 /* U */ || c === 68 /* D */) {
        const k = KNIP_SECTION.exec(t.trimEnd());
        if (k !== null) {
          ctx.claim();
          const kind = k[1]!;
          knip = {
            what: kind.replace(/ies$/, 'y').replace(/s$/, ''),
            files: kind === 'Unused files',
            left: Number(k[2]),
          };
          return;
        }
      }
      if (c === 73 /* I */ && (m = SHELLCHECK_IN.exec(t)) !== null) {
        ctx.claim();
        block = { file: m[1]!, line: Number(m[2]), lines: 0 };
        return;
      }
      if (t.endsWith(':') && (m = PYDOCSTYLE_AT.exec(t)) !== null) {
        ctx.claim();
        docAt = { file: m[1]!, line: Number(m[2]) };
      } else if (t.indexOf(' ==> ') > 0 && (m = CODESPELL.exec(t)) !== null) {
        ctx.emit({ file: m[1]!, line: Number(m[2]), severity: 'error', tool: 'codespell', message: m[3]! });
      } else if (t.indexOf(': [') > 0 && (m = YAMLLINT.exec(t)) !== null) {
        const rule = m[6];
        ctx.emit({
          file: m[1]!,
          line: Number(m[2]),
          column: Number(m[3]),
          severity: m[4] as Severity,
          tool: 'yamllint',
          ...(rule !== undefined ? { code: rule } : {}),
          message: rule !== undefined ? `${m[5]!}  (${rule})` : m[5]!,
        });
      } else if (t.indexOf(' MD0') > 0 && (m = MARKDOWNLINT.exec(t)) !== null) {
        ctx.emit({
          file: m[1]!,
          line: Number(m[2]),
          column: m[3] !== undefined ? Number(m[3]) : null,
          severity: m[4] === 'warning' ? 'warning' : 'error',
          tool: 'markdownlint',
          code: m[6]!,
          message: m[5]!,
        });
      } else if (t.indexOf(' [SC') > 0 && (m = SHELLCHECK_GCC.exec(t)) !== null) {
        ctx.emit({
          file: m[1]!,
          line: Number(m[2]),
          column: Number(m[3]),
          severity: shellcheckSeverity(m[4]!),
          tool: 'shellcheck',
          code: m[6]!,
          message: m[5]!,
        });
      }
    },
    flush() {
      block = null;
      issue = null;
      docAt = null;
      tslintFile = null;
      knip = null;
    },
  };
}
