/** Octokit's RequestError to our typed errors, with a message that says what to do. */
import {
  AuthError,
  LogExpiredError,
  NotFoundError,
  ProviderError,
  RateLimitError,
  ScopeError,
  ServerError,
  UnexpectedResponseError,
  connectionError,
  formatReset,
  resetTime,
} from '../errors';

const SCOPES =
  "a classic token with the 'repo' scope, or a fine-grained token with Actions: read and Checks: read";

interface OctokitErrorLike {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | undefined>; data?: unknown };
  cause?: unknown;
}

/** `what` names the thing asked for, e.g. "the runs of octo/app". */
export function githubError(e: unknown, host: string, what: string, hasToken: boolean): Error {
  if (e instanceof ProviderError) return e;
  const err = e as OctokitErrorLike;
  if (typeof err?.status !== 'number') return connectionError(host, e);
  // Octokit reports a failed connection as status 500 with no response.
  if (!err.response) return connectionError(host, err.cause ?? e);
  const status = err.status;
  const headers = err.response.headers ?? {};
  const msg = serverMessage(err);
  if (status === 401)
    return new AuthError(
      hasToken
        ? `${host} rejected the token (401 ${msg}): set GITHUB_TOKEN to a valid token (${SCOPES})`
        : `${host} needs a token (401): set GITHUB_TOKEN to ${SCOPES}`,
    );
  if (status === 403 || status === 429) {
    const sso = headers['x-github-sso'];
    if (sso) {
      const url = /url=(\S+)/.exec(sso)?.[1] ?? null;
      return new ScopeError(
        `the token is not authorised for this organization's SAML SSO: ${url ? `authorise it at ${url}` : 'authorise it in your GitHub token settings'}`,
        url,
      );
    }
    if (status === 429 || headers['x-ratelimit-remaining'] === '0' || /rate limit/i.test(msg)) {
      const reset = resetTime(headers as Record<string, string>);
      const kind = /secondary/i.test(msg) ? 'secondary rate limit' : 'rate limit';
      return new RateLimitError(
        `${host} ${kind} reached while reading ${what}: ${formatReset(reset)}`,
        reset,
      );
    }
    const needs = headers['x-accepted-github-permissions'] ?? headers['x-accepted-oauth-scopes'];
    return new ScopeError(
      `the token may not read ${what} (403 ${msg})${needs ? `: it needs ${needs}` : ''}; use ${SCOPES} (Actions: write to re-run or cancel)`,
    );
  }
  if (status === 404)
    return new NotFoundError(
      `${what} not found on ${host} (404): check the repository and the API URL (--repo/--api-url in the CLI, ciTriage.github.apiUrl in VS Code), and that the token can see it`,
    );
  if (status === 410)
    return new LogExpiredError(
      `${what} has expired on ${host} (410): GitHub deleted it after the log retention period`,
    );
  if (status >= 500)
    return new ServerError(`${host} kept failing (${status} ${msg}) for ${what}; try again later`, status);
  return new UnexpectedResponseError(`${host} answered ${status} (${msg}) for ${what}`, status);
}

function serverMessage(err: OctokitErrorLike): string {
  const data = err.response?.data;
  if (data && typeof data === 'object' && 'message' in data && typeof data.message === 'string')
    return data.message.slice(0, 200);
  return (err.message ?? '').split(' - ')[0]!.slice(0, 200);
}
