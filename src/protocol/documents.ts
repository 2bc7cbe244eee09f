/**
 * Messages about `ci-log` documents (job logs the extension renders, `*.ci.log` files) beyond standard LSP.
 * No `vscode` here: the server, the client and the tests share this file.
 */
import { RequestType } from 'vscode-languageserver-protocol';
import type { TextDocumentIdentifier } from 'vscode-languageserver-protocol';

export interface FoldedByDefaultParams {
  textDocument: TextDocumentIdentifier;
}

export interface FoldedByDefaultResult {
  /**
   * 0-based start lines of the folding ranges to fold when the document opens: the steps and sections that
   * passed and printed no problem, so a long log opens at its failure. The same ranges carry
   * `kind: 'imports'` in `textDocument/foldingRange`.
   */
  lines: number[];
}

/**
 * Which folding ranges of a `ci-log` document to fold by default. LSP 3.17 has no "collapsed" flag on a
 * folding range; a client can fold these lines itself (VS Code: the `editor.fold` command with
 * `selectionLines`) when it does not fold `imports` ranges by default.
 */
export const FoldedByDefaultRequest = new RequestType<FoldedByDefaultParams, FoldedByDefaultResult, void>(
  'ciTriage/foldedByDefault',
);
