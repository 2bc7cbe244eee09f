/**
 * Refreshes the runs every `ciTriage.pollInterval` seconds while the view is visible and the window focused:
 * nobody looking means no requests. While a run is in progress it polls sooner (every 20 s at most) and also
 * with the view hidden, so a job that fails shows up at once in the Problems panel and the status bar. One timer
 * for every repository (the providers' ETags make an unchanged refresh cost 304s); it backs off after failures.
 */
import * as vscode from 'vscode';
import { onConfigChange, readConfig } from './config';
import { Disposable } from './disposable';
import { pollDelay } from './pollDelay';
import type { RunsStore } from './runsStore';

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
    // A run starting or ending changes the pace.
    this.register(
      store.onDidChange(() => {
        if (this.running() !== this.wasRunning && !this.busy) this.schedule();
      }),
    );
    this.register({ dispose: () => this.stop() });
    this.schedule();
  }

  private wasRunning = false;

  private running(): boolean {
    return this.store.all.some((s) => s.runs.some((e) => e.run.status !== 'completed'));
  }

  private schedule(): void {
    this.stop();
    this.wasRunning = this.running();
    const delay = pollDelay({
      seconds: readConfig().pollIntervalSeconds,
      visible: this.view.visible,
      focused: vscode.window.state.focused,
      running: this.wasRunning,
      failures: this.failures,
    });
    if (delay !== null) this.timer = setTimeout(() => void this.tick(), delay);
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
