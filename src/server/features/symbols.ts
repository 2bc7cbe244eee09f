/**
 * Document symbols (outline, breadcrumbs, Go to Symbol): steps and sections, their nested groups, and under
 * each its failing tests and tool runs ("mypy: 3 errors").
 */
import { SymbolKind } from 'vscode-languageserver';
import type { DocumentSymbol } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Problem } from '../../core/model';
import { linesRange, lineRange } from './ranges';
import type { StepNode, StepTree } from './stepTree';

/** A step with more tests than this lists the first ones and says how many more. */
const MAX_TESTS = 200;

export function documentSymbols(doc: TextDocument, tree: StepTree, contentLines: number): DocumentSymbol[] {
  const last = contentLines - 1;
  if (last < 0) return [];
  const out: DocumentSymbol[] = [];
  for (const n of tree.roots) {
    const s = stepSymbol(doc, n, last);
    if (s) out.push(s);
  }
  out.push(...problemSymbols(doc, tree.loose, 0, last));
  return out.sort((a, b) => a.range.start.line - b.range.start.line);
}

function stepSymbol(doc: TextDocument, n: StepNode, last: number): DocumentSymbol | null {
  const from = n.step.startLine - 1;
  if (from > last) return null;
  const to = Math.min(Math.max(n.step.endLine - 1, from), last);
  const children: DocumentSymbol[] = [];
  for (const c of n.children) {
    const s = stepSymbol(doc, c, to);
    if (s && s.range.start.line >= from) children.push(s);
  }
  children.push(...problemSymbols(doc, n.problems, from, to));
  children.sort((a, b) => a.range.start.line - b.range.start.line);
  const status = n.step.status === 'failure' ? 'failed' : n.step.status === 'success' ? 'passed' : '';
  const count = n.total > 0 ? `${n.total} problem${n.total === 1 ? '' : 's'}` : '';
  return {
    name: n.step.name.trim() || `(unnamed ${n.step.kind})`,
    detail: [status, count].filter((x) => x).join(', '),
    kind: n.step.kind === 'group' ? SymbolKind.Namespace : SymbolKind.Module,
    range: linesRange(doc, from, to),
    selectionRange: lineRange(doc, from),
    children,
  };
}

/**
 * Failing tests (one symbol per test id, at its first line) and tool runs (one per tool, from its first to
 * its last problem) among problems printed between lines `from` and `to` (0-based).
 */
function problemSymbols(
  doc: TextDocument,
  problems: readonly Problem[],
  from: number,
  to: number,
): DocumentSymbol[] {
  const tests = new Map<string, Problem>();
  const runs = new Map<string, Problem[]>();
  let moreTests = 0;
  for (const p of problems) {
    const line = p.logLine - 1;
    if (line < from || line > to) continue;
    if (p.test) {
      if (tests.has(p.test)) continue;
      if (tests.size >= MAX_TESTS) {
        moreTests++;
        continue;
      }
      tests.set(p.test, p);
    } else {
      let r = runs.get(p.tool);
      if (!r) runs.set(p.tool, (r = []));
      r.push(p);
    }
  }
  const out: DocumentSymbol[] = [];
  for (const [id, p] of tests) {
    const line = p.logLine - 1;
    out.push({
      name: id,
      detail: `${p.tool}: failed${moreTests > 0 && out.length === 0 ? ` (and ${moreTests} more tests)` : ''}`,
      kind: SymbolKind.Method,
      range: lineRange(doc, line),
      selectionRange: lineRange(doc, line),
    });
  }
  for (const [tool, ps] of runs) {
    const first = ps[0]!.logLine - 1;
    const lastLine = ps[ps.length - 1]!.logLine - 1;
    out.push({
      name: `${tool}: ${countText(ps)}`,
      detail: fileSummary(ps),
      kind: SymbolKind.Event,
      range: linesRange(doc, first, lastLine),
      selectionRange: lineRange(doc, first),
    });
  }
  return out;
}

/** "3 errors", "1 error, 2 warnings". */
function countText(ps: readonly Problem[]): string {
  const n = { error: 0, warning: 0, info: 0 };
  for (const p of ps) n[p.severity]++;
  const parts: string[] = [];
  if (n.error) parts.push(`${n.error} error${n.error === 1 ? '' : 's'}`);
  if (n.warning) parts.push(`${n.warning} warning${n.warning === 1 ? '' : 's'}`);
  if (n.info) parts.push(`${n.info} note${n.info === 1 ? '' : 's'}`);
  return parts.join(', ');
}

/** "in src/a.py, src/b.py and 3 more files". */
function fileSummary(ps: readonly Problem[]): string {
  const files = [...new Set(ps.map((p) => p.path ?? p.file).filter((f): f is string => !!f))];
  if (files.length === 0) return '';
  const shown = files.slice(0, 2).join(', ');
  return files.length > 2 ? `in ${shown} and ${files.length - 2} more files` : `in ${shown}`;
}
