/**
 * parseFileAhead: a big log file read and pre-scanned on a real second thread (the thread's script bundled from
 * the source here, as the product build bundles it) gives what one thread gives, and a thread that fails or a
 * parse that is stopped loses nothing and leaves nothing running.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { common } from '../../scripts/build.mjs';
import { generateLog, loadFixtureMaterial } from '../../scripts/bench/logGenerator';
import { parseFileAhead, prestartPrescan } from '../../src/core/parseAhead';
import type { LogParser } from '../../src/core/parser';
import type { Problem } from '../../src/core/model';
import { fixtureLogs } from '../helpers/fixtures';

const ROOT = path.join(__dirname, '..', '..');
let dir = '';
let script = '';
let bigLog = '';

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ci-triage-ahead-'));
  script = path.join(dir, 'prescan.js');
  await build({ ...common, entryPoints: [path.join(ROOT, 'src/core/prescanThread.ts')], outfile: script });
  // ~12 MB of generated GitHub log: fixtures' tool output among passing tests, downloads, groups.
  const material = loadFixtureMaterial(path.join(ROOT, 'test', 'fixtures'));
  bigLog = path.join(dir, 'big.log');
  fs.writeFileSync(bigLog, [...generateLog(12e6, { seed: 3, material })].join(''));
});

after(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Parsed {
  problems: Problem[];
  parser: LogParser;
}

async function parse(file: string, threadScript: string | null, beforeChunk?: () => void): Promise<Parsed> {
  const problems: Problem[] = [];
  const parser = await parseFileAhead(file, {}, (ps) => problems.push(...ps), {
    script: threadScript,
    ...(beforeChunk ? { beforeChunk } : {}),
  });
  return { problems, parser };
}

/** The real script, behind one that counts its starts (one `x` each in `starts`). */
function countedScript(name: string): { counted: string; starts: string } {
  const starts = path.join(dir, `starts-${name}.txt`);
  const counted = path.join(dir, `counted-${name}.js`);
  fs.writeFileSync(
    counted,
    `require('node:fs').appendFileSync(${JSON.stringify(starts)}, 'x');\nrequire(${JSON.stringify(script)});\n`,
  );
  return { counted, starts };
}

function summary(p: Parsed): unknown {
  const { parser } = p;
  return {
    problems: p.problems,
    environment: parser.environment,
    steps: parser.steps,
    format: parser.format,
    lines: parser.lines,
  };
}

test('a big log parses the same on two threads as on one, and the parser jumps over most lines', async () => {
  const one = await parse(bigLog, null);
  const two = await parse(bigLog, script);
  assert.ok(one.problems.length > 100, `problems in the generated log: ${one.problems.length}`);
  assert.deepEqual(summary(two), summary(one));
  assert.equal(one.parser.prescanThread, false);
  assert.equal(two.parser.prescanThread, true);
  // On one thread too: parseChunks pre-scans each read itself.
  for (const p of [one, two])
    assert.ok(
      p.parser.jumpedLines > 0.5 * p.parser.lines,
      `jumped ${p.parser.jumpedLines} of ${p.parser.lines} lines`,
    );
  // The thread is kept for the next parse, which gives the same again.
  assert.deepEqual(summary(await parse(bigLog, script)), summary(one));
});

test('every fixture log parses the same on two threads as on one', async () => {
  for (const log of fixtureLogs())
    assert.deepEqual(summary(await parse(log, script)), summary(await parse(log, null)), log);
});

test('a file that cannot be read fails as fs fails, on either path', async () => {
  for (const s of [script, null]) {
    await assert.rejects(parse(path.join(dir, 'missing.log'), s), (e: NodeJS.ErrnoException) => {
      assert.equal(e.code, 'ENOENT', `${s ?? 'one thread'}: ${e.message}`);
      return true;
    });
  }
});

test('a thread that does not start leaves the parse to one thread', async () => {
  const broken = path.join(dir, 'broken.js');
  fs.writeFileSync(broken, 'throw new Error("no");\n');
  const silent = path.join(dir, 'silent.js');
  fs.writeFileSync(silent, 'process.exit(0);\n');
  const one = summary(await parse(bigLog, null));
  for (const s of [broken, silent, path.join(dir, 'nowhere.js')])
    assert.deepEqual(summary(await parse(bigLog, s)), one, s);
});

test('a thread that dies mid-file fails the parse with a clear error instead of hanging', async () => {
  // Says it is ready, then dies on the first request.
  const dying = path.join(dir, 'dying.js');
  fs.writeFileSync(
    dying,
    "const { parentPort } = require('node:worker_threads');\n" +
      "parentPort.postMessage('ready');\nparentPort.on('message', () => process.exit(3));\n",
  );
  await assert.rejects(parse(bigLog, dying), /pre-scan thread stopped/);
});

test('a parse stopped between chunks throws what stopped it, and the next parse is whole', async () => {
  class Stop extends Error {}
  let chunks = 0;
  await assert.rejects(
    parse(bigLog, script, () => {
      if (++chunks === 3) throw new Stop('cancelled');
    }),
    Stop,
  );
  assert.equal(chunks, 3);
  assert.deepEqual(summary(await parse(bigLog, script)), summary(await parse(bigLog, null)));
});

test('a thread started ahead serves the next parse, which starts none', async () => {
  const { counted, starts } = countedScript('ahead');
  await prestartPrescan(counted);
  assert.equal(fs.readFileSync(starts, 'utf8'), 'x');
  const two = await parse(bigLog, counted);
  assert.equal(fs.readFileSync(starts, 'utf8'), 'x', 'threads started');
  assert.ok(two.parser.prescanThread, 'the parse used the thread');
});

test('logs parsed at once share at most two threads; the others parse on one', async () => {
  const { counted, starts } = countedScript('many');
  const one = summary(await parse(bigLog, null));
  const all = await Promise.all([1, 2, 3, 4].map(() => parse(bigLog, counted)));
  for (const p of all) assert.deepEqual(summary(p), one);
  const started = fs.readFileSync(starts, 'utf8').length;
  assert.ok(started >= 1 && started <= 2, `threads started: ${started}`);
  assert.equal(all.filter((p) => p.parser.prescanThread).length, started, 'parses that used a thread');
});
