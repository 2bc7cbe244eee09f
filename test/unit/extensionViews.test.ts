/** The pure parts of the extension: the environment rows (masking, pinned/floating), the times, the poll pace. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pollDelay } from '../../src/extension/pollDelay';
import { environmentRows, maskEnvValue } from '../../src/extension/environmentView';
import { ageOf, durationOf } from '../../src/extension/time';
import { emptyEnvironment } from '../../src/core/model';

test('secret-looking env values are masked by name or by shape; public and masked ones are shown', () => {
  const cases: [string, string, string][] = [
    ['API_TOKEN', 'abc123', '***'],
    ['DB_PASSWORD', 'hunter2', '***'],
    ['AWS_SECRET_ACCESS_KEY', 'x', '***'],
    ['NOTE', 'ghp_abcdefghijklmnopqrstuvwxyz0123', '***'],
    ['REPO_URL', 'https://user:pa55@host/x.git', '***'],
    ['KEYBOARD_LAYOUT', 'us', 'us'],
    ['PUBLIC_KEY', 'ssh-ed25519 AAAA', 'ssh-ed25519 AAAA'],
    ['CACHE_KEY', 'deps-v1', 'deps-v1'],
    ['API_TOKEN', '***', '***'],
    ['CI_JOB_TOKEN', '[MASKED]', '[MASKED]'],
    ['PYTHONPATH', 'src', 'src'],
  ];
  for (const [name, value, want] of cases) {
    assert.equal(maskEnvValue(name, value), want, `mask(${name}=${value})`);
  }
});

test('environment rows: container image pinned by digest or floating by tag, env masked, packages listed', () => {
  const env = {
    ...emptyEnvironment(),
    python: '3.11.9',
    os: 'Ubuntu 24.04.1 LTS',
    containerImage: 'python:3.11-slim',
    image: 'python:3.11-slim',
    digest: 'sha256:' + 'a'.repeat(64),
    env: { SECRET_KEY: 'plain', PYTHONPATH: 'src' },
    packages: { pytest: '8.3.3' },
  };
  const rows = environmentRows(env);
  const byLabel = new Map(rows.map((r) => [r.label, r]));
  assert.equal(byLabel.get('Python')?.value, '3.11.9');
  assert.match(byLabel.get('Container image')?.value ?? '', /^python:3\.11-slim@sha256:a{64} \(floating\)$/);
  const vars = byLabel.get('Environment variables')?.children ?? [];
  assert.deepEqual(
    vars.map((r) => [r.label, r.value]),
    [
      ['PYTHONPATH', 'src'],
      ['SECRET_KEY', '***'],
    ],
    JSON.stringify(rows),
  );
  const pinned = environmentRows({ ...env, containerImage: 'python@sha256:' + 'b'.repeat(64) });
  assert.match(pinned.find((r) => r.label === 'Container image')?.value ?? '', /\(pinned\)$/);
});

test('ages and durations read as people say them', () => {
  const now = Date.parse('2026-11-27T12:00:00Z');
  assert.equal(ageOf('2026-11-27T11:59:30Z', now), 'just now');
  assert.equal(ageOf('2026-11-27T11:55:00Z', now), '5 min ago');
  assert.equal(ageOf('2026-11-27T09:00:00Z', now), '3 h ago');
  assert.equal(ageOf('2026-11-25T12:00:00Z', now), '2 d ago');
  assert.equal(ageOf('not a date', now), '');
  assert.equal(durationOf('2026-11-27T12:00:00Z', '2026-11-27T12:01:20Z'), '1m 20s');
  assert.equal(durationOf('2026-11-27T12:00:00Z', '2026-11-27T13:05:00Z'), '1h 5m');
  assert.equal(durationOf('2026-11-27T12:00:00Z', null), null);
});

test('the poller: visible and focused at the set pace, sooner and even hidden while a run is in progress, backs off', () => {
  const base = { seconds: 60, visible: true, focused: true, running: false, failures: 0 };
  const cases: [Partial<typeof base>, number | null][] = [
    [{}, 60_000],
    [{ visible: false }, null],
    [{ focused: false }, null],
    [{ seconds: 0 }, null],
    [{ running: true }, 20_000],
    [{ running: true, visible: false }, 20_000],
    [{ running: true, focused: false }, null],
    [{ running: true, seconds: 10 }, 10_000],
    [{ failures: 2 }, 240_000],
    [{ failures: 10 }, 480_000],
  ];
  for (const [over, want] of cases)
    assert.equal(pollDelay({ ...base, ...over }), want, `pollDelay(${JSON.stringify({ ...base, ...over })})`);
});
