/**
 * The jobs Reproduce Locally reads from `.gitlab-ci.yml` when the trace does not say enough: `extends:` resolved
 * as GitLab resolves it, and the workspace files `include:` names merged in.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gitlabJobs, loadWorkflowFiles } from '../../src/core/reproduce/workflow';
import type { WorkflowFile } from '../../src/core/reproduce/workflow';

function jobsOf(
  yml: string,
  more: WorkflowFile[] = [],
): Record<string, { image: string | null; script: string[] }> {
  const files = [{ path: '.gitlab-ci.yml', text: yml }, ...more];
  return Object.fromEntries(gitlabJobs(files).map((j) => [j.id, { image: j.image, script: j.script }]));
}

test('extends: templates in order, then the job; mappings merge, lists and scalars are replaced', () => {
  const yml = `
image: debian:12
.python:
  image: python:3.12-slim@sha256:${'a'.repeat(64)}
  before_script: [pip install -e .]
  variables: { A: "1", B: "1" }
.lint:
  extends: .python
  script: [ruff check .]
.slow:
  image: python:3.11
lint:
  extends: .lint
test:
  extends: [.python, .slow]
  script: [pytest]
plain:
  script: [make]
loop-a:
  extends: loop-b
  script: [a]
loop-b:
  extends: loop-a
  script: [b]
`;
  const jobs = jobsOf(yml);
  assert.deepEqual(jobs['lint'], {
    image: `python:3.12-slim@sha256:${'a'.repeat(64)}`,
    script: ['pip install -e .', 'ruff check .'],
  });
  // The later template wins where both set a key.
  assert.deepEqual(jobs['test'], { image: 'python:3.11', script: ['pip install -e .', 'pytest'] });
  assert.deepEqual(jobs['plain'], { image: 'debian:12', script: ['make'] });
  // A loop of templates ends (GitLab's depth limit) instead of recursing forever.
  assert.ok(jobs['loop-a'] && jobs['loop-b'], `jobs: ${Object.keys(jobs).join(', ')}`);
  assert.equal(jobs['.lint'], undefined, 'hidden jobs are templates, not jobs');
});

test('include: the workspace files it names (and they name) are read and merged under their includer', async () => {
  const ws = mkdtempSync(join(tmpdir(), 'ci-triage-gitlab-'));
  try {
    mkdirSync(join(ws, 'ci'));
    writeFileSync(
      join(ws, '.gitlab-ci.yml'),
      [
        'include:',
        '  - ci/jobs.yml',
        "  - remote: 'https://example.com/ci.yml'",
        "  - local: '../outside.yml'",
        "  - local: 'ci/*.yml'",
        'unit:',
        '  image: python:3.13',
      ].join('\n'),
    );
    writeFileSync(
      join(ws, 'ci', 'templates.yml'),
      '.py:\n  image: python:3.12\n  before_script: [pip install .]\n',
    );
    writeFileSync(
      join(ws, 'ci', 'jobs.yml'),
      'include: ci/templates.yml\nunit:\n  extends: .py\n  script: [pytest -q]\nlint:\n  extends: .py\n  script: [ruff check .]\n',
    );
    writeFileSync(join(tmpdir(), 'outside.yml'), 'evil:\n  script: [rm -rf /]\n');
    const files = await loadWorkflowFiles(ws);
    assert.deepEqual(
      files.map((f) => f.path),
      ['.gitlab-ci.yml', 'ci/jobs.yml', 'ci/templates.yml'],
    );
    const jobs = jobsOf(files[0]!.text, files.slice(1));
    // The including file's own keys win over the included ones.
    assert.deepEqual(jobs['unit'], { image: 'python:3.13', script: ['pip install .', 'pytest -q'] });
    assert.deepEqual(jobs['lint'], { image: 'python:3.12', script: ['pip install .', 'ruff check .'] });
    assert.equal(jobs['evil'], undefined);
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
});
