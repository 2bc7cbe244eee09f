/**
 * What a reproduction needs from a job's log beyond what the parser reports: the steps' commands as the log
 * shows them (GitHub's `##[group]Run ...` headers with their `shell:` and `env:`, GitLab's `$ command`
 * echoes), the job's working folder, its name and the commit it ran on.
 *
 * A second, small pass with the engine's own Framer (read-only use). It keeps only step headers and a few
 * facts, each capped, so memory stays bounded however long the log is.
 */
import { Framer } from '../framing';
import type { FramedLine } from '../framing';
import type { Step, StepStatus } from '../model';
import { detach } from '../text';

/** A step of the job as the log shows it. */
export interface LoggedStep {
  /** 1-based log line of its header (GitHub) or of its first command (GitLab). */
  line: number;
  /** The header as printed (`Run pytest -v`), or the GitLab section name. */
  name: string;
  /** `run`: shell commands; `uses`: an action, whose inner workings the log does not show. */
  kind: 'run' | 'uses';
  /** The action of a `uses` step (`actions/setup-python@v5`), else null. */
  action: string | null;
  /** The script lines, in order (GitLab: one per `$ ` echo). */
  commands: string[];
  /** Indices into `commands` of GitLab's `# collapsed multi-line command` echoes (only the first line shown). */
  collapsed: number[];
  /** The `shell:` line of a GitHub step (`/usr/bin/bash -e {0}`), or null. */
  shell: string | null;
  /** The step's `env:` block, in order. */
  env: Array<{ name: string; value: string }>;
  status: StepStatus;
}

export interface JobLog {
  steps: LoggedStep[];
  /** The job's checkout folder as the log shows it (`/__w/r/r`, `/builds/g/p`), or null. */
  workdir: string | null;
  /** GitHub's `Complete job name: ...`, or null. */
  jobName: string | null;
  /** The commit the job checked out (full or abbreviated hex), or null. */
  headSha: string | null;
  /** GitLab's local image ids (`Using docker image sha256:<id> for ...`): ids, not registry digests. */
  imageIds: string[];
}

const MAX_STEPS = 2000;
const MAX_COMMANDS = 5000;
const MAX_ENV = 500;
const MAX_LINE = 20_000;
const GITLAB_RUNNER_SECTION =
  /^(?:prepare_executor|prepare_script|get_sources|restore_cache|download_artifacts|after_script|archive_cache|archive_cache_on_failure|upload_artifacts|upload_artifacts_on_success|upload_artifacts_on_failure|cleanup_file_variables|resolve_secrets)$/;
const HEADER_ENV = /^ {2}([^\s:][^:]{0,200}): ?(.*)$/;
const GITHUB_WORKSPACE_DIR = /^\/(?:.*\/)?(?:__w|_work|work)\/([^/\s]+)\/\1$/;
const DOCKER_WORKDIR = /\s--workdir\s+("?)(\/[^\s"]{1,1000})\1(?:\s|$)/;
const GIT_INIT = /\/git(?:\.exe)? init (\/\S{1,1000})\s*$/;
const SAFE_DIR = /safe\.directory (\/\S{1,1000})\s*$/;
const GIT_DIR_LINE =
  /^(?:Initialized empty|Reinitialized existing) Git repository in (\/.{1,1000}?)\/\.git\/?$/;
const CLONING_INTO = /^Cloning into '(\/[^']{1,1000})'\.\.\.$/;
const GITLAB_CHECKOUT = /^Checking out ([0-9a-f]{7,40}) as /;
const GITLAB_IMAGE_ID = /^Using docker image (sha256:[0-9a-f]{64}) for \S+( with digest )?/;
const FULL_SHA = /^[0-9a-f]{40}$/;
const COLLAPSED = ' # collapsed multi-line command';

