import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogCache } from '../../src/providers/logCache';
import type { LogKey } from '../../src/providers/logCache';

const key = (jobId: string, attempt = 1): LogKey => ({
  provider: 'github',
  repo: 'octo/app',
  jobId,
  attempt,
});

async function drain(s: AsyncIterable<Uint8Array>): Promise<string> {
  const parts: Uint8Array[] = [];
  for await (const c of s) parts.push(c);
  return Buffer.concat(parts).toString('utf8');
}

async function* chunks(parts: string[], failAt = -1): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < parts.length; i++) {
    if (i === failAt) throw new Error('connection reset');
    yield Buffer.from(parts[i]!);
  }
}

test('a log passes through, lands on disk whole, and is read back with no source', async () => {
  const cache = new LogCache({ dir: mkdtempSync(join(tmpdir(), 'ci-triage-lc-')) });
  assert.equal(await cache.read(key('1')), null);
  assert.equal(await drain(cache.tee(key('1'), chunks(['a\n', 'b\n']))), 'a\nb\n');
  assert.equal(await drain((await cache.read(key('1')))!), 'a\nb\n');
  // Attempts are kept apart.
  assert.equal(await cache.read(key('1', 2)), null);
});

test('a download that fails leaves nothing, not even a temp file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ci-triage-lc-'));
  const cache = new LogCache({ dir });
  await assert.rejects(drain(cache.tee(key('2'), chunks(['a\n', 'b\n', 'c\n'], 2))), /connection reset/);
  assert.deepEqual(readdirSync(dir), []);
});

test('the oldest logs are evicted past the size bound', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ci-triage-lc-'));
  const cache = new LogCache({ dir, maxBytes: 250 });
  const body = 'x'.repeat(100);
  await drain(cache.tee(key('a'), chunks([body])));
  utimesSync(cache.fileFor(key('a')), new Date(1000), new Date(1000));
  await drain(cache.tee(key('b'), chunks([body])));
  utimesSync(cache.fileFor(key('b')), new Date(2000), new Date(2000));
  await drain(cache.tee(key('c'), chunks([body])));
  assert.equal(await cache.has(key('a')), false, 'oldest evicted');
  assert.equal(await cache.has(key('b')), true);
  assert.equal(await cache.has(key('c')), true);
});
