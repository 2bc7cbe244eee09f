/** Problems found in CI logs, published as diagnostics (source `ci-triage`) on the workspace files. */
import * as vscode from 'vscode';
import { editorColumn } from '../core/model';
import type { Problem, Severity } from '../core/model';
import { Disposable } from './disposable';

/** Beyond this many a log's diagnostics would only slow the Problems panel down; the rest are counted. */
const MAX_DIAGNOSTICS_PER_LOG = 10_000;
// A problem with a line but no column marks the whole line; the editor clamps the end to the line's length.
const WHOLE_LINE = 100_000;

export interface PublishResult {
  /** Diagnostics put on workspace files. */
  shown: number;
  /** Problems with no workspace file (no path, or no workspace folder). */
  unmapped: Problem[];
  /** Problems left out over the per-log cap. */
  dropped: number;
}

export class LogDiagnostics extends Disposable {
  private readonly collection = this.register(vscode.languages.createDiagnosticCollection('ci-triage'));
  // Per log, what it put on each file: parsing a log again replaces its own entries and no other log's.
  private readonly byLog = new Map<string, Map<string, vscode.Diagnostic[]>>();

  publish(log: vscode.Uri, folder: vscode.Uri | null, problems: readonly Problem[]): PublishResult {
    const perFile = new Map<string, vscode.Diagnostic[]>();
    const unmapped: Problem[] = [];
    let shown = 0;
    let dropped = 0;
    for (const p of problems) {
      if (p.path === null || folder === null) {
        unmapped.push(p);
        continue;
      }
      if (shown >= MAX_DIAGNOSTICS_PER_LOG) {
        dropped++;
        continue;
      }
      const file = vscode.Uri.joinPath(folder, ...p.path.split('/')).toString();
      let list = perFile.get(file);
      if (!list) perFile.set(file, (list = []));
      list.push(toDiagnostic(p, log));
      shown++;
    }
    const before = this.byLog.get(log.toString());
    this.byLog.set(log.toString(), perFile);
    this.refresh(new Set([...(before?.keys() ?? []), ...perFile.keys()]));
    return { shown, unmapped, dropped };
  }

  /** Removes what `log` put on files. */
  clear(log: vscode.Uri): void {
    const before = this.byLog.get(log.toString());
    if (!before) return;
    this.byLog.delete(log.toString());
    this.refresh(new Set(before.keys()));
  }

  private refresh(files: Set<string>): void {
    for (const file of files) {
      const all: vscode.Diagnostic[] = [];
      for (const perFile of this.byLog.values()) for (const d of perFile.get(file) ?? []) all.push(d);
      this.collection.set(vscode.Uri.parse(file), all.length > 0 ? all : undefined);
    }
  }
}

/** `link` (the job's web page) becomes the target of the diagnostic's code. */
export function toDiagnostic(p: Problem, log: vscode.Uri, link?: vscode.Uri): vscode.Diagnostic {
  const line = Math.max(0, (p.line ?? 1) - 1);
  const col = editorColumn(p);
  let range: vscode.Range;
  if (p.column === null) range = new vscode.Range(line, 0, line, WHOLE_LINE);
  else if (p.endLine !== undefined && p.endColumn !== undefined && p.endLine >= (p.line ?? 1))
    range = new vscode.Range(line, col, Math.max(0, p.endLine - 1), Math.max(0, p.endColumn - 1));
  else range = new vscode.Range(line, col, line, col);

  const d = new vscode.Diagnostic(range, `${p.tool}: ${p.message}`, severity(p.severity));
  d.source = 'ci-triage';
  const code = p.code ?? p.test;
  if (code) d.code = link ? { value: code, target: link } : code;
  // logLine 0: an API annotation, not printed in the log, so there is no log line to point at.
  if (p.logLine > 0) {
    const where = p.step ? ` (step "${p.step}")` : '';
    const at = new vscode.Position(p.logLine - 1, 0);
    d.relatedInformation = [
      new vscode.DiagnosticRelatedInformation(
        new vscode.Location(log, new vscode.Range(at, at)),
        `printed by ${p.tool} at line ${p.logLine} of the CI log${where}`,
      ),
    ];
  }
  return d;
}

function severity(s: Severity): vscode.DiagnosticSeverity {
  switch (s) {
    case 'error':
      return vscode.DiagnosticSeverity.Error;
    case 'warning':
      return vscode.DiagnosticSeverity.Warning;
    case 'info':
      return vscode.DiagnosticSeverity.Information;
  }
}
