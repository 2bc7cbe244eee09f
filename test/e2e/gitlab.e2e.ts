/**
 * In a real VS Code against the fake GitLab API (self-hosted under /gitlab, a nested-group project): the CI
 * Triage view lists the failed pipeline and its failed jobs, the Problems panel shows their problems, a
 * problem opens its file at the line, the failed section opens the job's trace there, "Re-run Job" and
 * "Cancel Run" reach the fake. Needs `npm run package` first (`npm run test:e2e` does it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { GitlabFake } from '../fakes/gitlabFake';
import { seedGitlabBranch } from '../fakes/scenarios';
import { gitlabPytestTrace } from '../fakes/seedLogs';
import { gitWorkspace } from './gitWorkspace';
import { withVsCode } from './harness';

const SIDEBAR = '.part.sidebar';

test(
  'the CI Triage view against GitLab: pipeline, jobs, problems, trace at the section, re-run and cancel',
  { timeout: 150_000 },
  async () => {
    const fake = await GitlabFake.start();
    const sc = seedGitlabBranch(fake);
    const ws = gitWorkspace(sc);
    try {
      await withVsCode(
        {
          workspace: ws,
          settings: { 'ciTriage.gitlab.url': fake.url, 'ciTriage.pollInterval': 0 },
          env: { GITLAB_TOKEN: fake.token, GH_TOKEN: '', GITHUB_TOKEN: '' },
        },
        async (vs) => {
          await vs.openActivity('CI Triage');
          const tree = () => vs.rows(SIDEBAR);
          await vs.waitFor(
            async () => {
              const rows = await tree();
              return (
                rows.some((r) => r.startsWith(sc.branch)) &&
                rows.some((r) => new RegExp(`^Pipeline #${sc.failedPipelineId}\\s*attempt`).test(r)) &&
                rows.some((r) => /^lint\s*2 problems/.test(r)) &&
                rows.some((r) => /^test\s*2 problems/.test(r))
              );
            },
            `the branch, pipeline #${sc.failedPipelineId} and its failed jobs lint and test`,
            60_000,
            async () => `tree rows: ${JSON.stringify(await tree())}\n  ${await vs.describe()}`,
          );
          const rows = await tree();
          assert.ok(
            !rows.some((r) => /^experimental\s*\d+ problem/.test(r)),
            `an allowed failure is not triaged: ${JSON.stringify(rows)}`,
          );
          assert.ok(
            rows.some((r) => r.startsWith(sc.branch) && r.includes('!3')),
            `the merge request !3 on the branch row: ${JSON.stringify(rows)}`,
          );

          // The Problems panel, with no click on a job.
          await vs.page.keyboard.press('Control+Shift+M');
          const problems = () => vs.rows('.markers-panel');
          await vs.waitFor(
            async () => {
              const all = await problems();
              return (
                all.some((r) => /F401/.test(r) && /\[Ln 1, Col 1\]/.test(r)) &&
                all.some((r) => /tests\/test_x\.py::test_a/.test(r))
              );
            },
            'flake8 F401 on src/app.py and pytest test_a on tests/test_x.py in the Problems panel',
            30_000,
            async () => `problems rows: ${JSON.stringify(await problems())}`,
          );

          // A job's failed section opens its trace there.
          await vs.page
            .locator(`${SIDEBAR} .monaco-list-row`, { hasText: /^test\s*2 problems/ })
            .first()
            .click();
          const section = vs.page.locator(`${SIDEBAR} .monaco-list-row`, { hasText: /^step_script/ }).first();
          await vs.waitFor(() => section.isVisible(), 'the failed section step_script under the test job');
          await vs.page
            .locator(`${SIDEBAR} .monaco-list-row`, { hasText: "F401 'os' imported but unused" })
            .first()
            .click();
          await vs.waitFor(
            async () => (await vs.activeTab()) === 'app.py' && (await vs.cursorPosition()) === 'Ln 1, Col 1',
            'src/app.py open at line 1 after clicking the F401 problem in the tree',
          );
          await section.click();
          const sectionLine =
            gitlabPytestTrace()
              .split('\n')
              .findIndex((l) => l.includes('section_start:') && l.includes(':step_script')) + 1;
          await vs.waitFor(
            async () => {
              const text = await vs.editorText();
              return (
                /^test\.ci\.log/.test(await vs.activeTab()) &&
                text.includes('##[group]step_script: Executing "step_script" stage of the job script') &&
                !text.includes('\u001b') &&
                (await vs.cursorPosition()) === `Ln ${sectionLine}, Col 1`
              );
            },
            `the test job's trace at the step_script section (line ${sectionLine})`,
            30_000,
            async () => `editor: ${JSON.stringify(await vs.editorText())}\n  ${await vs.describe()}`,
          );
          await vs.screenshot('gitlab-trace');

          // Re-run one job; cancel the running pipeline.
          fake.actions.length = 0;
          await vs.contextMenu(
            vs.page.locator(`${SIDEBAR} .monaco-list-row`, { hasText: /^test\s*2 problems/ }).first(),
            'Re-run Job',
          );
          await vs.waitFor(
            () => fake.actions.some((a) => a.action === 'retryJob' && a.id === sc.testJobId),
            `a retry of job ${sc.testJobId} at the fake`,
            20_000,
            () => `fake actions: ${JSON.stringify(fake.actions)}`,
          );
          await vs.contextMenu(
            vs.page
              .locator(`${SIDEBAR} .monaco-list-row`, {
                hasText: new RegExp(`^Pipeline #${sc.runningPipelineId}`),
              })
              .first(),
            'Cancel Run',
          );
          await vs.waitFor(
            () => fake.actions.some((a) => a.action === 'cancelPipeline' && a.id === sc.runningPipelineId),
            `a cancel of pipeline ${sc.runningPipelineId} at the fake`,
            20_000,
            () => `fake actions: ${JSON.stringify(fake.actions)}`,
          );
        },
      );
    } finally {
      await fake.close();
      rmSync(ws, { recursive: true, force: true });
    }
  },
);
