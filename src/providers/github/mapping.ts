/** Octokit's types to our model. The only place that knows GitHub's field names. */
import type { RestEndpointMethodTypes } from '@octokit/rest';
import type { Annotation, Conclusion, Job, PullRequestRef, Run, RunStatus, Step } from '../ciProvider';

export type GhRun =
  RestEndpointMethodTypes['actions']['listWorkflowRunsForRepo']['response']['data']['workflow_runs'][number];
export type GhJob =
  RestEndpointMethodTypes['actions']['listJobsForWorkflowRun']['response']['data']['jobs'][number];
export type GhAnnotation = RestEndpointMethodTypes['checks']['listAnnotations']['response']['data'][number];
export type GhPull = RestEndpointMethodTypes['pulls']['list']['response']['data'][number];

export function toStatus(s: string | null | undefined): RunStatus {
  if (s === 'completed') return 'completed';
  if (s === 'in_progress') return 'running';
  return 'queued'; // queued, waiting, requested, pending
}

export function toConclusion(c: string | null | undefined): Conclusion {
  switch (c) {
    case 'success':
      return 'success';
    case 'failure':
    case 'startup_failure':
      return 'failure';
    case 'cancelled':
      return 'cancelled';
    case 'skipped':
      return 'skipped';
    case 'timed_out':
      return 'timedOut';
    case 'neutral':
    case 'action_required':
    case 'stale':
      return 'neutral';
    default:
      return null;
  }
}

export function toRun(r: GhRun): Run {
  const status = toStatus(r.status);
  return {
    provider: 'github',
    id: String(r.id),
    name: r.name ?? r.display_title ?? `run ${r.id}`,
    url: r.html_url,
    branch: r.head_branch ?? null,
    headSha: r.head_sha,
    headRepository: r.head_repository?.full_name ?? null,
    status,
    conclusion: status === 'completed' ? toConclusion(r.conclusion) : null,
    rawStatus: (status === 'completed' ? r.conclusion : r.status) ?? 'unknown',
    attempt: r.run_attempt ?? 1,
    event: r.event ?? null,
    createdAt: r.created_at ?? null,
    updatedAt: r.updated_at ?? null,
    childIds: [],
  };
}

function toStep(s: NonNullable<GhJob['steps']>[number]): Step {
  const status = toStatus(s.status);
  return {
    number: s.number,
    name: s.name,
    status,
    conclusion: status === 'completed' ? toConclusion(s.conclusion) : null,
    startedAt: s.started_at ?? null,
    completedAt: s.completed_at ?? null,
  };
}

export function toJob(j: GhJob): Job {
  const status = toStatus(j.status);
  return {
    provider: 'github',
    id: String(j.id),
    runId: String(j.run_id),
    name: j.name,
    url: j.html_url ?? '',
    status,
    conclusion: status === 'completed' ? toConclusion(j.conclusion) : null,
    rawStatus: (status === 'completed' ? j.conclusion : j.status) ?? 'unknown',
    attempt: j.run_attempt ?? 1,
    previousAttempts: [],
    allowFailure: false,
    startedAt: j.started_at ?? null,
    completedAt: j.completed_at ?? null,
    steps: (j.steps ?? []).map(toStep),
    stage: null,
  };
}

export function toAnnotation(a: GhAnnotation): Annotation {
  return {
    // GitHub puts job-level annotations (no file) on `.github`.
    file: a.path && a.path !== '.github' ? a.path : null,
    line: a.path && a.path !== '.github' ? (a.start_line ?? null) : null,
    endLine: a.end_line && a.end_line !== a.start_line ? a.end_line : null,
    column: a.start_column ?? null,
    endColumn: a.end_column ?? null,
    severity:
      a.annotation_level === 'failure' ? 'error' : a.annotation_level === 'warning' ? 'warning' : 'info',
    title: a.title ?? null,
    message: a.message ?? '',
  };
}

export function toPullRequest(p: GhPull): PullRequestRef {
  return {
    number: p.number,
    url: p.html_url,
    headSha: p.head.sha,
    headBranch: p.head.ref,
    headRepository: p.head.repo?.full_name ?? null,
  };
}
