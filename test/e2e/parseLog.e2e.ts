/**
 * In a real VS Code: open a CI log, run "CI Triage: Show Problems from This Log", and see the problems in the
 * Problems panel at the right files and lines. Needs `npm run package` first (`npm run test:e2e` does it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, tempWorkspace, withVsCode } from './harness';

const sample = join(repoRoot, 'test', 'fixtures', 'sample');

test(
  'a CI log becomes Problems panel entries that open the file at the line',
  { timeout: 110_000 },
  async () => {
    // The sample log is real flake8 and pytest output from the sample project, run in a GitHub Actions job.
    const ws = tempWorkspace({
      src: join(sample, 'project', 'src'),
      tests: join(sample, 'project', 'tests'),
      'job.ci.log': join(sample, 'github-pytest.log'),
    });
    try {
      await withVsCode({ workspace: ws }, async (vs) => {
        const t0 = Date.now();
        const lap = (what: string) =>
          console.log(`e2e: ${what} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        await vs.openFile('job.ci.log');
        // The language comes from the extension's manifest: once it shows, the workbench knows the command too.
        await vs.waitFor(
          async () => (await vs.languageMode()) === 'CI Log',
          'the ci-log language on job.ci.log',
        );
        lap('log open');
        await vs.runCommand('CI Triage: Show Problems from This Log');
        lap('command run');

        // The command reveals the Problems panel by itself.
        const rows = () => vs.rows('.markers-panel');
        const flake8 = await vs.waitFor(
          async () =>
            (await rows()).find(
              (r) => r.startsWith('flake8: F401') && r.includes("'os' imported but unused"),
            ),
          'the flake8 F401 problem on cart.py in the Problems panel',
        );
        lap('problems shown');
        assert.match(flake8, /\[Ln 1, Col 1\]/, `flake8 row: ${flake8}`);
        assert.match(flake8, /ci-triage/, `flake8 row: ${flake8}`);
        const all = await rows();
        assert.ok(
          all.some((r) => /^cart\.py\s*src\/shop\b/.test(r)),
          `no cart.py file row in: ${JSON.stringify(all)}`,
        );
        const pytest = all.find((r) => r.startsWith('pytest:') && r.includes('assert 0.0 == 90'));
        assert.ok(pytest, `the pytest failure is missing from: ${JSON.stringify(all)}`);
        assert.match(pytest, /tests\/test_cart\.py::test_total_with_discount/, `pytest row: ${pytest}`);
        assert.match(pytest, /\[Ln 9, Col 1\]/, `pytest row: ${pytest}`);
        assert.ok(
          all.some((r) => /^test_cart\.py\s*tests\b/.test(r)),
          `no test_cart.py file row in: ${JSON.stringify(all)}`,
        );

        // Line 1 alone would not tell cart.py's cursor from the log's: check the text and then a line 9 too.
        // The log document itself carries the same problems at the lines that printed them (the language server).
        assert.ok(
          all.some((r) => /^job\.ci\.log\b/.test(r)) &&
            all.some((r) =>
              /^F401 'os' imported but unused \(src\/shop\/cart\.py:1:1\).*\[Ln \d+, Col 1\]/.test(r),
            ),
          `no diagnostics on job.ci.log itself in: ${JSON.stringify(all)}`,
        );

        await vs.page
          .locator('.markers-panel .monaco-list-row', { hasText: /^flake8: F401/ })
          .first()
          .click();
        await vs.waitFor(
          async () =>
            (await vs.activeTab()) === 'cart.py' &&
            (await vs.editorText()).includes('def total(') &&
            (await vs.cursorPosition()).startsWith('Ln 1,'),
          'cart.py open at line 1 after clicking the F401 problem',
        );
        const shot = await vs.screenshot('parse-log-problems');
        console.log(`e2e: screenshot ${shot}`);
        await vs.page
          .locator('.markers-panel .monaco-list-row', { hasText: /^pytest: .*assert 0\.0 == 90/ })
          .first()
          .click();
        await vs.waitFor(
          async () =>
            (await vs.activeTab()) === 'test_cart.py' && (await vs.cursorPosition()).startsWith('Ln 9,'),
          'test_cart.py open at line 9 after clicking the pytest failure',
        );
        lap('clicked problems opened their files');
      });
    } finally {
      rmSync(ws, { recursive: true, force: true });
    }
  },
);
