/**
 * "CI Triage: Reproduce Locally" in a real VS Code with a real podman (issue #5). The fake GitHub serves a
 * failed run of the workspace's HEAD whose job ran in the container localhost/ci-python:3.11, pinned by
 * digest, and failed a pytest test. Reproduce Locally on the failed job opens reproduce.sh beside the job's
 * log and runs the container as a task: its terminal shows the same failure as CI, and the task's problem
 * matcher puts it in the Problems panel. Once the test is fixed in the workspace, the reproduction passes and
 * the reproduced problem goes away. Needs scripts/container/setup.sh and `npm run package` first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GithubFake } from '../fakes/githubFake';
import { withVsCode } from './harness';
import type { VsCode } from './harness';
import { reproductionContainers } from '../helpers/podman';
import { fixtureGitWorkspace, podmanSetup, reproduceLog } from './reproduceFixture';

const SIDEBAR = '.part.sidebar';
const REPO = 'acme/shop';
const BRANCH = 'fix/discount';
/** The job's name, as in the fixture log ("Complete job name: test"). */
const JOB = 'test';
/** The lines of the CI log's pytest failure that the reproduction must print too. */
const CI_FAILURE = [
  'tests/test_cart.py::test_total_with_discount FAILED',
  'E       assert 27.0 == 28',
  'FAILED tests/test_cart.py::test_total_with_discount - assert 27.0 == 28',
];
const TASK_DONE = 'Terminal will be reused by tasks';
const REPRODUCED = /^AssertionError\s*pytest \(reproduced\)\s*\[Ln 9, Col 1\]$/;

/** The page's callbacks run in the browser; tsconfig has no DOM types, hence these. */
interface Inner {
  innerText: string;
}
interface Attributes {
  getAttribute(name: string): string | null;
}

/**
 * The text of the task terminal's rendered rows (the DOM renderer: gpuAcceleration is off), from the last
 * "Executing task" line on: the run under way, not an earlier one in the same reused terminal.
 */
async function taskOutput(vs: VsCode): Promise<string> {
  const texts = await vs.page.locator('.part.panel .terminal-wrapper.active .xterm-rows').evaluateAll((els) =>
    els
      // Sticky scroll draws a second terminal over the first.
      .filter((e) => e.closest('.terminal-sticky-scroll') === null)
      .map((e) => (e as unknown as Inner).innerText),
  );
  const text = texts.join('\n').replace(/\u00a0/g, ' ');
  const start = text.lastIndexOf('Executing task:');
  return start < 0 ? text : text.slice(start);
}

/** Each editor group's tab names, active tab and visible text. */
function editorGroups(vs: VsCode): Promise<{ tabs: string[]; active: string; text: string }[]> {
  return vs.page.locator('.part.editor .editor-group-container').evaluateAll((groups) =>
    groups.map((g) => ({
      tabs: Array.from(
        g.querySelectorAll('.tab'),
        (t) => (t as Attributes).getAttribute('data-resource-name') ?? '',
      ),
      active: g.querySelector('.tab.active')?.getAttribute('data-resource-name') ?? '',
      text: (
        (g.querySelector('.monaco-editor .view-lines') as unknown as Inner | null)?.innerText ?? ''
      ).replace(/\u00a0/g, ' '),
    })),
  );
}

/**
 * Waits, with the panel maximised so the whole run fits on screen, until the task's output satisfies `done`;
 * returns that output.
 */
async function waitForTask(
  vs: VsCode,
  done: (out: string) => boolean,
  what: string,
  seen: () => Promise<string>,
): Promise<string> {
  const terminal = vs.page.locator('.part.panel .terminal-wrapper.active .xterm-rows').first();
  await vs.waitFor(() => terminal.isVisible(), 'the task terminal in the panel', 30_000, seen);
  await vs.runCommand('View: Toggle Maximized Panel');
  try {
    return await vs.waitFor(
      async () => {
        const out = await taskOutput(vs);
        return done(out) ? out : '';
      },
      what,
      90_000,
      async () => `task output: ${JSON.stringify(await taskOutput(vs))}\n  ${await seen()}`,
    );
  } finally {
    await vs.runCommand('View: Toggle Maximized Panel');
  }
}