/** Collects a JobLog from raw log lines, fed one at a time. */
export class JobLogScanner {
  private readonly framer = new Framer();
  private n = 0;
  private readonly steps: LoggedStep[] = [];
  /** The framer's step each logged step belongs to (its status is settled by the framer). */
  private readonly owners: Array<Step | null> = [];
  private header: LoggedStep | null = null;
  private headerBlock: 'script' | 'with' | 'env' | 'other' = 'script';
  private gitlabStep: LoggedStep | null = null;
  private gitlabOwner: Step | null = null;
  private workdir: string | null = null;
  private workdirRank = 0;
  private jobName: string | null = null;
  private headSha: string | null = null;
  private shaNext = false;
  private readonly imageIds: string[] = [];

  push(raw: string): void {
    this.n++;
    const line = raw.length > MAX_LINE ? raw.slice(0, MAX_LINE) : raw;
    const l = this.framer.frame(line, this.n);
    try {
      this.line(l, line);
    } catch {
      // Best effort: a malformed line must not stop the scan.
    }
  }

  end(): JobLog {
    this.framer.finish();
    this.steps.forEach((s, i) => {
      const owner = this.owners[i];
      if (owner) s.status = owner.status;
    });
    return {
      steps: this.steps,
      workdir: this.workdir,
      jobName: this.jobName,
      headSha: this.headSha,
      imageIds: this.imageIds,
    };
  }

  private line(l: FramedLine, raw: string): void {
    const t = l.text;
    if (this.shaNext) {
      this.shaNext = false;
      if (FULL_SHA.test(t.trim())) this.headSha ??= detach(t.trim());
    }
    if (l.command === 'group') {
      this.header = null;
      if (t.startsWith('Run ') && this.steps.length < MAX_STEPS) {
        const step = newStep(l.n, detach(t), 'uses');
        this.steps.push(step);
        this.owners.push(l.step);
        this.header = step;
        this.headerBlock = 'script';
      }
      return;
    }
    if (l.command === 'endgroup') {
      if (this.header) this.closeHeader(this.header);
      this.header = null;
      return;
    }
    if (this.header) {
      this.headerLine(this.header, t, raw);
      return;
    }
    if (l.command === 'command') {
      this.runnerCommand(t);
      return;
    }
    if (t.startsWith('Complete job name: ')) this.jobName ??= detach(t.slice(19).trim());
    else if (t.startsWith('$ ')) this.gitlabCommand(l, t.slice(2));
    else if (t.startsWith('Checking out ')) {
      const m = GITLAB_CHECKOUT.exec(t);
      if (m) this.headSha ??= detach(m[1]!);
    } else if (t.startsWith('Using docker image sha256:')) {
      const m = GITLAB_IMAGE_ID.exec(t);
      if (m && !m[2] && this.imageIds.length < 50) this.imageIds.push(detach(m[1]!));
    } else if (t.startsWith('Initialized empty') || t.startsWith('Reinitialized existing')) {
      const m = GIT_DIR_LINE.exec(t);
      if (m) this.checkout(l, m[1]!);
    } else if (t.startsWith('Cloning into ')) {
      const m = CLONING_INTO.exec(t);
      if (m) this.checkout(l, m[1]!);
    } else if (t.startsWith('CI_PROJECT_DIR=')) {
      this.setWorkdir(t.slice(15).trim(), 2);
    } else if (t.startsWith('GITHUB_WORKSPACE=')) {
      this.setWorkdir(t.slice(17).trim(), 2);
    }
  }

