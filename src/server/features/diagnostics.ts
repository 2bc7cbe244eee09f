/**
 * Diagnostics in the log itself: each problem at the log line that printed it (the whole line), with the
 * place it points at in its message, so the log reads like the Problems panel does for the workspace files.
 */
import { DiagnosticSeverity } from 'vscode-languageserver';
import type { Diagnostic } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Problem } from '../../core/model';
import { lineRange } from './ranges';
import type { WorkspaceFiles } from './workspaceFiles';

export const SOURCE = 'ci-triage';

export interface DiagnosticsOptions {
  /** The client shows `relatedInformation` (a link to the file the problem points at). */
  relatedInformation: boolean;
}

export function toDiagnostics(
  doc: TextDocument,
  problems: readonly Problem[],
  contentLines: number,
  dropped: number,
  files: WorkspaceFiles,
  opts: DiagnosticsOptions,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  let past = 0;
  for (const p of problems) {
    // logLine 0: an API annotation no log line printed.
    if (p.logLine < 1) continue;
    if (p.logLine > contentLines) {
      past++;
      continue;
    }
    const d: Diagnostic = {
      range: lineRange(doc, p.logLine - 1),
      severity: severity(p),
      source: SOURCE,
      message: problemMessage(p),
    };
    const code = p.code ?? p.test ?? undefined;
    if (code) d.code = code;
    if (opts.relatedInformation && p.line !== null) {
      const f = p.path ? files.resolve(p.path) : null;
      if (f) {
        const at = { line: p.line - 1, character: Math.max(0, (p.column ?? 1) - 1) };
        d.relatedInformation = [
          { location: { uri: f.uri, range: { start: at, end: at } }, message: `${p.tool}: ${p.message}` },
        ];
      }
    }
    out.push(d);
  }
  if ((past > 0 || dropped > 0) && contentLines > 0) {
    // The truncation marker line (or the last line) says what the document cannot show.
    const last = Math.min(contentLines, doc.lineCount - 1);
    const n = past + dropped;
    out.push({
      range: lineRange(doc, last),
      severity: DiagnosticSeverity.Information,
      source: SOURCE,
      message: `${n} more problem${n === 1 ? '' : 's'} past the end of what this document shows (see the Problems panel)`,
    });
  }
  return out;
}

/** The problem's message with where it points: `assert 0 == 1 (tests/test_a.py:9)`. */
export function problemMessage(p: Problem): string {
  const where = location(p);
  return where ? `${p.message} (${where})` : p.message;
}

/** `path:line:col` as the log printed it (workspace-relative when it maps), or null. */
export function location(p: Problem): string | null {
  const file = p.path ?? p.file;
  if (!file) return null;
  if (p.line === null) return file;
  return p.column !== null ? `${file}:${p.line}:${p.column}` : `${file}:${p.line}`;
}

function severity(p: Problem): DiagnosticSeverity {
  return p.severity === 'error'
    ? DiagnosticSeverity.Error
    : p.severity === 'warning'
      ? DiagnosticSeverity.Warning
      : DiagnosticSeverity.Information;
}
