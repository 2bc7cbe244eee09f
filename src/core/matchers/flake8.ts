/**
 * flake8 and pycodestyle: `path:line:col: CODE message` (and flake8's `--format=pylint`,
 * `path:line: [CODE] message`).
 *
 * ruff prints the very same line shape, so this file also holds what the two matchers share: the line
 * parser and the hint of which linter the step is running, read from the commands the log echoes. The
 * ruff matcher runs first and takes the lines it recognises; flake8 takes the rest.
 */
import type { FramedLine } from '../framing';
import type { Matcher, MatcherContext, Wake } from '../matcher';
import { LINE_COLON_SPACE_C, LINE_LOCATION, mayBeLocation } from '../matcher';
import type { Severity, Step } from '../model';

export type PyLinter = 'ruff' | 'flake8' | 'pycodestyle';

/** Files a Python linter reports on. */
export function isPythonPath(p: string): boolean {
  return /\.(?:py|pyi|pyw|pyx|ipynb)$/.test(p);
}

export interface ColonLocation {
  file: string;
  line: number;
  column: number | null;
  /** The text after `path:line[:col]: `. */
  rest: string;
}

// `path:line:col: rest` or `path:line: rest`. `[^:]` cannot cross a colon, so the lazy path is linear.
const COLON_LOCATION = /^((?:[A-Za-z]:)?[^:\s][^:]{0,500}?):(\d{1,7}):(?:(\d{1,7}):)? (.+)$/;

/** Parses `path:line[:col]: rest` where path names a Python file; null otherwise. */
export function parseColonLocation(text: string, colon: number = text.indexOf(':')): ColonLocation | null {
  if (!mayBeLocation(text, colon)) return null;
  // A location needs ".py" (or ".ipynb") and a ": " after it.
  if (text.indexOf('.py') < 0 && text.indexOf('.ipynb') < 0) return null;
  if (text.indexOf(': ', colon) < 0) return null;
  const m = COLON_LOCATION.exec(text);
  // A code frame's `12 | source` line is not a location, even when the source quotes one.
  if (!m || !isPythonPath(m[1]!) || m[1]!.indexOf(' | ') >= 0) return null;
  return { file: m[1]!, line: Number(m[2]), column: m[3] !== undefined ? Number(m[3]) : null, rest: m[4]! };
}

// A rule code as flake8 plugins and ruff print it: F401, E501, SIM102, PLR0913, ASYNC100.
export const RULE_CODE = /^([A-Z]{1,6}\d{1,5}) (.+)$/;
// flake8's and ruff's `--format=pylint`: `[E501] message`.
const BRACKET_CODE = /^\[([A-Z]{1,6}\d{1,5})\] (.+)$/;

export interface LintLine {
  file: string;
  line: number;
  column: number | null;
  code: string | null;
  /** `CODE message` as printed (the `[*]` fix marker kept), or the bare message when there is no code. */
  message: string;
  fixable: boolean;
}

// ruff's and flake8's matchers parse the same line one after the other: remember the last answer.
let lastText: string | null = null;
let lastLint: LintLine | null = null;

/** Parses a flake8/ruff/pycodestyle diagnostic line. `colon` is `text.indexOf(':')`. */
export function parseLintLine(text: string, colon: number = text.indexOf(':')): LintLine | null {
  if (!mayBeLocation(text, colon)) return null;
  if (text !== lastText) {
    lastLint = parseLintLineUncached(text, colon);
    lastText = text;
  }
  return lastLint;
}

function parseLintLineUncached(text: string, colon: number): LintLine | null {
  const loc = parseColonLocation(text, colon);
  if (!loc) return null;
  const r = loc.rest;
  let m = RULE_CODE.exec(r);
  if (m) {
    return {
      file: loc.file,
      line: loc.line,
      column: loc.column,
      code: m[1]!,
      message: r,
      fixable: m[2]!.startsWith('[*] '),
    };
  }
  if (loc.column === null && (m = BRACKET_CODE.exec(r))) {
    return {
      file: loc.file,
      line: loc.line,
      column: null,
      code: m[1]!,
      message: `${m[1]} ${m[2]}`,
      fixable: false,
    };
  }
  if (loc.column === null) return null;
  return { file: loc.file, line: loc.line, column: loc.column, code: null, message: r, fixable: false };
}

