/**
 * The language server's `ci-log` document features, spoken over stdio by a real client: diagnostics, symbols,
 * folding ranges, links and hovers for real logs of a GitHub VM job, a GitHub container job and a GitLab job
 * (test/fixtures/lsp, made with the real tools by make.sh).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  DocumentLinkRequest,
  DocumentSymbolRequest,
  FoldingRangeRequest,
  HoverRequest,
} from 'vscode-languageserver-protocol/node';
import type {
  Diagnostic,
  DocumentLink,
  DocumentSymbol,
  FoldingRange,
  MarkupContent,
} from 'vscode-languageserver-protocol/node';
import { parseLines } from '../../src/core/parser';
import { splitText } from '../../src/core/lines';
import { RenderLogRequest, logDocumentUri } from '../../src/protocol';
import { FoldedByDefaultRequest } from '../../src/protocol/documents';
import { startServer } from '../helpers/lspClient';
import type { TestServer } from '../helpers/lspClient';

const FIXTURES = resolve(__dirname, '..', 'fixtures', 'lsp');
const PROJECT = join(FIXTURES, 'project');
const projectUri = pathToFileURL(PROJECT).href;
const fileUri = (rel: string): string => pathToFileURL(join(PROJECT, rel)).href;

let server: TestServer;
let cache: string;

before(async () => {
  cache = mkdtempSync(join(tmpdir(), 'ci-triage-lsp-cache-'));
  server = await startServer({
    init: { logCacheDir: cache },
    workspaceFolders: [{ uri: projectUri, name: 'shop' }],
    capabilities: {
      textDocument: {
        documentSymbol: { hierarchicalDocumentSymbolSupport: true },
        publishDiagnostics: { relatedInformation: true },
        hover: { contentFormat: ['markdown', 'plaintext'] },
      },
    },
  });
});
after(async () => {
  await server.close();
  rmSync(cache, { recursive: true, force: true });
});

/** Opens a fixture as a `*.ci.log` file saved in the workspace (its text synced). */
async function openFile(name: string): Promise<string> {
  const uri = fileUri(`logs/${name.replace(/\.log$/, '.ci.log')}`);
  await server.open(uri, readFileSync(join(FIXTURES, name), 'utf8'));
  return uri;
}

/** Opens a fixture as the extension does a cached job log: raw file in the cache, rendered text synced. */
async function openCached(name: string, maxChars = 10_000_000): Promise<{ uri: string; text: string }> {
  const file = join(cache, name);
  copyFileSync(join(FIXTURES, name), file);
  const r = await server.connection.sendRequest(RenderLogRequest, { file, maxChars });
  const uri = logDocumentUri({ file, job: name, url: null, workspace: PROJECT });
  await server.open(uri, r.text);
  return { uri, text: r.text };
}

const symbols = (uri: string) =>
  server.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } }) as Promise<
    DocumentSymbol[]
  >;
const folding = (uri: string) =>
  server.connection.sendRequest(FoldingRangeRequest.type, { textDocument: { uri } }) as Promise<
    FoldingRange[]
  >;
const links = (uri: string) =>
  server.connection.sendRequest(DocumentLinkRequest.type, { textDocument: { uri } }) as Promise<
    DocumentLink[]
  >;

/** Outline as indented lines: `name [detail] @line`. */
function outline(ss: readonly DocumentSymbol[], depth = 0): string[] {
  return ss.flatMap((s) => [
    `${'  '.repeat(depth)}${s.name}${s.detail ? ` [${s.detail}]` : ''} @${s.selectionRange.start.line + 1}`,
    ...outline(s.children ?? [], depth + 1),
  ]);
}

const show = (x: unknown): string => JSON.stringify(x, null, 1);

/** Diagnostics as `line code severity message` for readable failures. */
function brief(ds: readonly Diagnostic[]): string[] {
  return ds.map((d) => `${d.range.start.line + 1} ${String(d.code)} ${d.severity} ${d.message}`);
}

/** The text of a link's range in `text`. */
function linked(text: string, l: DocumentLink): string {
  return text.split('\n')[l.range.start.line]!.slice(l.range.start.character, l.range.end.character);
}

