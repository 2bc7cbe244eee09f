/** Ranges over a document's lines. */
import type { Range } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';

/** Length of a 0-based line, without its line end. */
export function lineLength(doc: TextDocument, line: number): number {
  const text = doc.getText();
  const start = doc.offsetAt({ line, character: 0 });
  let end = line + 1 < doc.lineCount ? doc.offsetAt({ line: line + 1, character: 0 }) : text.length;
  if (end > start && text.charCodeAt(end - 1) === 10) end--;
  if (end > start && text.charCodeAt(end - 1) === 13) end--;
  return end - start;
}

/** The whole of a 0-based line. */
export function lineRange(doc: TextDocument, line: number): Range {
  return { start: { line, character: 0 }, end: { line, character: lineLength(doc, line) } };
}

/** From the start of line `from` to the end of line `to` (0-based). */
export function linesRange(doc: TextDocument, from: number, to: number): Range {
  return { start: { line: from, character: 0 }, end: { line: to, character: lineLength(doc, to) } };
}
