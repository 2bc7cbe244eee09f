/** Extension entry point: owns every disposable; no network I/O and no server start here. */
import * as vscode from 'vscode';
import { LogCache, defaultCacheDir } from '../providers/logCache';
import { Auth } from './auth';
import { CiLanguageClient } from './languageClient';
import { LogDocuments } from './logDocuments';
import { ReproduceCommand } from './reproduceCommand';
import { LogDiagnostics } from './diagnostics';
import { FailureNotifier } from './failureNotifier';
import { GitRepositories } from './gitRepositories';
import { ParseLogCommand } from './parseLogCommand';
import { Poller } from './poller';
import { createRedactedLog } from './redactedLog';
import { RunCommands } from './runCommands';
import { RunDiagnostics } from './runDiagnostics';
import { RunsStore } from './runsStore';
import { RunsTree } from './runsTree';
import { CiStatusBar } from './statusBar';

// activate() does no network I/O: it creates the views, the status bar and the commands. Runs load when the
// view becomes visible (or on Refresh).
export function activate(context: vscode.ExtensionContext): void {
  const own = <T extends vscode.Disposable>(d: T): T => {
    context.subscriptions.push(d);
    return d;
  };
  try {
    const log = own(createRedactedLog('CI Triage'));
    const cacheDir = defaultCacheDir();
    const server = own(
      new CiLanguageClient(
        vscode.Uri.joinPath(context.extensionUri, 'dist', 'server.js').fsPath,
        { logCacheDir: cacheDir },
        log,
      ),
    );
    const diagnostics = own(new LogDiagnostics());
    own(new ParseLogCommand(server, diagnostics, log));

    const git = own(new GitRepositories(log));
    const auth = own(new Auth(context.secrets));
    const store = own(
      new RunsStore({
        git,
        auth,
        diagnostics: own(new RunDiagnostics()),
        cache: new LogCache({ dir: cacheDir }),
        parse: (file, workspace, token) => server.parseLogFile(file, workspace, token),
        log,
      }),
    );
    const tree = own(new RunsTree(store));
    own(new RunCommands(store, tree, log, own(new LogDocuments(server, log))));
    own(new ReproduceCommand(context, server, tree, log));
    own(new CiStatusBar(store));
    own(new FailureNotifier(store));
    own(new Poller(store, tree.view));
    const loadIfVisible = () => {
      if (tree.view.visible) void store.ensureLoaded();
    };
    own(tree.view.onDidChangeVisibility(loadIfVisible));
    // Local only: the git extension finds the repositories, so the status bar can name the branch.
    void git.start();
    // Started with the view already open: onDidChangeVisibility will not fire for it.
    loadIfVisible();
  } catch (e) {
    // VS Code only logs a failed activation; say it where the user looks.
    void vscode.window.showErrorMessage(
      `CI Triage failed to start: ${e instanceof Error ? e.message : String(e)}`,
    );
    throw e;
  }
}

export function deactivate(): void {}
