/** The server's parse cache: a log file is parsed once per version, and a changed file is parsed again. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseLogFile } from '../../src/server/parseRequests';
import { parseCache } from '../../src/server/parseCache';
import type { Problem } from '../../src/core/model';

const sample = resolve(__dirname, '..', 'fixtures', 'sample');

async function parse(file: string, workspace: string | null): Promise<{ seen: Problem[]; result: unknown }> {
  const seen: Problem[] = [];
  const result = await parseLogFile({ file, workspace }, (ps) => seen.push(...ps));
  return { seen, result };
}

test('an unchanged log file is parsed once; a rewritten one, or another workspace, is parsed again', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ci-triage-cache-'));
  try {
    parseCache.clear();
    const file = join(dir, 'job.log');
    const log = readFileSync(join(sample, 'github-pytest.log'), 'utf8');
    writeFileSync(file, log);
    const workspace = join(sample, 'project');

    const first = await parse(file, workspace);
    const misses = parseCache.stats.misses;
    const hits = parseCache.stats.hits;
    assert.ok(first.seen.length > 0, 'the sample log has problems');
    const again = await parse(file, workspace);
    assert.equal(parseCache.stats.hits, hits + 1, 'the second parse of the same file is a cache hit');
    assert.deepEqual(again.result, first.result, 'the cached result is the parsed one');
    assert.deepEqual(again.seen, first.seen, 'the cached problems reach the listener too');

    // Another workspace maps paths differently: parsed again.
    await parse(file, null);
    assert.equal(parseCache.stats.misses, misses + 1, 'another workspace is a miss');

    // The same file rewritten (one failure more): its new content, not the cached one.
    writeFileSync(
      file,
      log + '2026-11-27T10:00:09.0000000Z ##[error]src/a.ts(3,5): error TS2345: rewritten\n',
    );
    const rewritten = await parse(file, workspace);
    assert.equal(parseCache.stats.misses, misses + 2, 'a rewritten file is a miss');
    assert.equal(rewritten.seen.length, first.seen.length + 1, 'the rewritten file gives its own problems');
    assert.ok(
      rewritten.seen.some((p) => p.message.includes('rewritten')),
      'with the new one among them',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
