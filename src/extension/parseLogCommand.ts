/** "CI Triage: Show Problems from This Log": a log file on disk in, diagnostics on the workspace files out. */
import * as vscode from 'vscode';
import { basename } from 'node:path';
import type { Problem } from '../core/model';
import type { LogDiagnostics } from './diagnostics';
import { Disposable } from './disposable';
import { ParseCancelled } from './languageClient';
import type { CiLanguageClient } from './languageClient';

export const PARSE_LOG_COMMAND = 'ciTriage.parseActiveLog';
const MAX_LOGGED_UNMAPPED = 200;

export class ParseLogCommand extends Disposable {
  // One parse per log: starting a new one cancels the stale one.
  private readonly running = new Map<string, vscode.CancellationTokenSource>();

  constructor(
    private readonly server: CiLanguageClient,
    private readonly diagnostics: LogDiagnostics,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this.register(vscode.commands.registerCommand(PARSE_LOG_COMMAND, (uri?: unknown) => this.run(uri)));
    this.register({ dispose: () => this.running.forEach((c) => c.cancel()) });
  }

  /** `arg` is the file when run from the explorer's or an editor's context menu. */
  async run(arg?: unknown): Promise<void> {
    const logUri = arg instanceof vscode.Uri ? arg : await pickLog();
    if (!logUri) return;
    const name = basename(logUri.fsPath);
    if (logUri.scheme !== 'file') {
      void vscode.window.showWarningMessage(`CI Triage reads logs from disk: save ${name} to a file first.`);
      return;
    }
    const key = logUri.toString();
    this.running.get(key)?.cancel();
    const cts = new vscode.CancellationTokenSource();
    this.running.set(key, cts);
    const folder =
      vscode.workspace.getWorkspaceFolder(logUri) ?? vscode.workspace.workspaceFolders?.[0] ?? null;
    const started = Date.now();
    try {
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: `CI Triage: parsing ${name}` },
        () => this.server.parseLogFile(logUri.fsPath, folder?.uri.fsPath ?? null, cts.token),
      );
      const { shown, unmapped, dropped } = this.diagnostics.publish(
        logUri,
        folder?.uri ?? null,
        result.problems,
      );
      this.log.info(
        `${name}: ${result.lines} lines (${result.format}), ${result.problems.length} problems, ` +
          `${shown} on workspace files, in ${Date.now() - started} ms`,
      );
      if (dropped > 0) this.log.warn(`${name}: ${dropped} more problems not shown (too many for one log)`);
      this.logUnmapped(name, unmapped);
      if (shown > 0) {
        await vscode.commands.executeCommand('workbench.panel.markers.view.focus');
      } else if (result.problems.length > 0) {
        const choice = await vscode.window.showInformationMessage(
          `CI Triage: ${result.problems.length} problems in ${name}, none on a file of this workspace.`,
          'Show Output',
        );
        if (choice) this.log.show(true);
      } else {
        void vscode.window.showInformationMessage(`CI Triage: no problems found in ${name}.`);
      }
    } catch (e) {
      if (e instanceof ParseCancelled) return;
      const message = e instanceof Error ? e.message : String(e);
      this.log.error(`${name}: ${message}`);
      void vscode.window.showErrorMessage(`CI Triage could not parse ${name}: ${message}`);
    } finally {
      if (this.running.get(key) === cts) this.running.delete(key);
      cts.dispose();
    }
  }

  private logUnmapped(name: string, unmapped: readonly Problem[]): void {
    for (const p of unmapped.slice(0, MAX_LOGGED_UNMAPPED)) {
      const at = p.file ? `${p.file}${p.line !== null ? `:${p.line}` : ''}` : '(no file)';
      this.log.info(`${name}:${p.logLine}: not a workspace file: ${p.tool} ${at}: ${p.message}`);
    }
    if (unmapped.length > MAX_LOGGED_UNMAPPED)
      this.log.info(`${name}: and ${unmapped.length - MAX_LOGGED_UNMAPPED} more not on workspace files`);
  }
}

/** The active editor's log, or else one the user picks. */
async function pickLog(): Promise<vscode.Uri | undefined> {
  const doc = vscode.window.activeTextEditor?.document;
  if (doc && (doc.languageId === 'ci-log' || doc.languageId === 'log' || /\.(log|txt)$/i.test(doc.uri.path)))
    return doc.uri;
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    openLabel: 'Show Problems',
    title: 'CI Triage: choose a CI job log',
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    filters: { 'CI logs': ['log', 'txt'], 'All files': ['*'] },
  });
  return picked?.[0];
}
