/**
 * The last resort, last in the chain: a failed step that no matcher explained gets one problem, the step's
 * last `Error: ...`, `ERROR: ...`, `error: ...`, `fatal: ...` or apt's `E: ...` line. The tool is guessed from
 * the command that ran (the GitHub step's `Run ...`, GitLab's `$ cmd` echo, `[command]...`), else `shell`.
 * An action's "The process '/usr/bin/git' failed with exit code 128" annotation is used only when the step
 * has no such line. It is a fallback that needs the step to fail, and it stays silent in a step where any
 * earlier matcher understood (claimed) a line: that matcher knows better.
 */
import type { Matcher, Wake } from '../matcher';
import { isExecWrapper } from './annotations';

const CANDIDATE = /^(?:Error|ERROR|error|fatal|FATAL|Fatal|E): {1,4}(\S.{0,2000})$/;
// Runner-owned GitLab sections whose failures do not fail the job (or come with their own message).
const QUIET_SECTIONS = new Set([
  'after_script',
  'archive_cache',
  'archive_cache_on_failure',
  'restore_cache',
  'upload_artifacts_on_success',
  'upload_artifacts_on_failure',
  'cleanup_file_variables',
]);
const KNOWN_TOOLS = new Set([
  'apt',
  'dnf',
  'yum',
  'microdnf',
  'zypper',
  'apk',
  'brew',
  'cargo',
  'rustup',
  'rustc',
  'go',
  'docker',
  'podman',
  'buildah',
  'make',
  'cmake',
  'ninja',
  'gradle',
  'mvn',
  'git',
  'pip',
  'uv',
  'poetry',
  'pdm',
  'hatch',
  'npm',
  'yarn',
  'pnpm',
  'bundle',
  'gem',
  'composer',
  'dotnet',
  'kubectl',
  'helm',
  'terraform',
  'conda',
  'mamba',
  'curl',
  'wget',
  'bazel',
  'sbt',
  'swift',
  'flutter',
  'dart',
  'deno',
  'bun',
  'node',
  'python',
  'ruby',
  'java',
  'gcloud',
  'aws',
  'az',
]);
const ALIASES: Record<string, string> = {
  'apt-get': 'apt',
  'apt-cache': 'apt',
  aptitude: 'apt',
  gradlew: 'gradle',
  mvnw: 'mvn',
  pip3: 'pip',
  python3: 'python',
  'docker-compose': 'docker',
};
const PROCESS = /'([^']{1,1000})'/;
// bash's `script.sh: line 3: pnpm: command not found` (sh's `pnpm: not found`) before the step's exit code 127.
const NOT_FOUND = /(?:^|: )([\w.+-]{1,100}): (?:command )?not found$/;
// bash's report of a command a signal ended (exit code 128 + the signal): `script.sh: line 1:  1234 Segmentation fault
// (core dumped) python -m pytest`, `Killed` (the kernel's OOM killer, exit 137).
const SIGNALED =
  /(?:^|: line \d{1,9}: +)(?:\d{1,10} +)?(Segmentation fault|Killed|Aborted|Bus error|Floating point exception|Illegal instruction)( +\(core dumped\))?(?: +(\S.{0,500}))?$/;
const EXIT_CODE = /^Process completed with exit code (\d{1,3})\.$/;
const ACTION_REF = /^([\w-]{1,100})\/[\w.-]{1,100}@\S{1,100}$/;
const WRAPPERS = new Set(['sudo', 'env', 'time', 'exec', 'nice', 'nohup', 'command']);
// Claimed lines (the step is understood), commands, `$ cmd` echoes and the error lines it keeps.
// Runner commands name the tool that runs next; `##[error]` lines are what it said or the shell's exit.
const WAKE: Wake = { first: '$EefF', commands: ['command', 'error'], claimed: true };

