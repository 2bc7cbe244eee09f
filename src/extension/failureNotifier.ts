/**
 * With `ciTriage.notifyOnFailure`, says "CI failed on <branch>: N problems in M jobs" once per failed run
 * attempt that appears after the first load (the runs seen at the first load are what the user opened).
 */
import * as vscode from 'vscode';
import { isFailed } from '../providers/triage';
import { readConfig } from './config';
import { Disposable } from './disposable';
import type { RunsStore } from './runsStore';
import { OPEN_VIEW_COMMAND } from './statusBar';

export class FailureNotifier extends Disposable {
  private readonly seen = new Map<string, Set<string>>();

  constructor(private readonly store: RunsStore) {
    super();
    this.register(store.onDidChange(() => this.check()));
  }

  private check(): void {
    for (const s of this.store.all) {
      if (s.state.kind !== 'ready') continue;
      const key = `${s.head.root.toString()}\0${s.label}`;
      const failed = s.runs.filter((r) => isFailed(r.run.conclusion));
      const ids = failed.map((r) => `${r.run.id}:${r.run.attempt}`);
      const known = this.seen.get(key);
      this.seen.set(key, new Set([...(known ?? []), ...ids]));
      if (!known || !readConfig().notifyOnFailure) continue;
      const fresh = failed.filter((r) => !known.has(`${r.run.id}:${r.run.attempt}`));
      if (fresh.length === 0) continue;
      const jobs = fresh.flatMap((r) => [...r.triaged.values()]);
      const problems = jobs.reduce((n, j) => n + j.problems.length, 0);
      void vscode.window
        .showWarningMessage(
          `CI failed on ${s.label}: ${problems} problem${problems === 1 ? '' : 's'} in ${jobs.length} job${jobs.length === 1 ? '' : 's'}`,
          'Show',
        )
        .then((choice) => {
          if (choice) void vscode.commands.executeCommand(OPEN_VIEW_COMMAND);
        });
    }
  }
}
