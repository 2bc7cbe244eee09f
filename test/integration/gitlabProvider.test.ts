/** GitLab provider with gitbeaker's resources against the fake GitLab API under /gitlab. */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitlabFake } from '../fakes/gitlabFake';
import { OLD_SHA, seedGitlabBranch } from '../fakes/scenarios';
import type { GitlabBranchScenario } from '../fakes/scenarios';
import { tinyMatchers } from '../fakes/tinyMatchers';
import { GitlabProvider } from '../../src/providers/gitlab/gitlabProvider';
import type { GitlabProviderOptions } from '../../src/providers/gitlab/gitlabProvider';
import { triageBranch, triageJob } from '../../src/providers/triage';
import { LogCache } from '../../src/providers/logCache';
import { AuthError, NotFoundError, RateLimitError, ScopeError } from '../../src/providers/errors';

const parse = { matchers: tinyMatchers };
type ErrorClass = abstract new (...args: never[]) => Error;
let fake: GitlabFake;
let sc: GitlabBranchScenario;

function provider(over: Partial<GitlabProviderOptions> = {}): GitlabProvider {
  return new GitlabProvider({
    repo: { provider: 'gitlab', apiUrl: fake.url, webUrl: fake.url, path: sc.project },
    token: fake.token,
    retry: { retries: 3, retryBaseMs: 2, maxRateLimitWaitMs: 0 },
    ...over,
  });
}

function summary(): string {
  return fake.requests
    .map((r) => `${r.method} ${r.path}${r.query} ${r.status}${r.ifNoneMatch ? ' (conditional)' : ''}`)
    .join('\n');
}

before(async () => {
  fake = await GitlabFake.start();
  sc = seedGitlabBranch(fake);
});
after(() => fake.close());
beforeEach(() => {
  fake.clearFaults();
  fake.clearRequests();
});

describe('listing a branch', () => {
  test('the newest commit’s pipelines, failed first; the child pipeline comes in through its parent', async () => {
    const runs = await provider().listRuns({ branch: sc.branch });
    assert.deepEqual(
      runs.map((r) => [r.id, r.conclusion ?? r.status, r.event]),
      [
        [String(sc.failedPipelineId), 'failure', 'push'],
        [String(sc.runningPipelineId), 'running', 'web'],
        [String(sc.passingPipelineId), 'success', 'schedule'],
      ],
    );
    // The nested-group path is one URL-encoded segment, under the instance's /gitlab prefix.
    assert.equal(fake.requests[0]?.path, '/projects/acme%2Fplatform%2Fbackend', summary());
  });

  test('heads: 2 adds the commit before, its pipeline after the newest commit’s', async () => {
    const runs = await provider().listRuns({ branch: sc.branch, heads: 2 });
    assert.deepEqual(
      runs.map((r) => [r.id, r.headSha === OLD_SHA ? 'old' : 'new']),
      [
        [String(sc.failedPipelineId), 'new'],
        [String(sc.runningPipelineId), 'new'],
        [String(sc.passingPipelineId), 'new'],
        [String(sc.oldPipelineId), 'old'],
      ],
    );
  });

  test('triage: failed jobs only (not allowed failures), with retried attempts and child pipeline jobs', async () => {
    const runs = await triageBranch(provider(), { branch: sc.branch }, { parse });
    assert.equal(runs.length, 1);
    assert.deepEqual(runs[0]!.run.childIds, [String(sc.childPipelineId)]);
    const jobs = runs[0]!.jobs.map((j) => [
      j.job.name,
      j.job.id,
      j.job.attempt,
      j.job.previousAttempts.map((a) => a.jobId),
    ]);
    assert.deepEqual(jobs, [
      ['lint', String(sc.lintJobId), 2, [String(sc.lintRetriedJobId)]],
      ['test', String(sc.testJobId), 1, []],
      ['child-test', String(sc.childJobId), 1, []],
    ]);
    for (const j of runs[0]!.jobs) {
      const got = j.problems.map((p) => [p.tool, p.file, p.line, p.message]);
      assert.deepEqual(
        got,
        [
          ['flake8', 'src/app.py', 1, "'os' imported but unused"],
          ['pytest', 'tests/test_x.py', null, 'assert 1 == 2'],
        ],
        `${j.job.name}: ${JSON.stringify(got)}`,
      );
      assert.equal(j.environment?.image ?? 'python:3.11', 'python:3.11');
    }
  });

  test('the open merge request of the branch', async () => {
    const mr = await provider().findPullRequest(sc.branch);
    assert.equal(mr?.number, 3);
  });

  test('jobs are paginated (Link, X-Next-Page)', async () => {
    const p = fake.projects[0]!;
    const pipe = fake.addPipeline(
      p,
      { ref: 'many', sha: 'b'.repeat(40), status: 'failed' },
      Array.from({ length: 130 }, (_, i) => ({ name: `shard ${i}`, status: 'failed' as const })),
    );
    const prov = provider();
    const [run] = await prov.listRuns({ branch: 'many' });
    assert.equal(run?.id, String(pipe.id));
    fake.clearRequests();
    const jobs = await prov.listJobs(run!);
    assert.equal(jobs.length, 130);
    assert.equal(fake.requests.filter((r) => r.path.endsWith('/jobs')).length, 2, summary());
  });
});

