/**
 * Hostile input to the reproduction: image names and step text with shell metacharacters, `$(...)`,
 * backticks and newlines, working folders and paths outside the workspace. The container command is an
 * argument array of constants and checked values only; malformed image references are refused by name,
 * never cut down to a valid prefix.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { splitText } from '../../src/core/lines';
import {
  containerCommand,
  containerName,
  checkHostPath,
  removeCommand,
} from '../../src/core/reproduce/command';
import { formatImageRef, ImageRefError, parseImageRef } from '../../src/core/reproduce/imageRef';
import { buildPlan, PlanError, readJob } from '../../src/core/reproduce/plan';
import type { ReproPlan } from '../../src/core/reproduce/plan';
import { renderScript, SCRIPT_IN_CONTAINER } from '../../src/core/reproduce/script';
import { commentText, shellQuote } from '../../src/core/reproduce/shell';

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;
const WS = '/home/me/shop';
const SCRIPT = '/tmp/ci-triage/reproduce.sh';

/** A GitHub job log in a container, with the given image, working folder and failed step. */
function githubLog(o: {
  image?: string;
  workdir?: string;
  step?: string[];
  env?: Array<[string, string]>;
  output?: string[];
}): string {
  const image = o.image ?? 'python:3.11-slim';
  const lines = [
    '##[group]Starting job container',
    `##[command]/usr/bin/docker pull ${image}`,
    `Digest: ${DIGEST}`,
    `##[command]/usr/bin/docker create --name x --workdir ${o.workdir ?? '/__w/shop/shop'} -e CI=true --entrypoint "tail" ${image} "-f" "/dev/null"`,
    '##[endgroup]',
    `##[group]Run ${(o.step ?? ['pytest'])[0]}`,
    ...(o.step ?? ['pytest']).map((s) => `\x1b[36;1m${s}\x1b[0m`),
    'shell: sh -e {0}',
    ...(o.env && o.env.length > 0 ? ['env:', ...o.env.map(([k, v]) => `  ${k}: ${v}`)] : []),
    '##[endgroup]',
    ...(o.output ?? ['FAILED tests/test_a.py::test_a - assert 1 == 2']),
    '##[error]Process completed with exit code 1.',
  ];
  return lines.map((l, i) => `2024-05-01T10:00:${String(i % 60).padStart(2, '0')}.0000000Z ${l}`).join('\n');
}

function plan(text: string): ReproPlan {
  const { parsed, job } = readJob(splitText(text));
  return buildPlan(parsed, job);
}

const NAME = containerName('0123456789abcdef');

function argvOf(p: ReproPlan): string[] {
  return containerCommand(p, { engine: 'podman', mountSource: WS, scriptPath: SCRIPT, name: NAME });
}

/** The only argv a plan may give: constants, the checked image, the checked working folder. */
function expectedArgv(image: string, workdir: string): string[] {
  return [
    'podman',
    'run',
    '--name',
    NAME,
    '--pull=missing',
    '--init',
    '--security-opt',
    'label=disable',
    '-v',
    `${WS}:${workdir}`,
    '-v',
    `${SCRIPT}:${SCRIPT_IN_CONTAINER}:ro`,
    '-w',
    workdir,
    '--entrypoint',
    '/bin/sh',
    image,
    SCRIPT_IN_CONTAINER,
  ];
}

test('valid references parse, with their parts', () => {
  const cases: Array<[string, string, string | null, string | null]> = [
    ['python', 'python', null, null],
    ['python:3.11-slim', 'python', '3.11-slim', null],
    [`localhost/ci-python:3.11@${DIGEST}`, 'localhost/ci-python', '3.11', DIGEST],
    [`localhost:5000/a/b_c__d-e.f@${DIGEST}`, 'localhost:5000/a/b_c__d-e.f', null, DIGEST],
    ['ghcr.io/owner/image:v1.2.3', 'ghcr.io/owner/image', 'v1.2.3', null],
    ['[::1]:5000/img:tag', '[::1]:5000/img', 'tag', null],
  ];
  for (const [ref, name, tag, digest] of cases) {
    assert.deepEqual(parseImageRef(ref), { name, tag, digest }, `in: ${ref}`);
    assert.equal(formatImageRef(parseImageRef(ref)), ref);
  }
});

