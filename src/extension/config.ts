/** The extension's settings, read through typed getters: no `ciTriage.*` string keys anywhere else. */
import * as vscode from 'vscode';
import type { ProviderKind } from '../providers/ciProvider';

const SECTION = 'ciTriage';

export type ProviderSetting = 'auto' | ProviderKind;

export interface Config {
  /** GitHub REST base for GitHub Enterprise (`https://HOST/api/v3`), or null for the remote's default. */
  githubApiUrl: string | null;
  /** A self-hosted GitLab's URL, or null for the remote's default. */
  gitlabUrl: string | null;
  provider: ProviderSetting;
  /** Seconds between refreshes while the view is visible; 0 turns polling off. */
  pollIntervalSeconds: number;
  notifyOnFailure: boolean;
  /** Only the latest attempts of the newest commit's runs (else the two commits before it too). */
  latestCommitOnly: boolean;
  /** Which container engine "Reproduce Locally" uses. */
  containerEngine: 'auto' | 'podman' | 'docker';
  /** Images that stand in for runner VMs, by runner label and by Python version. */
  reproduceImages: { byRunnerLabel: Record<string, string>; byPythonVersion: Record<string, string> };
}

export function readConfig(): Config {
  const c = vscode.workspace.getConfiguration(SECTION);
  const provider = c.get<string>('provider', 'auto');
  const poll = c.get<number>('pollInterval', 60);
  const engine = c.get<string>('containerEngine', 'auto');
  return {
    githubApiUrl: url(c.get<string>('github.apiUrl', '')),
    gitlabUrl: url(c.get<string>('gitlab.url', '')),
    provider: provider === 'github' || provider === 'gitlab' ? provider : 'auto',
    // Below 10 s a branch's few runs would cost more requests than they are worth.
    pollIntervalSeconds: Number.isFinite(poll) && poll > 0 ? Math.max(10, poll) : 0,
    notifyOnFailure: c.get<boolean>('notifyOnFailure', false),
    latestCommitOnly: c.get<boolean>('problems.latestCommitOnly', true),
    containerEngine: engine === 'podman' || engine === 'docker' ? engine : 'auto',
    reproduceImages: {
      byRunnerLabel: stringMap(c.get<unknown>('reproduce.imageForRunner', {})),
      byPythonVersion: stringMap(c.get<unknown>('reproduce.imageForPython', {})),
    },
  };
}

/** The API base the remote's provider should use: the matching setting, or null. */
export function apiUrlFor(config: Config, provider: ProviderKind): string | null {
  return provider === 'github' ? config.githubApiUrl : config.gitlabUrl;
}

/** Fires when any `ciTriage.*` setting changes. */
export function onConfigChange(listener: () => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration(SECTION)) listener();
  });
}

/** A settings object of strings; anything else in it is ignored (the image check happens in the plan). */
function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof v !== 'object' || v === null) return out;
  for (const [k, x] of Object.entries(v)) if (typeof x === 'string' && x.trim()) out[k] = x.trim();
  return out;
}

function url(v: string | undefined): string | null {
  const t = (v ?? '').trim();
  return t === '' ? null : t.replace(/\/+$/, '');
}
