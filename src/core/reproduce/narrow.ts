/**
 * A narrowed command: the failing step's tool run again on just what failed (pytest node ids, unittest ids,
 * the files a linter complained about), keeping the step's own invocation (`poetry run pytest -v`) and
 * options, dropping its path arguments.
 */
import type { Problem } from '../model';
import { logicalLines, shellQuote, splitCommands } from './shell';
import type { Word } from './shell';

export interface Narrowed {
  tool: string;
  /** What it runs: test ids or files, as the log printed them. */
  targets: string[];
  /** The failing step's lines, with the tool's line replaced by the narrowed command. */
  commands: string[];
  /** True when the step's own invocation of the tool was found and reused. */
  reusedInvocation: boolean;
}

interface ToolSpec {
  /** Words that name the tool in a command line. */
  names: string[];
  /** Subcommands kept after the tool's name (`ruff check`). */
  subcommands?: string[];
  /** Options that take the next word as their value. */
  valued: string[];
  /** The command to use when the step's invocation is not found. */
  fallback: string;
  kind: 'tests' | 'files';
}

const TOOLS: Record<string, ToolSpec> = {
  pytest: {
    names: ['pytest', 'py.test'],
    valued: [
      '-k',
      '-m',
      '-c',
      '-p',
      '-o',
      '-W',
      '--rootdir',
      '--confcutdir',
      '--basetemp',
      '--junitxml',
      '--junit-xml',
      '--cov',
      '--cov-report',
      '--cov-config',
      '--tb',
      '--maxfail',
      '--deselect',
      '--ignore',
      '--import-mode',
      '-n',
      '--dist',
      '--durations',
      '--log-level',
      '--timeout',
    ],
    fallback: 'python3 -m pytest',
    kind: 'tests',
  },
  unittest: {
    names: ['unittest'],
    valued: ['-k', '-s', '-p', '-t'],
    fallback: 'python3 -m unittest',
    kind: 'tests',
  },
  flake8: {
    names: ['flake8'],
    valued: [
      '--config',
      '--append-config',
      '--select',
      '--ignore',
      '--extend-ignore',
      '--extend-select',
      '--exclude',
      '--extend-exclude',
      '--max-line-length',
      '--max-complexity',
      '--format',
      '--per-file-ignores',
      '--output-file',
      '-j',
      '--jobs',
    ],
    fallback: 'flake8',
    kind: 'files',
  },
  ruff: {
    names: ['ruff'],
    subcommands: ['check', 'format'],
    valued: [
      '--config',
      '--select',
      '--ignore',
      '--extend-select',
      '--exclude',
      '--extend-exclude',
      '--line-length',
      '--target-version',
      '--output-format',
      '--format',
    ],
    fallback: 'ruff check',
    kind: 'files',
  },
  black: {
    names: ['black'],
    valued: [
      '--config',
      '-l',
      '--line-length',
      '-t',
      '--target-version',
      '--include',
      '--exclude',
      '--extend-exclude',
      '--force-exclude',
      '--required-version',
    ],
    fallback: 'black --check --diff',
    kind: 'files',
  },
  isort: {
    names: ['isort'],
    valued: ['--settings-path', '--sp', '--profile', '-l', '--line-length', '--skip'],
    fallback: 'isort --check-only --diff',
    kind: 'files',
  },
  pylint: {
    names: ['pylint'],
    valued: [
      '--rcfile',
      '--disable',
      '-d',
      '--enable',
      '-e',
      '-j',
      '--jobs',
      '--load-plugins',
      '--output-format',
      '-f',
      '--max-line-length',
      '--ignore',
      '--fail-under',
    ],
    fallback: 'pylint',
    kind: 'files',
  },
  mypy: {
    names: ['mypy'],
    valued: ['--config-file', '--python-version', '--cache-dir', '--exclude', '--platform'],
    fallback: 'mypy',
    kind: 'files',
  },
  eslint: {
    names: ['eslint'],
    valued: ['-c', '--config', '--ext', '--rule', '--format', '-f', '--max-warnings', '--parser'],
    fallback: 'npx eslint',
    kind: 'files',
  },
  prettier: {
    names: ['prettier'],
    valued: ['--config', '--ignore-path', '--plugin', '--parser'],
    fallback: 'npx prettier --check',
    kind: 'files',
  },
  jest: {
    names: ['jest'],
    valued: ['-c', '--config', '--testNamePattern', '-t', '--reporters', '--maxWorkers', '-w'],
    fallback: 'npx jest',
    kind: 'files',
  },
  vitest: {
    names: ['vitest'],
    subcommands: ['run'],
    valued: [
      '-c',
      '--config',
      '--project',
      '-t',
      '--testNamePattern',
      '--reporter',
      '--pool',
      '-r',
      '--root',
      '--dir',
    ],
    fallback: 'npx vitest run',
    kind: 'files',
  },
  doctest: {
    names: ['doctest'],
    valued: ['-o', '--option'],
    fallback: 'python3 -m doctest',
    kind: 'files',
  },
};

/** Options known to take no value (so the word after them is a path argument, dropped). */
const FLAGS = new Set([
  '-v',
  '-vv',
  '-vvv',
  '-q',
  '-qq',
  '-x',
  '-s',
  '-l',
  '-r',
  '--verbose',
  '--quiet',
  '--check',
  '--diff',
  '--strict',
  '--exitfirst',
  '--showlocals',
  '--color',
  '--no-header',
  '--ruff',
  '--fix',
  '--check-only',
  '--show-source',
  '--statistics',
  '--count',
  '--ci',
  '--no-cache',
  '--lf',
  '--ff',
  '--sw',
  '--cache-clear',
  '--doctest-modules',
  '--strict-markers',
  '--show-fixes',
  '--preview',
  '--quiet',
  '--list-different',
  '-c',
]);

