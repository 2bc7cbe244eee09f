/**
 * The reproduction plan (issue #5): a GitHub job in a container (image by digest), a GitHub job on a runner VM
 * (approximated, and said so), a GitLab job, and every real log of the shared corpus that failed in a test or
 * lint step.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { splitText } from '../../src/core/lines';
import { buildPlan, readJob } from '../../src/core/reproduce/plan';
import type { PlanOptions, ReproPlan } from '../../src/core/reproduce/plan';
import { containerCommand } from '../../src/core/reproduce/command';
import { isValidImageRef } from '../../src/core/reproduce/imageRef';
import { narrowCommands, narrowTargets } from '../../src/core/reproduce/narrow';
import type { Problem } from '../../src/core/model';
import { assertEqualFor } from '../helpers/assert';
import { renderScript, SCRIPT_IN_CONTAINER } from '../../src/core/reproduce/script';

const root = resolve(__dirname, '..', '..');
const fixtures = join(root, 'test', 'fixtures');
const corpus = resolve(root, '..', 'shared', 'corpus', 'logs');
const DIGEST = `sha256:${'ab12'.repeat(16)}`;

function planOf(text: string, opts: PlanOptions = {}): { plan: ReproPlan; script: string; argv: string[] } {
  const { parsed, job } = readJob(splitText(text));
  const plan = buildPlan(parsed, job, opts);
  const argv = containerCommand(plan, {
    engine: 'podman',
    mountSource: '/home/me/shop',
    scriptPath: '/tmp/x/reproduce.sh',
    name: 'ci-triage-0123456789abcdef',
  });
  return { plan, script: renderScript(plan), argv };
}

/** What went in and what came out, for assertion messages. */
function shown(plan: ReproPlan): string {
  return JSON.stringify(
    {
      image: plan.image,
      workdir: plan.workdir,
      steps: plan.steps.map((s) => [s.title, s.kind, s.failed]),
      narrowed: plan.narrowed,
      notes: plan.notes,
    },
    null,
    1,
  );
}

