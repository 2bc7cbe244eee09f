/**
 * The failed jobs' problems of each repository's branch as diagnostics on the workspace files. A load
 * replaces a repository's entries; a branch switch clears them. Problems whose file is not in the workspace
 * (or does not exist there) stay in the tree only.
 */
import * as vscode from 'vscode';
import type { JobProblems } from './jobTriage';
import { logDocumentUri } from '../protocol';
import { toDiagnostic } from './diagnostics';
import { Disposable } from './disposable';

const MAX_PER_REPO = 10_000;

export class RunDiagnostics extends Disposable {
  // Not 'ci-triage': two collections with one name share their entries, and the log command owns that one.
  private readonly collection = this.register(vscode.languages.createDiagnosticCollection('ci-triage-runs'));
  private readonly byRepo = new Map<string, Map<string, vscode.Diagnostic[]>>();

  /** Replaces what the repository at `root` shows; resolves to the number of diagnostics shown. */
  async publish(root: vscode.Uri, jobs: readonly JobProblems[]): Promise<number> {
    const perFile = new Map<string, vscode.Diagnostic[]>();
    const exists = new Map<string, Promise<boolean>>();
    let shown = 0;
    for (const j of jobs) {
      // Related information points into the job's log document (line N = log line N), not the raw cache file.
      const log = j.logFile
        ? vscode.Uri.parse(
            logDocumentUri({ file: j.logFile, job: j.job.name, url: j.job.url, workspace: root.fsPath }),
            true,
          )
        : vscode.Uri.parse(j.job.url);
      const link = safeUri(j.job.url);
      for (const p of j.problems) {
        if (p.path === null || shown >= MAX_PER_REPO) continue;
        const file = vscode.Uri.joinPath(root, ...p.path.split('/'));
        const k = file.toString();
        if (!exists.has(k)) exists.set(k, isWorkspaceFile(file));
        if (!(await exists.get(k))) continue;
        let list = perFile.get(k);
        if (!list) perFile.set(k, (list = []));
        list.push(toDiagnostic(p, log, link));
        shown++;
      }
    }
    const before = this.byRepo.get(root.toString());
    this.byRepo.set(root.toString(), perFile);
    this.refresh(new Set([...(before?.keys() ?? []), ...perFile.keys()]));
    return shown;
  }

  clear(root: vscode.Uri): void {
    const before = this.byRepo.get(root.toString());
    if (!before) return;
    this.byRepo.delete(root.toString());
    this.refresh(new Set(before.keys()));
  }

  /** Drops the entries of repositories not in `roots`. */
  retain(roots: readonly vscode.Uri[]): void {
    const keep = new Set(roots.map((r) => r.toString()));
    for (const k of [...this.byRepo.keys()]) if (!keep.has(k)) this.clear(vscode.Uri.parse(k));
  }

  private refresh(files: Set<string>): void {
    for (const file of files) {
      const all: vscode.Diagnostic[] = [];
      for (const perFile of this.byRepo.values()) for (const d of perFile.get(file) ?? []) all.push(d);
      this.collection.set(vscode.Uri.parse(file), all.length > 0 ? all : undefined);
    }
  }
}

async function isWorkspaceFile(uri: vscode.Uri): Promise<boolean> {
  if (!vscode.workspace.getWorkspaceFolder(uri)) return false;
  try {
    return ((await vscode.workspace.fs.stat(uri)).type & vscode.FileType.File) !== 0;
  } catch {
    return false;
  }
}

function safeUri(url: string): vscode.Uri | undefined {
  try {
    return /^https?:\/\//.test(url) ? vscode.Uri.parse(url, true) : undefined;
  } catch {
    return undefined;
  }
}
