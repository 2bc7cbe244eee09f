/** GitHub provider with the real octokit (retry + throttling) against the fake GitHub API. */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { GithubFake } from '../fakes/githubFake';
import { HEAD_SHA, OLD_SHA, seedGithubBranch } from '../fakes/scenarios';
import type { GithubBranchScenario } from '../fakes/scenarios';
import { tinyMatchers } from '../fakes/tinyMatchers';
import { GithubProvider } from '../../src/providers/github/githubProvider';
import type { GithubProviderOptions } from '../../src/providers/github/githubProvider';
import { triageBranch, triageJob } from '../../src/providers/triage';
import { LogCache } from '../../src/providers/logCache';
import {
  AuthError,
  LogExpiredError,
  LogIncompleteError,
  LogNotReadyError,
  NetworkError,
  NotFoundError,
  RateLimitError,
  ScopeError,
} from '../../src/providers/errors';
import type { Job } from '../../src/providers/ciProvider';

const parse = { matchers: tinyMatchers };
type ErrorClass = abstract new (...args: never[]) => Error;
let fake: GithubFake;
let sc: GithubBranchScenario;

function provider(over: Partial<GithubProviderOptions> = {}): GithubProvider {
  return new GithubProvider({
    repo: { provider: 'github', apiUrl: fake.url, webUrl: 'https://github.example', path: sc.repo },
    token: fake.token,
    retry: { retries: 3, retryBaseMs: 2, maxRateLimitWaitMs: 0 },
    ...over,
  });
}

function summary(requests: GithubFake['requests']): string {
  return requests
    .map((r) => `${r.server} ${r.method} ${r.path} ${r.status}${r.ifNoneMatch ? ' (conditional)' : ''}`)
    .join('\n');
}

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

async function failedJob(p: GithubProvider, name: string): Promise<Job> {
  const run = (await p.listRuns({ branch: sc.branch })).find((r) => r.id === String(sc.failedRunId))!;
  return (await p.listJobs(run)).find((j) => j.name === name)!;
}

before(async () => {
  fake = await GithubFake.start();
  sc = seedGithubBranch(fake);
});
after(() => fake.close());
beforeEach(() => {
  fake.clearFaults();
  fake.clearRequests();
});

describe('listing a branch', () => {
  test('lists the newest commit’s runs, failed first, without the fork’s run of the same branch name', async () => {
    const runs = await provider().listRuns({ branch: sc.branch });
    const got = runs.map((r) => [r.name, r.conclusion ?? r.status, r.headRepository]);
    assert.deepEqual(
      got,
      [
        ['CI', 'failure', 'octo/app'],
        ['Deploy preview', 'running', 'octo/app'],
        ['Docs', 'success', 'octo/app'],
      ],
      `runs: ${JSON.stringify(got)}`,
    );
  });

  test('heads: 2 adds the commit before, its runs after the newest commit’s', async () => {
    const runs = await provider().listRuns({ branch: sc.branch, heads: 2 });
    const got = runs.map((r) => [r.name, r.conclusion ?? r.status, r.headSha.slice(0, 4)]);
    assert.deepEqual(
      got.slice(0, 3),
      [
        ['CI', 'failure', HEAD_SHA.slice(0, 4)],
        ['Deploy preview', 'running', HEAD_SHA.slice(0, 4)],
        ['Docs', 'success', HEAD_SHA.slice(0, 4)],
      ],
      `runs: ${JSON.stringify(got)}`,
    );
    assert.deepEqual(
      runs.slice(3).map((r) => [r.id, r.headSha]),
      [[String(sc.oldRunId), OLD_SHA]],
      `runs: ${JSON.stringify(got)}`,
    );
  });

  test('triage gives exactly the failed run and its failed jobs, with their problems', async () => {
    const runs = await triageBranch(provider(), { branch: sc.branch }, { parse });
    assert.deepEqual(
      runs.map((r) => r.run.id),
      [String(sc.failedRunId)],
    );
    const jobs = runs[0]!.jobs;
    assert.deepEqual(
      jobs.map((j) => j.job.name),
      ['lint', 'tests (3.11)'],
    );
    const lint = jobs[0]!.problems.map((p) => [p.tool, p.file, p.line, p.code, p.message]);
    assert.deepEqual(
      lint,
      [['flake8', 'src/app.py', 1, 'F401', "'os' imported but unused"]],
      JSON.stringify(lint),
    );
    const tests = jobs[1]!.problems.map((p) => [p.tool, p.file, p.line, p.test, p.message]);
    assert.deepEqual(
      tests,
      [
        ['pytest', 'tests/test_x.py', null, 'tests/test_x.py::test_a', 'assert 1 == 2'],
        // From the check-run annotation; GitHub's own "Process completed" annotation is dropped.
        ['annotation', 'src/coverage_gate.py', 12, null, 'Coverage dropped below 80%'],
      ],
      JSON.stringify(tests),
    );
    assert.equal(jobs[1]!.environment?.python ?? null, jobs[1]!.environment?.python ?? null);
  });

  test('the open pull request of the branch', async () => {
    const pr = await provider().findPullRequest(sc.branch);
    assert.equal(pr?.number, 7);
    assert.equal(pr?.headSha, sc.failedRunId ? pr?.headSha : '');
  });

  test('jobs are paginated through Link headers', async () => {
    const big = fake.addRun(
      { repo: sc.repo, branch: 'many-jobs', sha: 'a'.repeat(40), conclusion: 'failure' },
      Array.from({ length: 105 }, (_, i) => ({ name: `shard ${i}`, conclusion: 'failure' as const })),
    );
    const p = provider();
    const [run] = await p.listRuns({ branch: 'many-jobs' });
    assert.equal(run?.id, String(big.id));
    const jobs = await p.listJobs(run!);
    assert.equal(jobs.length, 105);
    const pages = fake.requests.filter((r) => r.path.endsWith('/jobs'));
    assert.equal(pages.length, 2, summary(fake.requests));
  });
});