test('GitHub VM job: diagnostics at the printing lines, the same problems the engine finds', async () => {
  const uri = await openFile('gha-vm.log');
  const got = await server.diagnostics(uri, (p) => p.version === 1);
  const expected = parseLines(splitText(readFileSync(join(FIXTURES, 'gha-vm.log'), 'utf8')), {
    workspace: PROJECT,
  }).problems;
  assert.deepEqual(
    got.diagnostics.map((d) => [d.range.start.line + 1, d.code]),
    expected.map((p) => [p.logLine, p.code ?? p.test ?? undefined]),
    `diagnostics: ${show(brief(got.diagnostics))}\nproblems: ${show(expected)}`,
  );
  const f401 = got.diagnostics.find((d) => d.code === 'F401');
  assert.ok(f401, show(brief(got.diagnostics)));
  assert.equal(f401.source, 'ci-triage');
  assert.equal(f401.severity, 1);
  assert.equal(f401.message, "F401 'os' imported but unused (src/shop/cart.py:1:1)");
  const line = readFileSync(join(FIXTURES, 'gha-vm.log'), 'utf8').split('\n')[f401.range.start.line]!;
  assert.equal(f401.range.end.character, line.length, `range ${show(f401.range)} on ${JSON.stringify(line)}`);
  assert.deepEqual(f401.relatedInformation?.[0]?.location, {
    uri: fileUri('src/shop/cart.py'),
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
  });
  const test = got.diagnostics.find((d) => d.code === 'tests/test_cart.py::test_total_with_discount');
  assert.match(
    test?.message ?? '',
    /^assert 0\.0 == 90 \(tests\/test_cart\.py:11\)$/,
    show(brief(got.diagnostics)),
  );
});

test('GitHub VM job: outline of steps, groups, tool runs and failing tests', async () => {
  const uri = await openFile('gha-vm.log');
  assert.deepEqual(outline(await symbols(uri)), [
    'Set up job [passed] @2',
    '  Operating System @2',
    '  Runner Image @7',
    '  GITHUB_TOKEN Permissions @12',
    'Run actions/checkout@v4 [passed] @19',
    '  Getting Git version info @25',
    'Run actions/setup-python@v5 [passed] @30',
    'Run flake8 src tests [failed, 1 problem] @35',
    '  flake8: 1 error [in src/shop/cart.py] @39',
    'Run mypy src [failed, 3 problems] @41',
    '  mypy: 3 errors [in src/shop/cart.py, src/shop/orders.py] @45',
    'Run pytest -v [failed, 3 problems] @49',
    '  tests/test_cart.py::test_total_with_discount [pytest: failed] @65',
    '  tests/test_cart.py::test_label[1] [pytest: failed] @73',
    '  tests/test_cart.py::test_label[2] [pytest: failed] @93',
    'Run python scripts/seed.py [failed, 1 problem] @119',
    '  python: 1 error [in scripts/seed.py] @129',
  ]);
});

test('GitHub VM job: a folding range per step and group, passed steps folded by default', async () => {
  const uri = await openFile('gha-vm.log');
  const ranges = await folding(uri);
  assert.deepEqual(
    ranges.map((r) => `${r.startLine + 1}-${r.endLine + 1}${r.kind ? ` ${r.kind}` : ''}`),
    [
      '2-18 imports', // Set up job (its first group starts on the same line: the outer range wins)
      '7-11',
      '12-15',
      '19-29 imports',
      '25-29',
      '30-34 imports',
      '35-40',
      '41-48',
      '49-118',
      '119-134',
    ],
  );
  const folded = await server.connection.sendRequest(FoldedByDefaultRequest, { textDocument: { uri } });
  assert.deepEqual(folded.lines, [1, 18, 29], show(ranges));
});

