import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EnvironmentCollector } from '../../src/core/environment';
import { Framer } from '../../src/core/framing';
import { splitText } from '../../src/core/lines';
import { parseLines } from '../../src/core/parser';
import { assertEqualFor } from '../helpers/assert';

const FIXTURES = join(__dirname, '..', 'fixtures', 'environment');
const CORPUS = '/work/shared/corpus';

function collect(log: string): { env: ReturnType<EnvironmentCollector['result']>; dirs: readonly string[] } {
  const framer = new Framer();
  const c = new EnvironmentCollector();
  splitText(log).forEach((raw, i) => c.line(framer.frame(raw, i + 1)));
  framer.finish();
  return { env: c.result(), dirs: c.checkoutDirs() };
}

/** A GitHub raw job log from plain lines. */
function gha(lines: string[]): string {
  return lines.map((l, i) => `2024-05-01T10:00:${String(i % 60).padStart(2, '0')}.1234567Z ${l}`).join('\n');
}

const RUNNER_HEADER = [
  "Current runner version: '2.317.0'",
  '##[group]Operating System',
  'Ubuntu',
  '24.04.2',
  'LTS',
  '##[endgroup]',
  '##[group]Runner Image',
  'Image: ubuntu-24.04',
  'Version: 20250720.1.0',
  '##[endgroup]',
  '##[group]Runner Image Provisioner',
  'Version: 20250711.3',
  '##[endgroup]',
  "##[group]Download immutable action package 'actions/checkout@v4'",
  'Version: 4.2.2',
  'Digest: sha256:' + 'c'.repeat(64),
  '##[endgroup]',
];

for (const f of readdirSync(FIXTURES).filter((x) => x.endsWith('.log'))) {
  test(`fixture ${f}: environment as expected`, () => {
    const log = readFileSync(join(FIXTURES, f), 'utf8');
    const want = JSON.parse(readFileSync(join(FIXTURES, f.replace(/\.log$/, '.expected.json')), 'utf8'));
    const { env, dirs } = collect(log);
    assertEqualFor(log, { environment: env, checkoutDirs: dirs }, want, 'environment');
    // The parser wires the same collector in.
    assertEqualFor(log, parseLines(splitText(log), { matchers: [] }).environment, want.environment, 'parser');
  });
}

test('GitHub runner header: os, runner image, and no digest from immutable action packages', () => {
  const log = gha(RUNNER_HEADER);
  const { env } = collect(log);
  assertEqualFor(
    log,
    [env.os, env.image, env.runnerImage, env.runnerImageVersion, env.digest, env.containerImage, env.tools],
    [
      'Ubuntu 24.04.2 LTS',
      'ubuntu-24.04',
      'ubuntu-24.04',
      '20250720.1.0',
      null,
      null,
      { 'actions-runner': '2.317.0' },
    ],
  );
});

test('python: only versions printed outright, the failing step first', () => {
  const cases: Array<[string, string[], string | null]> = [
    [
      'nothing but a path',
      ['Requirement already satisfied: pip in /usr/lib/python3.8/site-packages (20.0)'],
      null,
    ],
    [
      'setup-python beats the requested version, which takes its precision',
      [
        '##[group]Run actions/setup-python@v5',
        'with:',
        '  python-version: 3.11',
        '##[endgroup]',
        'Successfully set up CPython (3.11.4)',
      ],
      '3.11.4',
    ],
    ['old setup-python wording', ['Successfully setup CPython (3.8.14)'], '3.8.14'],
    ['PyPy', ['Successfully set up PyPy 7.3.16 with Python (3.10.14)'], '3.10.14'],
    [
      'pytest platform line beats setup-python',
      ['Successfully set up CPython (3.11.9)', 'platform linux -- Python 3.12.3, pytest-8.0.0, pluggy-1.4.0'],
      '3.12.3',
    ],
    ['python --version output', ['Python 3.13.1'], '3.13.1'],
    [
      "uv's interpreter (uv sync, uv venv) and environment (uv pip)",
      ['Using CPython 3.12.8 interpreter at: /usr/bin/python3.12', 'Creating virtual environment at: .venv'],
      '3.12.8',
    ],
    ['uv pip in an environment', ['Using Python 3.13.1 environment at: .venv'], '3.13.1'],
    ['a Using line about something else', ['Using Python 3.13.1 features', 'Using cache'], null],
    ['a line that only mentions Python', ['Create Python 3.8.14 folder', 'Python 3 is great'], null],
    [
      "the failing step's pythonLocation beats a platform line in a step that passed",
      [
        '##[group]Run pytest',
        'shell: /usr/bin/bash -e {0}',
        '##[endgroup]',
        'platform linux -- Python 3.12.3, pytest-8.0.0, pluggy-1.4.0',
        '##[group]Run mypy .',
        'shell: /usr/bin/bash -e {0}',
        'env:',
        '  pythonLocation: /opt/hostedtoolcache/Python/3.9.19/x64',
        '##[endgroup]',
        'src/a.py:1: error: boom  [misc]',
        '##[error]Process completed with exit code 1.',
      ],
      '3.9.19',
    ],
    [
      'the last of several set-up versions when nothing failed',
      ['Successfully set up CPython (3.10.14)', 'Successfully set up CPython (3.12.4)'],
      '3.12.4',
    ],
  ];
  for (const [what, lines, want] of cases) {
    const log = gha(lines);
    assertEqualFor(log, collect(log).env.python, want, `python (${what})`);
  }
});

