/**
 * Container image references, checked against the distribution reference grammar
 * (github.com/distribution/reference): `[domain[:port]/]path[:tag][@sha256:<64 hex>]`.
 *
 * A reference is accepted whole or refused whole: it is never cut down to a valid prefix, because
 * `python:3.11;rm -rf ~` cut to `python:3.11` would run an image the log never named.
 */

/** A parsed, valid image reference. */
export interface ImageRef {
  /** The repository name as written, with its domain when it has one (`ghcr.io/o/img`, `python`). */
  name: string;
  tag: string | null;
  /** `sha256:<64 lowercase hex>`, or null. */
  digest: string | null;
}

const MAX_NAME = 255;
// One path component: lowercase alphanumerics joined by `.`, `_`, `__` or runs of `-`.
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const HOST = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])`;
const DOMAIN = `${HOST}(?::[0-9]+)?`;
const NAME = new RegExp(`^(?:${DOMAIN}/)?${COMPONENT}(?:/${COMPONENT})*$`);
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

export class ImageRefError extends Error {
  constructor(
    readonly image: string,
    reason: string,
  ) {
    super(`invalid image reference ${JSON.stringify(image)}: ${reason}`);
  }
}

/** Parses `ref`, or throws an ImageRefError that names it and says what is wrong. */
export function parseImageRef(ref: string): ImageRef {
  const fail = (why: string): never => {
    throw new ImageRefError(ref, why);
  };
  if (ref.length === 0) fail('it is empty');
  if (/[\s\x00-\x1f\x7f]/.test(ref)) fail('it contains whitespace or control characters');
  let rest = ref;
  let digest: string | null = null;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) fail('the digest must be sha256: followed by 64 lowercase hex digits');
  }
  let tag: string | null = null;
  // A tag follows the last ':' that comes after the last '/' (a ':' before it is the registry's port).
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag))
      fail('the tag must be letters, digits, _ . - (at most 128, not starting with . or -)');
  }
  if (rest.length === 0) fail('the name is missing');
  if (rest.length > MAX_NAME) fail(`the name is longer than ${MAX_NAME} characters`);
  if (!NAME.test(rest)) {
    fail(
      'the name must be lowercase path components (a-z 0-9 separated by . _ __ or -), optionally after a registry host',
    );
  }
  return { name: rest, tag, digest };
}

/** True when `ref` is a valid image reference. */
export function isValidImageRef(ref: string): boolean {
  try {
    parseImageRef(ref);
    return true;
  } catch {
    return false;
  }
}

/** The reference as text: `name[:tag][@digest]`. */
export function formatImageRef(r: ImageRef): string {
  return `${r.name}${r.tag !== null ? `:${r.tag}` : ''}${r.digest !== null ? `@${r.digest}` : ''}`;
}

/** `ref` pinned to `digest` (a digest already in `ref` wins when they agree; a conflict throws). */
export function pinImage(ref: string, digest: string | null): ImageRef {
  const r = parseImageRef(ref);
  if (digest === null) return r;
  if (!DIGEST.test(digest)) throw new ImageRefError(`${ref}@${digest}`, 'the digest is not sha256:<64 hex>');
  if (r.digest !== null && r.digest !== digest)
    throw new ImageRefError(ref, `it names digest ${r.digest} but the log shows ${digest}`);
  return { ...r, digest };
}