test('GitHub VM job: links to workspace files at the line and column, web URLs, nothing else', async () => {
  const uri = await openFile('gha-vm.log');
  const text = readFileSync(join(FIXTURES, 'gha-vm.log'), 'utf8');
  const got = (await links(uri)).map((l) => `${l.range.start.line + 1} ${linked(text, l)} -> ${l.target}`);
  assert.deepEqual(got, [
    '10 https://github.com/actions/runner-images/blob/ubuntu22/20240422.1/images/ubuntu/Ubuntu2204-Readme.md -> https://github.com/actions/runner-images/blob/ubuntu22/20240422.1/images/ubuntu/Ubuntu2204-Readme.md',
    `39 src/shop/cart.py:1:1 -> ${fileUri('src/shop/cart.py')}#L1,1`,
    `45 src/shop/cart.py:11 -> ${fileUri('src/shop/cart.py')}#L11`,
    `46 src/shop/cart.py:11 -> ${fileUri('src/shop/cart.py')}#L11`,
    `47 src/shop/orders.py:5 -> ${fileUri('src/shop/orders.py')}#L5`,
    `124 "/home/runner/work/shop/shop/scripts/seed.py", line 9 -> ${fileUri('scripts/seed.py')}#L9`,
    `126 "/home/runner/work/shop/shop/scripts/seed.py", line 5 -> ${fileUri('scripts/seed.py')}#L5`,
  ]);
});

test('hover on a problem line: tool, rule, place, step and environment', async () => {
  const uri = await openFile('gha-vm.log');
  const h = await server.connection.sendRequest(HoverRequest.type, {
    textDocument: { uri },
    position: { line: 44, character: 40 },
  });
  const md = (h?.contents as MarkupContent | undefined)?.value ?? '';
  for (const want of [
    '**mypy**',
    '`return-value`',
    `[src/shop/cart\\.py:11](${fileUri('src/shop/cart.py')}#L11)`,
    'step **Run mypy src**',
    'Python 3\\.11\\.7',
    'OS Ubuntu 22\\.04\\.4 LTS',
    'runner image ubuntu\\-22\\.04 20240422\\.1\\.0',
  ])
    assert.ok(md.includes(want), `hover lacks ${JSON.stringify(want)}:\n${md}`);
  const none = await server.connection.sendRequest(HoverRequest.type, {
    textDocument: { uri },
    position: { line: 0, character: 1 },
  });
  assert.equal(none, null);
});

test('GitHub container job, opened from the log cache: parsed from the raw file, links in the rendered text', async () => {
  const { uri, text } = await openCached('gha-container.log');
  const got = await server.diagnostics(uri);
  assert.deepEqual(brief(got.diagnostics), [
    "45 undefined 1 FileNotFoundError: [Errno 2] No such file or directory: 'fixtures/seed.json' (scripts/seed.py:5)",
    '63 tests/test_cart.py::test_total_with_discount 1 assert 0.0 == 90 (tests/test_cart.py:11)',
    "71 tests/test_cart.py::test_label[1] 1 TypeError: unsupported operand type(s) for +: 'int' and 'str' (tests/test_cart.py:16)",
    "91 tests/test_cart.py::test_label[2] 1 TypeError: unsupported operand type(s) for +: 'int' and 'str' (tests/test_cart.py:16)",
  ]);
  const ls = (await links(uri)).map((l) => `${l.range.start.line + 1} ${linked(text, l)} -> ${l.target}`);
  for (const want of [
    `40 "/__w/shop/shop/scripts/seed.py", line 9 -> ${fileUri('scripts/seed.py')}#L9`,
    `70 tests/test_cart.py:11 -> ${fileUri('tests/test_cart.py')}#L11`,
    `90 src/shop/cart.py:11 -> ${fileUri('src/shop/cart.py')}#L11`,
  ])
    assert.ok(ls.includes(want), `links lack ${want}:\n${ls.join('\n')}`);
  assert.ok(!ls.some((l) => l.includes('docker.io')), `an image name is no link:\n${ls.join('\n')}`);

  const h = await server.connection.sendRequest(HoverRequest.type, {
    textDocument: { uri },
    position: { line: 62, character: 0 },
  });
  const md = (h?.contents as MarkupContent | undefined)?.value ?? '';
  assert.ok(
    md.includes(
      'image `python:3.11-slim@sha256:0b8d3a4c5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f809` (floating)',
    ),
    md,
  );
  assert.ok(md.includes('test `tests/test_cart.py::test_total_with_discount`'), md);
});

