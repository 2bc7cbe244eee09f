/**
 * The naive baseline: what a log viewer built from the editors' and GitHub's well-known problem matchers
 * does. Every line loses its timestamp and ANSI codes, then every pattern is tried on it. No cheap pre-test,
 * no framing, no multi-line state beyond eslint-stylish's "current file".
 */
import stripAnsi from 'strip-ansi';

/** A pattern and where it comes from. */
export interface NaivePattern {
  name: string;
  re: RegExp;
  source: string;
}

export const NAIVE_PATTERNS: readonly NaivePattern[] = [
  {
    name: '$tsc',
    re: /^([^\s].*)[(:](\d+)[,:](\d+)(?:\):\s+|\s+-\s+)(error|warning|info)\s+TS(\d+)\s*:\s*(.*)$/,
    // The "tsc" problemPattern, also used by $tsc-watch.
    source:
      'microsoft/vscode extensions/typescript-language-features/package.json (contributes.problemPatterns "tsc")',
  },
  {
    name: '$eslint-compact',
    re: /^(.+):\sline\s(\d+),\scol\s(\d+),\s(Error|Warning|Info)\s-\s(.+)\s\((.+)\)$/,
    source:
      'microsoft/vscode src/vs/workbench/contrib/tasks/common/problemMatcher.ts (ProblemPatternRegistry "eslint-compact"); ' +
      'the same regexp in actions/setup-node .github/eslint-compact.json',
  },
  {
    name: '$eslint-stylish (file)',
    re: /^((?:[a-zA-Z]:)*[./\\]+.*?)$/,
    source: 'microsoft/vscode problemMatcher.ts ("eslint-stylish", first pattern)',
  },
  {
    name: '$eslint-stylish (loop)',
    re: /^\s+(\d+):(\d+)\s+(error|warning|info)\s+(.+?)(?:\s\s+(.*))?$/,
    source: 'microsoft/vscode problemMatcher.ts ("eslint-stylish", second pattern, loop: true)',
  },
  {
    name: '$msCompile',
    re: /^(?:\s*\d+>)?(\S.*)\((\d+|\d+,\d+|\d+,\d+,\d+,\d+)\)\s*:\s+((?:fatal +)?error|warning|info)\s+(\w+\d+)\s*:\s*(.*)$/,
    source: 'microsoft/vscode problemMatcher.ts (ProblemPatternRegistry "msCompile")',
  },
  {
    name: 'python (File line)',
    re: /^\s*File\s"(.*)",\sline\s(\d+),\sin\s(.*)$/,
    source: 'actions/setup-python .github/python.json (owner "python", first pattern)',
  },
  {
    name: 'python (raise)',
    re: /^\s*raise\s(.*)\('(.*)'\)$/,
    source: 'actions/setup-python .github/python.json (owner "python", second pattern)',
  },
  {
    name: 'flake8',
    re: /^([^:]*):(\d+):(\d+):\s([EWCNF]\d{3}\s.*)$/,
    // Actions flake8 matchers (TrueBrain/actions-flake8 flake8-matcher.json, collected in
    // aslafy-z/problem-matchers src/flake8.json) use this `file:line:col: CODE msg` shape.
    source: 'flake8 problem matcher for GitHub Actions (TrueBrain/actions-flake8 flake8-matcher.json shape)',
  },
  {
    name: 'generic file:line:col',
    re: /^(.*):(\d+):(\d+):\s(.+)$/,
    source: 'generic gcc-style `file:line:col: message` matcher (as in VS Code\'s "go"/gcc patterns)',
  },
  {
    name: 'mypy/pylint',
    re: /^(.+?):(\d+):(?:(\d+):)?\s*(error|warning|note):\s*(.*)$/,
    // liskin/gh-problem-matcher-wrap problem-matchers/mypy.json is `^([^:]*):(\d+):(?:(\d+):)? error: (.*)$`;
    // this widens it to the other severities mypy and pylint's parseable formats print.
    source:
      'mypy/pylint-style matcher (widened from liskin/gh-problem-matcher-wrap problem-matchers/mypy.json)',
  },
];

const GHA_TS = /^\uFEFF?\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z ?/;

/** A per-log naive matcher. `line` returns how many patterns matched. */
export function createNaiveMatcher(): { line(raw: string): number; matches: number } {
  const res = NAIVE_PATTERNS.map((p) => p.re);
  const [, , stylishFile, stylishLoop] = res;
  let currentFile: string | null = null;
  const state = {
    matches: 0,
    line(raw: string): number {
      const text = stripAnsi(raw.replace(GHA_TS, ''));
      let n = 0;
      for (const re of res) {
        const m = re.exec(text);
        if (m) {
          n++;
          if (re === stylishFile) currentFile = m[1]!;
          else if (re === stylishLoop && currentFile === null) n--;
        }
      }
      state.matches += n;
      return n;
    },
  };
  return state;
}
