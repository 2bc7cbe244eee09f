/**
 * Folding ranges: every step, `##[group]` and GitLab section. A step or section that passed and printed no
 * problem is marked to fold by default, so a long log opens at its failure.
 */
import { FoldingRangeKind } from 'vscode-languageserver';
import type { FoldingRange } from 'vscode-languageserver';
import type { StepTree, StepNode } from './stepTree';

export function foldingRanges(tree: StepTree, contentLines: number): FoldingRange[] {
  const nodes: StepNode[] = [];
  const walk = (ns: readonly StepNode[]): void => {
    for (const n of ns) {
      nodes.push(n);
      walk(n.children);
    }
  };
  walk(tree.roots);
  const starts = new Set(nodes.map((n) => n.step.startLine));
  // One range per start line, the outermost: VS Code keeps only one of ranges that start on the same line,
  // and GitHub's "Set up job" starts on its first group's line.
  const byStart = new Map<number, FoldingRange>();
  for (const n of nodes) {
    const start = n.step.startLine - 1;
    let end = n.step.endLine - 1;
    // A GitLab section ends on the line where the next one starts: folding that line would hide its header.
    if (end > start && starts.has(n.step.endLine)) end--;
    end = Math.min(end, contentLines - 1);
    if (end <= start) continue;
    const prev = byStart.get(start);
    if (prev && prev.endLine >= end) continue;
    const r: FoldingRange = { startLine: start, endLine: end };
    // LSP 3.17 has no "collapsed by default" flag. VS Code folds `imports` ranges on open when
    // `editor.foldingImportsByDefault` is set, which the extension sets for [ci-log]: so passed steps carry
    // that kind. Other clients can ask `ciTriage/foldedByDefault` for the same lines.
    if (foldedByDefault(n)) r.kind = FoldingRangeKind.Imports;
    byStart.set(start, r);
  }
  return [...byStart.values()].sort((a, b) => a.startLine - b.startLine);
}

/** 0-based start lines of the ranges to fold on open. */
export function foldedByDefaultLines(ranges: readonly FoldingRange[]): number[] {
  return ranges.filter((r) => r.kind === FoldingRangeKind.Imports).map((r) => r.startLine);
}

/**
 * A top-level step or section that passed and printed no problem. The problem check guards against a status
 * the framing got wrong (a GitLab job's verdict line can land in the runner's clean-up section).
 */
function foldedByDefault(n: StepNode): boolean {
  return n.step.parent === null && n.step.status === 'success' && n.total === 0;
}
