/**
 * Small typed builders for the JSON the fakes serve, shaped like the real APIs' answers (the fields our
 * providers read, and enough of the rest to look real). Defaults make a finished, successful item.
 */

let nextId = 9_000_000_000;
const id = () => ++nextId;
const T0 = Date.parse('2024-05-01T10:00:00Z');
const iso = (offsetSeconds: number) =>
  new Date(T0 + offsetSeconds * 1000).toISOString().replace('.000Z', 'Z');

// ---------------------------------------------------------------- GitHub

export type GhStatus = 'queued' | 'in_progress' | 'completed' | 'waiting' | 'requested' | 'pending';
export type GhConclusion =
  'success' | 'failure' | 'cancelled' | 'skipped' | 'neutral' | 'timed_out' | 'action_required' | null;

export interface GhRepo {
  id: number;
  name: string;
  full_name: string;
  owner: { login: string; id: number; type: string };
  private: boolean;
  html_url: string;
  fork: boolean;
}

export interface GhStep {
  name: string;
  status: GhStatus;
  conclusion: GhConclusion;
  number: number;
  started_at: string | null;
  completed_at: string | null;
}

export interface GhJob {
  id: number;
  run_id: number;
  run_attempt: number;
  node_id: string;
  head_sha: string;
  head_branch: string;
  url: string;
  html_url: string;
  check_run_url: string;
  status: GhStatus;
  conclusion: GhConclusion;
  created_at: string;
  started_at: string;
  completed_at: string | null;
  name: string;
  workflow_name: string;
  labels: string[];
  runner_name: string | null;
  steps: GhStep[];
}

export interface GhRun {
  id: number;
  name: string;
  node_id: string;
  head_branch: string;
  head_sha: string;
  display_title: string;
  path: string;
  run_number: number;
  run_attempt: number;
  event: string;
  status: GhStatus;
  conclusion: GhConclusion;
  workflow_id: number;
  url: string;
  html_url: string;
  jobs_url: string;
  logs_url: string;
  created_at: string;
  updated_at: string;
  run_started_at: string;
  pull_requests: unknown[];
  repository: GhRepo;
  head_repository: GhRepo;
}

export interface GhAnnotation {
  path: string;
  blob_href: string;
  start_line: number;
  end_line: number;
  start_column: number | null;
  end_column: number | null;
  annotation_level: 'notice' | 'warning' | 'failure';
  title: string | null;
  message: string;
  raw_details: string | null;
}

export interface GhPull {
  id: number;
  number: number;
  state: 'open' | 'closed';
  html_url: string;
  title: string;
  head: { ref: string; sha: string; label: string; repo: GhRepo };
  base: { ref: string; sha: string; label: string; repo: GhRepo };
}

export function ghRepo(fullName: string, opts: { fork?: boolean } = {}): GhRepo {
  const [owner = 'octo', name = 'app'] = fullName.split('/');
  return {
    id: id(),
    name,
    full_name: fullName,
    owner: { login: owner, id: id(), type: 'Organization' },
    private: false,
    html_url: `https://github.example/${fullName}`,
    fork: opts.fork ?? false,
  };
}

export interface GhRunInit {
  id?: number;
  repo: string;
  name?: string;
  branch: string;
  sha: string;
  status?: GhStatus;
  conclusion?: GhConclusion;
  attempt?: number;
  runNumber?: number;
  event?: string;
  /** The repository the commit came from; defaults to `repo` (a fork's PR sets it to the fork). */
  headRepo?: string;
  /** Seconds after a fixed start, to order runs. */
  at?: number;
}

export function ghRun(api: string, init: GhRunInit): GhRun {
  const runId = init.id ?? id();
  const status = init.status ?? 'completed';
  const base = `${api}/repos/${init.repo}/actions/runs/${runId}`;
  const web = `https://github.example/${init.repo}/actions/runs/${runId}`;
  const at = init.at ?? 0;
  return {
    id: runId,
    name: init.name ?? 'CI',
    node_id: `WFR_${runId}`,
    head_branch: init.branch,
    head_sha: init.sha,
    display_title: `Commit ${init.sha.slice(0, 7)}`,
    path: `.github/workflows/${(init.name ?? 'ci').toLowerCase()}.yml`,
    run_number: init.runNumber ?? 1,
    run_attempt: init.attempt ?? 1,
    event: init.event ?? 'push',
    status,
    conclusion: status === 'completed' ? (init.conclusion ?? 'success') : null,
    workflow_id: 1000 + (init.name ?? 'CI').length,
    url: base,
    html_url: init.attempt && init.attempt > 1 ? `${web}/attempts/${init.attempt}` : web,
    jobs_url: `${base}/jobs`,
    logs_url: `${base}/logs`,
    created_at: iso(at),
    updated_at: iso(at + 120),
    run_started_at: iso(at),
    pull_requests: [],
    repository: ghRepo(init.repo),
    head_repository: ghRepo(init.headRepo ?? init.repo, { fork: (init.headRepo ?? init.repo) !== init.repo }),
  };
}

