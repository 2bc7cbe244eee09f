/** FIXME(#2): the unittest matcher. */
import type { Matcher } from '../matcher';

export function createUnittestMatcher(): Matcher {
  return { name: 'unittest', line() {} };
}
