/**
 * The "CI Triage" tree: each repository's branch, its runs (failed first), a run's jobs, a failed job's
 * problems and environment. When there is nothing to list the tree stays empty and the state context key
 * picks the welcome view (no repository, signed out, error, loading).
 */
import * as vscode from 'vscode';
import { editorColumn } from '../core/model';
import type { Problem, Step } from '../core/model';
import type { Job, Run } from '../providers/ciProvider';
import { isFailed } from '../providers/triage';
import { Disposable } from './disposable';
import { environmentRows } from './environmentView';
import type { EnvRow } from './environmentView';
import type { JobProblems } from './jobTriage';
import type { RepoSession, RunEntry } from './repoSession';
import { describe } from './repoSession';
import type { RunsStore } from './runsStore';
import { ageOf, durationOf } from './time';

export const RUNS_VIEW = 'ciTriage.runs';
export const STATE_CONTEXT = 'ciTriage.state';
export const ERROR_REASON_CONTEXT = 'ciTriage.errorReason';

export type ViewState = 'starting' | 'noRepository' | 'signedOut' | 'error' | 'loading' | 'ready';

export type Node =
  | { kind: 'branch'; session: RepoSession }
  | { kind: 'run'; session: RepoSession; entry: RunEntry }
  | { kind: 'job'; session: RepoSession; entry: RunEntry; job: Job; triage: JobProblems | null }
  | { kind: 'step'; session: RepoSession; job: JobProblems; step: Step; problems: Problem[] }
  | { kind: 'problem'; session: RepoSession; job: JobProblems; problem: Problem }
  | { kind: 'env'; rows: EnvRow[]; label: string; value: string }
  | { kind: 'info'; label: string; icon: string; tooltip?: string; command?: vscode.Command };

/** The job a job, step or problem node is about, with its log file when the triage already has it; else null. */
export function jobOfNode(
  node: Node | undefined,
): { session: RepoSession; job: Job; logFile: string | null } | null {
  if (node?.kind === 'job')
    return { session: node.session, job: node.job, logFile: node.triage?.logFile ?? null };
  if (node?.kind === 'step' || node?.kind === 'problem')
    return { session: node.session, job: node.job.job, logFile: node.job.logFile };
  return null;
}