export function ghStep(
  number: number,
  name: string,
  conclusion: GhConclusion = 'success',
  status: GhStatus = 'completed',
): GhStep {
  return {
    name,
    status,
    conclusion: status === 'completed' ? conclusion : null,
    number,
    started_at: iso(number),
    completed_at: status === 'completed' ? iso(number + 1) : null,
  };
}

export interface GhJobInit {
  id?: number;
  name: string;
  status?: GhStatus;
  conclusion?: GhConclusion;
  steps?: GhStep[];
}

export function ghJob(api: string, run: GhRun, init: GhJobInit): GhJob {
  const jobId = init.id ?? id();
  const status = init.status ?? 'completed';
  const repo = run.repository.full_name;
  return {
    id: jobId,
    run_id: run.id,
    run_attempt: run.run_attempt,
    node_id: `CR_${jobId}`,
    head_sha: run.head_sha,
    head_branch: run.head_branch,
    url: `${api}/repos/${repo}/actions/jobs/${jobId}`,
    html_url: `https://github.example/${repo}/actions/runs/${run.id}/job/${jobId}`,
    check_run_url: `${api}/repos/${repo}/check-runs/${jobId}`,
    status,
    conclusion: status === 'completed' ? (init.conclusion ?? 'success') : null,
    created_at: run.created_at,
    started_at: run.run_started_at,
    completed_at: status === 'completed' ? run.updated_at : null,
    name: init.name,
    workflow_name: run.name,
    labels: ['ubuntu-latest'],
    runner_name: 'GitHub Actions 2',
    steps: init.steps ?? [
      ghStep(1, 'Set up job'),
      ghStep(2, 'Run actions/checkout@v4'),
      ghStep(3, 'Run tests', init.conclusion ?? 'success', status),
    ],
  };
}

export function ghAnnotation(
  path: string,
  line: number,
  message: string,
  level: GhAnnotation['annotation_level'] = 'failure',
  title: string | null = null,
): GhAnnotation {
  return {
    path,
    blob_href: `https://github.example/blob/${path}`,
    start_line: line,
    end_line: line,
    start_column: null,
    end_column: null,
    annotation_level: level,
    title,
    message,
    raw_details: null,
  };
}

export function ghPull(repo: string, number: number, branch: string, sha: string, headRepo = repo): GhPull {
  return {
    id: id(),
    number,
    state: 'open',
    html_url: `https://github.example/${repo}/pull/${number}`,
    title: `Change ${number}`,
    head: { ref: branch, sha, label: `${headRepo.split('/')[0]}:${branch}`, repo: ghRepo(headRepo) },
    base: { ref: 'main', sha: '0'.repeat(40), label: `${repo.split('/')[0]}:main`, repo: ghRepo(repo) },
  };
}

// ---------------------------------------------------------------- GitLab

export type GlStatus =
  | 'created'
  | 'waiting_for_resource'
  | 'preparing'
  | 'pending'
  | 'running'
  | 'success'
  | 'failed'
  | 'canceled'
  | 'skipped'
  | 'manual'
  | 'scheduled';

export interface GlProject {
  id: number;
  name: string;
  path: string;
  path_with_namespace: string;
  web_url: string;
  default_branch: string;
}

export interface GlPipeline {
  id: number;
  iid: number;
  project_id: number;
  sha: string;
  ref: string;
  status: GlStatus;
  source: string;
  created_at: string;
  updated_at: string;
  web_url: string;
  name: string | null;
}

export interface GlJob {
  id: number;
  name: string;
  stage: string;
  status: GlStatus;
  ref: string;
  allow_failure: boolean;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  duration: number | null;
  web_url: string;
  retried: boolean;
  failure_reason?: string;
  pipeline: { id: number; project_id: number; sha: string; ref: string; status: GlStatus };
  commit: { id: string; short_id: string; title: string };
  runner: { id: number; description: string } | null;
}