/** The tool a shell command runs (`sudo -E apt-get install x` -> apt), or null when it is not a known one. */
export function guessTool(command: string): string | null {
  const words = command.trim().split(/\s+/, 12);
  for (const w of words) {
    if (w.length === 0 || w.startsWith('-') || /^[A-Za-z_]\w*=/.test(w)) continue;
    // An action's reference (`docker/build-push-action@v6`) names its owner's tool, if any.
    const action = ACTION_REF.exec(w);
    const base = action !== null ? action[1]! : w.slice(w.lastIndexOf('/') + 1).replace(/^['"]|['"]$/g, '');
    if (WRAPPERS.has(base)) continue;
    const name = ALIASES[base] ?? (/^python3\.\d+$/.test(base) ? 'python' : base);
    return KNOWN_TOOLS.has(name) ? name : null;
  }
  return null;
}

function excluded(message: string): boolean {
  return (
    message.startsWith('Job failed') ||
    message.startsWith('Process completed with exit code') ||
    message.startsWith('Uploading artifacts') ||
    message.startsWith('No files to upload')
  );
}

export function createGenericMatcher(): Matcher {
  let understood = false;
  let lastTool: string | null = null;
  let candidate: { message: string; n: number; tool: string | null; hint: string | null } | null = null;
  let wrapper: { message: string; n: number; tool: string | null } | null = null;
  /** The step's error annotation came: what follows it (an action's post-job clean-up) did not fail it. */
  let annotated = false;

  return {
    name: 'generic',
    wake: WAKE,
    line(l, ctx) {
      // A step with an understood line reports nothing: the rest of it does not matter.
      if (understood) return;
      if (ctx.claimed) {
        // A step's first line is the one that flushed the previous step, and what a matcher emits at a
        // flush claims it: that claim is about the previous step.
        if (!l.step || l.n !== l.step.startLine) understood = true;
        return;
      }
      const s = l.text;
      const cmd = l.command;
      if (cmd !== null) {
        if (cmd === 'command') {
          lastTool = guessTool(s);
        } else if (cmd === 'error' && isExecWrapper(s)) {
          const p = PROCESS.exec(s);
          wrapper = { message: s.trim().replace(/^Error: /, ''), n: l.n, tool: p ? guessTool(p[1]!) : null };
          annotated = true;
        } else if (
          cmd === 'error' &&
          candidate === null &&
          s.startsWith('Process completed with exit code 1')
        ) {
          // The shell's own complaint is the step's last line, which no matcher wakes on.
          const code = Number(EXIT_CODE.exec(s)?.[1] ?? 0);
          const prev = ctx.previous;
          const text = prev !== null && prev.command === null ? prev.text.trimEnd() : null;
          if (text === null) return;
          let message: string | null = null;
          if (code === 127) {
            const m = NOT_FOUND.exec(text);
            if (m !== null) message = `${m[1]}: command not found`;
          } else if (code > 128 && code < 160) {
            const m = SIGNALED.exec(text);
            if (m !== null) {
              const what = `${m[1]}${m[2] !== undefined ? ' (core dumped)' : ''} (exit code ${code})`;
              message = m[3] !== undefined ? `${what}: ${m[3]}` : what;
            }
          }
          if (message !== null) candidate = { message, n: prev!.n, tool: lastTool, hint: null };
        }
        return;
      }
      const c = s.length > 0 ? s.charCodeAt(0) : -1;
      switch (c) {
        case 36: // $
          if (s.charCodeAt(1) === 32) lastTool = guessTool(s.slice(2));
          return;
        case 69: // E
          if (s.charCodeAt(1) !== 58 && !s.startsWith('Error:') && !s.startsWith('ERROR:')) return;
          break;
        case 101: // e
          if (!s.startsWith('error:')) return;
          break;
        case 102: // f
          if (!s.startsWith('fatal:')) return;
          break;
        case 70: // F
          if (!s.startsWith('FATAL:') && !s.startsWith('Fatal:')) return;
          break;
        default:
          return;
      }
      if (annotated) return;
      const m = CANDIDATE.exec(s);
      if (!m) return;
      const message = m[1]!.trimEnd();
      if (excluded(message)) return;
      // `E: ` is apt's prefix and `fatal: ` git's, when nothing better names the tool.
      const hint = c === 69 && s.charCodeAt(1) === 58 ? 'apt' : s.startsWith('fatal: ') ? 'git' : null;
      candidate = { message, n: l.n, tool: lastTool, hint };
    },
    flush(ctx) {
      const found = candidate ?? (wrapper ? { ...wrapper, hint: null } : null);
      const wrapperTool = wrapper?.tool ?? null;
      const quiet = understood;
      candidate = null;
      wrapper = null;
      understood = false;
      annotated = false;
      lastTool = null;
      if (!found || quiet) return;
      const step = ctx.step;
      if (step && step.kind === 'section' && QUIET_SECTIONS.has(step.name)) return;
      const fromStep = step && step.name.startsWith('Run ') ? guessTool(step.name.slice(4)) : null;
      const tool = found.tool ?? fromStep ?? wrapperTool ?? found.hint ?? 'shell';
      ctx.emitFallback(
        { file: null, line: null, severity: 'error', tool, message: found.message, logLine: found.n },
        { requireFailure: true },
      );
    },
  };
}