  /** A line of a `##[group]Run ...` header: script, then `shell:`, `with:` and `env:` blocks. */
  private headerLine(step: LoggedStep, t: string, raw: string): void {
    // GitHub colours script lines cyan; when the log kept its colours, that settles what is script.
    const cyan = raw.indexOf('\x1b[36;1m') >= 0;
    if (cyan && this.headerBlock === 'script') {
      if (step.commands.length < MAX_COMMANDS) step.commands.push(detach(t));
      return;
    }
    if (t.charCodeAt(0) !== 32) {
      if (t === 'with:') this.headerBlock = 'with';
      else if (t === 'env:') this.headerBlock = 'env';
      else if (t.startsWith('shell: ')) {
        this.headerBlock = 'other';
        step.shell = detach(t.slice(7).trim());
        step.kind = 'run';
      } else if (this.headerBlock === 'script' && step.commands.length < MAX_COMMANDS) {
        step.commands.push(detach(t));
      }
      return;
    }
    if (this.headerBlock === 'script') {
      if (step.commands.length < MAX_COMMANDS) step.commands.push(detach(t));
      return;
    }
    if (this.headerBlock === 'env' && step.env.length < MAX_ENV) {
      const m = HEADER_ENV.exec(t);
      if (m) step.env.push({ name: detach(m[1]!), value: detach(m[2]!.trim()) });
    }
  }

  private closeHeader(step: LoggedStep): void {
    const head = step.name.slice(4);
    if (step.kind === 'run') {
      // A log without colours and without script lines: the header's text is the (one-line) script.
      if (step.commands.length === 0) step.commands.push(head);
    } else {
      step.action = head;
      // Lines taken for script in a `uses:` header were its `with:` text: not commands.
      step.commands = [];
    }
  }

  private runnerCommand(t: string): void {
    if (t.indexOf('docker') >= 0 && t.indexOf(' create ') > 0 && t.indexOf('--entrypoint "tail"') > 0) {
      // The job container: the runner starts it in the job's working folder.
      const m = DOCKER_WORKDIR.exec(t);
      if (m) this.setWorkdir(m[2]!, 3);
      return;
    }
    if (t.endsWith('git log -1 --format=%H') || t.endsWith("git log -1 --format='%H'")) {
      this.shaNext = true;
      return;
    }
    const m = GIT_INIT.exec(t) ?? SAFE_DIR.exec(t);
    if (m && GITHUB_WORKSPACE_DIR.test(m[1]!)) this.setWorkdir(m[1]!, 1);
  }

  private checkout(l: FramedLine, dir: string): void {
    // GitLab's own checkout only (a clone a script runs is a dependency).
    const section = l.step?.name;
    if (section === 'get_sources' || (section === undefined && this.gitlabStep === null)) {
      this.setWorkdir(dir, 1);
    }
  }

  private setWorkdir(dir: string, rank: number): void {
    const d = dir.replace(/\/+$/, '');
    if (d.length === 0 || rank <= this.workdirRank) return;
    this.workdir = detach(d);
    this.workdirRank = rank;
  }

  /** GitLab's echo of a script command. Commands of one section run in one shell, so they form one step. */
  private gitlabCommand(l: FramedLine, cmd: string): void {
    const section = l.step;
    if (section !== null && GITLAB_RUNNER_SECTION.test(section.name)) return;
    if (this.gitlabStep === null || this.gitlabOwner !== section) {
      if (this.steps.length >= MAX_STEPS) return;
      this.gitlabStep = newStep(l.n, detach(section?.name ?? 'script'), 'run');
      this.gitlabOwner = section;
      this.steps.push(this.gitlabStep);
      this.owners.push(section);
    }
    const s = this.gitlabStep;
    if (s.commands.length >= MAX_COMMANDS) return;
    if (cmd.endsWith(COLLAPSED)) {
      s.collapsed.push(s.commands.length);
      s.commands.push(detach(cmd.slice(0, -COLLAPSED.length)));
    } else {
      s.commands.push(detach(cmd));
    }
  }
}

/** Scans lines already in memory. */
export function scanJobLog(lines: Iterable<string>): JobLog {
  const s = new JobLogScanner();
  for (const l of lines) s.push(l);
  return s.end();
}

/** A step as first seen: no commands, shell, env or outcome yet. */
function newStep(line: number, name: string, kind: LoggedStep['kind']): LoggedStep {
  return {
    line,
    name,
    kind,
    action: null,
    commands: [],
    collapsed: [],
    shell: null,
    env: [],
    status: 'unknown',
  };
}
