/** Commands on the runs view: Refresh, and a run's "Re-run Failed Jobs" and "Open on the Web". */
import * as vscode from 'vscode';
import { redact } from '../providers/errors';
import { Disposable } from './disposable';
import { RUNS_VIEW } from './runsTree';
import type { Node, RunsTree } from './runsTree';
import type { RunsStore } from './runsStore';

export const REFRESH_COMMAND = 'ciTriage.refresh';
export const RERUN_FAILED_COMMAND = 'ciTriage.rerunFailedJobs';
export const OPEN_ON_WEB_COMMAND = 'ciTriage.openOnWeb';
export const SHOW_LOG_COMMAND = 'ciTriage.showLog';

export class RunCommands extends Disposable {
  constructor(
    private readonly store: RunsStore,
    private readonly tree: RunsTree,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this.register(vscode.commands.registerCommand(REFRESH_COMMAND, () => this.refresh()));
    this.register(vscode.commands.registerCommand(RERUN_FAILED_COMMAND, (n?: Node) => this.rerunFailed(n)));
    this.register(vscode.commands.registerCommand(OPEN_ON_WEB_COMMAND, (n?: Node) => this.openOnWeb(n)));
    this.register(vscode.commands.registerCommand(SHOW_LOG_COMMAND, () => this.log.show(true)));
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

  private async openOnWeb(n?: Node): Promise<void> {
    const node = this.target(n);
    const url =
      node?.kind === 'run'
        ? node.entry.run.url
        : node?.kind === 'job'
          ? node.job.url
          : node?.kind === 'problem'
            ? node.job.job.url
            : node?.kind === 'branch' && node.session.repo
              ? (node.session.pull?.url ?? `${node.session.repo.webUrl}/${node.session.repo.path}`)
              : null;
    if (!url) return;
    await vscode.env.openExternal(vscode.Uri.parse(url, true));
  }
}
