import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AuthError, connectionError, redact, registerSecret, resetTime } from '../../src/providers/errors';
import { assertEqualFor } from '../helpers/assert';

test('redact hides registered secrets and token-shaped strings', () => {
  registerSecret('s3cr3t-value-123');
  const cases: [string, string][] = [
    ['token s3cr3t-value-123 failed', 'token *** failed'],
    ['ghp_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', '***'],
    ['github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz', '***'],
    ['glpat-abcdefghij0123456789', '***'],
    ['Authorization: Bearer abc.def.ghi', 'Authorization: Bearer ***'],
    ['PRIVATE-TOKEN: whatever', 'PRIVATE-TOKEN: ***'],
    ['https://oauth2:hunter2@gitlab.com/g/p.git', 'https://oauth2:***@gitlab.com/g/p.git'],
    ['nothing to hide here', 'nothing to hide here'],
  ];
  for (const [input, want] of cases) assertEqualFor(input, redact(input), want);
});

test('error messages are redacted when built', () => {
  registerSecret('tok-registered-xyz');
  const e = new AuthError('401 for tok-registered-xyz');
  assert.equal(e.message, '401 for ***');
  assert.equal(e.kind, 'auth');
  assert.equal(e.name, 'AuthError');
});

test('connection failures: network versus TLS', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
  const wrapped = new TypeError('fetch failed', { cause: refused });
  assert.equal(connectionError('h:1', wrapped).kind, 'network');
  assert.match(connectionError('h:1', wrapped).message, /cannot reach h:1 \(ECONNREFUSED\)/);
  const cert = new TypeError('fetch failed', {
    cause: Object.assign(new Error('x'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' }),
  });
  assert.equal(connectionError('h', cert).kind, 'tls');
  assert.match(connectionError('h', cert).message, /NODE_EXTRA_CA_CERTS/);
});

test('reset time from retry-after or x-ratelimit-reset', () => {
  assert.equal(resetTime({ 'retry-after': '30' }, 1_000_000)?.getTime(), 1_030_000);
  assert.equal(resetTime({ 'x-ratelimit-reset': '1714557600' })?.toISOString(), '2024-05-01T10:00:00.000Z');
  assert.equal(resetTime({}), null);
});
