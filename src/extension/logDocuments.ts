/**
 * Job logs as read-only documents: `ci-triage-log:` URIs served from the log cache through the language
 * server's renderer (timestamps and ANSI removed, one text line per log line, so log line N is line N),
 * language `ci-log`. Plus "Open Full Log" for a log too big to show whole, and "Open as CI Log".
 */
import * as vscode from 'vscode';
import { LOG_DOCUMENT_MAX_CHARS, LOG_SCHEME, logDocumentUri, parseLogDocumentUri } from '../protocol';
import type { LogDocumentInfo } from '../protocol';
import { Disposable } from './disposable';
import { CI_LOG_LANGUAGE } from './languageClient';
import type { CiLanguageClient } from './languageClient';

export const OPEN_FULL_LOG_COMMAND = 'ciTriage.openFullLog';
export const OPEN_AS_CI_LOG_COMMAND = 'ciTriage.openAsCiLog';

export class LogDocuments extends Disposable implements vscode.TextDocumentContentProvider {
  constructor(
    private readonly server: CiLanguageClient,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this.register(vscode.workspace.registerTextDocumentContentProvider(LOG_SCHEME, this));
    this.register(vscode.commands.registerCommand(OPEN_FULL_LOG_COMMAND, (u?: unknown) => this.openFull(u)));
    this.register(
      vscode.commands.registerCommand(OPEN_AS_CI_LOG_COMMAND, (u?: unknown) => this.openAsCiLog(u)),
    );
  }

  async provideTextDocumentContent(uri: vscode.Uri, token: vscode.CancellationToken): Promise<string> {
    const info = parseLogDocumentUri(uri.toString(true));
    if (!info) return 'CI Triage: this log link is damaged. Open the job again from the CI Triage view.';
    try {
      const r = await this.server.renderLog(info.file, LOG_DOCUMENT_MAX_CHARS, token);
      if (r.truncated || r.elided > 0)
        this.log.info(
          `${info.job}: log of ${r.bytes} bytes: ${r.elided} lines of passed steps left out, ` +
            `${r.truncated ? `cut after line ${r.lines} of ${r.totalLines}` : 'shown to the end'}`,
        );
      return r.text;
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      this.log.warn(`${info.job}: cannot show the log: ${msg}`);
      return `CI Triage could not show the log of ${info.job}: ${msg}\nRefresh the CI Triage view to download it again.`;
    }
  }

  /** Opens the job's log with log line `line` (1-based) at the top, if given. */
  async open(info: LogDocumentInfo, line?: number): Promise<void> {
    const uri = vscode.Uri.parse(logDocumentUri(info), true);
    const doc = await vscode.workspace.openTextDocument(uri);
    if (doc.languageId !== CI_LOG_LANGUAGE)
      await vscode.languages.setTextDocumentLanguage(doc, CI_LOG_LANGUAGE);
    const at = line && line > 0 ? Math.min(line - 1, Math.max(0, doc.lineCount - 1)) : 0;
    const editor = await vscode.window.showTextDocument(doc, {
      preview: true,
      selection: new vscode.Range(at, 0, at, 0),
    });
    editor.revealRange(new vscode.Range(at, 0, at, 0), vscode.TextEditorRevealType.AtTop);
  }

  private async openFull(arg?: unknown): Promise<void> {
    const uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
    const info = uri ? parseLogDocumentUri(uri.toString(true)) : null;
    if (!info) {
      void vscode.window.showInformationMessage('CI Triage: open a job log from the CI Triage view first.');
      return;
    }
    // The raw cached file, timestamps and all: VS Code opens big files in its own large-file mode.
    await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(info.file));
  }

  private async openAsCiLog(arg?: unknown): Promise<void> {
    const uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
    if (!uri) {
      void vscode.window.showInformationMessage('CI Triage: open a log file first.');
      return;
    }
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(doc, CI_LOG_LANGUAGE);
    await vscode.window.showTextDocument(doc);
  }
}
