/**
 * The part of VS Code's built-in git extension API (`vscode.git`, `getAPI(1)`) this extension reads. The
 * full typings live in vscode's repository (extensions/git/src/api/git.d.ts); these are a faithful subset.
 */
import type * as vscode from 'vscode';

export interface GitRef {
  readonly name?: string;
  readonly commit?: string;
}

export interface GitUpstream {
  readonly remote: string;
  readonly name: string;
}

export interface GitBranch extends GitRef {
  readonly upstream?: GitUpstream;
}

export interface GitRemote {
  readonly name: string;
  readonly fetchUrl?: string;
  readonly pushUrl?: string;
}

export interface GitRepositoryState {
  readonly HEAD: GitBranch | undefined;
  readonly remotes: GitRemote[];
  readonly onDidChange: vscode.Event<void>;
}

export interface GitRepository {
  readonly rootUri: vscode.Uri;
  readonly state: GitRepositoryState;
}

export type GitApiState = 'uninitialized' | 'initialized';

export interface GitApi {
  readonly state: GitApiState;
  readonly onDidChangeState: vscode.Event<GitApiState>;
  readonly repositories: GitRepository[];
  readonly onDidOpenRepository: vscode.Event<GitRepository>;
  readonly onDidCloseRepository: vscode.Event<GitRepository>;
}

export interface GitExtension {
  readonly enabled: boolean;
  getAPI(version: 1): GitApi;
}
