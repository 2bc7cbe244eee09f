/**
 * The problem matchers a reproduce task uses, as package.json contributes them (`test/unit/reproduceMatchers.test.ts`
 * holds the two lists together and runs each pattern over the real tools' output in the fixtures). No `vscode`
 * import: the tests load it.
 */
export const REPRODUCE_PROBLEM_MATCHERS = [
  '$ci-triage-pytest',
  // flake8, pycodestyle and ruff's concise rows: the same `path:line:col: CODE message` shape.
  '$ci-triage-flake8',
  // ruff's full format: `CODE message`, then ` --> path:line:col`.
  '$ci-triage-ruff',
  '$ci-triage-mypy',
  // pylint's E/F messages are errors, C/R/W/I warnings: a problem matcher has one default severity.
  '$ci-triage-pylint',
  '$ci-triage-pylint-style',
  '$ci-triage-tsc',
  // eslint's compact format (stylish prints absolute paths, which inside the container are not the workspace's).
  '$ci-triage-eslint',
];