/** flake8/pycodestyle severity: E and F are errors, W and C warnings, plugin codes errors. */
export function flake8Severity(code: string): Severity {
  const c = code.charCodeAt(0);
  return c === 87 /* W */ || c === 67 /* C */ ? 'warning' : 'error';
}

// A linter named as a command: `ruff check .`, `.venv/bin/flake8`, `python -m flake8`, `poetry run ruff`.
const LINTER_WORD = /(?:^|[\s/'"=(;&|])(ruff|flake8|pycodestyle)(?=$|[\s'");&|])/;
const NOT_A_RUN = /\b(?:install|add|--version|pip|uv sync|upgrade)\b/;

function linterIn(text: string): PyLinter | null {
  // Most lines read here (a step's header: its script, inputs and env) name none: a substring search each is far
  // cheaper than the two patterns.
  if (text.indexOf('ruff') < 0 && text.indexOf('flake8') < 0 && text.indexOf('pycodestyle') < 0) return null;
  if (NOT_A_RUN.test(text)) return null;
  const m = LINTER_WORD.exec(text);
  return m ? (m[1] as PyLinter) : null;
}

function linterOfHook(id: string): PyLinter | null {
  if (id.startsWith('ruff')) return 'ruff';
  if (id.startsWith('flake8')) return 'flake8';
  if (id.startsWith('pycodestyle')) return 'pycodestyle';
  return null;
}

/**
 * The lines `LinterHint.update` reads outside a step's header: echoed commands (`-`, `$`, `+`, `nox > `, bare
 * `ruff`/`flake8`/`pycodestyle`/`python` lines, `[command]`) and tox's `env: commands[0]> cmd`; and GitHub's group
 * lines: a step's header starts at its `##[group]Run ...`, where the hint reads the step anew.
 */
export const HINT_WAKE: Required<Pick<Wake, 'prefixes' | 'flags' | 'commands'>> = {
  prefixes: ['- hook id: ', '$ ', '+ ', 'nox > ', 'ruff ', 'flake8', 'pycodestyle', 'python'],
  flags: LINE_COLON_SPACE_C,
  commands: ['group', 'command'],
};

/**
 * Which of ruff, flake8 and pycodestyle the current step runs, as far as the log says: the step's name,
 * the script lines GitHub prints in the step's header group, echoed commands (`$ cmd` in GitLab, `+ cmd`
 * under `set -x`, tox's `commands[0]> cmd`, `nox > cmd`), and pre-commit's `- hook id:`.
 */
export class LinterHint {
  /** The line `update` read last: ruff's matcher and flake8's share a parse's hint, and both show it each line. */
  private last: FramedLine | null = null;
  /** The linters the step's script names; a later echoed command replaces the set. */
  private named = new Set<PyLinter>();
  private step: Step | null = null;
  private inHeader = false;
  /** The last command echoed or pre-commit hook started is some other tool. */
  other = false;

  /** Inside the step's header group, every line is read. */
  get busy(): boolean {
    return this.inHeader;
  }

  /**
   * Call for every line, before looking at the line's content. `colon` is `l.text.indexOf(':')`. Only the
   * step's header and lines that look like commands are read: this runs on every line of the log.
   */
  update(l: FramedLine, colon: number): void {
    if (l === this.last) return;
    this.last = l;
    // Most lines are neither in the header nor commands: a few comparisons (small enough to be inlined) let
    // them pass; what may be a command goes on to read().
    if (l.step === this.step && !this.inHeader && l.command !== 'command') {
      const t = l.text;
      if (t.length === 0) return;
      switch (t.charCodeAt(0)) {
        case 45: // -
        case 36: // $
        case 43: // +
        case 110: // n
        case 114: // r
        case 102: // f
        case 112: // p
          break;
        default:
          if (colon < 0 || colon + 2 >= t.length || t.charCodeAt(colon + 1) !== 32) return;
          if (!t.startsWith('commands[', colon + 2)) return;
      }
    }
    this.read(l, colon);
  }

  private read(l: FramedLine, colon: number): void {
    if (l.step !== this.step) {
      this.step = l.step;
      this.named.clear();
      this.other = false;
      // A GitHub step's header group (`Run <script>`): the runner's own groups (`Operating System`) are not.
      this.inHeader = l.command === 'group' && l.text.startsWith('Run ');
      if (l.step) this.add(linterIn(l.step.name));
    }
    const t = l.text;
    if (this.inHeader) {
      if (l.command === 'endgroup') this.inHeader = false;
      else this.add(linterIn(t));
      return;
    }
    const c = t.length > 0 ? t.charCodeAt(0) : -1;
    if (c === 45 /* - */ && t.startsWith('- hook id: ')) {
      this.replace(linterOfHook(t.slice(11).trim()));
    } else if (
      l.command === 'command' ||
      // `$ cmd` (GitLab) and `+ cmd` (set -x).
      ((c === 36 || c === 43) && t.length > 1 && t.charCodeAt(1) === 32) ||
      (c === 110 /* n */ && t.startsWith('nox > '))
    ) {
      this.replace(linterIn(t));
    } else if (
      (c === 114 /* r */ && t.startsWith('ruff ')) ||
      (c === 102 /* f */ && t.startsWith('flake8')) ||
      (c === 112 /* p */ && (t.startsWith('pycodestyle') || t.startsWith('python'))) ||
      // tox: `py311: commands[0]> ruff check .` (tox 4), `py311 run-test: commands[0] | flake8` (tox 3).
      (colon > 0 && t.startsWith(': commands[', colon))
    ) {
      // A bare command line (make echoes them) names the linter about to print.
      const found = linterIn(t);
      if (found) this.replace(found);
    }
  }

  /** The one linter the step runs, or null when none or several are named. */
  get only(): PyLinter | null {
    if (this.named.size !== 1) return null;
    for (const x of this.named) return x;
    return null;
  }

  has(x: PyLinter): boolean {
    return this.named.has(x);
  }

  get none(): boolean {
    return this.named.size === 0;
  }

  private add(x: PyLinter | null): void {
    if (x) this.named.add(x);
  }

  private replace(x: PyLinter | null): void {
    this.named.clear();
    if (x) this.named.add(x);
    this.other = x === null;
  }
}

const hints = new WeakMap<MatcherContext, LinterHint>();

/**
 * The LinterHint of a parse (of the context its matchers share): ruff's matcher and flake8's read the same
 * commands and the same step headers, once.
 */
export function linterHintOf(ctx: MatcherContext): LinterHint {
  let h = hints.get(ctx);
  if (h === undefined) {
    h = new LinterHint();
    hints.set(ctx, h);
  }
  return h;
}

const WAKE: Wake = { ...HINT_WAKE, flags: HINT_WAKE.flags | LINE_LOCATION };

export function createFlake8Matcher(): Matcher {
  let hint: LinterHint | null = null;
  return {
    name: 'flake8',
    wake: WAKE,
    get busy(): boolean {
      return hint !== null && hint.busy;
    },
    line(l: FramedLine, ctx: MatcherContext): void {
      const t = l.text;
      const colon = l.colon;
      hint ??= linterHintOf(ctx);
      hint.update(l, colon);
      if (!mayBeLocation(t, colon) || ctx.claimed) return;
      const d = parseLintLine(t, colon);
      if (!d || d.code === null) return;
      ctx.emit({
        file: d.file,
        line: d.line,
        column: d.column,
        severity: flake8Severity(d.code),
        tool: hint.only === 'pycodestyle' ? 'pycodestyle' : 'flake8',
        code: d.code,
        message: d.message,
      });
    },
  };
}
