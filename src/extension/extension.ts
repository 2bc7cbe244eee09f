/** Extension entry point. FIXME(#4): views, providers, language client. */
import * as vscode from 'vscode';
import { LogDiagnostics } from './diagnostics';
import { ParseLogCommand } from './parseLogCommand';

// activate() does no I/O: it creates the output channel and diagnostics and registers the commands.
export function activate(context: vscode.ExtensionContext): void {
  try {
    const log = vscode.window.createOutputChannel('CI Triage', { log: true });
    context.subscriptions.push(log);
    const diagnostics = new LogDiagnostics();
    context.subscriptions.push(diagnostics);
    const workerScript = vscode.Uri.joinPath(context.extensionUri, 'dist', 'parseWorker.js').fsPath;
    context.subscriptions.push(new ParseLogCommand(workerScript, diagnostics, log));
  } catch (e) {
    // VS Code only logs a failed activation; say it where the user looks.
    void vscode.window.showErrorMessage(
      `CI Triage failed to start: ${e instanceof Error ? e.message : String(e)}`,
    );
    throw e;
  }
}

export function deactivate(): void {}
