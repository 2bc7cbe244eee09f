/**
 * The workspace's git repositories as CI Triage needs them: root, the remote to ask the CI about, the
 * branch and HEAD commit. Fires when a repository opens or closes, or its branch, HEAD or remote changes.
 */
import * as vscode from 'vscode';
import { readGitHead } from '../core/gitFiles';
import { Disposable } from './disposable';
import type { GitApi, GitExtension, GitRepository } from './gitApi';

export interface RepoHead {
  /** The repository's root folder. */
  root: vscode.Uri;
  /** The branch's upstream remote URL, else `origin`'s, else the first remote's; null with no remote. */
  remoteUrl: string | null;
  /** The branch name on the remote (the upstream's when it has one), or null on a detached HEAD. */
  branch: string | null;
  headSha: string | null;
}

export type GitStatus =
  /** The git extension has not found the repositories yet. */
  { kind: 'starting' } | { kind: 'unavailable'; reason: string } | { kind: 'ready'; repos: RepoHead[] };

export class GitRepositories extends Disposable {
  private readonly changed = this.register(new vscode.EventEmitter<GitStatus>());
  readonly onDidChange = this.changed.event;
  private api: GitApi | null = null;
  private readonly watched = new Map<GitRepository, vscode.Disposable>();
  private current: GitStatus = { kind: 'starting' };
  private starting: Promise<void> | null = null;

  constructor(private readonly log: vscode.LogOutputChannel) {
    super();
    this.register({ dispose: () => this.watched.forEach((d) => d.dispose()) });
  }

  get status(): GitStatus {
    return this.current;
  }

  /** Connects to the git extension (activating it if needed); later calls return the same promise. */
  start(): Promise<void> {
    this.starting ??= this.connect();
    return this.starting;
  }

  private async connect(): Promise<void> {
    const ext = vscode.extensions.getExtension<GitExtension>('vscode.git');
    // In Restricted Mode the git extension is off: read the repositories' files instead (never run git there).
    if (!ext && !vscode.workspace.isTrusted) return this.readFiles();
    if (!ext) return this.set({ kind: 'unavailable', reason: 'the built-in Git extension is missing' });
    let git: GitExtension;
    try {
      git = ext.isActive ? ext.exports : await ext.activate();
    } catch (e) {
      return this.set({ kind: 'unavailable', reason: `the Git extension failed: ${(e as Error).message}` });
    }
    if (!git.enabled) return this.set({ kind: 'unavailable', reason: 'Git is disabled (git.enabled)' });
    const api = git.getAPI(1);
    this.api = api;
    this.register(api.onDidOpenRepository((r) => this.watch(r)));
    this.register(
      api.onDidCloseRepository((r) => {
        this.watched.get(r)?.dispose();
        this.watched.delete(r);
        this.update();
      }),
    );
    this.register(api.onDidChangeState(() => this.update()));
    for (const r of api.repositories) this.watch(r);
    this.update();
  }

  private filesWatched = false;

  /** Restricted Mode: each workspace folder's `.git` files, read again when HEAD, a branch or the config changes. */
  private async readFiles(): Promise<void> {
    if (!this.filesWatched) {
      this.filesWatched = true;
      const reread = () => void this.readFiles();
      for (const f of vscode.workspace.workspaceFolders ?? []) {
        const w = this.register(
          vscode.workspace.createFileSystemWatcher(
            new vscode.RelativePattern(f, '.git/{HEAD,config,packed-refs,refs/heads/**}'),
          ),
        );
        this.register(w.onDidChange(reread));
        this.register(w.onDidCreate(reread));
      }
      this.register(vscode.workspace.onDidChangeWorkspaceFolders(reread));
      // Once trusted, the git extension starts: switch to it.
      this.register(
        vscode.workspace.onDidGrantWorkspaceTrust(() => {
          this.starting = this.connect();
        }),
      );
    }
    const heads = await Promise.all(
      (vscode.workspace.workspaceFolders ?? []).map((f) => readGitHead(f.uri.fsPath)),
    );
    if (vscode.workspace.isTrusted && this.api) return;
    const repos = heads
      .filter((h) => h !== null)
      .map((h) => ({
        root: vscode.Uri.file(h.root),
        remoteUrl: h.remoteUrl,
        branch: h.branch,
        headSha: h.headSha,
      }))
      .sort((a, b) => a.root.fsPath.localeCompare(b.root.fsPath));
    this.set({ kind: 'ready', repos });
  }

  private watch(repo: GitRepository): void {
    if (this.watched.has(repo)) return;
    let last = key(headOf(repo));
    // state.onDidChange fires on every index or working-tree change; only a new branch, HEAD or remote counts.
    this.watched.set(
      repo,
      repo.state.onDidChange(() => {
        const now = key(headOf(repo));
        if (now === last) return;
        last = now;
        this.update();
      }),
    );
    this.update();
  }

  private update(): void {
    const api = this.api;
    if (!api) return;
    if (api.state !== 'initialized' && api.repositories.length === 0) return this.set({ kind: 'starting' });
    // A repository is announced before its HEAD is read; it would look detached for a moment.
    if (api.repositories.some((r) => r.state.HEAD === undefined)) return this.set({ kind: 'starting' });
    const repos = api.repositories.map(headOf).sort((a, b) => a.root.fsPath.localeCompare(b.root.fsPath));
    this.set({ kind: 'ready', repos });
  }

  private set(s: GitStatus): void {
    const before = JSON.stringify(this.current);
    this.current = s;
    if (JSON.stringify(s) === before) return;
    if (s.kind === 'unavailable') this.log.warn(`git: ${s.reason}`);
    else if (s.kind === 'ready')
      for (const r of s.repos)
        this.log.info(
          `git: ${r.root.fsPath} on ${r.branch ?? '(detached)'} at ${r.headSha?.slice(0, 7) ?? '?'}`,
        );
    this.changed.fire(s);
  }
}

export function headOf(repo: GitRepository): RepoHead {
  const head = repo.state.HEAD;
  const remotes = repo.state.remotes;
  const upstream = head?.upstream;
  const remote =
    (upstream && remotes.find((r) => r.name === upstream.remote)) ??
    remotes.find((r) => r.name === 'origin') ??
    remotes[0];
  return {
    root: repo.rootUri,
    remoteUrl: remote?.fetchUrl ?? remote?.pushUrl ?? null,
    branch: upstream?.name ?? head?.name ?? null,
    headSha: head?.commit ?? null,
  };
}

function key(h: RepoHead): string {
  return `${h.remoteUrl}\0${h.branch}\0${h.headSha}`;
}
