/** A status-bar item with the branch's CI state; clicking it opens the CI Triage view. */
import * as vscode from 'vscode';
import { isFailed } from '../providers/triage';
import { Disposable } from './disposable';
import type { RunsStore } from './runsStore';

export const OPEN_VIEW_COMMAND = 'workbench.view.extension.ciTriage';

export class CiStatusBar extends Disposable {
  private readonly item = this.register(
    vscode.window.createStatusBarItem('ciTriage.status', vscode.StatusBarAlignment.Left, 50),
  );

  constructor(private readonly store: RunsStore) {
    super();
    this.item.name = 'CI Triage';
    this.item.command = OPEN_VIEW_COMMAND;
    this.register(store.onDidChange(() => this.update()));
    this.update();
  }

  private update(): void {
    const sessions = this.store.all;
    if (sessions.length === 0) {
      this.item.hide();
      return;
    }
    // Only what a session currently stands by: a signed-out session's old runs are not the branch's state.
    const runs = sessions.filter((s) => s.state.kind === 'ready').flatMap((s) => s.runs.map((r) => r.run));
    const failed = runs.filter((r) => isFailed(r.conclusion));
    const running = runs.filter((r) => r.status !== 'completed');
    const states = sessions.map((s) => s.state.kind);
    const branch = sessions.length === 1 ? sessions[0]!.label : `${sessions.length} repositories`;
    let icon: string;
    let text: string;
    if (states.includes('loading') && runs.length === 0) [icon, text] = ['sync~spin', 'CI'];
    else if (failed.length > 0) [icon, text] = ['error', `CI: ${failed.length} failed`];
    else if (running.length > 0) [icon, text] = ['sync~spin', 'CI: running'];
    else if (states.includes('error')) [icon, text] = ['warning', 'CI: error'];
    else if (states.includes('signedOut')) [icon, text] = ['account', 'CI: sign in'];
    else if (runs.length > 0) [icon, text] = ['pass', 'CI: passed'];
    else [icon, text] = ['git-branch', 'CI'];
    this.item.text = `$(${icon}) ${text}`;
    this.item.tooltip = `CI Triage: ${branch}. ${failed.length} failed, ${running.length} running of ${runs.length} runs. Click to open.`;
    this.item.backgroundColor =
      failed.length > 0 ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.item.show();
  }
}
