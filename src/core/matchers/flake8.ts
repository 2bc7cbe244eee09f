/** FIXME(#2): the flake8 matcher. */
import type { Matcher } from '../matcher';

export function createFlake8Matcher(): Matcher {
  return { name: 'flake8', line() {} };
}
