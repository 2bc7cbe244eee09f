/**
 * Document links: every `path:line[:col]`, `path(line,col)` (tsc) and Python `File "path", line N` whose
 * path names an existing workspace file becomes a link to that file at that place (`#L<line>,<col>`, which
 * VS Code opens at the position); web URLs are links too. A path outside the workspace, or one that does not
 * exist, gets no link.
 *
 * Found on the document's text (what the editor shows), not on the parsed log: a rendered job log has no
 * timestamps, so columns differ from the raw file's. The scan looks for the cheap anchors first (`:` + digit,
 * `(` + digit, `File "`, `://`) and walks back over path characters at most MAX_PATH of them, so it is linear
 * in the text whatever the lines look like. Targets are computed eagerly: whether a link exists at all
 * depends on the file existing, and the checks are cached per path.
 */
import type { CancellationToken, DocumentLink } from 'vscode-languageserver';
import type { WorkspaceFiles } from './workspaceFiles';
import { withPosition } from './workspaceFiles';

/** Beyond this a response would be megabytes that no one clicks through. */
export const MAX_LINKS = 20_000;
const MAX_PATH = 512;
const LINES_PER_SLICE = 20_000;

const PY_FILE = /File "([^"\r\n]{1,1024})", line (\d{1,7})/g;
const URL = /\bhttps?:\/\/[^\s"'<>`\\\])]+/g;
const LINE_COL = /^:(\d{1,7})(?::(\d{1,7}))?/;
const PAREN = /^\((\d{1,7}),(\d{1,7})\)/;
const EXTENSION = /\.[A-Za-z][A-Za-z0-9]{0,9}$/;

export async function documentLinks(
  text: string,
  lineCount: number,
  files: WorkspaceFiles,
  token?: CancellationToken,
): Promise<DocumentLink[]> {
  const links: DocumentLink[] = [];
  let start = 0;
  for (let line = 0; line < lineCount && start <= text.length; line++) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const stop = end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
    lineLinks(text.slice(start, stop), line, files, links);
    if (links.length >= MAX_LINKS) return links.slice(0, MAX_LINKS);
    start = end + 1;
    if (line % LINES_PER_SLICE === LINES_PER_SLICE - 1) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (token?.isCancellationRequested) return links;
    }
  }
  return links;
}

/** The links of one line of text. */
export function lineLinks(s: string, line: number, files: WorkspaceFiles, out: DocumentLink[]): void {
  // Spans already taken (URLs first, so a path inside a URL is not a second link).
  const taken: [number, number][] = [];
  const add = (from: number, to: number, target: string, tooltip: string): void => {
    for (const [a, b] of taken) if (from < b && to > a) return;
    taken.push([from, to]);
    out.push({
      range: { start: { line, character: from }, end: { line, character: to } },
      target,
      tooltip,
    });
  };

  if (s.indexOf('://') >= 0) {
    URL.lastIndex = 0;
    for (let m = URL.exec(s); m; m = URL.exec(s)) {
      const url = m[0].replace(/[.,;:!?]+$/, '');
      add(m.index, m.index + url.length, url, 'Open in the browser');
    }
  }

  if (s.indexOf('File "') >= 0) {
    PY_FILE.lastIndex = 0;
    for (let m = PY_FILE.exec(s); m; m = PY_FILE.exec(s)) {
      const f = files.resolve(m[1]!);
      const n = Number(m[2]);
      if (f) add(m.index + 5, m.index + m[0].length, withPosition(f.uri, n, null), `Open ${f.path}:${n}`);
    }
  }

  for (let i = s.indexOf(':'); i > 0; i = s.indexOf(':', i + 1)) {
    if (!isDigit(s.charCodeAt(i + 1))) continue;
    const from = pathStart(s, i);
    if (from < 0) continue;
    const m = LINE_COL.exec(s.slice(i, i + 20));
    if (!m) continue;
    linkTo(s.slice(from, i), from, i + m[0].length, Number(m[1]), m[2] ? Number(m[2]) : null);
  }

  for (let i = s.indexOf('('); i > 0; i = s.indexOf('(', i + 1)) {
    if (!isDigit(s.charCodeAt(i + 1))) continue;
    const from = pathStart(s, i);
    if (from < 0) continue;
    const m = PAREN.exec(s.slice(i, i + 20));
    if (!m) continue;
    linkTo(s.slice(from, i), from, i + m[0].length, Number(m[1]), Number(m[2]));
  }

  function linkTo(path: string, from: number, to: number, n: number, col: number | null): void {
    if (n < 1) return;
    const f = files.resolve(path);
    if (!f) return;
    const where = col !== null ? `${f.path}:${n}:${col}` : `${f.path}:${n}`;
    add(from, to, withPosition(f.uri, n, col), `Open ${where}`);
  }
}

/** Where the path that ends at `end` starts, or -1 when what precedes `end` does not look like a file path. */
function pathStart(s: string, end: number): number {
  let j = end;
  while (j > 0 && end - j < MAX_PATH && isPathChar(s.charCodeAt(j - 1))) j--;
  // A Windows drive: `C:\a\x.py:3`.
  if (
    j >= 2 &&
    s.charCodeAt(j - 1) === 58 &&
    isLetter(s.charCodeAt(j - 2)) &&
    (j < 3 || !isPathChar(s.charCodeAt(j - 3)))
  )
    j -= 2;
  if (j === end) return -1;
  const path = s.slice(j, end);
  const last = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  if (last.length === 0 || !/[A-Za-z]/.test(path)) return -1;
  // A file name with an extension, or a path with a folder: not `10:00:00`, `python:3.11`, `line 3:4`.
  if (!EXTENSION.test(last) && path.indexOf('/') < 0 && path.indexOf('\\') < 0) return -1;
  return j;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** Letters, digits and `_ . - / \ + @ ~`. */
function isPathChar(c: number): boolean {
  return (
    isDigit(c) ||
    isLetter(c) ||
    c === 95 ||
    c === 46 ||
    c === 45 ||
    c === 47 ||
    c === 92 ||
    c === 43 ||
    c === 64 ||
    c === 126
  );
}
