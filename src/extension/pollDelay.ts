/** The poller's pace, pure (no `vscode`), so tests can check it. */

const MAX_BACKOFF = 8;
const RUNNING_SECONDS = 20;

/** Milliseconds until the next refresh, or null for none. */
export function pollDelay(o: {
  seconds: number;
  visible: boolean;
  focused: boolean;
  running: boolean;
  failures: number;
}): number | null {
  if (o.seconds === 0 || !o.focused || (!o.visible && !o.running)) return null;
  const base = o.running ? Math.min(o.seconds, RUNNING_SECONDS) : o.seconds;
  return base * 1000 * Math.min(MAX_BACKOFF, 2 ** o.failures);
}
