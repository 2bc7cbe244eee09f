/**
 * "CI Triage: Reproduce Locally" on a failed job, failed step or problem in the runs view, or on the job log
 * in the active editor. Finds the log, the workspace folder, the run's and the local head commit, then hands
 * over to reproduceLocally (plan, reproduce.sh, container task).
 */
import * as vscode from 'vscode';
import type { Problem } from '../core/model';
import { parseLogDocumentUri } from '../protocol';
import { readConfig } from './config';
import { Disposable } from './disposable';
import type { CiLanguageClient } from './languageClient';
import { reproduceLocally } from './reproduce';
import { jobOfNode } from './runsTree';
import type { Node, RunsTree } from './runsTree';

export const REPRODUCE_COMMAND = 'ciTriage.reproduce';
export const REPRODUCE_WORKTREE_COMMAND = 'ciTriage.reproduceInWorktree';

export class ReproduceCommand extends Disposable {
  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly server: CiLanguageClient,
    private readonly tree: RunsTree,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this.register(vscode.commands.registerCommand(REPRODUCE_COMMAND, (n?: unknown) => this.run(n, false)));
    this.register(
      vscode.commands.registerCommand(REPRODUCE_WORKTREE_COMMAND, (n?: unknown) => this.run(n, true)),
    );
  }

  private async run(arg: unknown, worktree: boolean): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage(
        'CI Triage does not run CI jobs locally in an untrusted workspace (Restricted Mode). Trust the workspace to enable it.',
      );
      return;
    }
    const target = await this.target(arg);
    if (!target) {
      void vscode.window.showInformationMessage(
        'CI Triage: choose a failed job, step or problem in the CI Triage view, or open a job log, then run Reproduce Locally.',
      );
      return;
    }
    const config = readConfig();
    await reproduceLocally({
      ...target,
      worktree,
      storageUri: this.context.storageUri ?? this.context.globalStorageUri,
      engineSetting: config.containerEngine,
      imageMap: config.reproduceImages,
      log: this.log,
      plan: (req) => this.server.reproducePlan(req),
    });
  }

  /** What to reproduce: from a tree node (the argument, else the selection), else the active log editor. */
  private async target(arg: unknown): Promise<{
    logFile: string;
    folder: vscode.WorkspaceFolder;
    runHeadSha?: string;
    localHeadSha?: string;
    problem?: Problem;
  } | null> {
    const node =
      (isNode(arg) ? arg : undefined) ?? (arg === undefined ? this.tree.view.selection[0] : undefined);
    const of = jobOfNode(node);
    if (node && of) {
      const { session, job } = of;
      const folder = vscode.workspace.getWorkspaceFolder(session.head.root);
      if (!folder) return null;
      const logFile = of.logFile ?? (await session.logOf(job));
      const run = session.runs.find((e) => e.run.id === job.runId)?.run;
      return {
        logFile,
        folder,
        ...(run ? { runHeadSha: run.headSha } : {}),
        ...(session.head.headSha ? { localHeadSha: session.head.headSha } : {}),
        ...(node.kind === 'problem' ? { problem: node.problem } : {}),
      };
    }
    const uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
    if (!uri) return null;
    const info = parseLogDocumentUri(uri.toString(true));
    const logFile = info ? info.file : uri.scheme === 'file' ? uri.fsPath : null;
    if (!logFile) return null;
    const folder =
      (info?.workspace ? vscode.workspace.getWorkspaceFolder(vscode.Uri.file(info.workspace)) : undefined) ??
      (uri.scheme === 'file' ? vscode.workspace.getWorkspaceFolder(uri) : undefined) ??
      vscode.workspace.workspaceFolders?.[0];
    return folder ? { logFile, folder } : null;
  }
}

function isNode(x: unknown): x is Node {
  return (
    typeof x === 'object' && x !== null && 'kind' in x && typeof (x as { kind: unknown }).kind === 'string'
  );
}