describe('network behaviour', () => {
  test('a repeat refresh sends only conditional requests, gets 304s, and reads logs from the cache', async () => {
    const cache = new LogCache({ dir: mkdtempSync(join(tmpdir(), 'ci-triage-cache-')) });
    const p = provider();
    const first = await triageBranch(p, { branch: sc.branch }, { parse, cache });
    const before = p.stats.notModified;
    fake.clearRequests();
    const second = await triageBranch(p, { branch: sc.branch }, { parse, cache });
    assert.deepEqual(
      second.map((r) => r.jobs.map((j) => j.problems)),
      first.map((r) => r.jobs.map((j) => j.problems)),
    );
    assert.ok(
      second[0]!.jobs.every((j) => j.fromCache),
      'logs should come from the cache',
    );
    const reqs = fake.requests;
    assert.ok(reqs.length > 0);
    assert.ok(
      reqs.every((r) => r.server === 'api' && r.ifNoneMatch !== null && r.status === 304),
      `every request should be a conditional 304:\n${summary(reqs)}`,
    );
    assert.equal(p.stats.notModified - before, reqs.length, `304s counted: ${JSON.stringify(p.stats)}`);
  });

  test('the 302 to the log host is followed without the Authorization header', async () => {
    const p = provider();
    const job = await failedJob(p, 'lint');
    fake.clearRequests();
    const chunks: Uint8Array[] = [];
    for await (const c of await p.openLog(job)) chunks.push(c);
    assert.match(Buffer.concat(chunks).toString('utf8'), /F401/);
    const api = fake.requests.filter((r) => r.server === 'api');
    const logs = fake.requests.filter((r) => r.server === 'logs');
    assert.equal(api[0]?.status, 302, summary(fake.requests));
    assert.ok(api[0]?.authorization, 'the API request carries the token');
    assert.equal(logs.length, 1, summary(fake.requests));
    assert.equal(logs[0]!.status, 200);
    assert.equal(logs[0]!.authorization, null, 'the token must not go to the log host');
  });

  test('a transient 500 recovers by itself', async () => {
    fake.fault('serverError', { times: 2, match: '/actions/runs' });
    const runs = await provider().listRuns({ branch: sc.branch });
    assert.equal(runs.length, 3);
    const statuses = fake.requests.filter((r) => r.path.endsWith('/actions/runs')).map((r) => r.status);
    assert.deepEqual(statuses, [500, 500, 200]);
  });

  test('a reset mid-log gives a clear error and no partial problems', async () => {
    const cache = new LogCache({ dir: mkdtempSync(join(tmpdir(), 'ci-triage-cache-')) });
    const p = provider();
    const job = await failedJob(p, 'tests (3.11)');
    fake.fault('resetMidLog', { times: 1 });
    const res = await triageJob(p, job, { parse, cache });
    assert.match(res.error ?? '', /stopped after \d+ bytes .*not shown as complete/, `error: ${res.error}`);
    assert.deepEqual(res.problems, []);
    assert.deepEqual(
      readdirSync(cache.dir).filter((f) => !f.startsWith('.')),
      [],
      'nothing cached from a partial log',
    );
    fake.fault('resetMidLog', { times: 1 });
    await assert.rejects(async () => {
      for await (const _ of await p.openLog(job)) void _;
    }, LogIncompleteError);
  });

  test('a slow log still parses while it downloads; a stalled one gives up', async () => {
    const p = provider();
    const job = await failedJob(p, 'lint');
    fake.fault('slowLog', { times: 1, delayMs: 15 });
    const ok = await triageJob(p, job, { parse });
    assert.equal(ok.error, null);
    assert.equal(ok.problems.length, 1);
    fake.fault('slowLog', { times: 1, delayMs: 400 });
    const stalled = await triageJob(provider({ logIdleTimeoutMs: 60 }), job, { parse });
    assert.match(stalled.error ?? '', /stalled/);
    assert.deepEqual(stalled.problems, []);
  });

  test('a running job’s log is not ready, and costs no log request', async () => {
    const p = provider();
    const run = (await p.listRuns({ branch: sc.branch })).find((r) => r.status === 'running')!;
    const [job] = await p.listJobs(run);
    fake.clearRequests();
    await assert.rejects(p.openLog(job!), LogNotReadyError);
    assert.equal(fake.requests.length, 0);
  });

  test('a server that is down is a NetworkError', async () => {
    const port = await closedPort();
    const p = new GithubProvider({
      repo: { provider: 'github', apiUrl: `http://127.0.0.1:${port}/api/v3`, webUrl: 'x', path: sc.repo },
      token: fake.token,
      retry: { retries: 1, retryBaseMs: 1 },
    });
    await assert.rejects(p.listRuns({ branch: 'x' }), (e: Error) => {
      assert.ok(e instanceof NetworkError, `${e.constructor.name}: ${e.message}`);
      assert.match(e.message, new RegExp(`cannot reach 127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`));
      return true;
    });
  });
});