describe('network behaviour', () => {
  test('a repeat refresh sends only conditional requests and gets 304s', async () => {
    const cache = new LogCache({ dir: mkdtempSync(join(tmpdir(), 'ci-triage-cache-')) });
    const p = provider();
    await triageBranch(p, { branch: sc.branch }, { parse, cache });
    const before = p.stats.notModified;
    fake.clearRequests();
    const again = await triageBranch(p, { branch: sc.branch }, { parse, cache });
    assert.equal(again[0]!.jobs.length, 3);
    assert.ok(fake.requests.length > 0);
    assert.ok(
      fake.requests.every((r) => r.ifNoneMatch !== null && r.status === 304),
      `every request should be a conditional 304:\n${summary()}`,
    );
    assert.equal(p.stats.notModified - before, fake.requests.length);
  });

  test('a transient 500 recovers by itself', async () => {
    fake.fault('serverError', { times: 2, match: '/pipelines' });
    const runs = await provider().listRuns({ branch: sc.branch });
    assert.equal(runs.length, 3);
    assert.deepEqual(
      fake.requests.filter((r) => r.path.endsWith('/pipelines')).map((r) => r.status),
      [500, 500, 200],
    );
  });

  test('a reset mid-trace gives a clear error and no partial problems', async () => {
    const p = provider();
    const [run] = await p.listRuns({ branch: sc.branch });
    const job = (await p.listJobs(run!)).find((j) => j.name === 'test')!;
    fake.fault('resetMidLog', { times: 1 });
    const res = await triageJob(p, job, { parse });
    assert.match(res.error ?? '', /trace of job \d+ \(test\) stopped after \d+ bytes/);
    assert.deepEqual(res.problems, []);
  });
});

describe('faults give typed errors with actionable messages and no token', () => {
  const cases: [Parameters<GitlabFake['fault']>[0], ErrorClass, RegExp][] = [
    ['unauthorized', AuthError, /rejected the token \(401 401 Unauthorized\): set GITLAB_TOKEN .*read_api/],
    ['scope', ScopeError, /lacks a scope .*insufficient_scope.*api or read_api/],
    [
      'notFound',
      NotFoundError,
      /acme\/platform\/backend not found on 127\.0\.0\.1:\d+ \(404 404 Project Not Found\)/,
    ],
    ['tooManyRequests', RateLimitError, /rate limit reached: try again after \d{4}-/],
  ];
  for (const [name, type, message] of cases) {
    test(name, async () => {
      fake.fault(name, { retryAfter: 3600 });
      await assert.rejects(provider().listRuns({ branch: sc.branch }), (e: Error) => {
        assert.ok(e instanceof type, `${name}: got ${e.constructor.name}: ${e.message}`);
        assert.match(e.message, message);
        assert.ok(!e.message.includes(fake.token), `token in: ${e.message}`);
        return true;
      });
    });
  }
});

describe('actions', () => {
  test('retry the pipeline’s failed jobs, retry a job, cancel a pipeline', async () => {
    const p = provider();
    const runs = await p.listRuns({ branch: sc.branch });
    const failed = runs.find((r) => r.conclusion === 'failure')!;
    const running = runs.find((r) => r.status === 'running')!;
    const job = (await p.listJobs(failed)).find((j) => j.name === 'test')!;
    fake.actions.length = 0;
    await p.rerunFailedJobs(failed);
    await p.rerunJob(job);
    await p.cancelRun(running);
    assert.deepEqual(fake.actions, [
      { action: 'retryPipeline', id: sc.failedPipelineId },
      { action: 'retryJob', id: sc.testJobId },
      { action: 'cancelPipeline', id: sc.runningPipelineId },
    ]);
  });
});
