/**
 * The `ci-log` TextMate grammar (media/ci-log.tmLanguage.json) on real log lines. The grammar has only
 * `match` rules, so a small tokenizer does what VS Code's does for them: at each position the earliest match
 * wins, the first rule on a tie; captures take their scopes (and their own patterns). Oniguruma's `\x{FEFF}`
 * is the one construct JavaScript spells differently.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

interface Rule {
  match?: string;
  name?: string;
  include?: string;
  patterns?: Rule[];
  captures?: Record<string, Rule>;
}
interface Grammar {
  scopeName: string;
  patterns: Rule[];
  repository: Record<string, Rule>;
}

const grammar = JSON.parse(
  readFileSync(resolve(__dirname, '..', '..', 'media', 'ci-log.tmLanguage.json'), 'utf8'),
) as Grammar;

/** The match rules reachable from `rules`, in order. */
function flatten(rules: readonly Rule[]): Rule[] {
  return rules.flatMap((r) => {
    if (r.include) return flatten([grammar.repository[r.include.slice(1)]!]);
    if (r.match) return [r];
    return flatten(r.patterns ?? []);
  });
}

function compile(src: string): RegExp {
  return new RegExp(src.replace(/\\x\{([0-9A-Fa-f]{4})\}/g, '\\u$1'), 'gd');
}

/** [text, scope] pairs of the scoped pieces of `line`. */
function tokenize(line: string, rules: readonly Rule[] = grammar.patterns): [string, string][] {
  const flat = flatten(rules).map((r) => ({ rule: r, re: compile(r.match!) }));
  const out: [string, string][] = [];
  let pos = 0;
  while (pos <= line.length) {
    let best: { rule: Rule; m: RegExpExecArray } | null = null;
    for (const { rule, re } of flat) {
      re.lastIndex = pos;
      const m = re.exec(line);
      if (m && m[0].length > 0 && (!best || m.index < best.m.index)) best = { rule, m };
    }
    if (!best) break;
    const { rule, m } = best;
    if (rule.name) out.push([m[0], rule.name]);
    for (const [k, c] of Object.entries(rule.captures ?? {})) {
      const at = m.indices![Number(k)];
      if (!at) continue;
      const text = line.slice(at[0], at[1]);
      if (c.name) out.push([text, c.name]);
      if (c.patterns) out.push(...tokenize(text, c.patterns));
    }
    pos = m.index + m[0].length;
  }
  return out;
}

/** Asserts that `line` has `text` scoped with a scope starting with `scope`. */
function has(line: string, text: string, scope: string): void {
  const toks = tokenize(line);
  assert.ok(
    toks.some(([t, s]) => t === text && s.split(' ').some((x) => x.startsWith(scope))),
    `in ${JSON.stringify(line)}: no ${JSON.stringify(text)} as ${scope}; tokens: ${JSON.stringify(toks)}`,
  );
}

test('the grammar compiles and names its scopes after itself', () => {
  assert.equal(grammar.scopeName, 'text.ci-log');
  for (const r of flatten(grammar.patterns)) {
    assert.doesNotThrow(() => compile(r.match!), r.match);
    for (const n of [r.name, ...Object.values(r.captures ?? {}).map((c) => c.name)])
      if (n) assert.match(n, /\.ci-log\b/, n);
  }
});

test('GitHub lines: timestamp, group, error and command markers', () => {
  const fixture = readFileSync(join(__dirname, '..', 'fixtures', 'lsp', 'gha-vm.log'), 'utf8').split('\n');
  const group = fixture.find((l) => l.includes('##[group]Run mypy src'))!;
  has(group, group.slice(0, group.indexOf('##')), 'comment.line.timestamp');
  has(group, '##[group]', 'keyword.control.group.begin');
  has(group, 'Run mypy src', 'markup.heading');
  has('2024-05-01T10:00:05.0617247Z ##[endgroup]', '##[endgroup]', 'keyword.control.group.end');
  has('##[error]Process completed with exit code 1.', '##[error]', 'keyword.control.error');
  has(
    '##[error]Process completed with exit code 1.',
    'Process completed with exit code 1.',
    'markup.deleted',
  );
  has('##[warning]src/a.py:3: deprecated', 'src/a.py', 'entity.name.filename');
  has('##[notice]All good', 'All good', 'markup.inserted');
  has(
    '2024-05-01T10:00:05.0Z ##[command]/usr/bin/git version',
    '/usr/bin/git version',
    'string.unquoted.command',
  );
  has('[command]/usr/bin/git version', '[command]', 'keyword.other.command');
});

test('GitLab section markers, with their name and options', () => {
  const line = 'section_start:1714557620:pytest_run[collapsed=true]\r\x1b[0K$ pytest -v';
  has(line, 'section_start', 'keyword.control.section');
  has(line, 'pytest_run', 'entity.name.section');
  has(line, '[collapsed=true]', 'comment.other.section-options');
  has('section_end:1714557630:step_script\r', 'step_script', 'entity.name.section');
  has('2024-05-01T10:00:00.000000Z 00O section_start:1:build', 'build', 'entity.name.section');
});

test('pytest and unittest outcomes, tracebacks, tool locations, error and warning words', () => {
  has(
    'tests/test_cart.py::test_total_no_discount PASSED                        [ 20%]',
    'PASSED',
    'markup.inserted',
  );
  has('tests/test_cart.py::test_label[1] FAILED', 'FAILED', 'markup.deleted');
  has('FAILED tests/test_cart.py::test_label[1] - TypeError: boom', 'TypeError', 'markup.deleted');
  has('tests/test_cart.py::test_checkout SKIPPED (needs the payment sandbox)', 'SKIPPED', 'markup.changed');
  has('tests/test_x.py::test_y XFAIL', 'XFAIL', 'markup.changed');
  has('test_add (tests.test_calc.CalcTest.test_add) ... ok', 'ok', 'markup.inserted');
  has('FAIL: test_div (tests.test_calc.CalcTest.test_div)', 'FAIL', 'markup.deleted');
  has('ERROR tests/test_db.py - ModuleNotFoundError', 'ERROR', 'markup.deleted');
  const tb = '  File "/home/runner/work/shop/shop/scripts/seed.py", line 9, in <module>';
  has(tb, '"/home/runner/work/shop/shop/scripts/seed.py"', 'string.quoted.double.path');
  has(tb, '9', 'constant.numeric.line');
  has(tb, '<module>', 'entity.name.function');
  has('Traceback (most recent call last):', 'Traceback (most recent call last):', 'markup.heading');
  const flake8 = "src/shop/cart.py:1:8: F401 'os' imported but unused";
  has(flake8, 'src/shop/cart.py', 'entity.name.filename');
  has(flake8, '1', 'constant.numeric.line');
  has(flake8, '8', 'constant.numeric.column');
  has("src/app.ts(12,5): error TS2345: Argument of type 'string'", 'src/app.ts', 'entity.name.filename');
  has("src/app.ts(12,5): error TS2345: Argument of type 'string'", 'error', 'markup.deleted');
  has('DeprecationWarning: pkg_resources is deprecated', 'DeprecationWarning', 'markup.changed');
  has('npm warn deprecated inflight@1.0.6', 'warn', 'markup.changed');
  has(
    'See https://docs.pytest.org/en/stable/how-to/capture-warnings.html',
    'https://docs.pytest.org/en/stable/how-to/capture-warnings.html',
    'markup.underline.link',
  );
  // Timestamps are not locations.
  const ts = tokenize('2024-05-01T10:00:05.0617247Z ok');
  assert.ok(!ts.some(([, s]) => s.includes('filename')), JSON.stringify(ts));
});
