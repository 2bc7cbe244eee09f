/**
 * End-to-end harness: a real VS Code (code-server's web build) with the packaged extension, driven through
 * Debian's Chromium by playwright-core. See ../shared/notes/test-environment.md for why this and not
 * @vscode/test-electron (no downloads from Microsoft's servers here).
 *
 * Every run gets its own folder (user data, extensions, config, XDG_* and TMPDIR), so nothing is written into
 * $HOME and runs do not see each other. dispose() kills code-server's and Chromium's process groups, then
 * anything else carrying the run's marker, and checks that nothing is left.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { locateTools, makeRunDirs, prepareCodeServer, repoRoot, runEnv, startCodeServer } from './codeServer';
import type { RunningServer } from './codeServer';
import { findFiles, killMarked, pollUntil, printTail, stopGroup, withTimeout } from './processes';

export { pollUntil } from './processes';
export { repoRoot } from './codeServer';

export interface VsCodeOptions {
  /** The folder VS Code opens. */
  workspace: string;
  /** User settings on top of the harness's defaults. */
  settings?: Record<string, unknown>;
  /** The packaged extension (default dist/ci-triage.vsix, made by `npm run package`). */
  vsix?: string;
  /** Where screenshot(name) saves (default bench-out/e2e). */
  screenshotDir?: string;
  /** Extra environment for code-server and so for the extension host. */
  env?: Record<string, string>;
  /** false: workspace trust on and the folder not trusted (Restricted Mode). Default true. */
  trusted?: boolean;
}

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** A running code-server plus a Chromium page on its workbench. */
export class VsCode {
  private constructor(
    readonly page: Page,
    readonly context: BrowserContext,
    readonly runDir: string,
    private readonly server: RunningServer,
    private readonly screenshotDir: string,
  ) {}

  get url(): string {
    return this.server.url;
  }