test('GitHub job container: the job pull digest, not a service, an action package or a later docker pull', () => {
  const lines = [
    ...RUNNER_HEADER,
    '##[group]Starting redis service container',
    '##[command]/usr/bin/docker pull redis:7',
    'Digest: sha256:' + '1'.repeat(64),
    '##[endgroup]',
    '##[group]Starting job container',
    '##[command]/usr/bin/docker --config /home/runner/work/_temp/.docker_1f2e login ghcr.io -u me --password-stdin',
    '##[command]/usr/bin/docker --config /home/runner/work/_temp/.docker_1f2e pull ghcr.io/acme/ci:2',
    'Digest: sha256:' + '2'.repeat(64),
    '##[command]/usr/bin/docker create --name a1_ghcrioacmeci2_b2 --label 4e51 --workdir /__w/p/p --entrypoint "tail" ghcr.io/acme/ci:2 "-f" "/dev/null"',
    '##[endgroup]',
    '##[group]Run docker pull ghcr.io/acme/deploy:1',
    'docker pull ghcr.io/acme/deploy:1',
    '##[endgroup]',
    'Digest: sha256:' + '3'.repeat(64),
  ];
  const log = gha(lines);
  const { env } = collect(log);
  assertEqualFor(
    log,
    [env.image, env.containerImage, env.digest, env.runnerImage],
    ['ghcr.io/acme/ci:2', 'ghcr.io/acme/ci:2', 'sha256:' + '2'.repeat(64), 'ubuntu-24.04'],
  );
});

test('GitLab executors: docker image id, repo digest, Kubernetes, services skipped', () => {
  const cases: Array<[string[], string | null, string | null]> = [
    [
      [
        'Using Docker executor with image python:3.12 ...',
        'Starting service postgres:16 ...',
        `Using docker image sha256:${'1'.repeat(64)} for postgres:16 with digest postgres@sha256:${'2'.repeat(64)} ...`,
        `Using docker image sha256:${'3'.repeat(64)} for python:3.12 with digest python@sha256:${'4'.repeat(64)} ...`,
      ],
      'python:3.12',
      'sha256:' + '4'.repeat(64),
    ],
    [
      [`Using docker image sha256:${'5'.repeat(64)} for fedora:latest ...`],
      'fedora:latest',
      'sha256:' + '5'.repeat(64),
    ],
    [['Using Kubernetes executor with image alpine:3.4 ...'], 'alpine:3.4', null],
    [['Using Shell (bash) executor...'], null, null],
  ];
  for (const [lines, image, digest] of cases) {
    const log = lines.join('\n');
    const { env } = collect(log);
    assertEqualFor(log, [env.image, env.containerImage, env.digest], [image, image, digest]);
  }
});

test('env blocks, env dumps, export -p and hygiene warnings', () => {
  const log = gha([
    '##[group]Run export -p',
    'export -p',
    'shell: /usr/bin/bash -e {0}',
    'env:',
    '  API_KEY: abc123',
    '  NPM_TOKEN: ***',
    '  EMPTY_SECRET: ',
    '  KEYBOARD: us',
    '  MONKEY_BUSINESS: yes',
    '  NEXT_PUBLIC_API_KEY: pk_live_1',
    '  AWS_SECRET_ACCESS_KEY: ***',
    '##[endgroup]',
    'declare -x HOME="/home/runner"',
    'declare -x GH_TOKEN="ghp_123"',
    'declare -x OLDPWD',
    '##[group]Run echo hi',
    'echo hi',
    'shell: /usr/bin/bash -e {0}',
    '##[endgroup]',
    'NOT_A_DUMP=1',
  ]);
  const { env } = collect(log);
  assertEqualFor(log, env.env, {
    API_KEY: 'abc123',
    NPM_TOKEN: '***',
    EMPTY_SECRET: '',
    KEYBOARD: 'us',
    MONKEY_BUSINESS: 'yes',
    NEXT_PUBLIC_API_KEY: 'pk_live_1',
    AWS_SECRET_ACCESS_KEY: '***',
    HOME: '/home/runner',
    GH_TOKEN: 'ghp_123',
    OLDPWD: '',
  });
  assertEqualFor(log, env.warnings, [
    'API_KEY is printed unmasked in step "Run export -p": store it as a secret',
    'GH_TOKEN is printed unmasked in step "Run export -p": store it as a secret',
  ]);
  for (const w of env.warnings) assert.ok(!w.includes('abc123') && !w.includes('ghp_123'), w);
});