test('a GitHub job in a container: the image pinned by digest, mounted at /__w/<repo>/<repo>, steps up to the failed one', () => {
  const log = readFileSync(join(fixtures, 'reproduce', 'pytest-job.log.in'), 'utf8').replace(
    '@@DIGEST@@',
    DIGEST,
  );
  const { plan, script, argv } = planOf(log);
  assert.equal(plan.image.ref, `localhost/ci-python:3.11@${DIGEST}`, shown(plan));
  assert.deepEqual(
    [plan.image.pinned, plan.image.approximate, plan.image.source],
    [true, false, 'log'],
    shown(plan),
  );
  assert.equal(plan.workdir, '/__w/shop/shop', shown(plan));
  assert.equal(plan.headSha, '3f1c2b7d9e8a6f5041b2c3d4e5f60718293a4b5c');
  assert.equal(plan.jobName, 'test');
  const titles = plan.steps.map((s) => `${s.kind}:${s.title}${s.failed ? ' (failed)' : ''}`);
  assert.deepEqual(
    titles,
    [
      'skip:Run actions/checkout@v4',
      'run:Run python3 --version',
      'run:Run python3 -m pytest -v -p no:cacheprovider (failed)',
    ],
    shown(plan),
  );
  assert.deepEqual(
    plan.narrowed.map((n) => n.commands.at(-1)),
    ['python3 -m pytest -v -p no:cacheprovider tests/test_cart.py::test_total_with_discount'],
    shown(plan),
  );
  assert.match(script, /^python3 -m pytest -v -p no:cacheprovider$/m, script);
  assert.match(script, /^export PYTHONDONTWRITEBYTECODE=1$/m, script);
  assert.match(script, /^# left unset \(masked \(\*\*\*\) in the log.*\): SHOP_API_TOKEN$/m, script);
  assert.doesNotMatch(script, /SHOP_API_TOKEN=/, script);
  assert.match(script, /^# uses: actions\/checkout@v4: left out/m, script);
  assert.deepEqual(argv.slice(-2), [`localhost/ci-python:3.11@${DIGEST}`, SCRIPT_IN_CONTAINER]);
  assert.deepEqual(argv.slice(argv.indexOf('-v'), argv.indexOf('-v') + 4), [
    '-v',
    '/home/me/shop:/__w/shop/shop',
    '-v',
    `/tmp/x/reproduce.sh:${SCRIPT_IN_CONTAINER}:ro`,
  ]);
});

test('a GitHub job on a runner VM: python:<version> stands in, and the plan says it is an approximation and how to pin', () => {
  const log = readFileSync(join(fixtures, 'sample', 'github-pytest.log'), 'utf8');
  const { plan, script } = planOf(log);
  assert.equal(plan.image.approximate, true, shown(plan));
  assert.equal(plan.image.pinned, false);
  assert.match(plan.image.ref, /^python:3\.\d+(\.\d+)?$/, shown(plan));
  assert.ok(
    plan.notes.some(
      (n) => /^APPROXIMATION: the job ran on the runner VM/.test(n) && /sha256:<digest>/.test(n),
    ),
    shown(plan),
  );
  assert.match(script, /# Image: python:3[.\d]* \(APPROXIMATION/, script);
});

test('a runner VM job follows the runner-label and Python-version setting', () => {
  const log = readFileSync(join(fixtures, 'sample', 'github-pytest.log'), 'utf8');
  const { parsed, job } = readJob(splitText(log));
  const label = parsed.environment.runnerImage!;
  const byLabel = buildPlan(parsed, job, {
    approximations: { byRunnerLabel: { [label]: 'ghcr.io/acme/runner:24.04' } },
  });
  assert.equal(byLabel.image.ref, 'ghcr.io/acme/runner:24.04', shown(byLabel));
  const minor = parsed.environment.python!.split('.').slice(0, 2).join('.');
  const byPy = buildPlan(parsed, job, { approximations: { byPythonVersion: { [minor]: 'python:3-slim' } } });
  assert.equal(byPy.image.ref, 'python:3-slim', shown(byPy));
  assert.throws(
    () => buildPlan(parsed, job, { approximations: { byRunnerLabel: { [label]: 'Bad Image;rm' } } }),
    /invalid image reference "Bad Image;rm"/,
  );
});

test('a GitLab job: the image by its registry digest, /builds/<group>/<project>, the $ commands as one shell', () => {
  const log = readFileSync(join(fixtures, 'environment', 'gitlab-docker.log'), 'utf8');
  const { plan, script, argv } = planOf(log);
  assert.equal(plan.provider, 'gitlab');
  assert.equal(plan.image.ref, `python:3.11@sha256:${'8'.repeat(64)}`, shown(plan));
  assert.equal(plan.workdir, '/builds/acme/tools/widget', shown(plan));
  assert.equal(plan.steps.length, 1, shown(plan));
  assert.deepEqual(plan.steps[0]!.commands, [
    'python --version',
    'env | sort',
    'pip freeze',
    'docker pull registry.example.com/deploy:latest',
    'pytest -q',
  ]);
  assert.equal(plan.steps[0]!.failed, true);
  assert.deepEqual(
    plan.narrowed.map((n) => n.commands.at(-1)),
    ['pytest -q tests/test_w.py::test_w'],
    shown(plan),
  );
  assert.match(script, /^\(set -o pipefail\) 2>\/dev\/null && set -o pipefail$/m);
  assert.ok(argv.includes('/home/me/shop:/builds/acme/tools/widget'), JSON.stringify(argv));
});

test("GitLab's collapsed multi-line commands come whole from .gitlab-ci.yml, or are commented out and said so", () => {
  const lines = [
    'section_start:1:step_script\r\x1b[0KExecuting "step_script" stage of the job script',
    '\x1b[32;1m$ pip install -e .\x1b[0;m',
    '\x1b[32;1m$ if [ -n "$X" ]; then # collapsed multi-line command\x1b[0;m',
    'E   assert 1 == 2',
    'section_end:2:step_script\r\x1b[0K',
    '\x1b[31;1mERROR: Job failed: exit code 1\x1b[0;m',
  ].join('\n');
  const yml =
    'test:\n  image: python:3.12\n  script:\n    - pip install -e .\n    - |\n      if [ -n "$X" ]; then\n        pytest\n      fi\n';
  const withFile = planOf(lines, { workflows: [{ path: '.gitlab-ci.yml', text: yml }] }).plan;
  assert.deepEqual(
    withFile.steps[0]!.commands,
    ['pip install -e .', 'if [ -n "$X" ]; then', '  pytest', 'fi'],
    shown(withFile),
  );
  assert.equal(withFile.image.ref, 'python:3.12', shown(withFile));
  assert.equal(withFile.image.source, 'workflow');
  const { plan, script } = planOf(lines);
  assert.deepEqual(plan.steps[0]!.truncated, [1], shown(plan));
  assert.match(
    script,
    /^# \(only the first line of this command is known\) if \[ -n "\$X" \]; then$/m,
    script,
  );
  assert.ok(
    plan.notes.some((n) => n.includes('multi-line')),
    shown(plan),
  );
});

test('a GitHub job with a workflow file: the container image and a working-directory from it', () => {
  const log = readFileSync(join(fixtures, 'sample', 'github-pytest.log'), 'utf8');
  const { parsed, job } = readJob(splitText(log));
  const failed = job.steps.find((s) => s.status === 'failure')!;
  const yml = `jobs:\n  ${job.jobName ?? 'test'}:\n    runs-on: ubuntu-24.04\n    container: python:3.11-slim\n    steps:\n      - run: ${failed.commands[0]}\n        working-directory: ./pkg\n`;
  const plan = buildPlan(parsed, job, { workflows: [{ path: '.github/workflows/ci.yml', text: yml }] });
  // The log wins over the file when it names a container; this VM log names none.
  assert.equal(plan.image.ref, 'python:3.11-slim', shown(plan));
  assert.equal(plan.steps.find((s) => s.failed)!.cwd, 'pkg', shown(plan));
  const escape = yml.replace('./pkg', '../../etc');
  assert.throws(
    () => buildPlan(parsed, job, { workflows: [{ path: '.github/workflows/ci.yml', text: escape }] }),
    /working-directory "\.\.\/\.\.\/etc" of step .* is outside the workspace: refused/,
  );
});

/** Corpus logs that failed in a test or lint step, with what their plan must hold. */
const CORPUS: Record<string, { tool?: string; command: RegExp; targets?: string[] }> = {
  '001-gha-flake8-prospect-pipeline.log': {
    tool: 'flake8',
    command: /^flake8 npid_api_client\.py --max-line-length=100$/,
    targets: ['npid_api_client.py'],
  },
  '005-gha-pytest-exit5-ibkr.log': { command: /poetry run pytest tests\/ --verbose/ },
  '007-gha-black-check-django.log': {
    tool: 'black',
    command: /black/,
    targets: ['/home/runner/work/django/django/tests/auth_tests/test_forms.py'],
  },
  '009-gha-ruff-notebook-llms-from-scratch.log': {
    tool: 'ruff',
    command: /^ruff check \.$/,
    targets: ['ch05/01_main-chapter-code/exercise-solutions.ipynb'],
  },
  '010-gha-pytest-collect-error-llms-from-scratch.log': {
    tool: 'pytest',
    command: /^pytest --ruff --check-links/,
    targets: ['ch05/01_main-chapter-code/exercise-solutions.ipynb'],
  },
  '011-gha-flake8-youtube-dl.log': {
    tool: 'flake8',
    command: /^flake8 \.$/,
    targets: ['./test/test_jsinterp.py'],
  },
  '013-gha-precommit-ruff-format-docling.log': { command: /^poetry run pre-commit run --all-files$/ },
  '014-gha-ruff-format-dify.log': {
    tool: 'ruff',
    command: /ruff format --check/,
    targets: ['core/workflow/nodes/http_request/executor.py'],
  },
  '015-gha-ruff-legacy-sd-webui.log': { tool: 'ruff', command: /^ruff \.$/, targets: ['modules/img2img.py'] },
  '017-gha-eslint-annot-mantine.log': { tool: 'eslint', command: /^npm test$/ },
  '018-gha-tsc-annot-prettier.log': { command: /^yarn lint:typecheck$/ },
  '020-gha-jest-suite-bruno.log': { command: /^npm run test --workspace=packages\/bruno-common$/ },
  '021-gha-prettier-check-commanderjs.log': {
    tool: 'prettier',
    command: /^npm run check$/,
    targets: ['lib/command.js'],
  },
  '029-plain-flake8-reviewdog.log': { tool: 'flake8', command: /^flake8 /, targets: ['./num_guess.py'] },
  '037-issue-pylint-gha-paste-osv.log': {
    tool: 'pylint',
    command: /^pylint /,
    targets: ['osv/ecosystems_test.py'],
  },
};

test(
  'every corpus log that failed in a test or lint step yields a sensible plan',
  { skip: !existsSync(corpus) && 'no shared corpus beside the checkout' },
  () => {
    const present = readdirSync(corpus);
    for (const [name, want] of Object.entries(CORPUS)) {
      assert.ok(present.includes(name), `corpus log ${name} is missing`);
      const { plan, script, argv } = planOf(readFileSync(join(corpus, name), 'utf8'));
      const ctx = `${name}:\n${shown(plan)}`;
      assert.ok(isValidImageRef(plan.image.ref), `image ${plan.image.ref} is not valid: ${ctx}`);
      assert.ok(
        plan.image.pinned ||
          plan.notes.some((n) => /APPROXIMATION|may point at a newer image|by tag/.test(n)),
        `an unpinned image must be explained: ${ctx}`,
      );
      const failed = plan.steps.find((s) => s.failed);
      const lines = [...(failed?.commands ?? []), ...plan.narrowed.flatMap((n) => n.commands)];
      assert.ok(
        lines.some((l) => want.command.test(l)),
        `no command matches ${want.command}: ${ctx}`,
      );
      if (want.tool) {
        const n = plan.narrowed.find((x) => x.tool === want.tool);
        assert.ok(n, `no narrowed ${want.tool} command: ${ctx}`);
        for (const t of want.targets ?? [])
          assert.ok(n.targets.includes(t), `narrowed ${want.tool} lacks ${t}: ${ctx}`);
      }
      assert.equal(argv.at(-2), plan.image.ref);
      assert.ok(script.startsWith('#!/bin/sh\n'), `${name}: the script has no shebang`);
      assert.ok(
        plan.workdir === '/work' || /^\/(__w|home\/runner\/work|builds)\//.test(plan.workdir),
        `workdir ${plan.workdir}: ${ctx}`,
      );
    }
  },
);

test('a GitLab job with only a local image id: the tag, and a note that it may have moved', () => {
  const name = '026-gitlab-dnf-metadata-qemu.log';
  if (!existsSync(join(corpus, name))) return;
  const { plan } = planOf(readFileSync(join(corpus, name), 'utf8'));
  assert.equal(plan.image.ref, 'fedora:latest', shown(plan));
  assert.ok(
    plan.notes.some((n) => n.includes("runner's local image id")),
    shown(plan),
  );
  assert.equal(plan.workdir, '/builds/qemu-project/qemu');
  assert.deepEqual(plan.steps.find((s) => s.failed)?.commands, ['dnf update -y'], shown(plan));
});

test('vitest and doctest runs are narrowed to the files that failed, keeping the step invocation', () => {
  const v = narrowCommands(
    'vitest',
    ['npm ci', 'npx vitest run --reporter verbose src/'],
    ['src/math.test.ts'],
  );
  assertEqualFor('vitest', v?.commands, ['npm ci', 'npx vitest run --reporter verbose src/math.test.ts']);
  const d = narrowCommands(
    'doctest',
    ['python3 -m doctest -v units/convert.py units/other.py'],
    ['units/convert.py'],
  );
  assertEqualFor('doctest', d?.commands, ['python3 -m doctest -v units/convert.py']);
  const problems = [
    { tool: 'doctest', file: '/tmp/w/units/convert.py' },
    { tool: 'doctest', file: '/etc/passwd' },
  ] as Problem[];
  assertEqualFor('targets', narrowTargets('doctest', problems, '/tmp/w'), {
    targets: ['/tmp/w/units/convert.py'],
    dropped: ['/etc/passwd'],
  });
});
