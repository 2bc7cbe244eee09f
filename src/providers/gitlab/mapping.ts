/** Gitbeaker's types to our model. The only place that knows GitLab's field names. */
import type { BridgeSchema, JobSchema, MergeRequestSchema, PipelineSchema } from '@gitbeaker/rest';
import type { Attempt, Conclusion, Job, PullRequestRef, Run, RunStatus } from '../ciProvider';

export type GlPipeline = PipelineSchema & { name?: string | null };
export type GlJob = JobSchema & { retried?: boolean };
export type GlBridge = BridgeSchema;
export type GlMergeRequest = MergeRequestSchema;

export function toStatus(s: string): RunStatus {
  switch (s) {
    case 'running':
    case 'canceling':
      return 'running';
    case 'created':
    case 'waiting_for_resource':
    case 'preparing':
    case 'pending':
    case 'scheduled':
      return 'queued';
    default:
      return 'completed'; // success, failed, canceled, skipped, manual
  }
}

export function toConclusion(s: string): Conclusion {
  switch (s) {
    case 'success':
      return 'success';
    case 'failed':
      return 'failure';
    case 'canceled':
      return 'cancelled';
    case 'skipped':
      return 'skipped';
    case 'manual':
      return 'neutral';
    default:
      return null;
  }
}

export function toRun(p: GlPipeline, projectPath: string): Run {
  const status = toStatus(p.status);
  return {
    provider: 'gitlab',
    id: String(p.id),
    name: p.name || `Pipeline #${p.id}`,
    url: p.web_url,
    branch: p.ref,
    headSha: p.sha,
    headRepository: projectPath,
    status,
    conclusion: status === 'completed' ? toConclusion(p.status) : null,
    rawStatus: p.status,
    attempt: 1,
    event: p.source ?? null,
    createdAt: p.created_at ?? null,
    updatedAt: p.updated_at ?? null,
    childIds: [],
  };
}

/**
 * With `include_retried`, GitLab lists every try of a job, each with its own id. Groups them by name
 * within their pipeline: the newest is the job, the others its previous attempts.
 */
export function toJobs(list: readonly GlJob[]): Job[] {
  const groups = new Map<string, GlJob[]>();
  for (const j of list) {
    const key = `${j.pipeline?.id}\u0000${j.name}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(j);
  }
  const out: Job[] = [];
  for (const g of groups.values()) {
    g.sort((a, b) => a.id - b.id);
    const latest = g[g.length - 1]!;
    const previous: Attempt[] = g.slice(0, -1).map((j, i) => ({
      attempt: i + 1,
      jobId: String(j.id),
      conclusion: toStatus(j.status) === 'completed' ? toConclusion(j.status) : null,
      startedAt: j.started_at ?? null,
    }));
    out.push(toJob(latest, g.length, previous));
  }
  return out.sort((a, b) => Number(a.id) - Number(b.id));
}

export function toJob(j: GlJob, attempt = 1, previousAttempts: Attempt[] = []): Job {
  const status = toStatus(j.status);
  return {
    provider: 'gitlab',
    id: String(j.id),
    runId: String(j.pipeline?.id ?? ''),
    name: j.name,
    url: j.web_url,
    status,
    conclusion: status === 'completed' ? toConclusion(j.status) : null,
    rawStatus: j.status,
    attempt,
    previousAttempts,
    allowFailure: Boolean(j.allow_failure),
    startedAt: j.started_at ?? null,
    completedAt: j.finished_at ?? null,
    // GitLab has no steps in the API; the trace's sections are the engine's business.
    steps: [],
    stage: j.stage ?? null,
  };
}

/** The child pipelines a pipeline's bridges (trigger jobs) started in the same project. */
export function childPipelineIds(bridges: readonly GlBridge[], projectId: number): number[] {
  const ids: number[] = [];
  for (const b of bridges) {
    const d = b.downstream_pipeline;
    // A multi-project downstream pipeline belongs to another repository: not ours.
    if (d && (d.project_id === undefined || d.project_id === projectId)) ids.push(d.id);
  }
  return ids;
}

export function toPullRequest(mr: GlMergeRequest): PullRequestRef {
  return {
    number: mr.iid,
    url: mr.web_url,
    headSha: (mr.sha as string | undefined) ?? '',
    headBranch: mr.source_branch,
    headRepository: null,
  };
}
