/** GitLab's error answers to our typed errors, with a message that says what to do. */
import {
  AuthError,
  LogExpiredError,
  NotFoundError,
  ScopeError,
  ServerError,
  UnexpectedResponseError,
} from '../errors';

const SCOPES =
  "a personal, group or project access token with the 'read_api' scope ('api' to retry or cancel)";

export function gitlabError(
  status: number,
  body: string,
  host: string,
  what: string,
  hasToken: boolean,
): Error {
  const msg = serverMessage(body);
  if (status === 401)
    return new AuthError(
      hasToken
        ? `${host} rejected the token (401 ${msg}): set GITLAB_TOKEN to a valid token (${SCOPES})`
        : `${host} needs a token (401): set GITLAB_TOKEN to ${SCOPES}`,
    );
  if (status === 403) {
    const scope = /insufficient_scope/.test(body)
      ? (/"scope"\s*:\s*"([^"]{1,100})"/.exec(body)?.[1] ?? 'read_api')
      : null;
    return new ScopeError(
      scope
        ? `the token lacks a scope for ${what} (403 insufficient_scope): it needs ${scope.split(' ').join(' or ')}; use ${SCOPES}`
        : `the token may not read ${what} (403 ${msg}): it needs at least Reporter access and ${SCOPES}`,
    );
  }
  if (status === 404)
    return new NotFoundError(
      `${what} not found on ${host} (404 ${msg}): check the project path and the GitLab URL (--repo/--api-url in the CLI, ciTriage.gitlab.url in VS Code), and that the token can see the project`,
    );
  if (status === 410) return new LogExpiredError(`${what} has expired on ${host} (410): GitLab erased it`);
  if (status >= 500)
    return new ServerError(`${host} kept failing (${status} ${msg}) for ${what}; try again later`, status);
  return new UnexpectedResponseError(`${host} answered ${status} (${msg}) for ${what}`, status);
}

function serverMessage(body: string): string {
  try {
    const j = JSON.parse(body) as { message?: unknown; error?: unknown; error_description?: unknown };
    const m = j.message ?? j.error_description ?? j.error;
    if (typeof m === 'string') return m.slice(0, 200);
    if (m) return JSON.stringify(m).slice(0, 200);
  } catch {
    // not JSON
  }
  return body.trim().slice(0, 200);
}