test('GitLab job from the log cache: sections fold (passed ones by default), nested sections in the outline', async () => {
  const { uri } = await openCached('gitlab.log');
  const ranges = await folding(uri);
  // prepare_executor ends on the line get_sources starts: its range stops a line short, so the header shows.
  assert.deepEqual(
    ranges.map((r) => `${r.startLine + 1}-${r.endLine + 1}${r.kind ? ` ${r.kind}` : ''}`),
    ['3-6 imports', '7-10 imports', '11-82', '16-82', '83-84 imports'],
  );
  assert.deepEqual(outline(await symbols(uri)), [
    'prepare_executor [passed] @3',
    'get_sources [passed] @7',
    // The verdict shares its line with the clean-up section's end: the failed section is step_script.
    'step_script [failed, 4 problems] @11',
    '  flake8: 1 error [in src/shop/cart.py] @15',
    '  pytest_run [3 problems] @16',
    '    tests/test_cart.py::test_total_with_discount [pytest: failed] @29',
    '    tests/test_cart.py::test_label[1] [pytest: failed] @37',
    '    tests/test_cart.py::test_label[2] [pytest: failed] @57',
    'cleanup_file_variables [passed] @83',
  ]);
  const got = await server.diagnostics(uri);
  assert.deepEqual(
    got.diagnostics.map((d) => d.range.start.line + 1),
    [15, 29, 37, 57],
    show(brief(got.diagnostics)),
  );
});

test('a truncated render: diagnostics only on the lines shown, and the marker line counts the rest', async () => {
  const { uri, text } = await openCached('gha-vm.log', 3_000);
  const shown = text.split('\n').length - 1;
  const problems = parseLines(splitText(readFileSync(join(FIXTURES, 'gha-vm.log'), 'utf8')), {
    workspace: PROJECT,
  }).problems;
  const inView = problems.filter((p) => p.logLine <= shown);
  const rest = problems.length - inView.length;
  assert.ok(inView.length > 0 && rest > 0, `the cut at line ${shown} should fall among the problems`);
  const got = await server.diagnostics(uri);
  assert.deepEqual(
    got.diagnostics.map((d) => d.range.start.line + 1),
    [...inView.map((p) => p.logLine), shown + 1],
    show(brief(got.diagnostics)),
  );
  assert.equal(
    got.diagnostics.at(-1)?.message,
    `${rest} more problem${rest === 1 ? '' : 's'} past the end of what this document shows (see the Problems panel)`,
  );
  const ranges = await folding(uri);
  assert.ok(
    ranges.every((r) => r.endLine < shown),
    `ranges past line ${shown}: ${show(ranges)}`,
  );
});

test('no link for a path outside the workspace, through .. or a symlink, or to a missing file', async () => {
  const ws = mkdtempSync(join(tmpdir(), 'ci-triage-lsp-ws-'));
  try {
    mkdirSync(join(ws, 'src'));
    writeFileSync(join(ws, 'src', 'a.py'), 'x = 1\n');
    const outside = mkdtempSync(join(tmpdir(), 'ci-triage-lsp-out-'));
    writeFileSync(join(outside, 'secret.py'), 'x = 1\n');
    symlinkSync(outside, join(ws, 'evil'));
    const text = [
      'evil/secret.py:1:1: F401 unused',
      '../secret.py:1:1: F401 unused',
      `${outside}/secret.py:2: error: boom`,
      'src/missing.py:3:1: E1 missing',
      '  File "/etc/hostname", line 1, in <module>',
      'src/a.py:1:5: F401 unused',
    ].join('\n');
    const uri = logDocumentUri({ file: join(ws, 'none.log'), job: 'escape', url: null, workspace: ws });
    await server.open(uri, text);
    const got = await links(uri);
    assert.deepEqual(
      got.map((l) => `${l.range.start.line + 1} ${linked(text, l)} -> ${l.target}`),
      [`6 src/a.py:1:5 -> ${pathToFileURL(join(ws, 'src', 'a.py')).href}#L1,5`],
      `input:\n${text}`,
    );
    rmSync(outside, { recursive: true, force: true });
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
});
