/** FIXME(#2): the tsc matcher. */
import type { Matcher } from '../matcher';

export function createTscMatcher(): Matcher {
  return { name: 'tsc', line() {} };
}
