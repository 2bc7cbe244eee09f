/** The seam between the parser and the per-tool matchers. */
import type { FramedLine } from './framing';
import type { ProblemInit, Step } from './model';

export interface MatcherContext {
  /** Reports a problem found now. Its logLine defaults to the current line. */
  emit(p: ProblemInit): void;
  /**
   * Reports a wrapper failure (tox `FAIL code 1`, `make: *** Error`, pytest's "no tests ran"): kept until
   * the current top-level step ends, and reported only if no other problem came from that step. With
   * `requireFailure`, only if the step also failed (or its status is unknown, as in plain logs).
   */
  emitFallback(p: ProblemInit, opts?: { requireFailure?: boolean }): void;
  /** Marks the current line as understood, so that catch-all matchers leave it alone. */
  claim(): void;
  /** True when a matcher earlier in the chain emitted a problem for, or claimed, the current line. */
  readonly claimed: boolean;
  /** The current top-level step, or null. */
  readonly step: Step | null;
}

/**
 * A matcher sees every framed line in order and emits problems. It must do a cheap test (a character or
 * `startsWith`/`indexOf`) before any regex, and use only regexes that cannot backtrack badly.
 */
export interface Matcher {
  readonly name: string;
  line(l: FramedLine, ctx: MatcherContext): void;
  /** The top-level step ended, or the log did: report what is buffered and reset. */
  flush?(ctx: MatcherContext): void;
}

export type MatcherFactory = () => Matcher;
