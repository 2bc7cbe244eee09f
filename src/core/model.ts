/** The engine's data model: what a CI log turns into. Pure data, JSON-serialisable. */

export type Severity = 'error' | 'warning' | 'info';

/** One thing to fix, found in a log. */
export interface Problem {
  /** The path exactly as the log printed it (null when the tool printed none). */
  file: string | null;
  /** The workspace-relative path ("/"-separated), or null when the file is not a workspace file. */
  path: string | null;
  /** 1-based line as printed, or null. */
  line: number | null;
  /** Column as printed (pylint's are 0-based, the others' 1-based), or null. */
  column: number | null;
  endLine?: number;
  endColumn?: number;
  severity: Severity;
  /** The tool that printed it: pytest, unittest, python, mypy, ruff, flake8, pylint, black, tsc, eslint, ... */
  tool: string;
  /** Rule code or error code when the tool prints one (E501, TS2345, no-unused-vars, call-arg). */
  code?: string;
  /** The first line of the diagnostic after the location. */
  message: string;
  /** The failing test's id as printed (pytest node id, unittest module.Class.method, jest "describe › name"). */
  test: string | null;
  /** 1-based line of the log where the problem was printed; 0 when it was not printed (an API annotation). */
  logLine: number;
  /** Name of the step (GitHub) or section (GitLab) that printed it. */
  step: string | null;
}

/** What a matcher reports; the parser fills in path, step and logLine defaults. */
export type ProblemInit = Omit<Problem, 'path' | 'step' | 'logLine' | 'test' | 'column'> & {
  test?: string | null;
  column?: number | null;
  logLine?: number;
};

export type StepStatus = 'success' | 'failure' | 'unknown';

/** A step (GitHub `##[group]Run ...` or gh's step column), a GitLab section, or a nested group. */
export interface Step {
  /** Index in the steps array. */
  id: number;
  name: string;
  kind: 'step' | 'section' | 'group';
  /** Index of the enclosing step or section, or null at the top. */
  parent: number | null;
  /** 1-based first and last log line. */
  startLine: number;
  endLine: number;
  status: StepStatus;
}

/** The job's environment as the log shows it. Every field is null/empty when the log does not say. */
export interface Environment {
  python: string | null;
  os: string | null;
  /** Runner image name (GitHub `Runner Image`), or the container / GitLab docker image when the job ran in one. */
  image: string | null;
  /** Container image digest (sha256:...) when the log shows one. */
  digest: string | null;
  runnerImage: string | null;
  runnerImageVersion: string | null;
  containerImage: string | null;
  env: Record<string, string>;
  packages: Record<string, string>;
  tools: Record<string, string>;
  /** Hygiene findings, e.g. a secret-looking env var with an unmasked value. */
  warnings: string[];
}

export interface ParseResult {
  problems: Problem[];
  environment: Environment;
  steps: Step[];
  /** The framing detected: github, gh-cli, gitlab or plain. */
  format: LogFormat;
  lines: number;
}

export type LogFormat = 'github' | 'gh-cli' | 'gitlab' | 'plain';

/** Tools that print 0-based columns (pylint's, bandit's AST offsets); every other tool's are 1-based. */
const ZERO_BASED_COLUMNS = new Set(['pylint', 'bandit']);

/** The problem's column as an editor's 0-based character, 0 when it has none. */
export function editorColumn(p: Pick<Problem, 'tool' | 'column'>): number {
  if (p.column === null) return 0;
  return Math.max(0, ZERO_BASED_COLUMNS.has(p.tool) ? p.column : p.column - 1);
}

export function emptyEnvironment(): Environment {
  return {
    python: null,
    os: null,
    image: null,
    digest: null,
    runnerImage: null,
    runnerImageVersion: null,
    containerImage: null,
    env: {},
    packages: {},
    tools: {},
    warnings: [],
  };
}
