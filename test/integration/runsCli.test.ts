/** `ci-triage runs` end to end: the built CLI against the fakes, under API paths that must be kept. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GithubFake } from '../fakes/githubFake';
import { GitlabFake } from '../fakes/gitlabFake';
import { seedGithubBranch, seedGitlabBranch } from '../fakes/scenarios';
import type { GithubBranchScenario, GitlabBranchScenario } from '../fakes/scenarios';

const cli = join(__dirname, '..', '..', 'dist', 'cli.js');

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

// Async: the fakes answer from this process, so a synchronous spawn would deadlock.
function run(args: string[], env: Record<string, string>, cwd?: string): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cli, ...args],
      {
        cwd,
        env: {
          PATH: process.env.PATH ?? '',
          XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), 'ci-triage-xdg-')),
          ...env,
        },
        timeout: 30_000,
      },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

interface JsonOut {
  runs: {
    id: string;
    name: string;
    url: string;
    headSha: string;
    status: string;
    conclusion: string;
    attempt: number;
    jobs: {
      id: string;
      name: string;
      url: string;
      conclusion: string;
      problems: { file: string | null; message: string }[];
      environment: object;
    }[];
  }[];
}

let gh: GithubFake;
let gl: GitlabFake;
let ghs: GithubBranchScenario;
let gls: GitlabBranchScenario;

before(async () => {
  gh = await GithubFake.start({ prefix: '/api/v3' });
  ghs = seedGithubBranch(gh);
  gl = await GitlabFake.start({ prefix: '/gitlab' });
  gls = seedGitlabBranch(gl);
});
after(async () => {
  await gh.close();
  await gl.close();
});

/** `runs` on the seeded GitHub branch of the fake, then `extra`. */
function githubArgs(...extra: string[]): string[] {
  return [
    'runs',
    '--provider',
    'github',
    '--repo',
    ghs.repo,
    '--branch',
    ghs.branch,
    '--api-url',
    gh.url,
    ...extra,
  ];
}

