/**
 * Where the language server reads a `ci-log` document's log from (the log cache only, else the text; the disk
 * for a file whose text was not synced), and its life cycle: edits re-parse, closing clears the diagnostics,
 * a big log does not hold up other requests.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DocumentSymbolRequest,
  FoldingRangeRequest,
} from 'vscode-languageserver-protocol/node';
import type { Diagnostic, DocumentSymbol, SymbolInformation } from 'vscode-languageserver-protocol/node';
import {
  LOG_DOCUMENT_MAX_CHARS,
  LogDocumentClosedNotification,
  LogDocumentOpenedNotification,
  RenderLogRequest,
  logDocumentUri,
} from '../../src/protocol';
import { renderedTextOf } from '../../src/protocol/renderFile';
import { RENDER_FILE_MIN_CHARS } from '../../src/server/renderFiles';
import { startServer } from '../helpers/lspClient';
import type { TestServer } from '../helpers/lspClient';

const FIXTURES = resolve(__dirname, '..', 'fixtures', 'lsp');
const PROJECT = join(FIXTURES, 'project');

let server: TestServer;
let dir: string;
let cache: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ci-triage-lsp-docs-'));
  cache = join(dir, 'cache');
  mkdirSync(cache);
  server = await startServer({
    init: { logCacheDir: cache },
    capabilities: { textDocument: { documentSymbol: { hierarchicalDocumentSymbolSupport: true } } },
  });
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const brief = (ds: readonly Diagnostic[]): string[] =>
  ds.map((d) => `${d.range.start.line + 1} ${String(d.code)} ${d.message}`);

const SECRET_LOG = "src/shop/secret.py:7:1: F401 'secret' imported but unused\n";
const TEXT_LOG = "src/shop/cart.py:1:1: F401 'os' imported but unused\n";

test('a ci-triage-log URI naming a file outside the log cache: the file is not read, the text is parsed', async () => {
  const outside = join(dir, 'outside.log');
  writeFileSync(outside, SECRET_LOG);
  const uri = logDocumentUri({ file: outside, job: 'outside', url: null, workspace: PROJECT });
  await server.open(uri, TEXT_LOG);
  const got = await server.diagnostics(uri);
  assert.deepEqual(brief(got.diagnostics), ["1 F401 F401 'os' imported but unused (src/shop/cart.py:1:1)"]);
  assert.ok(
    server.logMessages().some((m) => m.includes(`not reading ${outside}: it is not inside the log cache`)),
    `log messages: ${JSON.stringify(server.logMessages())}`,
  );
});

test('a symlink in the log cache that leads out of it is not followed', async () => {
  const outside = join(dir, 'outside2.log');
  writeFileSync(outside, SECRET_LOG);
  const link = join(cache, 'link.log');
  symlinkSync(outside, link);
  const uri = logDocumentUri({ file: link, job: 'link', url: null, workspace: PROJECT });
  await server.open(uri, TEXT_LOG);
  const got = await server.diagnostics(uri);
  assert.deepEqual(brief(got.diagnostics), ["1 F401 F401 'os' imported but unused (src/shop/cart.py:1:1)"]);
});

test('a ci-triage-log URI with a file inside the cache: the raw file is parsed, not the text', async () => {
  const inside = join(cache, 'inside.log');
  writeFileSync(inside, SECRET_LOG);
  const uri = logDocumentUri({
    file: join(cache, '.', 'inside.log'),
    job: 'inside',
    url: null,
    workspace: null,
  });
  await server.open(uri, TEXT_LOG);
  const got = await server.diagnostics(uri);
  assert.deepEqual(brief(got.diagnostics), [
    "1 F401 F401 'secret' imported but unused (src/shop/secret.py:7:1)",
  ]);
});

test('a ci-triage-log document opened without its text: the server renders it, answers at once, forgets it on close', async () => {
  const file = join(cache, 'owned.log');
  const log = [
    '2024-05-01T10:00:00.0000000Z ##[group]Run flake8',
    '2024-05-01T10:00:00.1000000Z \u001b[36;1mflake8 src\u001b[0m',
    '2024-05-01T10:00:00.2000000Z ##[endgroup]',
    `2024-05-01T10:00:01.0000000Z ${SECRET_LOG.trimEnd()}`,
    '2024-05-01T10:00:02.0000000Z ##[error]Process completed with exit code 1.',
    '',
  ].join('\n');
  writeFileSync(file, log);
  const uri = logDocumentUri({ file, job: 'owned', url: null, workspace: null });
  // As the extension does: the render for the editor, then the open notification (no didOpen, no text).
  const rendered = await server.connection.sendRequest(RenderLogRequest, {
    file,
    maxChars: LOG_DOCUMENT_MAX_CHARS,
  });
  await server.connection.sendNotification(LogDocumentOpenedNotification, {
    uri,
    version: 1,
    maxChars: LOG_DOCUMENT_MAX_CHARS,
  });
  // Sent right after the notification: it must find the document, not answer null.
  const symbols = (await server.connection.sendRequest(DocumentSymbolRequest.type, {
    textDocument: { uri },
  })) as DocumentSymbol[] | null;
  assert.ok(symbols && symbols.length > 0, `symbols: ${JSON.stringify(symbols)}`);
  assert.equal(symbols[0]!.name.includes('flake8'), true, JSON.stringify(symbols[0]));
  const got = await server.diagnostics(uri);
  const line = rendered.text.split('\n').findIndex((l) => l.includes('F401')) + 1;
  assert.deepEqual(brief(got.diagnostics), [
    `${line} F401 F401 'secret' imported but unused (src/shop/secret.py:7:1)`,
  ]);
  const folds = await server.connection.sendRequest(FoldingRangeRequest.type, { textDocument: { uri } });
  assert.ok(folds && folds.length > 0, `folding ranges: ${JSON.stringify(folds)}`);
  await server.connection.sendNotification(LogDocumentClosedNotification, { uri });
  const cleared = await server.diagnostics(uri, (p) => p.diagnostics.length === 0);
  assert.deepEqual(cleared.diagnostics, []);
  const after = await server.connection.sendRequest(FoldingRangeRequest.type, { textDocument: { uri } });
  assert.equal(after, null, 'a closed document has no folding ranges');
});

test('a ci-triage-log document opened without its text, naming a file outside the log cache, stays empty', async () => {
  const outside = join(dir, 'outside-owned.log');
  writeFileSync(outside, SECRET_LOG);
  const uri = logDocumentUri({ file: outside, job: 'outside-owned', url: null, workspace: null });
  await server.connection.sendNotification(LogDocumentOpenedNotification, {
    uri,
    version: 1,
    maxChars: LOG_DOCUMENT_MAX_CHARS,
  });
  const got = await server.diagnostics(uri);
  assert.deepEqual(got.diagnostics, []);
  assert.ok(
    server.logMessages().some((m) => m.includes('names no log inside the log cache')),
    `log messages: ${JSON.stringify(server.logMessages())}`,
  );
  await server.connection.sendNotification(LogDocumentClosedNotification, { uri });
});

test('a big render comes in a private file when asked (read in pieces, then deleted), a small one in the response', async () => {
  const file = join(cache, 'big.log');
  const line = (i: number): string => `2024-05-01T10:00:00.0000000Z line ${i} ✓ ok\n`;
  writeFileSync(file, Array.from({ length: 100_000 }, (_, i) => line(i)).join(''));
  const plain = await server.connection.sendRequest(RenderLogRequest, {
    file,
    maxChars: LOG_DOCUMENT_MAX_CHARS,
  });
  assert.ok(
    plain.text.length > RENDER_FILE_MIN_CHARS && plain.textFile === undefined,
    'without viaFile: the text',
  );
  const r = await server.connection.sendRequest(RenderLogRequest, {
    file,
    maxChars: LOG_DOCUMENT_MAX_CHARS,
    viaFile: true,
  });
  assert.equal(r.text, '');
  assert.ok(r.textFile, JSON.stringify({ ...r, text: undefined }));
  assert.equal(r.encoding, 'utf8', 'the log has a character past U+00FF');
  assert.equal(statSync(r.textFile).mode & 0o077, 0, 'only the user can read it');
  assert.equal(statSync(dirname(r.textFile)).mode & 0o077, 0, 'in a folder only the user can read');
  assert.equal(await renderedTextOf(r), plain.text);
  assert.equal(existsSync(r.textFile), false, 'deleted once read');

  // Every character below U+0100 (é is one): the file is latin1, one byte each.
  const narrow = join(cache, 'narrow.log');
  writeFileSync(narrow, Array.from({ length: 100_000 }, (_, i) => line(i).replace('✓', 'é')).join(''));
  const n = await server.connection.sendRequest(RenderLogRequest, {
    file: narrow,
    maxChars: LOG_DOCUMENT_MAX_CHARS,
    viaFile: true,
  });
  assert.equal(n.encoding, 'latin1');
  const narrowText = await renderedTextOf(n);
  assert.ok(narrowText.startsWith('line 0 é ok\nline 1 é ok\n'), narrowText.slice(0, 40));
  assert.equal(narrowText.split('\n').length, 100_000);

  const small = join(cache, 'small.log');
  writeFileSync(small, line(1));
  const s = await server.connection.sendRequest(RenderLogRequest, {
    file: small,
    maxChars: LOG_DOCUMENT_MAX_CHARS,
    viaFile: true,
  });
  assert.equal(s.textFile, undefined);
  assert.equal(await renderedTextOf(s), 'line 1 ✓ ok');
});

test('an edit re-parses (the diagnostics carry the new version); closing clears them', async () => {
  const uri = pathToFileURL(join(dir, 'edited.ci.log')).href;
  await server.open(uri, TEXT_LOG);
  const v1 = await server.diagnostics(uri, (p) => p.version === 1);
  assert.equal(v1.diagnostics.length, 1, JSON.stringify(v1));
  for (const [version, text] of [
    [2, TEXT_LOG + 'src/shop/orders.py:5: error: Argument 1 has incompatible type "str"  [arg-type]\n'],
    [3, TEXT_LOG + 'src/shop/orders.py:5: error: Argument 1 has incompatible type "str"  [arg-type]\nok\n'],
  ] as const) {
    await server.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version },
      contentChanges: [{ text }],
    });
  }
  const v3 = await server.diagnostics(uri, (p) => p.version === 3);
  assert.deepEqual(brief(v3.diagnostics), [
    "1 F401 F401 'os' imported but unused (src/shop/cart.py:1:1)",
    '2 arg-type Argument 1 has incompatible type "str"  [arg-type] (src/shop/orders.py:5)',
  ]);
  await server.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  const cleared = await server.diagnostics(uri, (p) => p.diagnostics.length === 0);
  assert.deepEqual(cleared.diagnostics, []);
});

test('a file document whose text was not synced is read from disk', async () => {
  const file = join(dir, 'big.ci.log');
  copyFileSync(join(FIXTURES, 'gha-vm.log'), file);
  const uri = pathToFileURL(file).href;
  await server.open(uri, '');
  const got = await server.diagnostics(uri);
  assert.deepEqual(
    got.diagnostics.map((d) => d.range.start.line + 1),
    [39, 45, 46, 47, 65, 73, 93, 129],
    JSON.stringify(brief(got.diagnostics)),
  );
  const symbols = (await server.connection.sendRequest(DocumentSymbolRequest.type, {
    textDocument: { uri },
  })) as DocumentSymbol[];
  assert.equal(symbols.length, 7, JSON.stringify(symbols.map((s) => s.name)));
});

test('a 30 MB log being parsed does not hold up requests on another document', async () => {
  const line = '2024-05-01T10:00:00.0000000Z tests/test_x.py::test_ok PASSED [ 50%]\n';
  // The problems come last, so the 8 diagnostics arrive only when the whole log is parsed.
  const big = line.repeat(Math.ceil(30e6 / line.length)) + flake8AndMypy();
  const bigUri = pathToFileURL(join(dir, 'huge.ci.log')).href;
  const smallUri = pathToFileURL(join(dir, 'small.ci.log')).href;
  let bigDone = false;
  const bigDiagnostics = server
    .diagnostics(bigUri, (p) => p.diagnostics.length === 4, 120_000)
    .then((p) => {
      bigDone = true;
      return p;
    });
  await server.open(bigUri, big);
  await server.open(smallUri, readFileSync(join(FIXTURES, 'gitlab.log'), 'utf8'));
  const ranges = await server.connection.sendRequest(FoldingRangeRequest.type, {
    textDocument: { uri: smallUri },
  });
  const answeredFirst = !bigDone;
  assert.ok((ranges?.length ?? 0) > 0, JSON.stringify(ranges));
  await bigDiagnostics;
  assert.ok(answeredFirst, 'the small document waited for the 30 MB one');
});

/** The flake8 and mypy steps of the VM job's log: 4 problems. */
function flake8AndMypy(): string {
  return readFileSync(join(FIXTURES, 'gha-vm.log'), 'utf8').split('\n').slice(34, 48).join('\n') + '\n';
}

test('a client without hierarchical symbols gets flat symbol information with containers', async () => {
  const flat = await startServer({ init: { logCacheDir: null } });
  try {
    const uri = pathToFileURL(join(dir, 'flat.ci.log')).href;
    await flat.open(uri, readFileSync(join(FIXTURES, 'gha-vm.log'), 'utf8'));
    const got = (await flat.connection.sendRequest(DocumentSymbolRequest.type, {
      textDocument: { uri },
    })) as SymbolInformation[];
    const mypy = got.find((s) => s.name === 'mypy: 3 errors');
    assert.equal(mypy?.containerName, 'Run mypy src', JSON.stringify(got));
    assert.equal(mypy?.location.range.start.line, 44);
  } finally {
    await flat.close();
  }
});
