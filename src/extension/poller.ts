/**
 * Refreshes the runs every `ciTriage.pollInterval` seconds, only while the view is visible and the window
 * focused: nobody looking means no requests. One timer for every repository (the providers' ETags make an
 * unchanged refresh cost 304s), and it backs off after failures.
 */
import * as vscode from 'vscode';
import { onConfigChange, readConfig } from './config';
import { Disposable } from './disposable';
import type { RunsStore } from './runsStore';

const MAX_BACKOFF = 8;

export class Poller extends Disposable {
  private timer: NodeJS.Timeout | null = null;
  private failures = 0;
  private busy = false;

  constructor(
    private readonly store: RunsStore,
    private readonly view: vscode.TreeView<unknown>,
  ) {
    super();
    this.register(view.onDidChangeVisibility(() => this.schedule()));
    this.register(vscode.window.onDidChangeWindowState(() => this.schedule()));
    this.register(onConfigChange(() => this.schedule()));
    this.register({ dispose: () => this.stop() });
    this.schedule();
  }

  private schedule(): void {
    this.stop();
    const seconds = readConfig().pollIntervalSeconds;
    if (seconds === 0 || !this.view.visible || !vscode.window.state.focused) return;
    const factor = Math.min(MAX_BACKOFF, 2 ** this.failures);
    this.timer = setTimeout(() => void this.tick(), seconds * 1000 * factor);
  }

  private async tick(): Promise<void> {
    this.timer = null;
    if (this.busy) return this.schedule();
    this.busy = true;
    try {
      await this.store.refresh();
      const failed = this.store.all.some((s) => s.state.kind === 'error');
      this.failures = failed ? this.failures + 1 : 0;
    } finally {
      this.busy = false;
      this.schedule();
    }
  }

  private stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
