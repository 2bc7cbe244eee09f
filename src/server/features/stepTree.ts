/**
 * The steps of a log as a tree (steps and sections at the top, nested groups below), with each problem under
 * the innermost step whose lines hold the log line that printed it. Shared by symbols, folding and hover.
 */
import type { Problem, Step } from '../../core/model';

export interface StepNode {
  step: Step;
  children: StepNode[];
  /** Problems printed directly in this step (not in a nested group), in log order. */
  problems: Problem[];
  /** Problems printed anywhere in it, nested groups included. */
  total: number;
}

export interface StepTree {
  roots: StepNode[];
  /** Problems printed outside every step (plain logs, the lines before the first step). */
  loose: Problem[];
}

export function buildStepTree(steps: readonly Step[], problems: readonly Problem[]): StepTree {
  const nodes = new Map<number, StepNode>();
  for (const s of steps) nodes.set(s.id, { step: s, children: [], problems: [], total: 0 });
  const roots: StepNode[] = [];
  for (const s of steps) {
    const node = nodes.get(s.id)!;
    const parent = s.parent !== null ? nodes.get(s.parent) : undefined;
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  const byStart = (a: StepNode, b: StepNode): number => a.step.startLine - b.step.startLine;
  roots.sort(byStart);
  for (const n of nodes.values()) n.children.sort(byStart);

  const loose: Problem[] = [];
  for (const p of problems) {
    const path = p.logLine > 0 ? innermost(roots, p.logLine) : [];
    if (path.length === 0) {
      loose.push(p);
      continue;
    }
    path[path.length - 1]!.problems.push(p);
    for (const n of path) n.total++;
  }
  return { roots, loose };
}

/** The chain of nodes from a root down to the innermost one holding `line` (empty when none does). */
export function innermost(roots: readonly StepNode[], line: number): StepNode[] {
  const path: StepNode[] = [];
  let level = roots;
  for (;;) {
    const n = lastStartingAtOrBefore(level, line);
    if (!n || n.step.endLine < line) return path;
    path.push(n);
    level = n.children;
  }
}

/** Binary search: the last node of `nodes` (sorted by start) that starts at or before `line`. */
function lastStartingAtOrBefore(nodes: readonly StepNode[], line: number): StepNode | undefined {
  let lo = 0;
  let hi = nodes.length - 1;
  let found: StepNode | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const n = nodes[mid]!;
    if (n.step.startLine <= line) {
      found = n;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
