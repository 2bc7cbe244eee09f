/**
 * GitHub annotations that no tool matcher explained:
 * - `##[error]` / `##[warning]` / `##[notice]` lines in a raw job log (framing gives their text and command),
 *   except the runner's own noise (exit codes, cancellations, Node.js and set-output deprecations, cache and
 *   artifact warnings). A line that still starts with `path:line[:col]:` keeps that location.
 * - workflow commands printed verbatim (plain logs, `::stop-commands::`):
 *   `::error file=a.py,line=3,col=5,endLine=3,endColumn=9,title=T::message`; a title names the tool when it is
 *   `Tool (CODE)` (ruff's), a Biome category or oxlint's `plugin(rule)`.
 * A failed exec wrapper (`Error: The process '/usr/bin/git' failed with exit code 128`, `Command failed: ...`)
 * is left to the generic matcher's last resort. An annotation with no place waits for its step's end, and goes if
 * a problem of the step repeats its message (the tool's full diagnostic; see `report`).
 */
import type { LineCommand } from '../framing';
import type { Matcher, MatcherContext, Wake } from '../matcher';
import type { ProblemInit, Severity } from '../model';

// `path:line[:col][:] message`, or a checker's `path:line:CODE:...` (pandas' numpydoc validation) with no space.
const LOCATED =
  /^([^\s:][^:]{0,1000}\.[A-Za-z0-9]{1,12}):(\d{1,9})(?::(\d{1,9}))?(?::? |:(?=[A-Za-z]))(.{1,4000})$/;
const WORKFLOW_COMMAND = /^::(error|warning|notice)(?: ([^\r\n]{0,2000}?))?::(.{0,8000})$/;
const TITLED_TOOL = /^([A-Za-z][\w.-]{0,40}) \(([^()\s]{1,100})\)$/;
// Biome's categories (`lint/style/useConst`, `assist/source/organizeImports`) and oxlint's `plugin(rule)` as titles.
const BIOME_TITLE = /^(?:lint|assist)(?:\/[A-Za-z]{1,60}){1,4}$/;
const OXLINT_TITLE = /^[a-z][\w-]{0,40}\([@\w/.-]{1,200}\)$/;
// What an action says when the command it ran failed: the command's own output explains it, if anything
// does, so the generic matcher keeps it as its last resort.
// docker/build-push-action's `buildx failed with: ERROR: failed to solve: process "..." did not complete...` too,
// and Turborepo's failed task (isExecWrapper).
export const EXEC_WRAPPER =
  /^(?:Error: )?(?:The process '[^']{1,1000}' failed with exit code \d|Command failed[: ]|buildx (?:call )?failed with: |.{0,200}\b(?:exited|failed) with (?:exit )?code \d)/;

/**
 * EXEC_WRAPPER.test(s), after a cheap look for the words every one of its forms has (`failed with`, `exited
 * with`, `Command failed`): the regex's `.{0,200}` prefix is slow to reject.
 */
export function isExecWrapper(s: string): boolean {
  return (
    ((s.indexOf('ed with ') >= 0 || s.indexOf('Command failed') >= 0 || s.startsWith('buildx ')) &&
      EXEC_WRAPPER.test(s)) ||
    (TURBO_TASK.test(s) && TURBO_EXIT.test(s))
  );
}