test('malformed references are refused with a message that names them', () => {
  const bad = [
    '',
    'Python:3.11',
    'python:3.11;rm -rf ~',
    'python:3.11 && id',
    'python$(id)',
    'python:`id`',
    'python:3.11\nid',
    '-v/etc:/x',
    '--privileged',
    'python:-x',
    'python:.x',
    'python@sha256:abc',
    `python@sha512:${'a'.repeat(128)}`,
    `python@sha256:${'A'.repeat(64)}`,
    'a//b',
    'a/-b',
    '/python',
    'python/',
    'python:',
    'python::1',
    `${'a'.repeat(256)}`,
    `python:${'t'.repeat(129)}`,
    'pyth on',
    'python|cat',
  ];
  for (const ref of bad) {
    assert.throws(
      () => parseImageRef(ref),
      (e: unknown) => e instanceof ImageRefError && e.message.includes(JSON.stringify(ref)),
      `in: ${JSON.stringify(ref)}: accepted as ${JSON.stringify(
        (() => {
          try {
            return parseImageRef(ref);
          } catch {
            return null;
          }
        })(),
      )}`,
    );
  }
});

test('property: a reference is accepted whole or refused, never cut to a prefix, and never reads as an option', () => {
  const alphabet = fc.constantFrom(...'abz09._-/:@ ;$()`\'"\n|&<>*?[]{}\\~!#%ABC'.split(''));
  fc.assert(
    fc.property(fc.string({ unit: alphabet, maxLength: 40 }), fc.boolean(), (s, withDigest) => {
      const ref = withDigest ? `${s}@${DIGEST}` : s;
      let parsed;
      try {
        parsed = parseImageRef(ref);
      } catch (e) {
        assert.ok(
          e instanceof ImageRefError && e.message.includes(JSON.stringify(ref)),
          `in: ${JSON.stringify(ref)}, out: ${String(e)}`,
        );
        return;
      }
      assert.equal(formatImageRef(parsed), ref, `in: ${JSON.stringify(ref)}, out: ${JSON.stringify(parsed)}`);
      // A domain may have capitals (`A/a` is domain `A`, path `a`, as in the reference grammar); a repository
      // path may not, and nothing accepted starts with `-` (an option) or holds shell syntax.
      assert.match(ref, /^[a-zA-Z0-9[][a-zA-Z0-9._:/@[\]-]*$/, `accepted ${JSON.stringify(ref)}`);
    }),
    { numRuns: 3000 },
  );
});

test('a log whose job image carries shell syntax is refused, naming the image whole', () => {
  for (const image of [
    'python:3.11;touch${IFS}/tmp/pwned',
    'python:3.11$(id)',
    'python:`id`',
    "python:3.11'x'",
    '--privileged',
  ]) {
    assert.throws(
      () => plan(githubLog({ image })),
      (e: unknown) =>
        e instanceof PlanError && e.message.includes(JSON.stringify(image)) && !e.message.includes('\n'),
      `in: ${image}`,
    );
  }
});

test('step text with $(...), backticks, quotes and ; reaches the script verbatim and the argv not at all', () => {
  const step = [
    'echo "$(touch /tmp/pwned)" `id` \'; rm -rf / #',
    'pytest tests/ ; echo $HOME && false || true',
  ];
  const p = plan(githubLog({ step, env: [['EVIL', '$(id) `id` \' " ; |']] }));
  assert.deepEqual(argvOf(p), expectedArgv(`python:3.11-slim@${DIGEST}`, '/__w/shop/shop'));
  const script = renderScript(p);
  for (const s of step)
    assert.ok(script.split('\n').includes(s), `script lacks the step line ${s}:\n${script}`);
  assert.match(script, /^export EVIL='\$\(id\) `id` '\\'' " ; \|'$/m, script);
});

test('a working folder outside a safe mount point falls back to /work, said so; host paths are checked', () => {
  for (const workdir of ['/etc', '/', '/__w/a/../../etc', '/usr/lib', '/__w/a/a;touch', '/ci-triage']) {
    const p = plan(githubLog({ workdir }));
    assert.equal(p.workdir, '/work', `in: ${workdir}, out: ${p.workdir}`);
    assert.deepEqual(argvOf(p), expectedArgv(`python:3.11-slim@${DIGEST}`, '/work'));
  }
  const p = plan(githubLog({ workdir: '/etc' }));
  assert.ok(
    p.notes.some((n) => n.includes('"/etc" is not a safe mount point')),
    JSON.stringify(p.notes),
  );
  for (const bad of ['relative/ws', '/a/../b', '/ws:/etc', '/ws,ro', '/ws\n/x', '/ws/']) {
    assert.throws(() => checkHostPath(bad, 'the workspace'), PlanError, `in: ${JSON.stringify(bad)}`);
    assert.throws(
      () => containerCommand(p, { engine: 'podman', mountSource: bad, scriptPath: SCRIPT, name: NAME }),
      PlanError,
    );
  }
});

test('failing test ids and files outside the workspace are left out of the narrowed command, and said so', () => {
  const output = [
    'FAILED ../../etc/passwd::test_x - assert 0',
    'FAILED /usr/lib/python3/dist-packages/x.py::test_y - assert 0',
    'FAILED tests/test_a.py::test_$(id)`id` - assert 1 == 2',
  ];
  const p = plan(githubLog({ step: ['python -m pytest'], output }));
  const n = p.narrowed.find((x) => x.tool === 'pytest');
  assert.ok(n, JSON.stringify(p));
  assert.deepEqual(n.targets, ['tests/test_a.py::test_$(id)`id`'], JSON.stringify(n));
  assert.equal(n.commands.at(-1), "python -m pytest 'tests/test_a.py::test_$(id)`id`'");
  assert.ok(
    p.notes.some((x) => x.includes('outside the workspace')),
    JSON.stringify(p.notes),
  );
});

// The quoting is proved by a real shell: what it reads back is exactly what went in. The alphabet is made
// of shell syntax and harmless letters, so a quoting bug would fail the test, not run anything dangerous.
test('property: an exported env value reads back unchanged in a real shell', () => {
  const unit = fc.constantFrom(...'ab $`\'"\\;|&()*?!#~{}[]<>%'.split(''));
  fc.assert(
    // A value with `***` in it is GitHub's mask: the plan leaves it unset on purpose (tested elsewhere).
    fc.property(
      fc.string({ unit, maxLength: 30 }).filter((v) => !v.includes('***')),
      (value) => {
        const p = plan(githubLog({ env: [['V', value]] }));
        const line = renderScript(p)
          .split('\n')
          .find((l) => l.startsWith('export V='));
        const expected = value.trim();
        assert.ok(line !== undefined, `no export for ${JSON.stringify(value)}`);
        const r = spawnSync('sh', ['-c', `${line}\nprintf %s "$V"`], { encoding: 'utf8' });
        assert.equal(
          r.stdout,
          expected,
          `in: ${JSON.stringify(value)}, line: ${line}, out: ${JSON.stringify(r.stdout)} ${r.stderr} ${r.error ?? ''}`,
        );
      },
    ),
    { numRuns: 200 },
  );
});

test('property: whatever the step text, the argv is the fixed template and comments stay one line', () => {
  const unit = fc.constantFrom(...'ab $`\'"\\;|&()\n\r\x1b#:/.-'.split(''));
  fc.assert(
    fc.property(fc.array(fc.string({ unit, maxLength: 30 }), { minLength: 1, maxLength: 4 }), (step) => {
      const clean = step.map((s) => s.replace(/[\r\n]/g, ' '));
      const p = plan(githubLog({ step: clean }));
      assert.deepEqual(
        argvOf(p),
        expectedArgv(`python:3.11-slim@${DIGEST}`, '/__w/shop/shop'),
        `in: ${JSON.stringify(clean)}`,
      );
      for (const l of renderScript(p).split('\n'))
        if (l.startsWith('# ---')) assert.ok(!/[\r\n]/.test(l), `comment ${JSON.stringify(l)}`);
    }),
    { numRuns: 300 },
  );
  fc.assert(
    fc.property(fc.string(), (s) => {
      assert.ok(!/[\r\n\u2028\u2029]/.test(commentText(s)), `in: ${JSON.stringify(s)}`);
      const q = shellQuote(s);
      assert.ok(
        /^[A-Za-z0-9_@%+=:,./-]+$/.test(q) || (q.startsWith("'") && q.endsWith("'")),
        `in: ${JSON.stringify(s)}, out: ${q}`,
      );
    }),
  );
});

test('the container name is ci-triage-<16 hex digits>, and removal is by that name, never forced', () => {
  assert.deepEqual(removeCommand('podman', NAME), ['podman', 'rm', 'ci-triage-0123456789abcdef']);
  for (const bad of ['', '-f', '0123456789ABCDEF', '0123456789abcde', '0123456789abcdef0', 'x; rm -rf /']) {
    assert.throws(() => containerName(bad), PlanError, `in: ${JSON.stringify(bad)}`);
    assert.throws(() => removeCommand('docker', bad), PlanError, `in: ${JSON.stringify(bad)}`);
  }
});
