/**
 * The problem matchers a reproduce task runs with (package.json `contributes.problemMatchers`), run as VS Code
 * runs them over the terminal's lines (escape codes removed) on the real tools' output in the fixtures: they
 * must find what the engine finds for their tool, and nothing anywhere else.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Framer } from '../../src/core/framing';
import { splitText } from '../../src/core/lines';
import type { Problem } from '../../src/core/model';
import { parseLines } from '../../src/core/parser';
import { REPRODUCE_PROBLEM_MATCHERS } from '../../src/extension/reproduceMatchers';
import { FIXTURES, fixtureLogs } from '../helpers/fixtures';

const ROOT = path.resolve(__dirname, '..', '..');

interface Pattern {
  regexp: string;
  file?: number;
  line?: number;
  column?: number;
  code?: number;
  message?: number;
  loop?: boolean;
}
interface ProblemMatcher {
  name: string;
  owner: string;
  fileLocation: string[];
  pattern: Pattern | Pattern[];
}

const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  contributes: { problemMatchers: ProblemMatcher[] };
};
const matchers = manifest.contributes.problemMatchers;

interface Hit {
  matcher: string;
  file: string;
  line: number;
  column: number | null;
  code: string | null;
  message: string;
}

/** VS Code's line matching: a pattern list matches consecutive lines, the last one repeating when `loop`. */
function run(m: ProblemMatcher, lines: string[]): Hit[] {
  const ps = Array.isArray(m.pattern) ? m.pattern : [m.pattern];
  const res = ps.map((p) => new RegExp(p.regexp));
  const hits: Hit[] = [];
  for (let i = 0; i + ps.length <= lines.length; i++) {
    const data: Record<string, string | undefined> = {};
    let k = 0;
    for (; k < ps.length; k++) {
      const g = res[k]!.exec(lines[i + k]!);
      if (!g) break;
      for (const f of ['file', 'line', 'column', 'code', 'message'] as const) {
        const idx = ps[k]![f];
        if (idx !== undefined && g[idx] !== undefined) data[f] = g[idx];
      }
    }
    if (k < ps.length || data.file === undefined || data.line === undefined) continue;
    hits.push({
      matcher: m.name,
      file: data.file,
      line: Number(data.line),
      column: data.column !== undefined ? Number(data.column) : null,
      code: data.code ?? null,
      message: data.message ?? '',
    });
  }
  return hits;
}

/** A fixture's lines as a terminal would show the tools' output: framing drops timestamps, commands and colours. */
function terminalLines(file: string): string[] {
  const framer = new Framer();
  return splitText(fs.readFileSync(file, 'utf8')).map((raw, i) => framer.frame(raw, i + 1).text);
}

/** What the engine finds in the fixture (its golden tests hold it to the fixture's expected output). */
function expected(log: string): Problem[] {
  return parseLines(splitText(fs.readFileSync(log, 'utf8'))).problems;
}

test('the reproduce task uses every problem matcher package.json contributes, and they compile', () => {
  assert.deepEqual(
    [...REPRODUCE_PROBLEM_MATCHERS].sort(),
    matchers.map((m) => '$' + m.name).sort(),
    'REPRODUCE_PROBLEM_MATCHERS vs contributes.problemMatchers',
  );
  for (const m of matchers) {
    assert.equal(m.owner, 'ciTriage.reproduce', m.name);
    for (const p of Array.isArray(m.pattern) ? m.pattern : [m.pattern])
      assert.doesNotThrow(() => new RegExp(p.regexp), m.name);
  }
});

/** Fixture → the tool whose problems the matchers must all find there (formats a problem matcher can read). */
const COVERED: Record<string, string> = {
  'python-lint/mypy-plain.log': 'mypy',
  'python-lint/mypy-columns-gha.log': 'mypy',
  'python-lint/flake8-gha.log': 'flake8',
  'python-lint/pycodestyle-gitlab.log': 'pycodestyle',
  'python-lint/ruff-concise-gha.log': 'ruff',
  'python-lint/ruff-full.log': 'ruff',
  'python-lint/pylint-text.log': 'pylint',
  'js-tools/tsc-plain.log': 'tsc',
  'js-tools/tsc-pretty.log': 'tsc',
  'js-tools/eslint-compact.log': 'eslint',
};

test("each tool's problem matcher finds, in its real output, every problem the engine finds there", () => {
  for (const [rel, tool] of Object.entries(COVERED)) {
    const log = path.join(FIXTURES, rel);
    const hits = matchers.flatMap((m) => run(m, terminalLines(log)));
    const key = (p: { file: string | null; line: number | null }): string => `${p.file}:${p.line}`;
    const want = [
      ...new Set(
        expected(log)
          .filter((p) => p.tool === tool && p.line !== null)
          .map(key),
      ),
    ].sort();
    const got = [...new Set(hits.map(key))].sort();
    assert.ok(want.length > 0, `${rel}: the fixture has no ${tool} problem with a line`);
    assert.deepEqual(
      got,
      want,
      `${rel}: problem matcher hits (file:line) vs the engine's ${tool} problems\n${JSON.stringify(hits, null, 1)}`,
    );
  }
});

/** The shared corpus of real CI logs (corpus.test.ts requires it). */
function corpusLogs(): string[] {
  const dir = path.resolve(ROOT, '..', 'shared', 'corpus', 'logs');
  return fs.readdirSync(dir).map((f) => path.join(dir, f));
}

test('no problem matcher fires where the engine finds no problem at that place (fixtures, real CI logs)', () => {
  for (const log of [...fixtureLogs(), ...corpusLogs()]) {
    const places = new Set(expected(log).map((p) => `${p.file}:${p.line}`));
    const lines = terminalLines(log);
    // pytest's matcher reads the `path:line: Error` line pytest prints under a failure: the deepest frame, which
    // may be in the code under test where the engine names the test's own frame.
    for (const m of matchers.filter((x) => x.name !== 'ci-triage-pytest')) {
      for (const h of run(m, lines)) {
        assert.ok(
          places.has(`${h.file}:${h.line}`),
          `${path.basename(log)}: ${m.name} reports ${h.file}:${h.line} (${h.code ?? ''} ${h.message}), which the engine does not`,
        );
      }
    }
  }
});
