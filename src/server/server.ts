/**
 * The CI Triage language server (bundled as dist/server.js). Started by the extension over IPC, or by any
 * editor with `node dist/server.js --stdio`. It parses logs off the editor's thread: job logs the extension
 * hands it (`ciTriage/parseLogFile`), and `ci-log` documents, which get diagnostics at the lines the tools
 * printed them, an outline of steps and failing tests, folding (passed steps folded by default), links to
 * the workspace files and hovers (see docs/editors.md).
 */
import { prestartPrescan } from '../core/parseAhead';
import {
  createConnection,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
} from 'vscode-languageserver/node';
import { CancellationToken, LSPErrorCodes, ResponseError } from 'vscode-languageserver';
import type {
  ClientCapabilities,
  DocumentSymbol,
  InitializeParams,
  InitializeResult,
  SymbolInformation,
  WorkspaceFolder,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { fileURLToPath } from 'node:url';
import type { Problem } from '../core/model';
import {
  LogDocumentClosedNotification,
  LogDocumentOpenedNotification,
  parseLogDocumentUri,
} from '../protocol';
import type { CiTriageInitOptions } from '../protocol';
import { FoldedByDefaultRequest } from '../protocol/documents';
import { removeRenderFiles } from './renderFiles';
import { countContentLines, LogDocuments } from './logDocuments';
import type { LogAnalysis, PartialAnalysis } from './logDocuments';
import { forgetRenders, registerParseRequests, renderedText } from './parseRequests';
import { registerReproduceRequest } from './reproduceRequest';
import { toDiagnostics } from './features/diagnostics';
import { foldedByDefaultLines, foldingRanges } from './features/folding';
import { hover } from './features/hover';
import { documentLinks } from './features/links';
import { buildStepTree } from './features/stepTree';
import type { StepTree } from './features/stepTree';
import { documentSymbols } from './features/symbols';
import { WorkspaceFilesPool } from './features/workspaceFiles';

// createConnection picks the transport from argv: --stdio, --node-ipc or --socket=N.
const connection = createConnection(ProposedFeatures.all);
const textDocuments = new TextDocuments(TextDocument);
const files = new WorkspaceFilesPool();

let logCacheDir: string | null = null;
let folders: string[] = [];
let caps: ClientCapabilities = {};

const docs = new LogDocuments(connection, textDocuments, {
  logCacheDir: () => logCacheDir,
  workspaceFolders: () => folders,
  onProgress: publishPartial,
  onAnalysis: publish,
});

connection.onInitialize((params: InitializeParams): InitializeResult => {
  caps = params.capabilities;
  const init = (params.initializationOptions ?? {}) as Partial<CiTriageInitOptions>;
  logCacheDir = typeof init.logCacheDir === 'string' ? init.logCacheDir : null;
  folders = folderPaths(params.workspaceFolders ?? null, params.rootUri);
  return {
    capabilities: {
      // Incremental: a log is rarely edited, but when it is, a 40 MB document is not sent again per key.
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
      documentSymbolProvider: { label: 'CI Triage' },
      foldingRangeProvider: true,
      documentLinkProvider: { resolveProvider: false },
      hoverProvider: true,
      workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
    },
    serverInfo: { name: 'ci-triage', version: '0.1.0' },
  };
});

connection.onInitialized(() => {
  // The thread that pre-scans big logs, started now rather than when the first one is opened.
  void prestartPrescan();
  if (caps.workspace?.workspaceFolders) {
    connection.workspace.onDidChangeWorkspaceFolders((e) => {
      const gone = new Set(folderPaths(e.removed, null));
      folders = [...folders.filter((f) => !gone.has(f)), ...folderPaths(e.added, null)];
    });
  }
});

/** What the features derive from an analysis, computed once per document version. */
interface Derived {
  tree: StepTree;
  byLine: Map<number, Problem[]>;
}
const derived = new WeakMap<LogAnalysis, Derived>();

function derive(a: LogAnalysis): Derived {
  let d = derived.get(a);
  if (!d) {
    const byLine = new Map<number, Problem[]>();
    for (const p of a.problems) {
      const l = byLine.get(p.logLine);
      if (l) l.push(p);
      else byLine.set(p.logLine, [p]);
    }
    d = { tree: buildStepTree(a.steps, a.problems), byLine };
    derived.set(a, d);
  }
  return d;
}

function publishPartial(p: PartialAnalysis): void {
  const doc = docs.get(p.uri);
  if (!doc || doc.version !== p.version) return;
  const diagnostics = toDiagnostics(doc, p.problems, p.contentLines, 0, files.for(docs.workspaceOf(p.uri)), {
    relatedInformation: relatedInformation(),
  });
  void connection.sendDiagnostics({ uri: p.uri, version: p.version, diagnostics });
}

function publish(a: LogAnalysis): void {
  const doc = docs.get(a.uri);
  if (!doc || doc.version !== a.version) return;
  // Files may have appeared or gone since the last parse.
  files.clear();
  const diagnostics = toDiagnostics(
    doc,
    a.problems,
    a.contentLines,
    a.droppedProblems,
    files.for(a.workspace),
    {
      relatedInformation: relatedInformation(),
    },
  );
  void connection.sendDiagnostics({ uri: a.uri, version: a.version, diagnostics });
}

function relatedInformation(): boolean {
  return caps.textDocument?.publishDiagnostics?.relatedInformation === true;
}

function forget(uri: string): void {
  linkCache.delete(uri);
  void connection.sendDiagnostics({ uri, diagnostics: [] });
}

textDocuments.onDidClose(({ document }) => forget(document.uri));

// `ci-triage-log:` documents whose text the client does not sync: the server renders it (or reuses the render it
// just served the client for it), and only a log inside the log cache.
connection.onNotification(LogDocumentOpenedNotification, (p) => {
  docs.openOwned(p.uri, p.version, ownedText(p.uri, p.maxChars));
});
connection.onNotification(LogDocumentClosedNotification, (p) => {
  if (!docs.closeOwned(p.uri)) return;
  forget(p.uri);
  // Not at once: changing a document's language closes and reopens it.
  const file = parseLogDocumentUri(p.uri)?.file;
  if (file) setTimeout(() => forgetRenders(file), 10_000).unref();
});

async function ownedText(uri: string, maxChars: number): Promise<string> {
  const info = parseLogDocumentUri(uri);
  if (!info || (await docs.cachedFile(info.file)) === null) {
    connection.console.warn(`${uri}: names no log inside the log cache; the document stays empty`);
    return '';
  }
  try {
    return await renderedText(info.file, maxChars, CancellationToken.None);
  } catch (e) {
    connection.console.warn(
      `${info.job}: cannot render ${info.file}: ${e instanceof Error ? e.message : String(e)}`,
    );
    return '';
  }
}

/** Runs `f` on the current analysis of the document, or answers null (closed) or cancelled. */
async function withAnalysis<T>(
  uri: string,
  token: CancellationToken,
  f: (a: LogAnalysis, doc: TextDocument) => T,
): Promise<T | null | ResponseError> {
  const a = await docs.analysis(uri);
  if (token.isCancellationRequested) return new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
  const doc = docs.get(uri);
  if (!a || !doc) return null;
  return f(a, doc);
}

connection.onDocumentSymbol((params, token) =>
  withAnalysis(params.textDocument.uri, token, (a, doc): DocumentSymbol[] | SymbolInformation[] => {
    const symbols = documentSymbols(doc, derive(a).tree, a.contentLines);
    return caps.textDocument?.documentSymbol?.hierarchicalDocumentSymbolSupport
      ? symbols
      : flatten(symbols, doc.uri, undefined);
  }),
);

connection.onFoldingRanges((params, token) =>
  withAnalysis(params.textDocument.uri, token, (a) => foldingRanges(derive(a).tree, a.contentLines)),
);

connection.onRequest(FoldedByDefaultRequest, (params, token) =>
  withAnalysis(params.textDocument.uri, token, (a) => ({
    lines: foldedByDefaultLines(foldingRanges(derive(a).tree, a.contentLines)),
  })),
);

connection.onHover((params, token) =>
  withAnalysis(params.textDocument.uri, token, (a, doc) => {
    const line = params.position.line;
    const here = line < a.contentLines ? (derive(a).byLine.get(line + 1) ?? []) : [];
    const markdown = caps.textDocument?.hover?.contentFormat?.includes('markdown') ?? true;
    return hover(doc, line, here, derive(a).tree, a.environment, files.for(a.workspace), markdown);
  }),
);

/** Links depend on the text only: one scan per document version. */
const linkCache = new Map<string, { version: number; links: ReturnType<typeof documentLinks> }>();

connection.onDocumentLinks(async (params, token) => {
  const doc = await docs.ready(params.textDocument.uri);
  if (!doc) return null;
  let hit = linkCache.get(doc.uri);
  if (!hit || hit.version !== doc.version) {
    const ws = files.for(docs.workspaceOf(doc.uri));
    hit = { version: doc.version, links: documentLinks(doc.getText(), countContentLines(doc), ws) };
    linkCache.set(doc.uri, hit);
  }
  const links = await hit.links;
  if (token.isCancellationRequested) return new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
  return links;
});

function flatten(symbols: DocumentSymbol[], uri: string, container: string | undefined): SymbolInformation[] {
  const out: SymbolInformation[] = [];
  for (const s of symbols) {
    out.push({ name: s.name, kind: s.kind, location: { uri, range: s.range }, containerName: container });
    if (s.children) out.push(...flatten(s.children, uri, s.name));
  }
  return out;
}

function folderPaths(ws: WorkspaceFolder[] | null, rootUri: string | null): string[] {
  const uris = ws && ws.length > 0 ? ws.map((f) => f.uri) : rootUri ? [rootUri] : [];
  const out: string[] = [];
  for (const u of uris) {
    if (!u.startsWith('file:')) continue;
    try {
      out.push(fileURLToPath(u));
    } catch {
      // Not a local folder: nothing maps into it.
    }
  }
  return out;
}

connection.onShutdown(() => docs.dispose());
process.on('exit', removeRenderFiles);

textDocuments.listen(connection);
registerParseRequests(connection);
registerReproduceRequest(connection);
connection.listen();