test("packages: pip's installed list read word by word, whatever its spacing and dashes", () => {
  const log = gha([
    'Successfully installed  a-b-c-1.0 -x y- z  python-dateutil-2.9.0.post0 pkg-2',
    'Successfully installed pkg-3 a-b-c-1.0',
  ]);
  const { env } = collect(log);
  // A word without a dash inside it names no package; the last dash splits the name from the version.
  assertEqualFor(log, env.packages, { 'a-b-c': '1.0', 'python-dateutil': '2.9.0.post0', pkg: '3' });
});

test('packages: pip install, pip freeze, pip list, uv; tools', () => {
  const log = gha([
    '##[group]Run pip install -e .',
    'pip install -e .',
    'python -m pip list',
    'pip freeze',
    'shell: /usr/bin/bash -e {0}',
    '##[endgroup]',
    'Successfully installed Django-5.0.4 python-dateutil-2.9.0.post0 typing_extensions-4.11.0',
    'Package    Version',
    '---------- -------',
    'attrs      23.2.0',
    'requests==2.31.0',
    'mypy 1.10.0 (compiled: yes)',
    'black, 24.4.2 (compiled: yes)',
    '7.0.0 (mccabe: 0.7.0, pycodestyle: 2.11.1, pyflakes: 3.2.0) CPython 3.12.3 on Linux',
    'pip 24.0 from /usr/lib/python3/dist-packages/pip (python 3.12)',
    '##[group]Run uv pip install ruff',
    'uv pip install ruff',
    'shell: /usr/bin/bash -e {0}',
    '##[endgroup]',
    ' + ruff==0.4.4',
    ' - ruff==0.4.3',
    'attrs      99.0.0',
  ]);
  const { env } = collect(log);
  assertEqualFor(log, env.packages, {
    Django: '5.0.4',
    'python-dateutil': '2.9.0.post0',
    typing_extensions: '4.11.0',
    attrs: '23.2.0',
    requests: '2.31.0',
    ruff: '0.4.4',
  });
  assertEqualFor(log, env.tools, { mypy: '1.10.0', black: '24.4.2', flake8: '7.0.0', pip: '24.0' });
});

test('bounded memory and no throw on hostile input', () => {
  const c = new EnvironmentCollector();
  const f = new Framer();
  const lines = ['##[group]Run env', 'env', 'shell: /usr/bin/bash -e {0}', '##[endgroup]'];
  lines.forEach((l, i) => c.line(f.frame(l, i + 1)));
  for (let i = 0; i < 5000; i++) c.line(f.frame(`VAR_${i}=${'x'.repeat(10)}`, i + 10));
  c.line(
    f.frame('Successfully installed ' + Array.from({ length: 5000 }, (_, i) => `p${i}-1.0`).join(' '), 6000),
  );
  c.line(f.frame('platform linux -- Python 3.' + '1'.repeat(100000), 6001));
  c.line(f.frame('Using docker image sha256:' + 'a'.repeat(100000), 6002));
  c.line(f.frame('\u0000\uFFFD'.repeat(1000), 6003));
  const env = c.result();
  assert.ok(Object.keys(env.env).length <= 2000, 'env capped');
  assert.ok(Object.keys(env.packages).length <= 2000, 'packages capped');
});

test('a long log streams through quickly', () => {
  const c = new EnvironmentCollector();
  const f = new Framer();
  const sample = [
    '2024-05-01T10:00:00.1234567Z src/app.py:10:5: E501 line too long (120 > 100 characters)',
    '2024-05-01T10:00:00.1234567Z   File "/home/runner/work/p/p/src/app.py", line 3, in <module>',
    '2024-05-01T10:00:00.1234567Z collected 3000 items',
    '2024-05-01T10:00:00.1234567Z PASSED tests/test_x.py::test_y',
  ];
  const n = 200_000;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) c.line(f.frame(sample[i & 3]!, i + 1));
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  // Framing included; generous so a loaded machine does not flake, but quadratic work would blow it.
  assert.ok(ms < 3000, `${n} lines took ${ms} ms`);
});

test('corpus: python, image and digest as labelled', () => {
  assert.ok(existsSync(CORPUS), `the shared corpus is expected at ${CORPUS}`);
  for (const name of readdirSync(join(CORPUS, 'logs')).filter((x) => x.endsWith('.log'))) {
    const want = JSON.parse(readFileSync(join(CORPUS, 'expected', name.replace(/\.log$/, '.json')), 'utf8'));
    const log = readFileSync(join(CORPUS, 'logs', name), 'utf8');
    const env = parseLines(splitText(log), { matchers: [] }).environment;
    const w = want.environment;
    assertEqualFor(
      name,
      [env.python, env.image, env.digest],
      [w.python, w.image, w.digest],
      'python, image, digest',
    );
  }
});
