/** Ready-made states of the fakes, shared by the integration tests and the demo. */
import type { GithubFake } from './githubFake';
import type { GitlabFake } from './gitlabFake';
import { ghAnnotation, ghPull, ghStep, glMergeRequest } from './builders';
import {
  githubFlake8Log,
  githubPassingLog,
  githubPytestLog,
  gitlabPassingTrace,
  gitlabPytestTrace,
} from './seedLogs';

export const HEAD_SHA = '3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a';
export const OLD_SHA = '1111111111111111111111111111111111111111';
export const FORK_SHA = 'f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0';

export interface GithubBranchScenario {
  repo: string;
  branch: string;
  failedRunId: number;
  passingRunId: number;
  runningRunId: number;
  forkRunId: number;
  oldRunId: number;
  lintJobId: number;
  testJobId: number;
  buildJobId: number;
}

/**
 * A branch whose newest commit has a failed CI run (lint and tests failed, build passed), a passing Docs
 * run and a running Deploy run; an older commit's failed run; and a fork's failed run of a branch with
 * the same name, newer than ours.
 */
export function seedGithubBranch(
  fake: GithubFake,
  repo = 'octo/app',
  branch = 'feature/login',
): GithubBranchScenario {
  const old = fake.addRun({ repo, branch, sha: OLD_SHA, conclusion: 'failure', at: 0, runNumber: 1 }, [
    { name: 'lint', conclusion: 'failure', log: githubFlake8Log() },
  ]);
  const failed = fake.addRun(
    { repo, branch, sha: HEAD_SHA, name: 'CI', conclusion: 'failure', at: 100, runNumber: 2 },
    [
      {
        name: 'lint',
        conclusion: 'failure',
        log: githubFlake8Log(),
        steps: [
          ghStep(1, 'Set up job'),
          ghStep(2, 'Run actions/checkout@v4'),
          ghStep(3, 'Run flake8 src', 'failure'),
        ],
      },
      {
        name: 'tests (3.11)',
        conclusion: 'failure',
        log: githubPytestLog(),
        annotations: [
          ghAnnotation('.github', 1, 'Process completed with exit code 1.'),
          ghAnnotation('src/coverage_gate.py', 12, 'Coverage dropped below 80%'),
        ],
      },
      { name: 'build', conclusion: 'success', log: githubPassingLog() },
    ],
  );
  const passing = fake.addRun({ repo, branch, sha: HEAD_SHA, name: 'Docs', conclusion: 'success', at: 101 }, [
    { name: 'docs', log: githubPassingLog() },
  ]);
  const running = fake.addRun(
    { repo, branch, sha: HEAD_SHA, name: 'Deploy preview', status: 'in_progress', at: 102 },
    [{ name: 'deploy', status: 'in_progress' }],
  );
  const fork = fake.addRun(
    {
      repo,
      branch,
      sha: FORK_SHA,
      name: 'CI',
      conclusion: 'failure',
      at: 200,
      event: 'pull_request',
      headRepo: 'mallory/app',
    },
    [{ name: 'lint', conclusion: 'failure', log: githubFlake8Log() }],
  );
  fake.addPull(ghPull(repo, 7, branch, HEAD_SHA));
  const jobs = fake.jobs.get(failed.id)!;
  return {
    repo,
    branch,
    failedRunId: failed.id,
    passingRunId: passing.id,
    runningRunId: running.id,
    forkRunId: fork.id,
    oldRunId: old.id,
    lintJobId: jobs[0]!.id,
    testJobId: jobs[1]!.id,
    buildJobId: jobs[2]!.id,
  };
}

export interface GitlabBranchScenario {
  project: string;
  projectId: number;
  branch: string;
  failedPipelineId: number;
  childPipelineId: number;
  passingPipelineId: number;
  runningPipelineId: number;
  oldPipelineId: number;
  lintJobId: number;
  lintRetriedJobId: number;
  testJobId: number;
  childJobId: number;
}

/**
 * A nested-group project whose branch's newest commit has a failed push pipeline (lint failed twice,
 * test failed, an allowed failure, a passing build, and a child pipeline whose job failed), a passing
 * scheduled pipeline and a running web pipeline; plus an older commit's failed pipeline.
 */
export function seedGitlabBranch(
  fake: GitlabFake,
  project = 'acme/platform/backend',
  branch = 'feature/login',
): GitlabBranchScenario {
  const p = fake.addProject(project);
  const old = fake.addPipeline(p, { ref: branch, sha: OLD_SHA, status: 'failed', at: 0 }, [
    { name: 'test', status: 'failed', trace: gitlabPytestTrace() },
  ]);
  const failed = fake.addPipeline(p, { ref: branch, sha: HEAD_SHA, status: 'failed', at: 100 }, [
    { name: 'lint', stage: 'lint', status: 'failed', retried: true, trace: gitlabPytestTrace() },
    { name: 'lint', stage: 'lint', status: 'failed', trace: gitlabPytestTrace() },
    { name: 'test', status: 'failed', trace: gitlabPytestTrace() },
    { name: 'experimental', status: 'failed', allowFailure: true, trace: gitlabPytestTrace() },
    { name: 'build', stage: 'build', status: 'success', trace: gitlabPassingTrace() },
  ]);
  const child = fake.addPipeline(
    p,
    { ref: branch, sha: HEAD_SHA, status: 'failed', source: 'parent_pipeline', at: 110 },
    [{ name: 'child-test', status: 'failed', trace: gitlabPytestTrace() }],
  );
  fake.addBridge(p, failed, 'trigger-child', child);
  const passing = fake.addPipeline(
    p,
    { ref: branch, sha: HEAD_SHA, status: 'success', source: 'schedule', at: 120 },
    [{ name: 'nightly', status: 'success', trace: gitlabPassingTrace() }],
  );
  const running = fake.addPipeline(
    p,
    { ref: branch, sha: HEAD_SHA, status: 'running', source: 'web', at: 130 },
    [{ name: 'deploy', status: 'running' }],
  );
  fake.addMergeRequest(glMergeRequest(p, 3, branch, HEAD_SHA));
  const jobs = fake.jobs.get(failed.id)!;
  return {
    project,
    projectId: p.id,
    branch,
    failedPipelineId: failed.id,
    childPipelineId: child.id,
    passingPipelineId: passing.id,
    runningPipelineId: running.id,
    oldPipelineId: old.id,
    lintRetriedJobId: jobs[0]!.id,
    lintJobId: jobs[1]!.id,
    testJobId: jobs[2]!.id,
    childJobId: fake.jobs.get(child.id)![0]!.id,
  };
}
