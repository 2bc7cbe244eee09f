/**
 * Restricted Mode: in a workspace that is not trusted, CI Triage keeps its read-only features (the runs, their
 * problems in the Problems panel, the logs) and offers none that act: no re-run, cancel or reproduce, in the
 * menus or the command palette, and nothing reaches the CI server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { GithubFake } from '../fakes/githubFake';
import { seedGithubBranch } from '../fakes/scenarios';
import { gitWorkspace } from './gitWorkspace';
import { withVsCode } from './harness';

const SIDEBAR = '.part.sidebar';

test(
  'an untrusted workspace shows runs and problems but offers no re-run, cancel or reproduce',
  { timeout: 150_000 },
  async () => {
    const fake = await GithubFake.start({ prefix: '/api/v3' });
    const sc = seedGithubBranch(fake);
    const ws = gitWorkspace(sc);
    try {
      await withVsCode(
        {
          workspace: ws,
          trusted: false,
          settings: { 'ciTriage.github.apiUrl': fake.url, 'ciTriage.pollInterval': 0 },
          env: { GH_TOKEN: fake.token },
        },
        async (vs) => {
          await vs.waitFor(
            async () => (await vs.page.locator('.part.statusbar').innerText()).includes('Restricted Mode'),
            'the "Restricted Mode" status bar item (the folder is not trusted)',
            60_000,
          );
          await vs.openActivity('CI Triage');
          const tree = () => vs.rows(SIDEBAR);
          await vs.waitFor(
            async () => (await tree()).some((r) => /^tests \(3\.11\)\s*2 problems/.test(r)),
            'the failed job and its problems, read-only features working',
            60_000,
            async () => `tree rows: ${JSON.stringify(await tree())}\n  ${await vs.describe()}`,
          );
          await vs.page.keyboard.press('Control+Shift+M');
          await vs.waitFor(
            async () => (await vs.rows('.markers-panel')).some((r) => r.startsWith('flake8: F401')),
            'the problems in the Problems panel',
          );

          // The failed run's and the failed job's context menus: read-only entries only.
          const menu = async (row: RegExp): Promise<string[]> => {
            await vs.page
              .locator(`${SIDEBAR} .monaco-list-row`, { hasText: row })
              .first()
              .click({ button: 'right' });
            const entries = vs.page.locator('.context-view .action-label');
            await vs.waitFor(async () => (await entries.count()) > 0, `the context menu of ${row}`);
            const labels = await entries.evaluateAll((els) => els.map((e) => (e.textContent ?? '').trim()));
            await vs.page.keyboard.press('Escape');
            return labels.filter(Boolean);
          };
          const runMenu = await menu(/^CI\s*attempt 1/);
          const jobMenu = await menu(/^tests \(3\.11\)\s*2 problems/);
          assert.ok(runMenu.includes('Open on the Web'), `run menu: ${JSON.stringify(runMenu)}`);
          assert.ok(jobMenu.includes('Open Log'), `job menu: ${JSON.stringify(jobMenu)}`);
          for (const acting of ['Re-run Failed Jobs', 'Re-run Job', 'Cancel Run', 'Reproduce Locally'])
            assert.ok(
              !runMenu.some((l) => l.startsWith(acting)) && !jobMenu.some((l) => l.startsWith(acting)),
              `"${acting}" offered in Restricted Mode: run menu ${JSON.stringify(runMenu)}, job menu ${JSON.stringify(jobMenu)}`,
            );

          // The command palette does not offer it either.
          await vs.page.keyboard.press('F1');
          const box = vs.page.locator('.quick-input-widget input').first();
          await vs.waitFor(() => box.isVisible(), 'the command palette');
          await box.fill('>CI Triage: Reproduce');
          const rows = () => vs.rows('.quick-input-widget', '.monaco-list-row');
          // The palette matches loosely: wait for its list, then no Reproduce entry may be in it.
          await vs.waitFor(
            async () => (await rows()).some((r) => r.startsWith('CI Triage:')),
            'the command palette listing the CI Triage commands',
            15_000,
            async () => `palette rows: ${JSON.stringify(await rows())}`,
          );
          assert.ok(!(await rows()).some((r) => r.includes('Reproduce')), JSON.stringify(await rows()));
          await vs.page.keyboard.press('Escape');
          assert.deepEqual(fake.actions, [], 'nothing that acts reached the CI server');
        },
      );
    } finally {
      await fake.close();
      rmSync(ws, { recursive: true, force: true });
    }
  },
);