export class RunsTree extends Disposable implements vscode.TreeDataProvider<Node> {
  private readonly changed = this.register(new vscode.EventEmitter<Node | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  readonly view: vscode.TreeView<Node>;

  constructor(private readonly store: RunsStore) {
    super();
    this.view = this.register(
      vscode.window.createTreeView(RUNS_VIEW, { treeDataProvider: this, showCollapseAll: true }),
    );
    this.register(store.onDidChange(() => this.update()));
    this.update();
  }

  /** What the view shows when it lists nothing, from the repositories' states. */
  get state(): ViewState {
    const git = this.store.git;
    if (git.kind === 'starting') return 'starting';
    const sessions = this.store.all;
    if (git.kind === 'unavailable' || sessions.length === 0) return 'noRepository';
    if (sessions.length > 1) return 'ready';
    const s = sessions[0]!.state.kind;
    if (s === 'noRemote') return 'noRepository';
    if (s === 'idle' || s === 'loading') return 'loading';
    return s;
  }

  private update(): void {
    const state = this.state;
    void vscode.commands.executeCommand('setContext', STATE_CONTEXT, state);
    const only = this.store.all.length === 1 ? this.store.all[0]! : null;
    // A view message would hide the welcome view, so the welcome text is picked per reason instead; the
    // exact message is in the log (the welcome's "Show Log").
    const reason = only?.state.kind === 'error' ? only.state.reason : '';
    void vscode.commands.executeCommand('setContext', ERROR_REASON_CONTEXT, reason);
    this.view.description = only?.repo ? only.repo.path : undefined;
    // A root refresh does not ask again for the children of a branch row that kept its id, so when the
    // top level is unchanged each branch is refreshed by its own (stable) node.
    const shape = `${state}\0${this.store.all.map((s) => s.head.root.toString()).join('\0')}`;
    if (shape !== this.shape) {
      this.shape = shape;
      this.changed.fire(undefined);
    } else {
      for (const s of this.store.all) this.changed.fire(this.branchNode(s));
    }
  }

  private shape = '';
  private readonly branches = new WeakMap<RepoSession, Node>();

  private branchNode(session: RepoSession): Node {
    let n = this.branches.get(session);
    if (!n) this.branches.set(session, (n = { kind: 'branch', session }));
    return n;
  }

  getChildren(node?: Node): Node[] | Promise<Node[]> {
    if (!node) {
      if (this.state !== 'ready') return [];
      return this.store.all.map((session) => this.branchNode(session));
    }
    switch (node.kind) {
      case 'branch':
        return branchChildren(node.session);
      case 'run':
        return runChildren(node.session, node.entry);
      case 'job':
        return node.triage ? jobChildren(node.session, node.triage) : [];
      case 'env':
        return node.rows.map((r) => envNode(r));
      case 'step':
        return node.problems.map((problem) => ({
          kind: 'problem',
          session: node.session,
          job: node.job,
          problem,
        }));
      default:
        return [];
    }
  }

  getTreeItem(node: Node): vscode.TreeItem {
    switch (node.kind) {
      case 'branch':
        return branchItem(node.session);
      case 'run':
        return runItem(node.entry);
      case 'job':
        return jobItem(node.job, node.triage);
      case 'problem':
        return problemItem(node.session, node.job, node.problem);
      case 'step':
        return stepItem(node);
      case 'env': {
        const item = new vscode.TreeItem(
          node.label,
          node.rows.length > 0
            ? vscode.TreeItemCollapsibleState.Collapsed
            : vscode.TreeItemCollapsibleState.None,
        );
        item.description = node.value;
        item.contextValue = 'ciTriage.env';
        return item;
      }
      case 'info': {
        const item = new vscode.TreeItem(node.label);
        item.iconPath = new vscode.ThemeIcon(node.icon);
        if (node.tooltip) item.tooltip = node.tooltip;
        if (node.command) item.command = node.command;
        return item;
      }
    }
  }
}

function branchChildren(session: RepoSession): Node[] {
  const s = session.state;
  if (s.kind !== 'ready' && session.runs.length === 0) {
    const icon =
      s.kind === 'loading' || s.kind === 'idle'
        ? 'loading~spin'
        : s.kind === 'signedOut'
          ? 'account'
          : 'warning';
    return [{ kind: 'info', label: describe(s), icon }];
  }
  const out: Node[] = [];
  if (session.refreshError)
    out.push({
      kind: 'info',
      label: `Refresh failed: ${session.refreshError}`,
      icon: 'warning',
      tooltip: 'The runs below are from the last refresh that worked. Click to retry.',
      command: { command: 'ciTriage.refresh', title: 'Retry' },
    });
  if (session.runs.length === 0)
    out.push({ kind: 'info', label: 'No CI runs for this branch yet.', icon: 'info' });
  for (const entry of session.runs) out.push({ kind: 'run', session, entry });
  return out;
}

async function runChildren(session: RepoSession, entry: RunEntry): Promise<Node[]> {
  let jobs: Job[];
  try {
    jobs = await session.jobsOf(entry);
  } catch (e) {
    return [{ kind: 'info', label: `Could not list the jobs: ${(e as Error).message}`, icon: 'warning' }];
  }
  const rank = (j: Job) => (isFailed(j.conclusion) && !j.allowFailure ? 0 : j.status !== 'completed' ? 1 : 2);
  return [...jobs]
    .sort((a, b) => rank(a) - rank(b))
    .map((job) => ({ kind: 'job', session, entry, job, triage: entry.triaged.get(job.id) ?? null }));
}

function jobChildren(session: RepoSession, t: JobProblems): Node[] {
  const out: Node[] = [];
  if (t.error) out.push({ kind: 'info', label: t.error, icon: 'warning' });
  for (const w of t.warnings) out.push({ kind: 'info', label: w, icon: 'info' });
  // A failed step groups the problems it printed; the rest (annotations, steps that passed) follow.
  const failedSteps = t.steps.filter((s) => s.parent === null && s.status === 'failure');
  const byStep = new Map<string, Problem[]>(failedSteps.map((s) => [s.name, []]));
  const loose: Problem[] = [];
  for (const p of t.problems) {
    const list = p.step !== null ? byStep.get(p.step) : undefined;
    if (list) list.push(p);
    else loose.push(p);
  }
  for (const step of failedSteps)
    out.push({ kind: 'step', session, job: t, step, problems: byStep.get(step.name)! });
  for (const problem of loose) out.push({ kind: 'problem', session, job: t, problem });
  if (!t.error && t.problems.length === 0)
    out.push({ kind: 'info', label: 'No problems recognised in the log.', icon: 'info' });
  if (t.environment)
    out.push({ kind: 'env', label: 'Environment', value: '', rows: environmentRows(t.environment) });
  return out;
}

function stepItem(node: Extract<Node, { kind: 'step' }>): vscode.TreeItem {
  const { step, problems } = node;
  const item = new vscode.TreeItem(
    step.name,
    problems.length > 0 ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None,
  );
  item.id = `step:${node.job.job.provider}:${node.job.job.id}:${node.job.job.attempt}:${step.id}`;
  item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
  item.description = `${problems.length} problem${problems.length === 1 ? '' : 's'} · log lines ${step.startLine}-${step.endLine}`;
  item.tooltip = `Failed step "${step.name}": click to open the log here.`;
  item.contextValue = 'ciTriage.step';
  // Clicking a step opens the job's log at the step.
  item.command = { command: 'ciTriage.openLog', title: 'Open Log', arguments: [node] };
  return item;
}

function envNode(r: EnvRow): Node {
  return { kind: 'env', label: r.label, value: r.value, rows: r.children ?? [] };
}

function branchItem(session: RepoSession): vscode.TreeItem {
  const item = new vscode.TreeItem(session.label, vscode.TreeItemCollapsibleState.Expanded);
  item.id = `branch:${session.head.root.toString()}:${session.label}`;
  item.iconPath = new vscode.ThemeIcon('git-branch');
  const pull = session.pull;
  const repo = session.repo?.path ?? session.head.root.path.split('/').pop();
  item.description = pull
    ? `${repo} · ${pull.url.includes('merge_requests') ? '!' : '#'}${pull.number}`
    : repo;
  item.tooltip = `${session.head.root.fsPath}\n${session.repo?.webUrl ?? ''}/${session.repo?.path ?? ''}`;
  item.contextValue = 'ciTriage.branch';
  return item;
}

function runItem(entry: RunEntry): vscode.TreeItem {
  const { run } = entry;
  const failed = isFailed(run.conclusion);
  const item = new vscode.TreeItem(
    run.name,
    failed ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed,
  );
  item.id = `run:${run.provider}:${run.id}:${run.attempt}`;
  item.iconPath = statusIcon(run);
  const parts = [`attempt ${run.attempt}`, ageOf(run.createdAt)];
  if (entry.olderCommit) parts.unshift(`older commit ${run.headSha.slice(0, 7)}`);
  const took = run.status === 'completed' ? durationOf(run.createdAt, run.updatedAt) : null;
  if (took) parts.push(took);
  item.description = parts.filter(Boolean).join(' · ');
  item.tooltip = `${run.name}: ${run.rawStatus}\n${run.headSha.slice(0, 7)}${run.event ? ` (${run.event})` : ''}\n${run.url}`;
  // The context value picks the menu entries: re-running failed jobs only makes sense for a failed run.
  item.contextValue = failed
    ? 'ciTriage.run.failed'
    : run.status === 'completed'
      ? 'ciTriage.run'
      : 'ciTriage.run.running';
  return item;
}

function jobItem(job: Job, triage: JobProblems | null): vscode.TreeItem {
  const expandable = triage !== null;
  const item = new vscode.TreeItem(
    job.name,
    expandable ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
  );
  item.id = `job:${job.provider}:${job.id}:${job.attempt}`;
  item.iconPath = statusIcon(job);
  const parts: string[] = [];
  if (triage && !triage.error)
    parts.push(`${triage.problems.length} problem${triage.problems.length === 1 ? '' : 's'}`);
  if (job.allowFailure && isFailed(job.conclusion)) parts.push('allowed to fail');
  if (job.attempt > 1) parts.push(`attempt ${job.attempt}`);
  const took = durationOf(job.startedAt, job.completedAt);
  if (took) parts.push(took);
  item.description = parts.join(' · ');
  item.tooltip = `${job.name}: ${job.rawStatus}\n${job.url}`;
  // The context value picks the menu entries: a finished job can be re-run.
  item.contextValue =
    job.status !== 'completed'
      ? 'ciTriage.job.running'
      : isFailed(job.conclusion)
        ? 'ciTriage.job.completed.failed'
        : 'ciTriage.job.completed';
  return item;
}

function problemItem(session: RepoSession, t: JobProblems, p: Problem): vscode.TreeItem {
  const where = p.file ? `${p.path ?? p.file}${p.line !== null ? `:${p.line}` : ''}` : null;
  const item = new vscode.TreeItem(p.message);
  item.description = [where, p.code ?? p.test ?? p.tool].filter(Boolean).join(' · ');
  item.iconPath = new vscode.ThemeIcon(
    p.severity === 'error' ? 'error' : p.severity === 'warning' ? 'warning' : 'info',
    new vscode.ThemeColor(
      p.severity === 'error'
        ? 'problemsErrorIcon.foreground'
        : p.severity === 'warning'
          ? 'problemsWarningIcon.foreground'
          : 'problemsInfoIcon.foreground',
    ),
  );
  item.tooltip = `${p.tool}${p.code ? ` ${p.code}` : ''}: ${p.message}${p.test ? `\n${p.test}` : ''}${where ? `\n${where}` : ''}${p.logLine > 0 ? `\nlog line ${p.logLine}` : ''}`;
  item.contextValue = 'ciTriage.problem';
  if (p.path !== null) {
    const file = vscode.Uri.joinPath(session.head.root, ...p.path.split('/'));
    const line = Math.max(0, (p.line ?? 1) - 1);
    const col = editorColumn(p);
    item.command = {
      command: 'vscode.open',
      title: 'Open',
      arguments: [file, { selection: new vscode.Range(line, col, line, col), preserveFocus: false }],
    };
  } else if (t.logFile && p.logLine > 0) {
    // No workspace file: the log line is the next best place to look.
    item.command = {
      command: 'ciTriage.openLog',
      title: 'Open Log',
      arguments: [{ kind: 'problem', session, job: t, problem: p } satisfies Node],
    };
  }
  return item;
}

function statusIcon(x: Run | Job): vscode.ThemeIcon {
  if (x.status !== 'completed')
    return new vscode.ThemeIcon('sync~spin', new vscode.ThemeColor('charts.yellow'));
  switch (x.conclusion) {
    case 'failure':
    case 'timedOut':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
    case 'success':
      return new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
    case 'cancelled':
      return new vscode.ThemeIcon('circle-slash');
    default:
      return new vscode.ThemeIcon('circle-outline');
  }
}
