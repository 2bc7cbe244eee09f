/**
 * Tokens for the providers: VS Code's GitHub sign-in (github.com only), else a token the user stored with
 * "CI Triage: Set GitHub/GitLab Token" (SecretStorage), else GITHUB_TOKEN / GITLAB_TOKEN. A token is never
 * logged: each one found is registered with the providers' redaction.
 */
import * as vscode from 'vscode';
import type { ProviderKind } from '../providers/ciProvider';
import { tokenFromEnv } from '../providers/createProvider';
import { registerSecret } from '../providers/errors';
import { readConfig } from './config';
import { Disposable } from './disposable';

export const SET_GITHUB_TOKEN_COMMAND = 'ciTriage.setGithubToken';
export const SET_GITLAB_TOKEN_COMMAND = 'ciTriage.setGitlabToken';

const SECRET_KEY: Record<ProviderKind, string> = {
  github: 'ciTriage.github.token',
  gitlab: 'ciTriage.gitlab.token',
};
const LABEL: Record<ProviderKind, string> = { github: 'GitHub', gitlab: 'GitLab' };

export type TokenSource = 'session' | 'secret' | 'env';

export interface FoundToken {
  token: string;
  source: TokenSource;
}

export class Auth extends Disposable {
  private readonly changed = this.register(new vscode.EventEmitter<ProviderKind>());
  /** A stored token was set or removed, or the GitHub sign-in changed. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly secrets: vscode.SecretStorage) {
    super();
    this.register(
      vscode.commands.registerCommand(SET_GITHUB_TOKEN_COMMAND, () => this.promptForToken('github')),
    );
    this.register(
      vscode.commands.registerCommand(SET_GITLAB_TOKEN_COMMAND, () => this.promptForToken('gitlab')),
    );
    this.register(
      secrets.onDidChange((e) => {
        if (e.key === SECRET_KEY.github) this.changed.fire('github');
        else if (e.key === SECRET_KEY.gitlab) this.changed.fire('gitlab');
      }),
    );
    this.register(
      vscode.authentication.onDidChangeSessions((e) => {
        if (e.provider.id === 'github') this.changed.fire('github');
      }),
    );
  }

  /** The token to use for `provider`, or null when the user is signed out everywhere. */
  async token(provider: ProviderKind): Promise<FoundToken | null> {
    const found =
      (await this.fromSession(provider)) ?? (await this.fromSecrets(provider)) ?? fromEnv(provider);
    registerSecret(found?.token);
    return found;
  }

  private async fromSession(provider: ProviderKind): Promise<FoundToken | null> {
    // VS Code's GitHub sign-in only speaks to github.com; with an Enterprise (or local) API it would hand out
    // a token that server does not know, and it cannot work offline.
    if (provider !== 'github' || readConfig().githubApiUrl !== null) return null;
    try {
      const s = await vscode.authentication.getSession('github', ['repo'], { silent: true });
      return s ? { token: s.accessToken, source: 'session' } : null;
    } catch {
      // No GitHub authentication provider (code-server without it): the other sources remain.
      return null;
    }
  }

  private async fromSecrets(provider: ProviderKind): Promise<FoundToken | null> {
    const v = await this.secrets.get(SECRET_KEY[provider]);
    return v && v.trim() !== '' ? { token: v.trim(), source: 'secret' } : null;
  }

  private async promptForToken(provider: ProviderKind): Promise<void> {
    const value = await vscode.window.showInputBox({
      title: `CI Triage: ${LABEL[provider]} token`,
      prompt:
        provider === 'github'
          ? 'A GitHub token with the repo scope (or a fine-grained token with Actions: read and write). Leave empty to remove the stored one.'
          : 'A GitLab personal access token with the api scope (read_api to only view). Leave empty to remove the stored one.',
      password: true,
      ignoreFocusOut: true,
    });
    if (value === undefined) return;
    if (value.trim() === '') {
      await this.secrets.delete(SECRET_KEY[provider]);
      void vscode.window.showInformationMessage(
        `CI Triage: the stored ${LABEL[provider]} token was removed.`,
      );
      return;
    }
    registerSecret(value.trim());
    await this.secrets.store(SECRET_KEY[provider], value.trim());
  }
}

function fromEnv(provider: ProviderKind): FoundToken | null {
  const t = tokenFromEnv(provider);
  return t ? { token: t, source: 'env' } : null;
}