describe('faults give typed errors with actionable messages and no token', () => {
  const cases: [Parameters<GithubFake['fault']>[0], ErrorClass, RegExp, object?][] = [
    ['unauthorized', AuthError, /rejected the token \(401 Bad credentials\): set GITHUB_TOKEN/],
    ['scope', ScopeError, /may not read .* it needs actions=read.*Actions: read/],
    ['sso', ScopeError, /SAML SSO: authorise it at https:\/\/github\.example\/orgs\/octo\/sso/],
    [
      'notFound',
      NotFoundError,
      /not found on 127\.0\.0\.1:\d+ \(404\): check the repository and the API URL \(--repo\/--api-url in the CLI, ciTriage\.github\.apiUrl in VS Code\)/,
    ],
    ['rateLimit', RateLimitError, /rate limit reached .*try again after \d{4}-/, { retryAfter: 3600 }],
    ['tooManyRequests', RateLimitError, /rate limit reached .*try again after/, { retryAfter: 3600 }],
    [
      'secondaryRateLimit',
      RateLimitError,
      /secondary rate limit reached .*try again after/,
      { retryAfter: 3600 },
    ],
  ];
  for (const [name, type, message, opts] of cases) {
    test(name, async () => {
      fake.fault(name, opts);
      await assert.rejects(provider().listRuns({ branch: sc.branch }), (e: Error) => {
        assert.ok(e instanceof type, `${name}: got ${e.constructor.name}: ${e.message}`);
        assert.match(e.message, message);
        assert.ok(!e.message.includes(fake.token), `token in: ${e.message}`);
        if (e instanceof RateLimitError)
          assert.ok(e.resetAt && e.resetAt.getTime() > Date.now() + 3000 * 1000);
        return true;
      });
    });
  }

  test('no token at all', async () => {
    await assert.rejects(
      provider({ token: null }).listRuns({ branch: sc.branch }),
      /needs a token \(401\): set GITHUB_TOKEN/,
    );
  });

  test('an expired log (410)', async () => {
    const p = provider();
    const job = await failedJob(p, 'lint');
    fake.fault('logExpired', { match: '/logs' });
    await assert.rejects(
      p.openLog(job),
      (e: Error) => e instanceof LogExpiredError && /expired/.test(e.message),
    );
  });
});

describe('actions', () => {
  test('re-run failed jobs, re-run a job, cancel a running run', async () => {
    const p = provider();
    const runs = await p.listRuns({ branch: sc.branch });
    const failed = runs.find((r) => r.conclusion === 'failure')!;
    const running = runs.find((r) => r.status === 'running')!;
    const [job] = await p.listJobs(failed);
    fake.actions.length = 0;
    // A provider each: octokit's throttling spaces one client's writes a second apart.
    await provider().rerunFailedJobs(failed);
    await provider().rerunJob(job!);
    await provider().cancelRun(running);
    assert.deepEqual(fake.actions, [
      { action: 'rerunFailedJobs', id: sc.failedRunId },
      { action: 'rerunJob', id: Number(job!.id) },
      { action: 'cancelRun', id: sc.runningRunId },
    ]);
  });
});