/** The tools a narrowed command can be made for. */
export const NARROWABLE_TOOLS = Object.keys(TOOLS);

/**
 * A target as printed by the tool, if it is safe to pass on: a relative path without `..` (relative to the
 * tool's folder, which the reproduction recreates), or an absolute one inside the job's working folder.
 * Anything outside the workspace is left out.
 */
export function safeTarget(target: string, workdir: string): string | null {
  if (target.length === 0 || target.length > 4096 || /[\x00-\x1f\x7f]/.test(target)) return null;
  const file = target.split('::')[0]!;
  if (file.startsWith('-')) return null;
  if (file.startsWith('/')) {
    if (!file.startsWith(workdir + '/')) return null;
    if (file.split('/').includes('..')) return null;
    return target;
  }
  if (/^[A-Za-z]:[\\/]/.test(file) || file.startsWith('~')) return null;
  if (file.split(/[\\/]/).includes('..')) return null;
  return target;
}

/** The ids or files to re-run for `tool`, from the failing step's problems (or the one in focus). */
export function narrowTargets(
  tool: string,
  problems: readonly Problem[],
  workdir: string,
): { targets: string[]; dropped: string[] } {
  const spec = TOOLS[tool];
  const dropped = new Set<string>();
  if (!spec) return { targets: [], dropped: [] };
  const out = new Set<string>();
  for (const p of problems) {
    if (p.tool !== tool) continue;
    const t = spec.kind === 'tests' ? (p.test ?? null) : p.file;
    if (t === null) continue;
    // A unittest id is `module.Class.method`: no path, nothing to escape the workspace with.
    if (tool === 'unittest' && !/^[A-Za-z_][\w.]*$/.test(t)) continue;
    const safe = tool === 'unittest' ? t : safeTarget(t, workdir);
    if (safe !== null) out.add(safe);
    else dropped.add(t);
  }
  return { targets: [...out], dropped: [...dropped] };
}

/**
 * The failing step's commands with the tool's line replaced by a run on `targets` alone. When the step's
 * invocation cannot be found (a wrapper such as tox, make or npm ran it), the tool is called directly after
 * the step's other set-up lines.
 */
export function narrowCommands(
  tool: string,
  commands: readonly string[],
  targets: readonly string[],
): Narrowed | null {
  const spec = TOOLS[tool];
  if (!spec || targets.length === 0) return null;
  const quoted = targets.map(shellQuote).join(' ');
  const lines = logicalLines(commands);
  // The last run of the tool in the step is the one that failed (a step stops at its first failure).
  for (let li = lines.length - 1; li >= 0; li--) {
    const l = lines[li]!;
    const segments = splitCommands(l.text);
    if (!segments) continue;
    for (let si = segments.length - 1; si >= 0; si--) {
      const seg = segments[si]!;
      const at = seg.words.findIndex((w) => w.value !== null && isToolWord(w.value, spec, tool));
      if (at < 0) continue;
      if (seg.words.some((w) => w.value === '--version' || w.value === '--help' || w.value === '-h'))
        continue;
      const kept = keptArguments(seg.words.slice(at + 1), spec);
      const head = l.text.slice(seg.start, seg.words[at]!.end).trim();
      const before = l.text.slice(0, seg.start).trim();
      // What ran before the tool on its line (`cd api &&`) still runs; what came after it does not.
      const glue = before.length > 0 && !/(&&|;|\|\|)$/.test(before) ? ' && ' : ' ';
      const narrowed = `${before.length > 0 ? before + glue : ''}${[head, ...kept, quoted].join(' ')}`;
      return {
        tool,
        targets: [...targets],
        commands: [...commands.slice(0, l.from), narrowed],
        reusedInvocation: true,
      };
    }
  }
  return { tool, targets: [...targets], commands: [`${spec.fallback} ${quoted}`], reusedInvocation: false };
}

function isToolWord(v: string, spec: ToolSpec, tool: string): boolean {
  const base = v.slice(v.lastIndexOf('/') + 1);
  if (tool === 'unittest') return base === 'unittest';
  return spec.names.includes(base);
}

/** The options of the tool's invocation (with their values); path arguments are dropped. */
function keptArguments(words: readonly Word[], spec: ToolSpec): string[] {
  const out: string[] = [];
  let i = 0;
  if (spec.subcommands && words[0]?.value !== null && spec.subcommands.includes(words[0]?.value ?? '')) {
    out.push(words[0]!.raw);
    i = 1;
  }
  for (; i < words.length; i++) {
    const w = words[i]!;
    const v = w.value ?? w.raw;
    if (!v.startsWith('-') || v === '-' || v === '--') continue;
    out.push(w.raw);
    const next = words[i + 1];
    if (v.includes('=') || next === undefined || FLAGS.has(v)) continue;
    const nv = next.value ?? next.raw;
    if (nv.startsWith('-')) continue;
    // A known valued option takes the next word; an unknown one takes it unless it looks like a path
    // (a quoted word is a value: `--check-links-ignore "https://..."`).
    const quoted = next.raw.startsWith('"') || next.raw.startsWith("'");
    if (spec.valued.includes(v) || quoted || !/[/.]/.test(nv)) {
      out.push(next.raw);
      i++;
    }
  }
  return out;
}
