/**
 * Commands on the runs view: Refresh; a run's "Re-run Failed Jobs", "Cancel Run"; a job's "Open Log",
 * "Re-run Job"; a problem's "Copy"; "Open on the Web" for all of them.
 */
import * as vscode from 'vscode';
import { redact } from '../providers/errors';
import { Disposable } from './disposable';
import type { LogDocuments } from './logDocuments';
import { jobOfNode, RUNS_VIEW } from './runsTree';
import type { Node, RunsTree } from './runsTree';
import type { RunsStore } from './runsStore';

export const REFRESH_COMMAND = 'ciTriage.refresh';
export const RERUN_FAILED_COMMAND = 'ciTriage.rerunFailedJobs';
export const OPEN_ON_WEB_COMMAND = 'ciTriage.openOnWeb';
export const SHOW_LOG_COMMAND = 'ciTriage.showLog';
export const OPEN_LOG_COMMAND = 'ciTriage.openLog';
export const RERUN_JOB_COMMAND = 'ciTriage.rerunJob';
export const CANCEL_RUN_COMMAND = 'ciTriage.cancelRun';
export const COPY_PROBLEM_COMMAND = 'ciTriage.copyProblem';

export class RunCommands extends Disposable {
  constructor(
    private readonly store: RunsStore,
    private readonly tree: RunsTree,
    private readonly log: vscode.LogOutputChannel,
    private readonly logs: LogDocuments,
  ) {
    super();
    this.register(vscode.commands.registerCommand(REFRESH_COMMAND, () => this.refresh()));
    this.register(vscode.commands.registerCommand(RERUN_FAILED_COMMAND, (n?: Node) => this.rerunFailed(n)));
    this.register(vscode.commands.registerCommand(OPEN_ON_WEB_COMMAND, (n?: Node) => this.openOnWeb(n)));
    this.register(vscode.commands.registerCommand(SHOW_LOG_COMMAND, () => this.log.show(true)));
    this.register(vscode.commands.registerCommand(OPEN_LOG_COMMAND, (n?: Node) => this.openLog(n)));
    this.register(vscode.commands.registerCommand(RERUN_JOB_COMMAND, (n?: Node) => this.rerunJob(n)));
    this.register(vscode.commands.registerCommand(CANCEL_RUN_COMMAND, (n?: Node) => this.cancelRun(n)));
    this.register(vscode.commands.registerCommand(COPY_PROBLEM_COMMAND, (n?: Node) => this.copyProblem(n)));
  }

  private async refresh(): Promise<void> {
    await vscode.window.withProgress({ location: { viewId: RUNS_VIEW } }, () => this.store.refresh());
  }

  /** The node a command was run on: the context-menu argument, else the view's selection (the palette). */
  private target(n?: Node): Node | undefined {
    return n ?? this.tree.view.selection[0];
  }

  private async rerunFailed(n?: Node): Promise<void> {
    const node = this.target(n);
    if (node?.kind !== 'run' && node?.kind !== 'job') {
      void vscode.window.showInformationMessage('CI Triage: select a run in the CI Triage view first.');
      return;
    }
    if (!vscode.workspace.isTrusted) return this.untrusted('re-run jobs');
    const run = node.entry.run;
    try {
      await node.session.rerunFailedJobs(run);
      this.log.info(`re-run of the failed jobs of ${run.name} (${run.id}) requested`);
      void vscode.window.showInformationMessage(`CI Triage: re-running the failed jobs of ${run.name}.`);
      void this.store.refresh();
    } catch (e) {
      const msg = redact(e instanceof Error ? e.message : String(e));
      this.log.error(`re-run of ${run.name} (${run.id}) failed: ${msg}`);
      void vscode.window.showErrorMessage(`CI Triage could not re-run ${run.name}: ${msg}`);
    }
  }