// Turborepo's failed task: `pkg#task: command (/dir) pnpm run task exited (1)` (two tests: one regex would backtrack).
const TURBO_TASK = /^[^\s#]{1,200}#\S{1,200}?: command \(/;
const TURBO_EXIT = / exited \(\d{1,5}\)$/;

function severityOf(cmd: string): Severity | null {
  if (cmd === 'error') return 'error';
  if (cmd === 'warning') return 'warning';
  if (cmd === 'notice') return 'info';
  return null;
}

/** Runner and platform messages that are never the thing to fix. */
export function isRunnerNoise(text: string, severity: Severity): boolean {
  const t = text.trimStart();
  if (
    t.startsWith('Process completed with exit code') ||
    t.startsWith('The operation was canceled') ||
    t.startsWith('The job was canceled') ||
    t.startsWith('The run was canceled') ||
    t.startsWith('Error: The operation was canceled')
  ) {
    return true;
  }
  if (
    t.indexOf('deprecat') >= 0 &&
    (t.indexOf('Node.js') >= 0 ||
      t.indexOf('node12') >= 0 ||
      t.indexOf('node16') >= 0 ||
      t.indexOf('node20') >= 0)
  ) {
    return true;
  }
  if (t.indexOf('command is deprecated') >= 0) return true;
  if (severity === 'error') return false;
  const lower = t.toLowerCase();
  return (
    lower.indexOf('cache') >= 0 ||
    t.startsWith('No files were found with the provided path') ||
    t.startsWith('Unexpected input(s)') ||
    t.indexOf('-latest pipelines will use') >= 0 ||
    t.indexOf('-latest label will') >= 0 ||
    t.startsWith('Attempt ') ||
    t.startsWith('Failed to ') ||
    t.startsWith('Unable to reserve')
  );
}

function locate(text: string, severity: Severity): ProblemInit {
  const m = text.charCodeAt(0) !== 32 ? LOCATED.exec(text) : null;
  if (m && m[1]!.indexOf(' ') < 0 && m[4]!.trim().length > 0) {
    return {
      file: m[1]!,
      line: Number(m[2]) >= 1 ? Number(m[2]) : null,
      column: m[3] !== undefined ? Number(m[3]) : null,
      severity,
      tool: 'github',
      message: m[4]!.trim(),
    };
  }
  return { file: null, line: null, severity, tool: 'github', message: text.trim() };
}

/** Workflow-command values escape `%`, CR, LF, `:` and `,`. */
function unescape(v: string, property: boolean): string {
  if (v.indexOf('%') < 0) return v;
  let out = v.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n');
  if (property) out = out.replace(/%3A/gi, ':').replace(/%2C/gi, ',');
  return out.replace(/%25/g, '%');
}

function fromWorkflowCommand(text: string): ProblemInit | null {
  const m = WORKFLOW_COMMAND.exec(text);
  if (!m) return null;
  const severity = severityOf(m[1]!)!;
  const props: Record<string, string> = {};
  if (m[2]) {
    for (const part of m[2].split(',')) {
      const eq = part.indexOf('=');
      if (eq > 0) props[part.slice(0, eq).trim()] = unescape(part.slice(eq + 1), true);
    }
  }
  const message = unescape(m[3]!, false)
    .split(/[\r\n]/)[0]!
    .trim();
  if (message.length === 0) return null;
  const num = (k: string): number | null => {
    const v = props[k];
    return v !== undefined && /^\d{1,9}$/.test(v) ? Number(v) : null;
  };
  const given = num('line');
  const line = given !== null && given >= 1 ? given : null;
  const endLine = line !== null && (num('endLine') ?? 0) >= line ? num('endLine') : null;
  const endColumn = num('endColumn');
  let tool = 'github';
  let code: string | undefined;
  const titled = props.title !== undefined ? TITLED_TOOL.exec(props.title) : null;
  if (titled) {
    tool = titled[1]!.toLowerCase();
    code = titled[2]!;
  } else if (props.title !== undefined) {
    const named = BIOME_TITLE.test(props.title) ? 'biome' : OXLINT_TITLE.test(props.title) ? 'oxlint' : null;
    if (named !== null) {
      tool = named;
      code = props.title;
    }
  }
  return {
    file: props.file ?? null,
    line,
    column: num('col'),
    ...(endLine !== null ? { endLine } : {}),
    ...(endColumn !== null ? { endColumn } : {}),
    severity,
    tool,
    ...(code !== undefined ? { code } : {}),
    message,
  };
}

/**
 * An annotation with no file may be a workflow command's message, which the tool then prints in full (Biome's
 * `biome ci` does, under its GitHub reporter): the full diagnostic, with its place, stands for it.
 */
function report(p: ProblemInit, ctx: MatcherContext): void {
  if (p.file === null) ctx.emitEcho(p);
  else ctx.emit(p);
}

// `##[error]`-style commands, and workflow commands printed verbatim (`::error ...`).
const WAKE: Wake = { first: ':', commands: ['error', 'warning', 'notice'] };

export function createAnnotationsMatcher(): Matcher {
  return {
    name: 'annotations',
    wake: WAKE,
    line(l, ctx) {
      const cmd: LineCommand | null = l.command;
      const s = l.text;
      if (cmd === null) {
        if (s.length < 2 || s.charCodeAt(0) !== 58 || s.charCodeAt(1) !== 58 || ctx.claimed) return;
        const p = fromWorkflowCommand(s);
        if (p && !isRunnerNoise(p.message, p.severity)) report(p, ctx);
        return;
      }
      if (ctx.claimed) return;
      const severity = severityOf(cmd);
      if (severity === null) return;
      if (s.trim().length === 0 || isRunnerNoise(s, severity)) return;
      if (isExecWrapper(s)) return;
      report(locate(s, severity), ctx);
    },
  };
}