  /** Starts code-server and Chromium and waits for the workbench. Cleans up after itself if that fails. */
  static async start(opts: VsCodeOptions): Promise<VsCode> {
    const t0 = Date.now();
    const phase = (what: string) =>
      console.error(`e2e: ${what} at ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const tools = locateTools();
    const vsix = opts.vsix ?? join(repoRoot, 'dist', 'ci-triage.vsix');
    if (!existsSync(vsix)) throw new Error(`${vsix} is missing: run npm run package first`);
    const dirs = makeRunDirs(mkdtempSync(join(tmpdir(), 'ci-triage-e2e-')));
    const env = runEnv(dirs, opts.env);
    let server: RunningServer | undefined;
    let context: BrowserContext | undefined;
    try {
      const untrusted = opts.trusted === false;
      const trust = untrusted
        ? { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never' }
        : {};
      prepareCodeServer(tools, dirs, env, vsix, { ...trust, ...(opts.settings ?? {}) });
      phase('extension installed');
      server = await startCodeServer(tools, dirs, env, opts.workspace, { trust: untrusted });
      phase('code-server listening');
      context = await chromium.launchPersistentContext(dirs.profile, {
        executablePath: tools.chromium,
        headless: true,
        args: CHROMIUM_ARGS,
        env,
        viewport: { width: 1400, height: 900 },
      });
      // Probes must not hang on an element that is not there: fail fast and let waitFor poll again.
      context.setDefaultTimeout(10_000);
      const page = context.pages()[0] ?? (await context.newPage());
      logBrowser(page, join(dirs.root, 'browser.log'));
      phase('chromium started');
      const screenshots = resolve(opts.screenshotDir ?? join(repoRoot, 'bench-out', 'e2e'));
      const vs = new VsCode(page, context, dirs.root, server, screenshots);
      await page.goto(`${server.url}/?folder=${encodeURIComponent(opts.workspace)}`, {
        timeout: 60_000,
        waitUntil: 'domcontentloaded',
      });
      await vs.waitFor(
        () => page.locator('.monaco-workbench .part.statusbar').isVisible(),
        'the workbench',
        60_000,
      );
      phase('workbench shown');
      return vs;
    } catch (e) {
      await context?.close().catch(() => undefined);
      if (server) {
        await stopGroup(server.process);
        process.off('exit', server.onExit);
        printTail('code-server.log', server.logFile);
      }
      await killMarked(dirs.root).catch((err: Error) => console.error(`e2e: ${err.message}`));
      console.error(`e2e: start-up failed; run folder kept at ${dirs.root}`);
      throw e;
    }
  }

  /** Polls `predicate` (never a fixed sleep); on timeout fails with `what` and what the workbench showed. */
  waitFor<T>(
    predicate: () => Promise<T> | T,
    what: string,
    timeoutMs = 20_000,
    seen?: () => Promise<string> | string,
  ): Promise<NonNullable<T>> {
    return pollUntil(predicate, what, timeoutMs, seen ?? (() => this.describe()));
  }

  /** Opens a view container by its activity bar title (e.g. "CI Triage"), once the workbench shows it. */
  async openActivity(title: string): Promise<void> {
    const item = this.page.locator(`.part.activitybar [aria-label^="${title}"]`).first();
    await this.waitFor(() => item.isVisible(), `the "${title}" activity bar item`, 60_000);
    await item.click();
  }

  /** Runs a command by its title through the command palette (F1). */
  async runCommand(title: string): Promise<void> {
    await this.quickInput('>' + title, title);
  }

  /** Opens a workspace file by clicking through the Explorer (search-based quick open is slow to warm up). */
  async openFile(relativePath: string): Promise<void> {
    const parts = relativePath.split('/');
    for (let i = 0; i < parts.length; i++) {
      const row = this.page.locator(
        `.explorer-folders-view .monaco-list-row[aria-level="${i + 1}"][aria-label="${parts[i]}"]`,
      );
      await this.waitFor(() => row.isVisible(), `${parts.slice(0, i + 1).join('/')} in the Explorer`);
      if (i === parts.length - 1) await row.click();
      else if ((await row.getAttribute('aria-expanded')) !== 'true') await row.click();
    }
    const name = parts[parts.length - 1]!;
    await this.waitFor(async () => (await this.activeTab()) === name, `the editor tab of ${relativePath}`);
  }

  /** The file name of the active editor tab, or ''. */
  async activeTab(): Promise<string> {
    // The tab's label splits the name ("job.ci" + ".log"); the attribute holds it whole.
    const names = await this.page
      .locator('.part.editor .tab.active')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-resource-name') ?? ''));
    return names[0] ?? '';
  }

  /** The visible text of the active editor, or ''. */
  async editorText(): Promise<string> {
    const texts = await this.page
      .locator('.part.editor .editor-group-container.active .monaco-editor .view-lines')
      .evaluateAll((els) => els.map((e) => (e as unknown as Inner).innerText));
    return (texts[0] ?? '').replace(/\u00a0/g, ' ');
  }

  /** The status bar's cursor position, e.g. "Ln 1, Col 1", or ''. */
  cursorPosition(): Promise<string> {
    return this.statusItem('status.editor.selection');
  }

  /** The active editor's language as the status bar names it, e.g. "Python", or ''. */
  languageMode(): Promise<string> {
    return this.statusItem('status.editor.mode');
  }

  /** The text of a status bar item by its id, or ''. */
  async statusItem(id: string): Promise<string> {
    const texts = await this.page
      .locator(`[id="${id}"]`)
      .evaluateAll((els) => els.map((e) => (e.textContent ?? '').trim()));
    return texts[0] ?? '';
  }

  /** The text of each rendered row of a list or tree under `container` (a CSS selector). */
  async rows(container: string, row = '.monaco-list-row'): Promise<string[]> {
    return this.page
      .locator(`${container} ${row}`)
      .evaluateAll((els) => els.map((e) => (e as unknown as Inner).innerText.replace(/\s+/g, ' ').trim()));
  }

  /**
   * Right-clicks `row` and clicks the context menu's `label` entry. The menu is opened again while the entry does
   * not show (a view refresh that re-renders the row closes its menu), and the entry clicked again while the menu
   * stays open (once, under load, a click left it open with the entry highlighted and nothing ran). A menu closes
   * before its action runs, so nothing runs twice.
   */
  async contextMenu(row: Locator, label: string): Promise<void> {
    const entry = this.page.locator('.context-view .action-label', { hasText: label }).first();
    let opened = 0;
    await this.waitFor(async () => {
      if (await entry.isVisible()) return true;
      if (Date.now() - opened > 2_000) {
        if (opened > 0) {
          console.error(`e2e: no "${label}" in the context menu; opening it again`);
          await this.page.keyboard.press('Escape');
        }
        opened = Date.now();
        await row.click({ button: 'right', timeout: 2_000 });
      }
      return false;
    }, `the "${label}" context menu entry`);
    let clicked = 0;
    await this.waitFor(async () => {
      if (!(await entry.isVisible())) return true;
      if (Date.now() - clicked > 2_000) {
        if (clicked > 0) console.error(`e2e: the context menu is still open; clicking "${label}" again`);
        clicked = Date.now();
        await entry.click();
      }
      return false;
    }, `the context menu to close after clicking "${label}"`);
  }

  /** Saves a PNG of the page into the screenshot folder; returns its path. */
  async screenshot(name: string): Promise<string> {
    mkdirSync(this.screenshotDir, { recursive: true });
    const file = join(this.screenshotDir, name.endsWith('.png') ? name : `${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  /** A short account of what the workbench shows, for failure messages. */
  async describe(): Promise<string> {
    const notes = await this.rows('.notifications-toasts', '.notification-list-item-message').catch(() => []);
    return [
      `active tab: ${JSON.stringify(await this.activeTab().catch(() => ''))}`,
      `cursor: ${JSON.stringify(await this.cursorPosition().catch(() => ''))}`,
      `language: ${JSON.stringify(await this.languageMode().catch(() => ''))}`,
      `notifications: ${JSON.stringify(notes)}`,
      `problems panel rows: ${JSON.stringify(await this.rows('.markers-panel').catch(() => []))}`,
      `quick input rows: ${JSON.stringify(await this.rows('.quick-input-widget').catch(() => []))}`,
    ].join('\n  ');
  }

  /** Prints the tails of code-server's log, the extension host's logs and the browser's errors. */
  printLogs(): void {
    printTail('code-server.log', this.server.logFile);
    printTail('browser.log', join(this.runDir, 'browser.log'));
    for (const f of findFiles(join(this.runDir, 'user-data', 'logs'), /(exthost\d*|CI Triage)\.log$/))
      printTail(f.slice(this.runDir.length + 1), f);
  }

  /** Closes Chromium, kills code-server's process group and anything else the run started, and checks. */
  async dispose(opts: { keepRunDir?: boolean } = {}): Promise<void> {
    // Playwright kills Chromium's process group when a graceful close does not finish.
    await withTimeout(this.context.close(), 10_000).catch(() => undefined);
    await stopGroup(this.server.process);
    process.off('exit', this.server.onExit);
    await killMarked(this.runDir);
    if (!opts.keepRunDir) rmSync(this.runDir, { recursive: true, force: true, maxRetries: 3 });
  }

  private async quickInput(text: string, rowLabel: string): Promise<void> {
    const page = this.page;
    const widget = page.locator('.quick-input-widget');
    let opened = 0;
    // Right after start-up the workbench may not take keys yet, and a palette opened before the extension's
    // contributions arrived never lists them: (re)open it until the entry asked for is the focused one.
    await this.waitFor(
      async () => {
        const focused = await this.rows('.quick-input-widget', '.monaco-list-row.focused');
        if (focused[0]?.includes(rowLabel) && (await widget.isVisible())) return true;
        if (Date.now() - opened > 3_000) {
          if (opened > 0) console.error(`e2e: reopening the palette; it showed ${JSON.stringify(focused)}`);
          opened = Date.now();
          if (await widget.isVisible()) await page.keyboard.press('Escape');
          await page.keyboard.press('F1');
          const box = widget.locator('input').first();
          await box.waitFor({ state: 'visible', timeout: 2_000 });
          await box.fill(text);
        }
        return false;
      },
      `"${rowLabel}" as the focused entry of the quick input`,
      30_000,
    );
    await page.keyboard.press('Enter');
    await this.waitFor(async () => !(await widget.isVisible()), 'the quick input to close');
  }
}

/** Starts VS Code, runs `body`, and always disposes; on failure prints the logs and keeps the run folder. */
export async function withVsCode(opts: VsCodeOptions, body: (vs: VsCode) => Promise<void>): Promise<void> {
  const vs = await VsCode.start(opts);
  let failed = true;
  try {
    await body(vs);
    failed = false;
  } catch (e) {
    await vs.screenshot('failure').catch(() => undefined);
    vs.printLogs();
    console.error(`e2e: run folder kept at ${vs.runDir}`);
    throw e;
  } finally {
    await vs.dispose({ keepRunDir: failed });
  }
}

/** A new temporary folder (the test's workspace) holding copies of files or folders: { nameInside: source }. */
export function tempWorkspace(files: Record<string, string>): string {
  const ws = mkdtempSync(join(tmpdir(), 'ci-triage-ws-'));
  for (const [to, from] of Object.entries(files)) cpSync(from, join(ws, to), { recursive: true });
  return ws;
}

function logBrowser(page: Page, file: string): void {
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning')
      writeFileSync(file, `[${m.type()}] ${m.text()}\n`, { flag: 'a' });
  });
  page.on('pageerror', (e) => writeFileSync(file, `[pageerror] ${e.message}\n`, { flag: 'a' }));
}

/**
 * The callbacks of evaluateAll run in the page, so they cannot call helpers of this file. They read innerText,
 * not textContent, because it keeps the gaps between a row's parts; tsconfig has no DOM types, hence the cast.
 */
interface Inner {
  innerText: string;
}