  /** Opens the log of a job, at a step, or at the line that printed a problem. */
  private async openLog(n?: Node): Promise<void> {
    const node = this.target(n);
    const of = jobOfNode(node);
    if (!node || !of) {
      void vscode.window.showInformationMessage('CI Triage: select a job in the CI Triage view first.');
      return;
    }
    const { session, job } = of;
    const line =
      node.kind === 'step' ? node.step.startLine : node.kind === 'problem' ? node.problem.logLine : 0;
    try {
      const file =
        of.logFile ??
        (await vscode.window.withProgress(
          { location: { viewId: RUNS_VIEW }, title: `Downloading the log of ${job.name}` },
          () => session.logOf(job),
        ));
      await this.logs.open({ file, job: job.name, url: job.url, workspace: session.head.root.fsPath }, line);
    } catch (e) {
      this.fail(`open the log of ${job.name}`, e);
    }
  }

  private async rerunJob(n?: Node): Promise<void> {
    const node = this.target(n);
    if (node?.kind !== 'job') {
      void vscode.window.showInformationMessage('CI Triage: select a job in the CI Triage view first.');
      return;
    }
    if (!vscode.workspace.isTrusted) return this.untrusted('re-run jobs');
    try {
      await node.session.rerunJob(node.job);
      this.log.info(`re-run of job ${node.job.name} (${node.job.id}) requested`);
      void vscode.window.showInformationMessage(`CI Triage: re-running ${node.job.name}.`);
      void this.store.refresh();
    } catch (e) {
      this.fail(`re-run ${node.job.name}`, e);
    }
  }

  private async cancelRun(n?: Node): Promise<void> {
    const node = this.target(n);
    if (node?.kind !== 'run') {
      void vscode.window.showInformationMessage(
        'CI Triage: select a running run in the CI Triage view first.',
      );
      return;
    }
    if (!vscode.workspace.isTrusted) return this.untrusted('cancel runs');
    const run = node.entry.run;
    try {
      await node.session.cancelRun(run);
      this.log.info(`cancel of ${run.name} (${run.id}) requested`);
      void vscode.window.showInformationMessage(`CI Triage: cancelling ${run.name}.`);
      void this.store.refresh();
    } catch (e) {
      this.fail(`cancel ${run.name}`, e);
    }
  }

  private async copyProblem(n?: Node): Promise<void> {
    const node = this.target(n);
    if (node?.kind !== 'problem') return;
    const p = node.problem;
    const where = p.file
      ? `${p.path ?? p.file}${p.line !== null ? `:${p.line}` : ''}${p.column !== null ? `:${p.column}` : ''}: `
      : '';
    const what = [p.tool, p.code, p.test].filter(Boolean).join(' ');
    await vscode.env.clipboard.writeText(`${where}${p.message} (${what}; ${node.job.job.name})`);
    void vscode.window.setStatusBarMessage('CI Triage: problem copied', 3000);
  }

  private untrusted(what: string): void {
    void vscode.window.showWarningMessage(
      `CI Triage does not ${what} in an untrusted workspace (Restricted Mode). Trust the workspace to enable it.`,
    );
  }

  private fail(what: string, e: unknown): void {
    const msg = redact(e instanceof Error ? e.message : String(e));
    this.log.error(`could not ${what}: ${msg}`);
    void vscode.window.showErrorMessage(`CI Triage could not ${what}: ${msg}`);
  }

  private async openOnWeb(n?: Node): Promise<void> {
    const node = this.target(n);
    const url =
      node?.kind === 'run'
        ? node.entry.run.url
        : node?.kind === 'job'
          ? node.job.url
          : node?.kind === 'problem' || node?.kind === 'step'
            ? node.job.job.url
            : node?.kind === 'branch' && node.session.repo
              ? (node.session.pull?.url ?? `${node.session.repo.webUrl}/${node.session.repo.path}`)
              : null;
    if (!url) return;
    await vscode.env.openExternal(vscode.Uri.parse(url, true));
  }
}
