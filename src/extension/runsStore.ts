/**
 * Every repository's session, kept in step with the git extension: a new branch or HEAD replaces the
 * repository's session (its diagnostics are cleared), a load publishes the failed jobs' problems. Loads
 * happen only when asked (the view became visible, Refresh, the poller), never at activation.
 */
import * as vscode from 'vscode';
import { EtagCache } from '../providers/http';
import type { LogCache } from '../providers/logCache';
import type { Auth } from './auth';
import { onConfigChange } from './config';
import { Disposable } from './disposable';
import type { GitRepositories, GitStatus, RepoHead } from './gitRepositories';
import { RepoSession } from './repoSession';
import type { SessionDeps } from './repoSession';
import type { ParseLogFile } from './jobTriage';
import type { RunDiagnostics } from './runDiagnostics';

export interface RunsStoreDeps {
  git: GitRepositories;
  auth: Auth;
  diagnostics: RunDiagnostics;
  cache: LogCache;
  parse: ParseLogFile;
  log: vscode.LogOutputChannel;
}

export class RunsStore extends Disposable {
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  /** Something in the sessions changed: repositories, states or runs. */
  readonly onDidChange = this.changed.event;
  private readonly sessions = new Map<string, { session: RepoSession; sub: vscode.Disposable }>();
  private readonly sessionDeps: SessionDeps;
  /** Whether anyone asked for runs yet; after that, a new branch loads by itself. */
  private wanted = false;

  constructor(private readonly deps: RunsStoreDeps) {
    super();
    this.sessionDeps = {
      auth: deps.auth,
      cache: deps.cache,
      etags: new EtagCache(),
      parse: deps.parse,
      log: deps.log,
    };
    this.register(deps.git.onDidChange((s) => this.sync(s)));
    this.register(deps.auth.onDidChange(() => this.reloadIfWanted()));
    this.register(onConfigChange(() => this.reloadIfWanted(true)));
    this.register({
      dispose: () => {
        for (const { session, sub } of this.sessions.values()) {
          sub.dispose();
          session.dispose();
        }
        this.sessions.clear();
      },
    });
  }

  get git(): GitStatus {
    return this.deps.git.status;
  }

  /** The sessions, one per repository, in the order of their folders. */
  get all(): RepoSession[] {
    return [...this.sessions.values()].map((s) => s.session);
  }

  /** Loads every repository's runs (connecting to git first). Resolves when all loads are over. */
  async refresh(): Promise<void> {
    this.wanted = true;
    await this.deps.git.start();
    await Promise.all(this.all.map((s) => this.load(s)));
  }

  /** Loads what has not been loaded yet (the view became visible). */
  async ensureLoaded(): Promise<void> {
    this.wanted = true;
    await this.deps.git.start();
    await Promise.all(this.all.filter((s) => s.state.kind === 'idle').map((s) => this.load(s)));
  }

  private async load(session: RepoSession): Promise<void> {
    await session.load();
    if (!this.isCurrent(session)) return;
    if (session.state.kind === 'ready')
      await this.deps.diagnostics.publish(session.head.root, session.failedJobs);
  }

  private reloadIfWanted(forget = false): void {
    if (!this.wanted) return;
    if (forget) this.sync(this.deps.git.status, true);
    void this.refresh();
  }

  private isCurrent(session: RepoSession): boolean {
    return this.sessions.get(session.head.root.toString())?.session === session;
  }

  private sync(status: GitStatus, replaceAll = false): void {
    const heads: RepoHead[] = status.kind === 'ready' ? status.repos : [];
    const seen = new Set<string>();
    const toLoad: RepoSession[] = [];
    for (const head of heads) {
      const key = head.root.toString();
      seen.add(key);
      const old = this.sessions.get(key);
      if (old && !replaceAll && sameHead(old.session.head, head)) continue;
      if (old) this.drop(key);
      const session = new RepoSession(head, this.sessionDeps);
      const sub = session.onDidChange(() => this.changed.fire());
      this.sessions.set(key, { session, sub });
      if (this.wanted) toLoad.push(session);
    }
    for (const key of [...this.sessions.keys()]) if (!seen.has(key)) this.drop(key);
    this.deps.diagnostics.retain(heads.map((h) => h.root));
    this.changed.fire();
    for (const s of toLoad) void this.load(s);
  }

  private drop(key: string): void {
    const old = this.sessions.get(key);
    if (!old) return;
    old.sub.dispose();
    old.session.dispose();
    this.sessions.delete(key);
    // The old branch's problems are not this branch's.
    this.deps.diagnostics.clear(old.session.head.root);
  }
}

function sameHead(a: RepoHead, b: RepoHead): boolean {
  return a.remoteUrl === b.remoteUrl && a.branch === b.branch && a.headSha === b.headSha;
}
