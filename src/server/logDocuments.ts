/**
 * The `ci-log` documents the server knows, and one parse of each per version.
 *
 * Where a document's log comes from:
 * - a `ci-triage-log:` document (a job log the extension rendered from the log cache) is parsed from the raw
 *   cached file its URI names, which keeps the GitLab sections and timestamps the framing needs; line N of the
 *   rendered text is line N of that file. The file is read only when it lies inside the client's
 *   `logCacheDir` (real paths compared); otherwise the rendered text is parsed and a warning logged.
 * - a `file:` document whose synced text is empty while the file on disk is not (a client that does not sync
 *   big files, as VS Code does past 50 MB) is parsed from disk.
 * - any other document is parsed from its text.
 *
 * Parses run in chunks that yield to the event loop, so a 100 MB log never blocks other requests for long; a
 * newer version cancels the older parse. Edits are debounced; a request for a document starts a pending
 * parse at once.
 */
import { realpath, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { sep } from 'node:path';
import type { Connection, TextDocuments } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { parseFileAhead, prescanFor } from '../core/parseAhead';
import { parseChunks } from '../core/parser';
import { parseCache } from './parseCache';
import type { LogParser } from '../core/parser';
import type { Environment, LogFormat, Problem, Step } from '../core/model';
import { LOG_SCHEME, TRUNCATED_MARKER, parseLogDocumentUri } from '../protocol';

/** What the server knows about one version of a document. */
export interface LogAnalysis {
  uri: string;
  version: number;
  /** In log order; at most MAX_PROBLEMS (the rest are counted in `droppedProblems`). */
  problems: Problem[];
  droppedProblems: number;
  steps: Step[];
  environment: Environment;
  format: LogFormat;
  /** Lines of the log that was parsed. */
  logLines: number;
  /** Lines of the document that are log lines: all of them but a truncated render's marker line. */
  contentLines: number;
  /** Folder the log's paths map into, or null. */
  workspace: string | null;
  source: 'cache' | 'text' | 'disk';
}

/** Problems found so far in a parse still running (for early diagnostics on a big log). */
export interface PartialAnalysis {
  uri: string;
  version: number;
  problems: readonly Problem[];
  contentLines: number;
}

export interface LogDocumentsOptions {
  /** The client's log cache folder (`initializationOptions.logCacheDir`), or null. */
  logCacheDir: () => string | null;
  /** The workspace folders' absolute paths. */
  workspaceFolders: () => readonly string[];
  /** A parse found problems and is still running: at once for the first, then at most every PROGRESS_MS. */
  onProgress?: (p: PartialAnalysis) => void;
  /** A parse finished for the document's current version. */
  onAnalysis?: (a: LogAnalysis) => void;
  /** Debounce for edits, in ms. */
  debounceMs?: number;
}

const MAX_PROBLEMS = 50_000;
/** Characters (text) or bytes (file) parsed between two yields to the event loop: a few ms of work. */
const CHUNK = 256 * 1024;
const PROGRESS_MS = 300;
const DEBOUNCE_MS = 250;

class Cancelled extends Error {
  constructor() {
    super('parse cancelled');
  }
}

interface Job {
  version: number;
  cancelled: boolean;
  promise: Promise<LogAnalysis>;
}

interface Entry {
  version: number;
  job: Job | null;
  timer: NodeJS.Timeout | null;
}

/** A `ci-triage-log:` document the server keeps itself (its text is the server's render, not synced). */
interface Owned {
  doc: TextDocument | null;
  ready: Promise<TextDocument | null>;
}

export class LogDocuments {
  private readonly entries = new Map<string, Entry>();
  private readonly owned = new Map<string, Owned>();
  private readonly debounceMs: number;

  constructor(
    private readonly connection: Connection,
    private readonly documents: TextDocuments<TextDocument>,
    private readonly opts: LogDocumentsOptions,
  ) {
    this.debounceMs = opts.debounceMs ?? DEBOUNCE_MS;
    documents.onDidChangeContent(({ document }) => this.changed(document));
    documents.onDidClose(({ document }) => this.closed(document.uri));
  }

  get(uri: string): TextDocument | undefined {
    return this.documents.get(uri) ?? this.owned.get(uri)?.doc ?? undefined;
  }

  /** The document, once its text is there (an owned document's render may still be under way). */
  async ready(uri: string): Promise<TextDocument | undefined> {
    return this.documents.get(uri) ?? (await this.owned.get(uri)?.ready) ?? undefined;
  }

  /**
   * The client opened a `ci-triage-log:` document without syncing its text (LogDocumentOpened): `text` is the
   * server's own render of it. The document is known at once, so a request that comes before the text waits
   * for it instead of finding no document.
   */
  openOwned(uri: string, version: number, text: Promise<string>): void {
    const slot: Owned = { doc: null, ready: Promise.resolve(null) };
    slot.ready = text.then(
      (t) => {
        if (this.owned.get(uri) !== slot) return null;
        slot.doc = TextDocument.create(uri, 'ci-log', version, t);
        return slot.doc;
      },
      () => null,
    );
    this.owned.set(uri, slot);
    this.closed(uri);
    const e: Entry = { version, job: null, timer: null };
    this.entries.set(uri, e);
    this.start(uri, e);
  }

  /** The client closed an owned document; false when it was not one. */
  closeOwned(uri: string): boolean {
    if (!this.owned.delete(uri)) return false;
    this.closed(uri);
    return true;
  }

  /**
   * The analysis of the document's current version (waiting for a parse under way, starting a debounced one
   * now), or null when the document is not open.
   */
  async analysis(uri: string): Promise<LogAnalysis | null> {
    for (;;) {
      const e = this.entries.get(uri);
      if (!e) return null;
      if (e.timer) {
        clearTimeout(e.timer);
        e.timer = null;
        this.start(uri, e);
      }
      const job = e.job!;
      try {
        return await job.promise;
      } catch (err) {
        // A newer version replaced this parse: wait for that one instead.
        if (err instanceof Cancelled && this.entries.get(uri)?.job !== job) continue;
        if (err instanceof Cancelled) return null;
        throw err;
      }
    }
  }

  /** The folder a document's paths map into: the one its URI names, else the workspace folder holding it. */
  workspaceOf(uri: string): string | null {
    const info = parseLogDocumentUri(uri);
    if (info) return info.workspace;
    const file = filePath(uri);
    if (!file) return null;
    let best: string | null = null;
    for (const f of this.opts.workspaceFolders()) {
      if (inside(f, file) && (best === null || f.length > best.length)) best = f;
    }
    return best;
  }

  dispose(): void {
    for (const e of this.entries.values()) this.stop(e);
    this.entries.clear();
  }

  private changed(doc: TextDocument): void {
    const e = this.entries.get(doc.uri);
    if (!e) {
      const fresh: Entry = { version: doc.version, job: null, timer: null };
      this.entries.set(doc.uri, fresh);
      this.start(doc.uri, fresh);
      return;
    }
    e.version = doc.version;
    if (e.job) e.job.cancelled = true;
    if (e.timer) clearTimeout(e.timer);
    e.timer = setTimeout(() => {
      e.timer = null;
      this.start(doc.uri, e);
    }, this.debounceMs);
  }

  private closed(uri: string): void {
    const e = this.entries.get(uri);
    if (e) this.stop(e);
    this.entries.delete(uri);
  }

  private stop(e: Entry): void {
    if (e.timer) clearTimeout(e.timer);
    e.timer = null;
    if (e.job) e.job.cancelled = true;
  }

  private start(uri: string, e: Entry): void {
    if (e.job) e.job.cancelled = true;
    const job: Job = { version: e.version, cancelled: false, promise: Promise.resolve(null as never) };
    job.promise = this.run(uri, job);
    // A parse nobody waits for must not become an unhandled rejection.
    job.promise.catch(() => undefined);
    e.job = job;
  }

  private async run(uri: string, job: Job): Promise<LogAnalysis> {
    const doc = await this.ready(uri);
    if (!doc || job.cancelled) throw new Cancelled();
    const workspace = this.workspaceOf(uri);
    const { path, source, file, bytes } = await this.openSource(doc);
    // A cached job log the triage (or an earlier document) parsed already: its analysis is that parse.
    const key = file !== null ? await parseCache.keyOf(file, workspace) : null;
    const hit = parseCache.get(key);
    if (hit) {
      if (job.cancelled) throw new Cancelled();
      const a: LogAnalysis = {
        uri,
        version: job.version,
        problems: hit.problems.slice(0, MAX_PROBLEMS),
        droppedProblems: Math.max(0, hit.problems.length - MAX_PROBLEMS),
        steps: hit.steps,
        environment: hit.environment,
        format: hit.format,
        logLines: hit.lines,
        contentLines: countContentLines(doc),
        workspace,
        source,
      };
      this.opts.onAnalysis?.(a);
      return a;
    }
    // A log read from disk because its text was not synced: every log line counts (positions past the
    // synced text are still the file's lines, which is what the editor shows).
    let contentLines = source === 'disk' ? Number.MAX_SAFE_INTEGER : countContentLines(doc);
    const problems: Problem[] = [];
    let dropped = 0;
    let lastProgress = Date.now();
    let reported = 0;
    const take = (ps: Problem[]): void => {
      for (const p of ps) {
        if (problems.length < MAX_PROBLEMS) problems.push(p);
        else dropped++;
      }
    };
    const onProgress = this.opts.onProgress;
    // Between chunks: a cancellation check, and progress. The first problems go out at once (a big log's first
    // failure shows while the rest is parsed), later ones at most every PROGRESS_MS (each publish sends them
    // all). Published when the next chunk comes, so a log of one chunk gets only its final publish.
    const beforeChunk = (): void => {
      if (job.cancelled) throw new Cancelled();
      if (
        onProgress &&
        problems.length > reported &&
        (reported === 0 || Date.now() - lastProgress >= PROGRESS_MS)
      ) {
        reported = problems.length;
        lastProgress = Date.now();
        onProgress({ uri, version: job.version, problems, contentLines });
      }
    };
    let parser: LogParser;
    if (path !== null) {
      parser = await parseFileAhead(path, { workspace }, take, { script: prescanFor(bytes), beforeChunk });
    } else {
      parser = await parseChunks(textChunks(doc.getText(), beforeChunk), { workspace }, take);
    }
    if (job.cancelled) throw new Cancelled();
    if (source === 'disk') contentLines = parser.lines;
    if (key !== null && dropped === 0 && (await parseCache.keyOf(file!, workspace)) === key) {
      parseCache.set(key, {
        problems: problems.slice(),
        steps: parser.steps,
        environment: parser.environment,
        format: parser.format,
        lines: parser.lines,
      });
    }
    const a: LogAnalysis = {
      uri,
      version: job.version,
      problems,
      droppedProblems: dropped,
      steps: parser.steps,
      environment: parser.environment,
      format: parser.format,
      logLines: parser.lines,
      contentLines,
      workspace,
      source,
    };
    this.opts.onAnalysis?.(a);
    return a;
  }

  private async openSource(doc: TextDocument): Promise<{
    /** The file to read (read after the parse cache had its say), or null: the document's text. */
    path: string | null;
    source: LogAnalysis['source'];
    /** The cached job log read (its real path), for the parse cache. */
    file: string | null;
    /** The size of the file to read. */
    bytes: number;
  }> {
    if (doc.uri.startsWith(`${LOG_SCHEME}:`)) {
      const info = parseLogDocumentUri(doc.uri);
      const file = info ? await this.cachedFile(info.file) : null;
      if (file) return { path: file, source: 'cache', file, bytes: await fileSize(file) };
      this.connection.console.warn(
        info
          ? `not reading ${info.file}: it is not inside the log cache (${this.opts.logCacheDir() ?? 'none given'}); using the document's text`
          : `${doc.uri} names no log file; using the document's text`,
      );
    } else if (doc.getText().length === 0) {
      const file = filePath(doc.uri);
      const size = file ? await fileSize(file) : 0;
      if (file && size > 0) return { path: file, source: 'disk', file: null, bytes: size };
    }
    return { path: null, source: 'text', file: null, bytes: 0 };
  }

  /** The real path of `file` when it is inside the log cache, else null. */
  async cachedFile(file: string): Promise<string | null> {
    const dir = this.opts.logCacheDir();
    if (!dir) return null;
    try {
      const [realDir, real] = await Promise.all([realpath(dir), realpath(file)]);
      return real !== realDir && inside(realDir, real) ? real : null;
    } catch {
      return null;
    }
  }
}

/** The text in CHUNK-sized pieces, `beforeChunk` before each, yielding to the event loop between them. */
async function* textChunks(text: string, beforeChunk: () => void): AsyncGenerator<string> {
  for (let i = 0; i < text.length; i += CHUNK) {
    beforeChunk();
    yield text.slice(i, i + CHUNK);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** The document's line count, less a truncated render's appended marker line. */
export function countContentLines(doc: TextDocument): number {
  const n = doc.lineCount;
  const start = doc.offsetAt({ line: n - 1, character: 0 });
  const text = doc.getText();
  return text.startsWith(TRUNCATED_MARKER, start) ? n - 1 : n;
}

export function filePath(uri: string): string | null {
  if (!uri.startsWith('file:')) return null;
  try {
    return fileURLToPath(uri);
  } catch {
    return null;
  }
}

function inside(root: string, p: string): boolean {
  if (p === root) return true;
  return p.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** The size of a regular file, or 0. */
function fileSize(file: string): Promise<number> {
  return stat(file).then(
    (s) => (s.isFile() ? s.size : 0),
    () => 0,
  );
}