export interface GlBridge {
  id: number;
  name: string;
  stage: string;
  status: GlStatus;
  web_url: string;
  pipeline: { id: number; project_id: number; sha: string; ref: string; status: GlStatus };
  downstream_pipeline: {
    id: number;
    project_id: number;
    sha: string;
    ref: string;
    status: GlStatus;
    web_url: string;
  } | null;
}

export interface GlMergeRequest {
  id: number;
  iid: number;
  project_id: number;
  source_project_id: number;
  target_project_id: number;
  source_branch: string;
  target_branch: string;
  state: 'opened' | 'closed' | 'merged';
  sha: string;
  web_url: string;
  title: string;
}

export function glProject(web: string, pathWithNamespace: string, projectId?: number): GlProject {
  const name = pathWithNamespace.split('/').pop() ?? 'project';
  return {
    id: projectId ?? id() % 1_000_000,
    name,
    path: name,
    path_with_namespace: pathWithNamespace,
    web_url: `${web}/${pathWithNamespace}`,
    default_branch: 'main',
  };
}

export interface GlPipelineInit {
  id?: number;
  ref: string;
  sha: string;
  status?: GlStatus;
  source?: string;
  at?: number;
}

export function glPipeline(project: GlProject, init: GlPipelineInit): GlPipeline {
  const pid = init.id ?? id() % 100_000_000;
  const at = init.at ?? 0;
  return {
    id: pid,
    iid: pid % 1000,
    project_id: project.id,
    sha: init.sha,
    ref: init.ref,
    status: init.status ?? 'success',
    source: init.source ?? 'push',
    created_at: iso(at),
    updated_at: iso(at + 300),
    web_url: `${project.web_url}/-/pipelines/${pid}`,
    name: null,
  };
}

export interface GlJobInit {
  id?: number;
  name: string;
  stage?: string;
  status?: GlStatus;
  allowFailure?: boolean;
  retried?: boolean;
  at?: number;
}

export function glJob(project: GlProject, pipeline: GlPipeline, init: GlJobInit): GlJob {
  const jid = init.id ?? id() % 1_000_000_000;
  const status = init.status ?? 'success';
  const done = ![
    'created',
    'pending',
    'running',
    'preparing',
    'waiting_for_resource',
    'manual',
    'scheduled',
  ].includes(status);
  const at = init.at ?? 10;
  return {
    id: jid,
    name: init.name,
    stage: init.stage ?? 'test',
    status,
    ref: pipeline.ref,
    allow_failure: init.allowFailure ?? false,
    created_at: iso(at),
    started_at: status === 'created' || status === 'pending' ? null : iso(at + 5),
    finished_at: done ? iso(at + 65) : null,
    duration: done ? 60 : null,
    web_url: `${project.web_url}/-/jobs/${jid}`,
    retried: init.retried ?? false,
    ...(status === 'failed' ? { failure_reason: 'script_failure' } : {}),
    pipeline: {
      id: pipeline.id,
      project_id: project.id,
      sha: pipeline.sha,
      ref: pipeline.ref,
      status: pipeline.status,
    },
    commit: { id: pipeline.sha, short_id: pipeline.sha.slice(0, 8), title: 'Change things' },
    runner: { id: 12270859, description: 'shared-runners-manager' },
  };
}

export function glBridge(
  project: GlProject,
  pipeline: GlPipeline,
  name: string,
  child: GlPipeline | null,
): GlBridge {
  return {
    id: id() % 1_000_000_000,
    name,
    stage: 'test',
    status: child?.status ?? 'created',
    web_url: `${project.web_url}/-/jobs/bridge`,
    pipeline: {
      id: pipeline.id,
      project_id: project.id,
      sha: pipeline.sha,
      ref: pipeline.ref,
      status: pipeline.status,
    },
    downstream_pipeline: child
      ? {
          id: child.id,
          project_id: child.project_id,
          sha: child.sha,
          ref: child.ref,
          status: child.status,
          web_url: child.web_url,
        }
      : null,
  };
}

export function glMergeRequest(project: GlProject, iid: number, branch: string, sha: string): GlMergeRequest {
  return {
    id: id(),
    iid,
    project_id: project.id,
    source_project_id: project.id,
    target_project_id: project.id,
    source_branch: branch,
    target_branch: 'main',
    state: 'opened',
    sha,
    web_url: `${project.web_url}/-/merge_requests/${iid}`,
    title: `Change ${iid}`,
  };
}
