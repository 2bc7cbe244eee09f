/** `ci-triage runs [--provider github|gitlab] [--repo PATH] [--branch NAME] [--api-url URL] [--json]` */
import { execFile } from 'node:child_process';
import { parseArgs } from 'node:util';
import type { ProviderKind, RepositoryRef } from '../providers/ciProvider';
import { createProvider, tokenFromEnv } from '../providers/createProvider';
import { ProviderError, redact, registerSecret } from '../providers/errors';
import { LogCache, defaultCacheDir } from '../providers/logCache';
import { guessProvider, repositoryFromPath, repositoryFromRemote } from '../providers/remoteUrl';
import { triageBranch } from '../providers/triage';
import type { TriagedRun } from '../providers/triage';
import { CliError } from './errors';
import { formatHuman } from './format';
import { proxyFromEnv } from './proxy';
import { emptyEnvironment } from '../core/model';

export async function runRuns(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      allowPositionals: false,
      options: {
        provider: { type: 'string' },
        repo: { type: 'string' },
        branch: { type: 'string' },
        'api-url': { type: 'string' },
        json: { type: 'boolean', default: false },
        'no-cache': { type: 'boolean', default: false },
      },
    }));
  } catch (e) {
    throw new CliError(`runs: ${(e as Error).message}`);
  }
  const providerFlag = values.provider;
  if (providerFlag !== undefined && providerFlag !== 'github' && providerFlag !== 'gitlab')
    throw new CliError(`runs: --provider must be github or gitlab, not '${providerFlag}'`);
  const apiUrl = values['api-url'] ?? null;
  if (apiUrl !== null && !/^https?:\/\/[^/\s]+/.test(apiUrl))
    throw new CliError(`runs: --api-url must be an http(s) URL, not '${apiUrl}'`);

  const repo = await resolveRepository(
    values.repo ?? null,
    (providerFlag as ProviderKind | undefined) ?? null,
    apiUrl,
  );
  const branch = values.branch ?? (await currentBranch());
  const token = tokenFromEnv(repo.provider);
  registerSecret(token);

  const proxy = proxyFromEnv();
  const provider = createProvider(repo, proxy ? { token, fetch: proxy.fetch } : { token });
  const cache = values['no-cache'] ? null : new LogCache({ dir: defaultCacheDir() });
  let runs: TriagedRun[];
  try {
    runs = await triageBranch(provider, { branch }, { cache });
  } catch (e) {
    // Through a proxy, a refused or unreachable connection is the proxy's.
    if (e instanceof ProviderError && e.kind === 'network' && proxy)
      throw new CliError(`${e.message} (the requests go through ${proxy.describe})`, 1);
    if (e instanceof ProviderError) throw new CliError(e.message, 1);
    throw new CliError(redact(`unexpected failure: ${e instanceof Error ? e.message : String(e)}`), 1);
  }

  const out = values.json ? JSON.stringify(toJson(runs), null, 2) + '\n' : formatRuns(runs, repo, branch);
  process.stdout.write(redact(out));
  const broken = runs.flatMap((r) => r.jobs).filter((j) => j.error !== null);
  for (const j of broken) process.stderr.write(redact(`ci-triage: job ${j.job.name}: ${j.error}\n`));
  return broken.length > 0 ? 1 : 0;
}

async function resolveRepository(
  repoFlag: string | null,
  provider: ProviderKind | null,
  apiUrl: string | null,
): Promise<RepositoryRef> {
  try {
    if (repoFlag !== null) {
      const kind = provider ?? (apiUrl ? guessProvider(new URL(apiUrl).hostname) : null) ?? 'github';
      return repositoryFromPath(repoFlag, kind, apiUrl);
    }
    const remote = await gitRemoteUrl();
    return repositoryFromRemote(remote, { provider, apiUrl });
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`runs: ${redact((e as Error).message)}`);
  }
}

function git(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { encoding: 'utf8', timeout: 10_000 }, (err, stdout) =>
      err ? reject(err) : resolve(stdout.trim()),
    );
  });
}

/** The remote of the branch's upstream, else `origin`. */
async function gitRemoteUrl(): Promise<string> {
  const upstream = await git(['rev-parse', '--abbrev-ref', '--symbolic-full-name', '@{upstream}']).catch(
    () => '',
  );
  const remote = upstream.includes('/') ? upstream.slice(0, upstream.indexOf('/')) : 'origin';
  try {
    return await git(['remote', 'get-url', remote]);
  } catch {
    throw new CliError(
      `runs: no git remote '${remote}' here: run inside a clone, or pass --repo (and --provider)`,
    );
  }
}

/** The upstream branch's name when there is one (it may differ from the local name), else the local one. */
async function currentBranch(): Promise<string> {
  const upstream = await git(['rev-parse', '--abbrev-ref', '--symbolic-full-name', '@{upstream}']).catch(
    () => '',
  );
  if (upstream.includes('/')) return upstream.slice(upstream.indexOf('/') + 1);
  // symbolic-ref works on a branch with no commits yet; it fails on a detached HEAD.
  const local = await git(['symbolic-ref', '-q', '--short', 'HEAD']).catch(() => '');
  if (local !== '') return local;
  const inRepo = await git(['rev-parse', '--git-dir']).then(
    () => true,
    () => false,
  );
  throw new CliError(
    inRepo
      ? 'runs: HEAD is detached: pass --branch'
      : 'runs: not in a git repository: pass --branch (and --repo)',
  );
}

function toJson(runs: TriagedRun[]) {
  return {
    runs: runs.map(({ run, jobs }) => ({
      id: run.id,
      name: run.name,
      url: run.url,
      headSha: run.headSha,
      status: run.status,
      conclusion: run.conclusion,
      attempt: run.attempt,
      jobs: jobs.map((j) => ({
        id: j.job.id,
        name: j.job.name,
        url: j.job.url,
        conclusion: j.job.conclusion,
        problems: j.problems,
        environment: j.environment,
        ...(j.error !== null ? { error: j.error } : {}),
        ...(j.warnings.length > 0 ? { warnings: j.warnings } : {}),
      })),
    })),
  };
}

function formatRuns(runs: TriagedRun[], repo: RepositoryRef, branch: string): string {
  const color = Boolean(process.stdout.isTTY);
  const c = (code: string, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  if (runs.length === 0) return c('32', `No failed runs on ${repo.path} ${branch}.`) + '\n';
  const lines: string[] = [];
  for (const { run, jobs } of runs) {
    const attempt = run.attempt > 1 ? ` (attempt ${run.attempt})` : '';
    lines.push(
      `${c('31;1', '✗')} ${c('1', run.name)} ${run.headSha.slice(0, 7)}${attempt}  ${c('2', run.url)}`,
    );
    for (const j of jobs) {
      lines.push(`  ${c('31', '✗')} ${j.job.name}  ${c('2', j.job.url)}`);
      if (j.error !== null) {
        lines.push(`    ${c('33', `log unavailable: ${j.error}`)}`);
        continue;
      }
      const body = formatHuman(j.problems, j.environment ?? emptyEnvironment(), { color });
      for (const l of body.trimEnd().split('\n')) lines.push(`    ${l}`);
      for (const w of j.warnings) lines.push(`    ${c('33', `warning: ${w}`)}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}