describe('ci-triage runs against GitHub (Enterprise-style /api/v3)', () => {
  test('--json lists the failed run, its failed jobs, their problems and environment', async () => {
    const r = await run(githubArgs('--json'), { GITHUB_TOKEN: gh.token });
    assert.equal(r.code, 0, `exit ${r.code}, stderr: ${r.stderr}`);
    const out = JSON.parse(r.stdout) as JsonOut;
    assert.deepEqual(
      out.runs.map((x) => [x.id, x.name, x.conclusion, x.attempt]),
      [[String(ghs.failedRunId), 'CI', 'failure', 1]],
    );
    const run0 = out.runs[0]!;
    assert.match(run0.headSha, /^[0-9a-f]{40}$/);
    assert.deepEqual(
      run0.jobs.map((j) => [j.name, j.conclusion]),
      [
        ['lint', 'failure'],
        ['tests (3.11)', 'failure'],
      ],
    );
    for (const j of run0.jobs) {
      assert.ok(Array.isArray(j.problems) && typeof j.environment === 'object', JSON.stringify(j));
      assert.ok(j.url.startsWith('https://'), j.url);
    }
    // Loosely: the real matchers are still changing, but these lines are simple and stable.
    const lint = run0.jobs[0]!.problems;
    assert.ok(lint.length === 0 || lint.some((p) => p.file === 'src/app.py'), JSON.stringify(lint));
    assert.ok(
      run0.jobs[1]!.problems.some((p) => p.message === 'Coverage dropped below 80%'),
      'annotation merged',
    );
    assert.ok(!r.stdout.includes(gh.token) && !r.stderr.includes(gh.token));
    // Every API call kept the /api/v3 path.
    assert.ok(
      gh.api.requests.every((q) => q.path.startsWith('/repos/')),
      'paths',
    );
  });

  test('human output names the run and the jobs', async () => {
    const r = await run(
      ['runs', '--provider', 'github', '--repo', ghs.repo, '--branch', ghs.branch, '--api-url', gh.url],
      {
        GITHUB_TOKEN: gh.token,
      },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /✗ CI 3f2a1b0/);
    assert.match(r.stdout, /✗ lint/);
    assert.doesNotMatch(r.stdout, /Docs|Deploy preview|build/);
  });

  test('a bad token exits 1 with one line that does not show the token', async () => {
    const bad = 'ghp_' + 'x'.repeat(36);
    const r = await run(
      ['runs', '--provider', 'github', '--repo', ghs.repo, '--branch', ghs.branch, '--api-url', gh.url],
      {
        GITHUB_TOKEN: bad,
      },
    );
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^ci-triage: .*rejected the token \(401 Bad credentials\): set GITHUB_TOKEN/);
    assert.ok(!r.stderr.includes(bad) && !r.stdout.includes(bad));
  });

  test('bad arguments exit 2 with one line', async () => {
    const cases = [
      ['runs', '--provider', 'bitbucket'],
      ['runs', '--bogus'],
      ['runs', '--repo', 'x', '--provider', 'github', '--branch', 'b', '--api-url', 'ftp://x'],
      ['runs', '--repo', 'only-one-segment', '--provider', 'github', '--branch', 'b'],
    ];
    const results = await Promise.all(cases.map((args) => run(args, {})));
    results.forEach((r, i) => {
      assert.equal(r.code, 2, `${cases[i]!.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    });
  });
});

/**
 * A proxy on 127.0.0.1 as corporate ones behave: CONNECT tunnels (what undici uses, for http: targets too) and
 * absolute-form requests. It records what it was asked for.
 */
async function startProxy(): Promise<{ url: string; seen: string[]; close(): Promise<void> }> {
  const seen: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end();
      return;
    }
    const up = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method: req.method,
        headers: req.headers,
      },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    seen.push(`CONNECT ${req.url}`);
    const [host, port] = (req.url ?? '').split(':');
    const up = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) up.write(head);
      up.pipe(client);
      client.pipe(up);
    });
    for (const s of [up, client]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        up.destroy();
        client.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('ci-triage runs through a proxy the environment names', () => {
  const args = (): string[] => githubArgs('--json', '--no-cache');

  test('HTTP_PROXY: the API calls go through it', async () => {
    const proxy = await startProxy();
    try {
      const r = await run(args(), { GITHUB_TOKEN: gh.token, HTTP_PROXY: proxy.url });
      assert.equal(r.code, 0, `exit ${r.code}, stderr: ${r.stderr}`);
      const out = JSON.parse(r.stdout) as JsonOut;
      assert.deepEqual(
        out.runs.map((x) => x.id),
        [String(ghs.failedRunId)],
      );
      // The fake API answered (the runs above) through the proxy's tunnel to it.
      const host = new URL(gh.url).host;
      assert.ok(
        proxy.seen.includes(`CONNECT ${host}`) || proxy.seen.some((x) => x.includes(`//${host}/`)),
        `asked of the proxy: ${JSON.stringify(proxy.seen)}; the API is at ${host}`,
      );
    } finally {
      await proxy.close();
    }
  });

  test('NO_PROXY: a host it names is reached directly', async () => {
    const proxy = await startProxy();
    try {
      const r = await run(args(), { GITHUB_TOKEN: gh.token, HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' });
      assert.equal(r.code, 0, `exit ${r.code}, stderr: ${r.stderr}`);
      assert.deepEqual(proxy.seen, [], 'nothing through the proxy');
    } finally {
      await proxy.close();
    }
  });

  test('a proxy that is down: exit 1 with one line that names it', async () => {
    const proxy = await startProxy();
    const url = proxy.url;
    await proxy.close();
    const r = await run(args(), { GITHUB_TOKEN: gh.token, HTTP_PROXY: url });
    assert.equal(r.code, 1, `exit ${r.code}, stdout: ${r.stdout}, stderr: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.ok(r.stderr.includes(url), `stderr: ${r.stderr}`);
  });
});

describe('ci-triage runs against GitLab under /gitlab', () => {
  test('--json with a nested-group project', async () => {
    const r = await run(
      [
        'runs',
        '--provider',
        'gitlab',
        '--repo',
        gls.project,
        '--branch',
        gls.branch,
        '--api-url',
        gl.url,
        '--json',
      ],
      { GITLAB_TOKEN: gl.token },
    );
    assert.equal(r.code, 0, `exit ${r.code}, stderr: ${r.stderr}`);
    const out = JSON.parse(r.stdout) as JsonOut;
    assert.deepEqual(
      out.runs.map((x) => [x.id, x.conclusion]),
      [[String(gls.failedPipelineId), 'failure']],
    );
    assert.deepEqual(
      out.runs[0]!.jobs.map((j) => j.name),
      ['lint', 'test', 'child-test'],
    );
    assert.ok(!r.stdout.includes(gl.token));
  });

  test('without --repo and --branch: the git remote and branch of the current directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ci-triage-clone-'));
    const git = (...a: string[]) => execFileSync('git', a, { cwd: dir, stdio: 'pipe' });
    git('init', '-q', '-b', gls.branch);
    // An https-style clone URL of a GitLab under /gitlab repeats the prefix; the CLI strips it.
    git('remote', 'add', 'origin', `${gl.url}/${gls.project}.git`);
    const r = await run(
      ['runs', '--provider', 'gitlab', '--api-url', gl.url, '--json'],
      { GITLAB_TOKEN: gl.token },
      dir,
    );
    assert.equal(r.code, 0, `exit ${r.code}, stderr: ${r.stderr}`);
    const out = JSON.parse(r.stdout) as JsonOut;
    assert.equal(out.runs[0]?.id, String(gls.failedPipelineId));
  });

  test('a reset mid-trace: the job says so, no partial problems, exit 1', async () => {
    gl.fault('resetMidLog', { times: 1 });
    const r = await run(
      [
        'runs',
        '--provider',
        'gitlab',
        '--repo',
        gls.project,
        '--branch',
        gls.branch,
        '--api-url',
        gl.url,
        '--json',
      ],
      { GITLAB_TOKEN: gl.token },
    );
    gl.clearFaults();
    assert.equal(r.code, 1, r.stderr);
    const out = JSON.parse(r.stdout) as { runs: { jobs: { error?: string; problems: unknown[] }[] }[] };
    const broken = out.runs[0]!.jobs.filter((j) => j.error);
    assert.equal(broken.length, 1, r.stdout);
    assert.deepEqual(broken[0]!.problems, []);
    assert.match(r.stderr, /stopped after \d+ bytes/);
  });
});