test(
  'Reproduce Locally runs the failed job in its pinned container: the same pytest failure, then a pass once fixed',
  { timeout: 240_000 },
  async () => {
    const podman = podmanSetup();
    const image = `localhost/ci-python:3.11@${podman.digest}`;
    const { ws, headSha } = fixtureGitWorkspace(REPO, BRANCH);
    const ciLog = reproduceLog('pytest-job.log.in', podman.digest);
    for (const line of CI_FAILURE) assert.ok(ciLog.includes(line), `the CI log should show ${line}`);
    const fake = await GithubFake.start({ prefix: '/api/v3' });
    // The run tested the workspace's HEAD: no "your HEAD is not the commit CI ran" question.
    fake.addRun({ repo: REPO, branch: BRANCH, sha: headSha, name: 'CI', conclusion: 'failure', at: 100 }, [
      { name: JOB, conclusion: 'failure', log: ciLog },
    ]);
    try {
      await withVsCode(
        {
          workspace: ws,
          settings: {
            'ciTriage.github.apiUrl': fake.url,
            'ciTriage.pollInterval': 0,
            'ciTriage.containerEngine': 'podman',
            // The DOM renderer keeps the terminal's text in the page, where the test reads it.
            'terminal.integrated.gpuAcceleration': 'off',
            'terminal.integrated.stickyScroll.enabled': false,
          },
          // GH_TOKEN: code-server deletes GITHUB_TOKEN from the extension host's environment. The podman
          // configuration reaches the task's process through code-server and its pty host.
          env: { GH_TOKEN: fake.token, ...podman.env },
        },
        async (vs) => {
          const t0 = Date.now();
          const lap = (what: string) =>
            console.log(`e2e: ${what} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
          await vs.openActivity('CI Triage');

          const tree = () => vs.rows(SIDEBAR);
          const jobRow = vs.page
            .locator(`${SIDEBAR} .monaco-list-row`, { hasText: new RegExp(`^${JOB}\\s*1 problem`) })
            .first();
          await vs.waitFor(
            () => jobRow.isVisible(),
            `the failed job "${JOB}" (1 problem) of run CI on ${BRANCH} at ${headSha.slice(0, 7)} in the CI Triage view`,
            60_000,
            async () => `tree rows: ${JSON.stringify(await tree())}\n  ${await vs.describe()}`,
          );
          lap('failed job listed');

          const seen = async () =>
            `editor groups: ${JSON.stringify(await editorGroups(vs))}\n  task output: ${JSON.stringify(
              await taskOutput(vs),
            )}\n  ${await vs.describe()}`;

          // The job's log first, so that "beside the log" means something.
          await vs.contextMenu(jobRow, 'Open Log');
          await vs.waitFor(
            async () => (await vs.activeTab()) === `${JOB}.ci.log`,
            `the log of ${JOB} in an editor tab`,
            30_000,
            seen,
          );
          lap('log opened');

          // 1. Right-click the failed job → Reproduce Locally: reproduce.sh beside the log, the task fails as CI did.
          await vs.contextMenu(jobRow, 'Reproduce Locally');
          const groups = await vs.waitFor(
            async () => {
              const g = await editorGroups(vs);
              return g.length === 2 &&
                g[0]!.active === `${JOB}.ci.log` &&
                g[1]!.active === 'reproduce.sh' &&
                g[1]!.text.includes(image)
                ? g
                : null;
            },
            `reproduce.sh, naming ${image}, in a second editor group beside ${JOB}.ci.log`,
            30_000,
            seen,
          );
          // Only the top of the script is rendered: its header names the job and the pinned image.
          assert.ok(groups[1]!.text.includes(`# Job: ${JOB} (GitHub Actions)`), groups[1]!.text);
          lap('reproduce.sh opened beside the log');

          const red = await waitForTask(
            vs,
            (out) => out.includes(TASK_DONE),
            'the first reproduce task to end',
            seen,
          );
          lap('reproduction failed');
          // The terminal wraps long lines (the command line) into rows: check those on the rows joined up.
          const redJoined = red.replace(/\n/g, '');
          assert.match(redJoined, /^Executing task: podman run /, `the task runs podman:\n${red}`);
          assert.ok(redJoined.includes(image), `the task runs ${image}:\n${red}`);
          for (const line of CI_FAILURE)
            assert.ok(red.includes(line), `the reproduction should print ${JSON.stringify(line)}:\n${red}`);
          assert.match(redJoined, /terminated with exit code: 1\./, `the task should fail:\n${red}`);

          await vs.page.keyboard.press('Control+Shift+M');
          const problems = () => vs.rows('.markers-panel');
          await vs.waitFor(
            async () => (await problems()).some((r) => REPRODUCED.test(r)),
            'the reproduced failure "AssertionError pytest (reproduced) [Ln 9, Col 1]" in the Problems panel',
            30_000,
            async () => `problems rows: ${JSON.stringify(await problems())}\n  ${await seen()}`,
          );
          const shot = await vs.screenshot('reproduce');
          console.log(`e2e: screenshot ${shot}`);
          lap('reproduced problem shown');

          // 2. Fix the test in the workspace, reproduce again from the job's inline action: the task passes.
          const testFile = join(ws, 'tests', 'test_cart.py');
          const before = readFileSync(testFile, 'utf8');
          assert.ok(before.includes('== 28'), before);
          writeFileSync(testFile, before.replace('== 28', '== 27'));
          await jobRow.hover();
          const inline = jobRow.locator('.actions .action-label[aria-label="Reproduce Locally"]');
          await vs.waitFor(
            () => inline.isVisible(),
            'the inline Reproduce Locally action on the job',
            20_000,
            seen,
          );
          await inline.click();
          const green = await waitForTask(
            vs,
            (out) => /\b2 passed\b/.test(out) && out.includes(TASK_DONE),
            'the second reproduce task to pass (2 passed) and end',
            seen,
          );
          lap('reproduction passed');
          assert.ok(
            green.includes('ci-triage: the step that failed in CI passed here'),
            `the script should reach its end:\n${green}`,
          );
          assert.doesNotMatch(
            green.replace(/\n/g, ''),
            /terminated with exit code/,
            `the task should exit with 0:\n${green}`,
          );
          const containers = () => reproductionContainers({ ...process.env, ...podman.env }).join(' ');
          await vs.waitFor(
            () => containers() === '',
            "the reproductions' containers removed once their tasks ended",
            20_000,
            () => `podman ps: ${containers()}`,
          );

          // The task's problem matcher takes back what it reported; the problem CI reported stays.
          await vs.page.keyboard.press('Control+Shift+M');
          await vs.waitFor(
            async () => {
              const rows = await problems();
              return (
                !rows.some((r) => r.includes('pytest (reproduced)')) &&
                rows.some((r) => r.startsWith('pytest: assert 27.0 == 28'))
              );
            },
            'the reproduced problem gone from the Problems panel, the CI one still there',
            30_000,
            async () => `problems rows: ${JSON.stringify(await problems())}\n  ${await seen()}`,
          );
          lap('reproduced problem cleared');
        },
      );
    } finally {
      await fake.close();
      rmSync(ws, { recursive: true, force: true });
    }
  },
);
