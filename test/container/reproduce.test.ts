/**
 * `ci-triage reproduce` with a real podman (issue #5): the fixture project's CI logs name the pinned image
 * localhost/ci-python:3.11 by digest; the reproduction fails the same test with the same assertion (and the
 * same flake8 error), and passes once the workspace is fixed. scripts/container/setup.sh prepares podman and
 * the image and writes where they are to $CI_TRIAGE_CACHE/podman/env.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { containerName, reproductionId } from '../../src/core/reproduce/command';
import { reproductionContainers } from '../helpers/podman';

const root = resolve(__dirname, '..', '..');
const fixtures = join(root, 'test', 'fixtures', 'reproduce');
const cli = join(root, 'dist', 'cli.js');
const cacheRoot = process.env['CI_TRIAGE_CACHE'] || join(homedir(), '.cache', 'ci-triage');
const envFile = join(cacheRoot, 'podman', 'env');
const tmp = mkdtempSync(join(tmpdir(), 'ci-triage-reproduce-'));
let env: NodeJS.ProcessEnv = {};
let digest = '';

before(() => {
  assert.ok(existsSync(envFile), `run scripts/container/setup.sh first: ${envFile} is missing`);
  const vars = Object.fromEntries(
    readFileSync(envFile, 'utf8')
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  digest = vars['CI_TRIAGE_IMAGE_DIGEST'] ?? '';
  assert.match(digest, /^sha256:[0-9a-f]{64}$/, `no digest in ${envFile}`);
  // The CLI under test is the bundle: build it from the current sources.
  const b = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], {
    cwd: root,
    encoding: 'utf8',
  });
  assert.equal(b.status, 0, `build failed: ${b.stdout}${b.stderr}`);
  env = { ...process.env, ...vars, XDG_CACHE_HOME: join(tmp, 'cache') };
});

after(() => rmSync(tmp, { recursive: true, force: true }));

interface Run {
  code: number | null;
  out: string;
  err: string;
  ms: number;
}

/** Runs the CLI to its end (no fixed sleeps: the promise settles when the process exits). */
function ciTriage(args: string[]): Promise<Run> {
  return new Promise((done, fail) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [cli, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, out, err, ms: Date.now() - t0 }));
  });
}

/** A fresh copy of the fixture project and its log (the digest filled in). */
function workspace(name: string, logTemplate: string): { ws: string; log: string } {
  const ws = join(tmp, name);
  cpSync(join(fixtures, 'project'), ws, { recursive: true });
  const log = join(tmp, `${name}.log`);
  writeFileSync(log, readFileSync(join(fixtures, logTemplate), 'utf8').replaceAll('@@DIGEST@@', digest));
  return { ws, log };
}

function describe(r: Run): string {
  return `exit ${r.code} after ${r.ms} ms\n--- stdout\n${r.out}\n--- stderr\n${r.err}`;
}

test("--print gives the container command: the pinned image by digest, the workspace at the job's folder", async () => {
  const { ws, log } = workspace('print', 'pytest-job.log.in');
  const r = await ciTriage(['reproduce', log, '--workspace', ws, '--engine', 'podman', '--print']);
  assert.equal(r.code, 0, describe(r));
  const argv = JSON.parse(r.out) as string[];
  assert.equal(argv[0], 'podman');
  assert.ok(argv.includes(`localhost/ci-python:3.11@${digest}`), `in: ${log}, out: ${r.out}`);
  assert.ok(argv.includes(`${ws}:/__w/shop/shop`), `in: ${ws}, out: ${r.out}`);
});

test('a failing pytest test fails the same way in the container, and passes once fixed', async () => {
  const { ws, log } = workspace('pytest', 'pytest-job.log.in');
  const ciLog = readFileSync(log, 'utf8');
  const red = await ciTriage(['reproduce', log, '--workspace', ws, '--engine', 'podman']);
  assert.equal(red.code, 1, describe(red));
  assert.deepEqual(reproductionContainers(env), [], 'the container should be removed once the run has ended');
  for (const line of [
    'tests/test_cart.py::test_total_with_discount FAILED',
    'E       assert 27.0 == 28',
    'FAILED tests/test_cart.py::test_total_with_discount - assert 27.0 == 28',
  ]) {
    assert.ok(ciLog.includes(line), `the CI log should show ${line}`);
    assert.ok(red.out.includes(line), `the reproduction should show ${line}:\n${describe(red)}`);
  }
  const test = join(ws, 'tests', 'test_cart.py');
  writeFileSync(test, readFileSync(test, 'utf8').replace('== 28', '== 27'));
  const green = await ciTriage(['reproduce', log, '--workspace', ws, '--engine', 'podman']);
  assert.equal(green.code, 0, describe(green));
  assert.match(green.out, /2 passed/, describe(green));
});

test('a flake8 failure fails the same way in the container, and passes once fixed', async () => {
  const { ws, log } = workspace('flake8', 'flake8-job.log.in');
  const red = await ciTriage(['reproduce', log, '--workspace', ws, '--engine', 'podman']);
  assert.equal(red.code, 1, describe(red));
  assert.ok(red.out.includes("src/shop/cart.py:1:1: F401 'os' imported but unused"), describe(red));
  const file = join(ws, 'src', 'shop', 'cart.py');
  writeFileSync(file, readFileSync(file, 'utf8').replace('import os\n\n\n', ''));
  const green = await ciTriage(['reproduce', log, '--workspace', ws, '--engine', 'podman']);
  assert.equal(green.code, 0, describe(green));
});

test('an invalid image reference exits non-zero with one line naming it, and runs nothing', async () => {
  const { ws, log } = workspace('bad-image', 'pytest-job.log.in');
  const bad = 'localhost/ci-python:3.11;touch${IFS}/tmp/pwned';
  writeFileSync(log, readFileSync(log, 'utf8').replaceAll('localhost/ci-python:3.11', bad));
  const r = await ciTriage(['reproduce', log, '--workspace', ws, '--engine', 'podman']);
  assert.equal(r.code, 2, describe(r));
  assert.equal(r.out, '', describe(r));
  const lines = r.err.trim().split('\n');
  assert.equal(lines.length, 1, describe(r));
  assert.ok(lines[0]!.includes(JSON.stringify(bad)), describe(r));
});

test('no engine on PATH: a clear message how to install one', async () => {
  const { ws, log } = workspace('no-engine', 'pytest-job.log.in');
  const saved = env;
  env = { ...env, PATH: join(tmp, 'empty-path') };
  try {
    const r = await ciTriage(['reproduce', log, '--workspace', ws]);
    assert.equal(r.code, 2, describe(r));
    assert.match(r.err, /no container engine found .*install podman/, describe(r));
  } finally {
    env = saved;
  }
});

test('a stopped container left by a killed run of the same log does not block the next run', async () => {
  const { ws, log } = workspace('leftover', 'pytest-job.log.in');
  const name = containerName(reproductionId(resolve(log)));
  const made = spawnSync('podman', ['create', '--name', name, `localhost/ci-python:3.11@${digest}`, 'true'], {
    env,
    encoding: 'utf8',
  });
  assert.equal(made.status, 0, `podman create: ${made.stderr}`);
  const red = await ciTriage(['reproduce', log, '--workspace', ws, '--engine', 'podman']);
  assert.equal(red.code, 1, describe(red));
  assert.match(red.out, /1 failed, 1 passed/, describe(red));
  assert.deepEqual(reproductionContainers(env), [], `in: a leftover ${name}`);
});
