/** Picks the CiProvider for a repository. The one place that names both implementations. */
import type { CiProvider, RepositoryRef } from './ciProvider';
import type { RetryPolicy } from './http';
import type { EtagCache, FetchFn } from './http';
import { GithubProvider } from './github/githubProvider';
import { GitlabProvider } from './gitlab/gitlabProvider';

export interface ProviderOptions {
  token: string | null;
  retry?: Partial<RetryPolicy>;
  logIdleTimeoutMs?: number;
  etags?: EtagCache;
  /** The HTTP client (the CLI's goes through the environment's proxy); global fetch by default. */
  fetch?: FetchFn;
}

export function createProvider(repo: RepositoryRef, opts: ProviderOptions): CiProvider {
  return repo.provider === 'github'
    ? new GithubProvider({ repo, ...opts })
    : new GitlabProvider({ repo, ...opts });
}

/** The token for a provider from the environment; null when none is set. */
export function tokenFromEnv(
  provider: RepositoryRef['provider'],
  env: NodeJS.ProcessEnv = process.env,
): string | null {
  const v = provider === 'github' ? (env.GITHUB_TOKEN ?? env.GH_TOKEN) : env.GITLAB_TOKEN;
  return v && v.trim() !== '' ? v.trim() : null;
}
