/**
 * In a real VS Code against the fake GitHub API: the CI Triage view lists the branch's failed run and its
 * failed jobs, the Problems panel shows the failed jobs' problems at the right files and lines with no
 * further click, and "Re-run Failed Jobs" from the run's context menu reaches the fake. Needs
 * `npm run package` first (`npm run test:e2e` does it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { GithubFake } from '../fakes/githubFake';
import { seedGithubBranch } from '../fakes/scenarios';
import { githubPytestLog } from '../fakes/seedLogs';
import { gitWorkspace } from './gitWorkspace';
import { withVsCode } from './harness';

const SIDEBAR = '.part.sidebar';

test(
  'the CI Triage view lists the failed run, shows its problems and re-runs its failed jobs',
  { timeout: 150_000 },
  async () => {
    const fake = await GithubFake.start({ prefix: '/api/v3' });
    const sc = seedGithubBranch(fake);
    const ws = gitWorkspace(sc);
    try {
      await withVsCode(
        {
          workspace: ws,
          settings: { 'ciTriage.github.apiUrl': fake.url, 'ciTriage.pollInterval': 0 },
          // code-server takes GITHUB_TOKEN for its own GitHub sign-in and deletes it from the extension host's
          // environment; GH_TOKEN is the other name the providers read (tokenFromEnv).
          env: { GH_TOKEN: fake.token },
        },
        async (vs) => {
          const t0 = Date.now();
          const lap = (what: string) =>
            console.log(`e2e: ${what} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
          await vs.openActivity('CI Triage');
          lap('view opened');

          // A row's innerText runs the label into the description: "CIattempt 1 · ...".
          const tree = () => vs.rows(SIDEBAR);
          const runRow = (rows: string[]) => rows.find((r) => /^CI\s*attempt 1/.test(r));
          await vs.waitFor(
            async () => {
              const rows = await tree();
              return (
                rows.some((r) => r.startsWith(sc.branch)) &&
                runRow(rows) &&
                rows.some((r) => /^lint\s*1 problem\b/.test(r)) &&
                rows.some((r) => /^tests \(3\.11\)\s*2 problems/.test(r))
              );
            },
            'the branch, the failed CI run and its failed jobs lint and tests (3.11) in the CI Triage view',
            60_000,
            async () => `tree rows: ${JSON.stringify(await tree())}\n  ${await vs.describe()}`,
          );
          lap('runs listed');
          const rows = await tree();
          // Failed first: the CI run comes before the running and the passing one.
          const order = ['CI', 'Deploy preview', 'Docs'].map((n) =>
            rows.findIndex((r) => r.startsWith(n) && r.includes('attempt')),
          );
          assert.ok(
            order.every((i, k) => i >= 0 && (k === 0 || i > order[k - 1]!)),
            `run order in ${JSON.stringify(rows)}`,
          );

          // The Problems panel lists the failed jobs' problems with no click on a job.
          await vs.page.keyboard.press('Control+Shift+M');
          const problems = () => vs.rows('.markers-panel');
          const expected: [RegExp, RegExp, string][] = [
            [/F401/, /\[Ln 1, Col 1\]/, 'flake8 F401 in src/app.py'],
            [/assert 1 == 2/, /\[Ln 2, Col 1\]/, 'pytest test_a in tests/test_x.py'],
            [
              /Coverage dropped below 80%/,
              /\[Ln 12, Col 1\]/,
              'the coverage annotation in src/coverage_gate.py',
            ],
          ];
          await vs.waitFor(
            async () => {
              const all = await problems();
              return expected.every(([msg, at]) => all.some((r) => msg.test(r) && at.test(r)));
            },
            'the three seeded problems at their lines in the Problems panel',
            30_000,
            async () => `problems rows: ${JSON.stringify(await problems())}`,
          );
          const all = await problems();
          for (const [file, folder] of <[string, string][]>[
            ['app.py', 'src'],
            ['test_x.py', 'tests'],
            ['coverage_gate.py', 'src'],
          ])
            assert.ok(
              all.some((r) => new RegExp(`^${file.replace('.', '\\.')}\\s*${folder}\\b`).test(r)),
              `no ${folder}/${file} file row in: ${JSON.stringify(all)}`,
            );
          const pytest = all.find((r) => r.includes('assert 1 == 2'))!;
          assert.match(pytest, /tests\/test_x\.py::test_a/, `pytest row: ${pytest}`);
          assert.match(pytest, /ci-triage/, `pytest row: ${pytest}`);
          lap('problems shown');

          // Open the failed jobs so the screenshot shows problems and an environment node.
          for (const job of ['lint', 'tests (3.11)']) {
            const row = vs.page.locator(`${SIDEBAR} .monaco-list-row`, { hasText: job }).first();
            if ((await row.getAttribute('aria-expanded')) !== 'true') await row.click();
          }
          await vs.waitFor(
            async () => (await tree()).filter((r) => r.startsWith('Environment')).length === 2,
            'the Environment nodes of both failed jobs',
          );
          await vs.page.locator(`${SIDEBAR} .monaco-list-row`, { hasText: 'Environment' }).first().click();
          await vs.waitFor(async () => {
            const r = await tree();
            return (
              r.some((x) => /^Python\s*3\.11\.9$/.test(x)) &&
              r.some((x) => /^Runner image\s*ubuntu-22\.04/.test(x))
            );
          }, "the lint job's environment (Python 3.11.9, runner image ubuntu-22.04)");
          const shot = await vs.screenshot('runs-tree');
          console.log(`e2e: screenshot ${shot}`);

          // A failed step opens the job's log there: a read-only CI Log document without timestamps.
          const step = vs.page
            .locator(`${SIDEBAR} .monaco-list-row`, { hasText: 'Run python -m pytest tests' })
            .first();
          await vs.waitFor(
            () => step.isVisible(),
            'the failed step "Run python -m pytest tests" in the tree',
          );
          await step.click();
          await vs.waitFor(
            async () => /^tests-\(3\.11\)\.ci\.log/.test(await vs.activeTab()),
            'the log of tests (3.11) in an editor tab',
          );
          // Log line N is editor line N: the cursor sits on the step's first line.
          const stepLine =
            githubPytestLog()
              .split('\n')
              .findIndex((l) => l.endsWith('##[group]Run python -m pytest tests')) + 1;
          await vs.waitFor(
            async () => {
              const text = await vs.editorText();
              return (
                text.includes('##[group]Run python -m pytest tests') &&
                !/\d{4}-\d\d-\d\dT\d\d:/.test(text) &&
                (await vs.cursorPosition()) === `Ln ${stepLine}, Col 1` &&
                (await vs.languageMode()) === 'CI Log'
              );
            },
            `the log at the step (line ${stepLine}), timestamps removed, in the CI Log language`,
            30_000,
            async () => `editor: ${JSON.stringify(await vs.editorText())}\n  ${await vs.describe()}`,
          );
          lap('step log shown');

          // The log as a document: passed steps folded, the outline lists the steps, a location is a link.
          await vs.page.keyboard.press('Control+Home');
          await vs.waitFor(
            async () => {
              const text = await vs.editorText();
              return (
                text.includes('##[group]Run actions/checkout@v4') && !text.includes('repository: octo/app')
              );
            },
            'the passed checkout step folded (its "repository: octo/app" line hidden)',
            30_000,
            async () => `editor: ${JSON.stringify(await vs.editorText())}`,
          );
          await vs.runCommand('Explorer: Focus on Outline View');
          await vs.waitFor(
            async () => {
              const rows = await vs.rows(SIDEBAR);
              return (
                // A row reads label then description: "Run actions/checkout@v4passed".
                rows.some((r) => /^Run actions\/checkout@v4\s*passed/.test(r)) &&
                rows.some((r) => r.startsWith('Run actions/setup-python@v5'))
              );
            },
            'the steps, with their outcome, in the Outline view',
            30_000,
            async () => `sidebar rows: ${JSON.stringify(await vs.rows(SIDEBAR))}`,
          );
          await vs.screenshot('log-document');
          const link = vs.page
            .locator('.part.editor .monaco-editor .view-lines .detected-link', {
              hasText: 'tests/test_x.py',
            })
            .first();
          await vs.page.keyboard.press('Control+End');
          await vs.waitFor(() => link.isVisible(), 'the link on "tests/test_x.py:2" in the log');
          await link.click({ modifiers: ['Control'] });
          await vs.waitFor(
            async () =>
              (await vs.activeTab()) === 'test_x.py' && (await vs.cursorPosition()).startsWith('Ln 2,'),
            'tests/test_x.py open at line 2 after following the link in the log',
          );
          lap('log document outline, folding and link checked');

          // Re-run Failed Jobs from the run's context menu (back in the CI Triage view: the Outline took the sidebar).
          await vs.openActivity('CI Triage');
          fake.actions.length = 0;
          const run = vs.page
            .locator(`${SIDEBAR} .monaco-list-row`, { hasText: /^CI/ })
            .filter({ hasText: 'attempt 1' })
            .first();
          await vs.contextMenu(run, 'Re-run Failed Jobs');
          await vs.waitFor(
            () => fake.actions.some((a) => a.action === 'rerunFailedJobs' && a.id === sc.failedRunId),
            `a rerun-failed-jobs request for run ${sc.failedRunId} at the fake`,
            20_000,
            () => `fake actions: ${JSON.stringify(fake.actions)}`,
          );
          assert.deepEqual(fake.actions, [{ action: 'rerunFailedJobs', id: sc.failedRunId }]);
          lap('re-run reached the fake');
        },
      );
    } finally {
      await fake.close();
      rmSync(ws, { recursive: true, force: true });
    }
  },
);

test(
  'signed out, a token set through the welcome view loads the runs; an API error shows its welcome with Retry',
  { timeout: 150_000 },
  async () => {
    const fake = await GithubFake.start({ prefix: '/api/v3' });
    const sc = seedGithubBranch(fake);
    const ws = gitWorkspace(sc);
    try {
      // No token anywhere: the extension host must not see the test runner's own, if it has one.
      await withVsCode(
        {
          workspace: ws,
          settings: { 'ciTriage.github.apiUrl': fake.url, 'ciTriage.pollInterval': 0 },
          env: { GH_TOKEN: '', GITHUB_TOKEN: '' },
        },
        async (vs) => {
          const welcome = () =>
            vs.page
              .locator(`${SIDEBAR} .welcome-view-content`)
              .evaluateAll((els) => els.map((e) => (e.textContent ?? '').replace(/\s+/g, ' ')).join(' '));
          const seen = async () =>
            `welcome: ${JSON.stringify(await welcome())}\n  tree: ${JSON.stringify(await vs.rows(SIDEBAR))}`;
          await vs.openActivity('CI Triage');
          await vs.waitFor(
            async () => (await welcome()).includes('Sign in to see'),
            'the signed-out welcome view',
            60_000,
            seen,
          );
          // The first load after signing in fails: the not-found welcome view, with Retry.
          fake.fault('notFound', { match: '/actions/runs' });
          await vs.page
            .locator(`${SIDEBAR} .welcome-view-content .monaco-button`, { hasText: 'Set GitHub Token' })
            .click();
          const box = vs.page.locator('.quick-input-widget input').first();
          await vs.waitFor(() => box.isVisible(), 'the token input box');
          assert.equal(await box.getAttribute('type'), 'password', 'the token input hides what is typed');
          await box.fill(fake.token);
          await vs.page.keyboard.press('Enter');
          await vs.waitFor(
            async () => (await welcome()).includes('does not know this repository'),
            'the not-found error welcome view once the token was stored',
            30_000,
            seen,
          );
          await vs.screenshot('runs-error');
          fake.clearFaults();
          await vs.page
            .locator(`${SIDEBAR} .welcome-view-content .monaco-button`, { hasText: 'Retry' })
            .first()
            .click();
          await vs.waitFor(
            async () => (await vs.rows(SIDEBAR)).some((r) => /^tests \(3\.11\)\s*2 problems/.test(r)),
            'the runs after Retry',
            30_000,
            seen,
          );

          // A refresh that fails keeps the runs on screen and says why above them.
          fake.fault('notFound', { match: '/actions/runs' });
          await vs.runCommand('CI Triage: Refresh');
          await vs.waitFor(
            async () => {
              const rows = await vs.rows(SIDEBAR);
              return (
                rows.some((r) => r.startsWith('Refresh failed:')) &&
                rows.some((r) => /^CI\s*attempt 1/.test(r))
              );
            },
            'a "Refresh failed" row above the runs kept from the last load',
            30_000,
            seen,
          );
          fake.clearFaults();
        },
      );
    } finally {
      await fake.close();
      rmSync(ws, { recursive: true, force: true });
    }
  },
);
