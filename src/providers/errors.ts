/**
 * Typed provider errors. Each message is one actionable line meant for the user; none ever contains a
 * token: every message goes through `redact()` with the secrets the providers registered.
 */

export type ProviderErrorKind =
  | 'auth'
  | 'scope'
  | 'rateLimit'
  | 'notFound'
  | 'logExpired'
  | 'logNotReady'
  | 'logIncomplete'
  | 'network'
  | 'tls'
  | 'server'
  | 'unexpected';

const secrets = new Set<string>();

/** Remembers a secret (a token) so that no error message or log line shows it. */
export function registerSecret(secret: string | null | undefined): void {
  if (secret && secret.length >= 4) secrets.add(secret);
}

// Token shapes worth hiding even when nobody registered them (a token pasted into a URL, an env dump).
const TOKEN_PATTERNS: readonly RegExp[] = [
  /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,255}\b/g,
  /\bgithub_pat_[A-Za-z0-9_]{20,255}\b/g,
  /\bglpat-[A-Za-z0-9_-]{20,255}\b/g,
  /\b(Authorization:\s{0,5}(?:Bearer|token|Basic)\s{1,5})[^\s"']{1,4096}/gi,
  /\b(PRIVATE-TOKEN:\s{0,5})[^\s"']{1,4096}/gi,
  // user:password@ in URLs (https://oauth2:TOKEN@gitlab.example.com/...)
  /(\/\/[^/\s:@]{1,256}:)[^/\s@]{1,4096}(?=@)/g,
];

/** Replaces every registered secret and every token-shaped string in `text` with `***`. */
export function redact(text: string, extra: readonly (string | null | undefined)[] = []): string {
  let out = text;
  for (const s of [...secrets, ...extra]) {
    if (!s || s.length < 4) continue;
    out = out.split(s).join('***');
  }
  for (const re of TOKEN_PATTERNS) {
    out = out.replace(re, (_m, prefix?: string) => (typeof prefix === 'string' ? `${prefix}***` : '***'));
  }
  return out;
}

export abstract class ProviderError extends Error {
  abstract readonly kind: ProviderErrorKind;
  constructor(message: string, options?: { cause?: unknown }) {
    super(redact(message), options);
    this.name = new.target.name;
  }
}

/** 401: no token, or a token the server does not accept. */
export class AuthError extends ProviderError {
  readonly kind = 'auth';
}

/** 403 for a missing scope or an organisation's SAML SSO that the token is not authorised for. */
export class ScopeError extends ProviderError {
  readonly kind = 'scope';
  constructor(
    message: string,
    /** The URL to authorise the token for SSO, when the server gave one. */
    readonly ssoUrl: string | null = null,
  ) {
    super(message);
  }
}

/** Primary or secondary rate limit; `resetAt` says when to try again. */
export class RateLimitError extends ProviderError {
  readonly kind = 'rateLimit';
  constructor(
    message: string,
    readonly resetAt: Date | null,
  ) {
    super(message);
  }
}

export class NotFoundError extends ProviderError {
  readonly kind = 'notFound';
}

/** 410: the job's log was deleted by the retention policy. */
export class LogExpiredError extends ProviderError {
  readonly kind = 'logExpired';
}

/** The job is still queued or running: its complete log does not exist yet. */
export class LogNotReadyError extends ProviderError {
  readonly kind = 'logNotReady';
}

/** The log download stopped part way: what was parsed is not the whole log. */
export class LogIncompleteError extends ProviderError {
  readonly kind = 'logIncomplete';
  constructor(
    message: string,
    readonly bytesRead: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The server could not be reached (DNS, refused, reset, timeout). */
export class NetworkError extends ProviderError {
  readonly kind = 'network';
}

/** A TLS certificate or proxy problem between us and the server. */
export class TlsError extends ProviderError {
  readonly kind = 'tls';
}

/** The server kept failing (5xx) after the retries. */
export class ServerError extends ProviderError {
  readonly kind = 'server';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export class UnexpectedResponseError extends ProviderError {
  readonly kind = 'unexpected';
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
  }
}

const TLS_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);

/** Finds the Node error code (ECONNREFUSED, CERT_HAS_EXPIRED...) in an error or its causes. */
export function errorCode(e: unknown): string | null {
  let cur: unknown = e;
  for (let i = 0; i < 5 && cur && typeof cur === 'object'; i++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return null;
}

/** Turns a failure to talk to `host` at all (no HTTP status) into NetworkError or TlsError. */
export function connectionError(host: string, e: unknown): ProviderError {
  if (e instanceof ProviderError) return e;
  const code = errorCode(e);
  const detail = code ?? innermostMessage(e);
  if (code && (TLS_CODES.has(code) || code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL'))) {
    return new TlsError(
      `TLS failure talking to ${host} (${detail}): check the certificate, or set NODE_EXTRA_CA_CERTS to your company's CA bundle`,
    );
  }
  if (code === 'ERR_PROXY' || /proxy/i.test(detail)) {
    return new TlsError(`proxy failure reaching ${host} (${detail}): check HTTPS_PROXY / NO_PROXY`);
  }
  return new NetworkError(`cannot reach ${host} (${detail}): check the network, the URL, or the proxy`);
}

function innermostMessage(e: unknown): string {
  let msg = e instanceof Error ? e.message : String(e);
  let cur: unknown = e;
  for (let i = 0; i < 5 && cur instanceof Error; i++) {
    msg = cur.message || msg;
    cur = cur.cause;
  }
  return msg;
}

/** A reset time from `x-ratelimit-reset` (epoch seconds) or `retry-after` (seconds), whichever is given. */
export function resetTime(headers: Record<string, string | undefined>, now = Date.now()): Date | null {
  const retryAfter = headers['retry-after'];
  if (retryAfter !== undefined && /^\d+$/.test(retryAfter)) return new Date(now + Number(retryAfter) * 1000);
  const reset = headers['x-ratelimit-reset'] ?? headers['ratelimit-reset'];
  if (reset !== undefined && /^\d+$/.test(reset)) return new Date(Number(reset) * 1000);
  return null;
}

export function formatReset(d: Date | null): string {
  return d ? `try again after ${d.toISOString().replace(/\.\d{3}Z$/, 'Z')}` : 'try again later';
}

/** Errors that concern one job's log (gone, not there yet, cut short): the job shows the message, the run goes on. */
export function isJobLogError(e: unknown): e is ProviderError {
  return (
    e instanceof LogIncompleteError ||
    e instanceof LogExpiredError ||
    e instanceof LogNotReadyError ||
    e instanceof NotFoundError
  );
}
