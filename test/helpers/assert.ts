/** Assertion helpers whose failures say what went in and what came out. */
import assert from 'node:assert/strict';

export function assertEqualFor<T>(input: string, actual: T, expected: T, what = 'result'): void {
  assert.deepEqual(
    actual,
    expected,
    `${what} for input:\n${indent(input)}\n--- got:\n${indent(JSON.stringify(actual, null, 2))}\n--- want:\n${indent(JSON.stringify(expected, null, 2))}`,
  );
}

function indent(s: string): string {
  const t = s.length > 4000 ? s.slice(0, 4000) + '\n…' : s;
  return t
    .split('\n')
    .map((l) => '    ' + l)
    .join('\n');
}
