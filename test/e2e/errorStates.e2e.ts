/**
 * Every error state of the CI Triage view is reachable and shows its own message with the action that fixes
 * it, never a raw exception: rate limit, missing scope, server error, unreachable server (against the fake
 * GitHub), and a folder with no git repository.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GithubFake } from '../fakes/githubFake';
import { seedGithubBranch } from '../fakes/scenarios';
import { gitWorkspace } from './gitWorkspace';
import { withVsCode } from './harness';
import type { VsCode } from './harness';

const SIDEBAR = '.part.sidebar';

function welcome(vs: VsCode): Promise<string> {
  return vs.page
    .locator(`${SIDEBAR} .welcome-view-content`)
    .evaluateAll((els) => els.map((e) => (e.textContent ?? '').replace(/\s+/g, ' ')).join(' '));
}

async function expectWelcome(vs: VsCode, text: string, buttons: string[], what: string): Promise<void> {
  await vs.waitFor(
    async () => {
      const w = await welcome(vs);
      return w.includes(text) && buttons.every((b) => w.includes(b));
    },
    `${what}: a welcome view saying "${text}" with ${buttons.map((b) => `[${b}]`).join(' ')}`,
    45_000,
    async () => `welcome: ${JSON.stringify(await welcome(vs))}\n  ${await vs.describe()}`,
  );
  const w = await welcome(vs);
  assert.ok(
    !/\bat \S+:\d+:\d+|Error: |TypeError|undefined/.test(w),
    `a raw exception in the welcome view: ${w}`,
  );
}

async function retry(vs: VsCode): Promise<void> {
  await vs.page
    .locator(`${SIDEBAR} .welcome-view-content .monaco-button`, { hasText: 'Retry' })
    .first()
    .click();
}

test(
  'each API failure on the first load shows its own welcome message with Retry',
  { timeout: 180_000 },
  async () => {
    const fake = await GithubFake.start({ prefix: '/api/v3' });
    const sc = seedGithubBranch(fake);
    const ws = gitWorkspace(sc);
    let closed = false;
    try {
      // Reset far away: the provider must not sit waiting for it.
      fake.fault('rateLimit', { match: '/actions/runs', retryAfter: 3600 });
      await withVsCode(
        {
          workspace: ws,
          settings: { 'ciTriage.github.apiUrl': fake.url, 'ciTriage.pollInterval': 0 },
          env: { GH_TOKEN: fake.token },
        },
        async (vs) => {
          await vs.openActivity('CI Triage');
          await expectWelcome(vs, 'rate limit is used up for now', ['Retry', 'Show Log'], 'rate limit');

          fake.clearFaults();
          fake.fault('scope', { match: '/actions/runs' });
          await retry(vs);
          await expectWelcome(
            vs,
            'The token may not read this repository',
            ['Set GitHub Token'],
            'missing scope',
          );

          fake.clearFaults();
          fake.fault('serverError', { match: '/actions/runs' });
          await vs.runCommand('CI Triage: Refresh');
          await expectWelcome(
            vs,
            'The CI server answered with an error',
            ['Retry', 'Show Log'],
            'server error',
          );

          fake.clearFaults();
          await fake.close();
          closed = true;
          await retry(vs);
          await expectWelcome(vs, 'cannot reach the CI server', ['Retry', 'Show Log'], 'unreachable server');
          await vs.screenshot('error-network');
        },
      );
    } finally {
      if (!closed) await fake.close();
      rmSync(ws, { recursive: true, force: true });
    }
  },
);

test('a folder that is not a git repository says what the view needs', { timeout: 120_000 }, async () => {
  const ws = mkdtempSync(join(tmpdir(), 'ci-triage-nogit-'));
  writeFileSync(join(ws, 'notes.txt'), 'no repository here\n');
  try {
    await withVsCode({ workspace: ws, settings: { 'ciTriage.pollInterval': 0 } }, async (vs) => {
      await vs.openActivity('CI Triage');
      await expectWelcome(
        vs,
        'CI Triage shows the CI runs of the current branch of a git repository',
        ['Open Folder', 'Open Settings', 'Retry'],
        'no repository',
      );
    });
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
});
