/** FIXME(#2): the precommit matcher. */
import type { Matcher } from '../matcher';

export function createPrecommitMatcher(): Matcher {
  return { name: 'precommit', line() {} };
}
