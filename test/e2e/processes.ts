/**
 * Polling and process clean-up for the end-to-end harness. Every process a run starts carries a marker in its
 * environment (MARKER=<run folder>), so clean-up can find what left its process group (Chromium's crash
 * handlers start their own sessions) without matching processes by name.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const MARKER = 'CI_TRIAGE_E2E_RUN';

/** Polls `probe` until it returns a truthy value; a timeout says what was awaited and what was last seen. */
export async function pollUntil<T>(
  probe: () => Promise<T> | T,
  what: string,
  timeoutMs: number,
  seen?: () => Promise<string> | string,
): Promise<NonNullable<T>> {
  const started = Date.now();
  let lastError = '';
  for (;;) {
    try {
      const v = await probe();
      if (v) return v as NonNullable<T>;
      lastError = '';
    } catch (e) {
      lastError = e instanceof Error ? e.message.split('\n')[0]! : String(e);
    }
    if (Date.now() - started > timeoutMs) {
      let saw = '';
      try {
        saw = seen ? await seen() : '';
      } catch (e) {
        saw = `(could not describe: ${(e as Error).message})`;
      }
      const err = lastError ? `\nlast error: ${lastError}` : '';
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${err}\nsaw: ${saw || '(nothing)'}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** SIGTERM to the group, a short wait, then SIGKILL to the group (a child may ignore SIGTERM). */
export async function stopGroup(leader: ChildProcess): Promise<void> {
  killGroup(leader.pid, 'SIGTERM');
  const exited = () => leader.exitCode !== null || leader.signalCode !== null;
  await pollUntil(exited, 'the process group leader to exit', 5_000).catch(() => undefined);
  killGroup(leader.pid, 'SIGKILL');
}

/** The live processes whose environment carries this run's marker. */
export function markedPids(runDir: string): number[] {
  const needle = `${MARKER}=${runDir}\0`;
  const out: number[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    try {
      // A zombie's environ reads empty, so only live processes count.
      if (readFileSync(`/proc/${pid}/environ`, 'latin1').includes(needle)) out.push(Number(pid));
    } catch {
      // Gone, or not ours to read.
    }
  }
  return out;
}

/** Kills what escaped the process groups, then waits until none of the run's processes is left. */
export async function killMarked(runDir: string): Promise<void> {
  for (const pid of markedPids(runDir)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  await pollUntil(
    () => markedPids(runDir).length === 0,
    'every process of the run to exit',
    10_000,
    () => markedPids(runDir).map(describePid).join('\n'),
  );
}

function describePid(pid: number): string {
  try {
    return `${pid}: ${readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/\0/g, ' ').slice(0, 200)}`;
  } catch {
    return `${pid}: (gone)`;
  }
}

export function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return `(no ${file})`;
  }
}

export function printTail(label: string, file: string, lines = 40): void {
  if (!existsSync(file)) return;
  console.error(`----- last lines of ${label} -----\n${tail(file, lines)}\n----- end of ${label} -----`);
}

export function findFiles(dir: string, pattern: RegExp): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...findFiles(p, pattern));
    else if (pattern.test(p)) out.push(p);
  }
  return out;
}

export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    p,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms).unref(),
    ),
  ]);
}
