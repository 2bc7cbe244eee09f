/** FIXME(#2): the pytest matcher. */
import type { Matcher } from '../matcher';

export function createPytestMatcher(): Matcher {
  return { name: 'pytest', line() {} };
}
