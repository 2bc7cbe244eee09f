/**
 * Collects the job's environment from framed lines: Python version, OS, runner and container images (and the
 * job container's digest), env vars, installed packages, tool versions, checkout folders, and hygiene
 * warnings about secret-looking variables printed unmasked.
 *
 * `line()` runs on every line of the log, so each check starts with a character test or `startsWith` and
 * only then runs an anchored, bounded regex. Every collection is capped.
 */
import { detach } from './text';
import type { FramedLine } from './framing';
import { T_MCCABE } from './matcher';
import type { RawText } from './matcher';
import { emptyEnvironment } from './model';
import type { Environment, Step } from './model';

const MAX_ENTRIES = 2000;
const MAX_VALUE = 2000;
const MAX_WARNINGS = 100;
const MAX_PY_CANDIDATES = 1000;
const MAX_PULLS = 50;
const MAX_CHECKOUT_DIRS = 8;
const MAX_OS_PARTS = 6;

// Python evidence, weakest first. Choice: evidence from a failed step first (its tool ran under that
// Python), then pytest's `platform` line > a bare `Python X.Y.Z` (python --version) > setup-python's
// "Successfully set up" > `pythonLocation` > the requested `python-version`; the latest breaks ties; a less
// precise winner (`3.11`) takes the precision of a candidate it prefixes (`3.11.13`).
const PY_REQUESTED = 0;
const PY_LOCATION = 1;
const PY_SET_UP = 2;
const PY_PRINTED = 3;
const PY_PLATFORM = 4;

interface PyCandidate {
  version: string;
  rank: number;
  step: Step | null;
  order: number;
}

const SET_UP_PYTHON =
  /^Successfully set ?up (?:CPython|PyPy \S{1,40} with Python) \((\d{1,3}\.\d{1,3}[^)\s]{0,40})\)/;
const PYTEST_PLATFORM =
  /^platform \S{1,40} -- Python (\d{1,3}\.\d{1,3}(?:\.\d{1,4})?)\S{0,60}, pytest-(\d[^,\s]{0,40})(?:, pluggy-(\d[^,\s]{0,40}))?/;
// uv choosing the interpreter of a project's environment (`uv sync`, `uv venv`, `uv pip install`).
const UV_PYTHON =
  /^Using (?:CPython |PyPy |Python )(\d{1,3}\.\d{1,3}\.\d{1,4}[0-9a-z+]{0,20})(?: \S{1,40})? (?:interpreter|environment) at: /;
const PYTHON_PRINTED = /^Python (\d{1,3}\.\d{1,3}\.\d{1,4}[0-9a-z+]{0,20})\s*$/;
const PYTHON_LOCATION = /[\\/]Python[\\/](\d{1,3}\.\d{1,3}\.\d{1,4}[^\\/\s]{0,20})[\\/]/;
const PYTHON_REQUESTED = /^['"]?(\d{1,3}\.\d{1,3}(?:\.\d{1,4})?)(?:\.x)?['"]?$/;
const HEADER_ENTRY = /^ {2}([A-Za-z_][A-Za-z0-9_.-]{0,127}):(?: (.*))?$/;
const ENV_DUMP_LINE = /^([A-Za-z_][A-Za-z0-9_]{0,127})=(.*)$/;
const DECLARE_X = /^declare -x ([A-Za-z_][A-Za-z0-9_]{0,127})(?:="(.*)")?$/;
const FREEZE_LINE = /^([A-Za-z0-9][A-Za-z0-9._-]{0,127})==([^\s;]{1,100})/;
const PIP_LIST_ROW =
  /^([A-Za-z0-9][A-Za-z0-9._-]{0,127}) +(\d[0-9A-Za-z.+!-]{0,100})(?: +(?:\/|[A-Za-z]:\\).{0,1000})?$/;
const UV_ADDED = /^ \+ ([A-Za-z0-9][A-Za-z0-9._-]{0,127})==([^\s]{1,100})/;
const TOOL_VERSION =
  /^(mypy|ruff|pylint|pip|uv|black|tox|nox|poetry|git|node|npm|yarn|pnpm|pytest|bun|deno)(?: version|,|:)? v?(\d{1,4}\.\d{1,4}(?:\.\d{1,6})?[0-9A-Za-z.+-]{0,30})(?=$|[\s,)])/;
const FLAKE8_VERSION = /^(\d{1,4}\.\d{1,4}\.\d{1,4}) \(mccabe: /;
const POETRY_VERSION = /^Poetry \(version (\d[^)\s]{0,40})\)/;
const RUNNER_VERSION = /^Current runner version: '([^']{1,40})'/;
const GITLAB_RUNNER = /^Running with gitlab-runner (\S{1,40})/;
const GITLAB_EXECUTOR = /^Using (.{1,40}?) executor with image (\S{1,300}) \.\.\./;
const GITLAB_IMAGE =
  /^Using docker image (sha256:[0-9a-f]{64}) for (\S{1,300})(?: with digest \S{0,300}?@(sha256:[0-9a-f]{64}))?/;
const GITLAB_SERVICE = /^Starting service (\S{1,300})/;
const DOCKER_PULL = /docker(?: --config \S{1,500})? pull (?:-q |--quiet )?(\S{1,300})\s*$/;
const DIGEST = /^Digest: (sha256:[0-9a-f]{64})/;
const GIT_DIR_LINE =
  /^(?:Initialized empty|Reinitialized existing) Git repository in (\/.{0,1000}?|[A-Za-z]:[\\/].{0,1000}?)[\\/]\.git[\\/]?$/;
const CLONING_INTO = /^Cloning into '(\/[^']{0,1000}|[A-Za-z]:[\\/][^']{0,1000})'\.\.\.$/;
const ENV_DUMP_CMD = /^\s*(?:sudo\s+)?(?:env|printenv|export\s+-p|declare\s+-x)\s*(?:$|[|>;&])/;
const PIP_DUMP_CMD = /^\s*(?:(?:python|py)[0-9.]*\s+-m\s+)?(?:uv\s+)?pip[0-9.]*\s+(freeze|list)\b/;
// `_`-separated words of a variable name that make it look secret; PUBLIC ones are meant to be seen.
const SECRET_WORDS = new Set([
  'TOKEN',
  'TOKENS',
  'SECRET',
  'SECRETS',
  'PASSWORD',
  'PASSWORDS',
  'PASSWD',
  'PASSPHRASE',
  'KEY',
  'KEYS',
  'APIKEY',
  'CREDENTIAL',
  'CREDENTIALS',
  'PRIVATE',
]);

type Block = 'script' | 'with' | 'env' | 'other' | null;

export class EnvironmentCollector {
  private readonly env = emptyEnvironment();
  private readonly osParts: string[] = [];
  private group: string | null = null;
  /** The open group is one `inGroup` reads every line of. */
  private readsGroup = false;
  /** Inside a GitHub step's `##[group]Run ...` header: which part of it. */
  private block: Block = null;
  /** Output modes of the current step, set by the commands it runs. */
  private envDump = false;
  private freeze = false;
  private pipList = false;
  /** Inside `pip list`'s table: after its `---------- -------` rule. */
  private pipListRows = false;
  private modeStep: Step | null = null;
  private readonly py: PyCandidate[] = [];
  private pyOrder = 0;
  private pendingPull: string | null = null;
  private readonly pulls = new Map<string, string>();
  private jobPull: string | null = null;
  private jobCreate: string | null = null;
  private gitlabExecutorImage: string | null = null;
  private gitlabImage: string | null = null;
  private gitlabDigest: string | null = null;
  private readonly gitlabServices = new Set<string>();
  private sawScriptCommand = false;
  private readonly dirs: string[] = [];
  private readonly warned = new Set<string>();
  private readonly envVars = new Map<string, string>();
  private readonly secretNames = new Map<string, boolean>();
  private readonly packages = new Map<string, string>();

  line(l: FramedLine): void {
    try {
      this.dispatch(l);
    } catch {
      // A malformed line must never stop the parse; the environment is best effort.
    }
  }

  /**
   * No step header, group it reads (`inGroup`) or output mode is open: only lines of the shapes `mayWantRaw` knows
   * can matter. (In any other group, lines are read as outside one.)
   */
  get idle(): boolean {
    return (
      (this.group === null || (this.block === null && !this.readsGroup)) &&
      !this.envDump &&
      !this.freeze &&
      !this.pipList
    );
  }

  /** A `docker pull` waits for its `Digest:` line (the one state `mayWantRaw` reads). */
  get digestPending(): boolean {
    return this.pendingPull !== null;
  }

  /**
   * Folders the job checked the project out into, as the log showed them (GitLab's
   * `Initialized empty Git repository in /builds/g/s/p/.git/`, `CI_PROJECT_DIR=...`, `GITHUB_WORKSPACE=...`).
   */
  checkoutDirs(): readonly string[] {
    return this.dirs;
  }

  result(): Environment {
    const e = this.env;
    e.env = Object.fromEntries(this.envVars);
    e.packages = Object.fromEntries(this.packages);
    if (e.os === null && this.osParts.length > 0) e.os = this.osParts.join(' ');
    e.python = this.choosePython();
    e.containerImage = this.jobCreate ?? this.jobPull ?? this.gitlabImage ?? this.gitlabExecutorImage;
    e.image = e.containerImage ?? e.runnerImage;
    if (this.gitlabImage !== null && e.containerImage === this.gitlabImage) {
      e.digest = this.gitlabDigest;
    } else if (e.containerImage !== null && (this.jobCreate !== null || this.jobPull !== null)) {
      e.digest = this.pulls.get(e.containerImage) ?? null;
    } else {
      e.digest = null;
    }
    return e;
  }

  private dispatch(l: FramedLine): void {
    if (l.step !== this.modeStep) {
      this.modeStep = l.step;
      this.envDump = this.freeze = this.pipList = this.pipListRows = false;
      this.pendingPull = null;
    }
    const t = l.text;
    if (l.command === 'group') {
      this.startGroup(t);
      return;
    }
    if (l.command === 'endgroup') {
      this.endGroup();
      return;
    }
    if (l.command === 'command') {
      this.runnerCommand(t, l);
      return;
    }
    if (t.length === 0) return;
    if (this.group !== null && this.inGroup(t, l)) return;

    const c = t.charCodeAt(0);
    switch (c) {
      case 32: // ' '
        if (t.length > 1 && t.charCodeAt(1) === 43 /* + */) {
          const m = UV_ADDED.exec(t);
          if (m) this.addPackage(m[1]!, m[2]!);
        }
        break;
      case 36: // '$'
        if (t.length > 1 && t.charCodeAt(1) === 32) this.shellCommand(t.slice(2), l);
        break;
      case 67: // 'C'
        if (t.startsWith('Current runner version: ')) {
          const m = RUNNER_VERSION.exec(t);
          if (m) this.env.tools['actions-runner'] = detach(m[1]!);
        } else if (t.startsWith('Cloning into ')) {
          const m = CLONING_INTO.exec(t);
          if (m) this.checkoutDir(m[1]!, l);
        }
        break;
      case 68: // 'D'
        if (this.pendingPull !== null && t.startsWith('Digest: ')) {
          const m = DIGEST.exec(t);
          if (m && this.pulls.size < MAX_PULLS) this.pulls.set(detach(this.pendingPull), detach(m[1]!));
        }
        break;
      case 73: // 'I'
      case 82: // 'R'
        if (t.startsWith('Running with gitlab-runner ')) {
          const m = GITLAB_RUNNER.exec(t);
          if (m) this.env.tools['gitlab-runner'] = detach(m[1]!);
        } else if (t.endsWith('.git/') || t.endsWith('.git')) {
          const m = GIT_DIR_LINE.exec(t);
          if (m) this.checkoutDir(m[1]!, l);
        }
        break;
      case 80: // 'P'
        if (t.startsWith('Python ')) {
          const m = PYTHON_PRINTED.exec(t);
          if (m) this.pyCandidate(m[1]!, PY_PRINTED, l);
        } else if (t.startsWith('Poetry (version ')) {
          const m = POETRY_VERSION.exec(t);
          if (m) this.env.tools['poetry'] = detach(m[1]!);
        }
        break;
      case 83: // 'S'
        if (t.startsWith('Successfully installed ')) this.pipInstalled(t);
        else if (t.startsWith('Successfully set')) {
          const m = SET_UP_PYTHON.exec(t);
          if (m) this.pyCandidate(m[1]!, PY_SET_UP, l);
        } else if (t.startsWith('Starting service ')) {
          const m = GITLAB_SERVICE.exec(t);
          if (m && this.gitlabServices.size < MAX_PULLS) this.gitlabServices.add(detach(m[1]!));
        }
        break;
      case 85: // 'U'
        if (t.startsWith('Using ')) {
          const m = UV_PYTHON.exec(t);
          if (m) this.pyCandidate(m[1]!, PY_SET_UP, l);
          else this.gitlabUsing(t);
        }
        break;
      case 112: // 'p'
        if (t.startsWith('platform ')) {
          const m = PYTEST_PLATFORM.exec(t);
          if (m) {
            this.pyCandidate(m[1]!, PY_PLATFORM, l);
            this.env.tools['pytest'] = detach(m[2]!);
            if (m[3]) this.env.tools['pluggy'] = detach(m[3]);
          }
        } else this.toolVersion(t);
        break;
      default:
        if (c >= 48 && c <= 57) {
          if (t.indexOf(' (mccabe: ') > 0) {
            const m = FLAKE8_VERSION.exec(t);
            if (m) this.env.tools['flake8'] = detach(m[1]!);
          }
        } else if (c >= 97 && c <= 122) {
          this.toolVersion(t);
        }
    }
    if (this.envDump || this.freeze || this.pipList) this.dumpLine(t, l);
  }

  private startGroup(name: string): void {
    this.group = name;
    this.readsGroup =
      name === 'Operating System' || name === 'Runner Image' || name === 'Environment details';
    this.block = null;
    this.pendingPull = null;
    if (name.startsWith('Run ')) {
      // A new step header: its script lines decide the step's output modes.
      this.envDump = this.freeze = this.pipList = this.pipListRows = false;
      this.block = 'script';
      this.scriptLine(name.slice(4));
    }
  }

  private endGroup(): void {
    if (this.group === 'Operating System' && this.env.os === null && this.osParts.length > 0) {
      this.env.os = this.osParts.join(' ');
    }
    this.group = null;
    this.readsGroup = false;
    this.block = null;
    this.pendingPull = null;
  }

  /** Lines inside a `##[group]`; true when the line was consumed. */
  private inGroup(t: string, l: FramedLine): boolean {
    const g = this.group!;
    if (this.block !== null) return this.headerLine(t, l);
    switch (g) {
      case 'Operating System':
        if (this.env.os === null && this.osParts.length < MAX_OS_PARTS) this.osParts.push(detach(t.trim()));
        return true;
      case 'Runner Image':
        if (t.startsWith('Image: ')) this.env.runnerImage ??= detach(t.slice(7).trim());
        else if (t.startsWith('Version: ')) this.env.runnerImageVersion ??= detach(t.slice(9).trim());
        return true;
      case 'Environment details': {
        // setup-node: "node: v20.11.0", "npm: 10.2.4", "yarn: 1.22.21".
        const colon = t.indexOf(': ');
        if (colon > 0 && colon < 20) {
          const v = t.slice(colon + 2).trim();
          if (/^v?\d/.test(v)) this.env.tools[detach(t.slice(0, colon))] = detach(v.replace(/^v/, ''));
        }
        return true;
      }
    }
    return false;
  }

  /** A line of a step's `##[group]Run ...` header: script, `with:` inputs, `env:` variables. */
  private headerLine(t: string, l: FramedLine): boolean {
    if (t.charCodeAt(0) !== 32) {
      if (t === 'with:') this.block = 'with';
      else if (t === 'env:') this.block = 'env';
      else if (t.startsWith('shell: ')) this.block = 'other';
      else if (this.block === 'script') this.scriptLine(t);
      return true;
    }
    if (this.block === 'script') {
      this.scriptLine(t);
      return true;
    }
    const m = HEADER_ENTRY.exec(t);
    if (!m) return true;
    const name = m[1]!;
    const value = (m[2] ?? '').trim();
    const lower = name.toLowerCase();
    if (lower === 'python-version' || lower === 'python_version' || lower === 'pythonversion') {
      const v = PYTHON_REQUESTED.exec(value);
      if (v) this.pyCandidate(v[1]!, PY_REQUESTED, l);
    }
    if (this.block === 'env') {
      if (name === 'pythonLocation') {
        const v = PYTHON_LOCATION.exec(value + '/');
        if (v) this.pyCandidate(v[1]!, PY_LOCATION, l);
      }
      this.setEnv(name, value, l);
    }
    return true;
  }

  private scriptLine(cmd: string): void {
    if (ENV_DUMP_CMD.test(cmd)) this.envDump = true;
    const p = PIP_DUMP_CMD.exec(cmd);
    if (p) {
      if (p[1] === 'freeze') this.freeze = true;
      else this.pipList = true;
    }
  }

  /** GitLab's echo of a script command, `$ cmd`: it sets what the following output is. */
  private shellCommand(cmd: string, l: FramedLine): void {
    this.sawScriptCommand = true;
    this.envDump = this.freeze = this.pipList = this.pipListRows = false;
    this.modeStep = l.step;
    this.scriptLine(cmd);
  }

  /** `[command]...` lines: the runner's own commands (container set-up) and actions' tool calls. */
  private runnerCommand(t: string, l: FramedLine): void {
    if (t.indexOf('docker') < 0) return;
    if (t.indexOf(' pull ') > 0) {
      const g = this.group;
      const jobGroup = g === 'Starting job container';
      const init =
        jobGroup ||
        g === 'Initialize containers' ||
        (g !== null && g.startsWith('Starting ') && g.endsWith(' service container')) ||
        (l.step !== null && l.step.name === 'Initialize containers');
      // Only the runner's container initialisation counts: a `docker pull` a step runs is not the job image.
      if (!init) return;
      const m = DOCKER_PULL.exec(t);
      if (!m) return;
      this.pendingPull = m[1]!;
      if (jobGroup) this.jobPull ??= detach(m[1]!);
    } else if (t.indexOf(' create ') > 0) {
      // The runner keeps the job container alive with `--entrypoint "tail" IMAGE "-f" "/dev/null"`.
      const at = t.indexOf('--entrypoint "tail" ');
      if (at < 0) return;
      const rest = t.slice(at + 20);
      const end = rest.indexOf(' ');
      const image = end > 0 ? rest.slice(0, end) : rest;
      if (image.length > 0 && image.length <= 300 && rest.slice(end).startsWith(' "-f" "/dev/null"')) {
        this.jobCreate ??= detach(image);
      }
    } else if (t.indexOf('.Config.Env') > 0) {
      this.envDump = true;
    }
  }

  private gitlabUsing(t: string): void {
    if (t.startsWith('Using docker image sha256:')) {
      const m = GITLAB_IMAGE.exec(t);
      if (!m) return;
      const image = m[2]!;
      if (this.gitlabServices.has(image)) return;
      if (this.gitlabExecutorImage !== null && image !== this.gitlabExecutorImage) return;
      if (this.gitlabImage === null) {
        this.gitlabImage = detach(image);
        // The repo digest when the runner prints one (newer runners), else the local image id.
        this.gitlabDigest = detach(m[3] ?? m[1]!);
      }
    } else if (t.indexOf(' executor with image ') > 0) {
      const m = GITLAB_EXECUTOR.exec(t);
      if (m) this.gitlabExecutorImage ??= detach(m[2]!);
    }
  }

  private toolVersion(t: string): void {
    // Cheap gate: a short word, then a digit, `v<digit>` or `version ` (most lines fail here).
    if (t.length > 200) return;
    // No space among the first 8 characters: the first space is too far (a bounded search, unlike indexOf).
    if (t.lastIndexOf(' ', 7) < 0) return;
    const sp = t.indexOf(' ');
    if (sp < 2 || sp > 7) return;
    const c = t.charCodeAt(sp + 1);
    const digit = c >= 48 && c <= 57;
    const next = t.charCodeAt(sp + 2);
    if (!digit && !(c === 118 && ((next >= 48 && next <= 57) || t.startsWith('version ', sp + 1)))) return;
    const m = TOOL_VERSION.exec(t);
    if (m) this.env.tools[detach(m[1]!)] = detach(m[2]!);
  }

  private pipInstalled(t: string): void {
    // A hostile multi-megabyte line must stay cheap: the packages map is capped anyway. The words are read in
    // place (a split made an array and a string per package, then two more).
    const end = Math.min(t.length, 23 + 100_000);
    let from = 23;
    for (let k = 0; k < MAX_ENTRIES && from < end; k++) {
      let to = t.indexOf(' ', from);
      if (to < 0 || to > end) to = end;
      const dash = t.lastIndexOf('-', to - 1);
      if (dash > from && dash < to - 1) this.addPackage(t.slice(from, dash), t.slice(dash + 1, to));
      from = to + 1;
    }
  }

  private dumpLine(t: string, l: FramedLine): void {
    if (this.envDump) {
      if (t.startsWith('declare -x ')) {
        const m = DECLARE_X.exec(t);
        if (m) this.setEnv(m[1]!, m[2] ?? '', l);
        return;
      }
      const eq = t.indexOf('=');
      if (eq > 0 && eq <= 128) {
        const m = ENV_DUMP_LINE.exec(t);
        if (m) {
          this.setEnv(m[1]!, m[2]!, l);
          return;
        }
      }
    }
    if (this.freeze && t.indexOf('==') > 0) {
      const m = FREEZE_LINE.exec(t);
      if (m) this.addPackage(m[1]!, m[2]!);
    } else if (this.pipList) {
      if (!this.pipListRows) {
        this.pipListRows = t.startsWith('---') && /^-+ +-+/.test(t);
        return;
      }
      const m = PIP_LIST_ROW.exec(t);
      if (m) this.addPackage(m[1]!, m[2]!);
      else this.pipListRows = false;
    }
  }

  private setEnv(name: string, value: string, l: FramedLine): void {
    const v = value.length > MAX_VALUE ? value.slice(0, MAX_VALUE) : value;
    record(this.envVars, name, v);
    if ((name === 'CI_PROJECT_DIR' || name === 'GITHUB_WORKSPACE') && v.length > 1) this.addDir(v);
    // Official python images set PYTHON_VERSION; a dump of it is as outright as pythonLocation.
    if (name === 'PYTHON_VERSION' && /^\d{1,3}\.\d{1,3}\.\d{1,4}$/.test(v))
      this.pyCandidate(v, PY_LOCATION, l);
    if (this.secretName(name) && !isMasked(v)) this.warn(name, l);
  }

  /** `looksSecret`, once per name (a workflow's variables show in every step's env block). */
  private secretName(name: string): boolean {
    let secret = this.secretNames.get(name);
    if (secret === undefined) {
      secret = looksSecret(name);
      if (this.secretNames.size < MAX_ENTRIES) this.secretNames.set(detach(name), secret);
    }
    return secret;
  }

  private warn(name: string, l: FramedLine): void {
    // Once per name: a workflow-level variable shows in every step's env block.
    const step = l.step?.name ?? null;
    if (this.warned.has(name) || this.env.warnings.length >= MAX_WARNINGS) return;
    this.warned.add(detach(name));
    const where = step !== null ? ` in step "${step}"` : '';
    this.env.warnings.push(detach(`${name} is printed unmasked${where}: store it as a secret`));
  }

  private addPackage(name: string, version: string): void {
    record(this.packages, name, version);
  }

  private checkoutDir(dir: string, l: FramedLine): void {
    // Only the CI system's own checkout: GitLab's get_sources section, or a /builds/ folder in a trace
    // without sections before any script command. A `git clone` a script runs is a dependency.
    const section = l.step?.name;
    if (
      section === 'get_sources' ||
      (section === undefined && !this.sawScriptCommand && dir.startsWith('/builds/'))
    ) {
      this.addDir(dir);
    }
  }

  private addDir(dir: string): void {
    const d = dir.replace(/\\/g, '/').replace(/\/+$/, '');
    if (d.length === 0 || this.dirs.includes(d) || this.dirs.length >= MAX_CHECKOUT_DIRS) return;
    this.dirs.push(detach(d));
  }

  private pyCandidate(version: string, rank: number, l: FramedLine): void {
    const order = ++this.pyOrder;
    const step = l.step;
    // One candidate per (rank, step): pythonLocation is repeated in every step's env block.
    for (let i = this.py.length - 1; i >= 0 && i >= this.py.length - 8; i--) {
      const c = this.py[i]!;
      if (c.rank === rank && c.step === step) {
        c.version = detach(version);
        c.order = order;
        return;
      }
    }
    if (this.py.length >= MAX_PY_CANDIDATES) this.py.shift();
    this.py.push({ version: detach(version), rank, step, order });
  }

  private choosePython(): string | null {
    if (this.py.length === 0) return null;
    const failed = this.py.filter((c) => c.step !== null && c.step.status === 'failure');
    const pool = failed.length > 0 ? failed : this.py;
    let best = pool[0]!;
    for (const c of pool) if (c.rank > best.rank || (c.rank === best.rank && c.order > best.order)) best = c;
    let v = best.version;
    for (const c of this.py) if (c.version.startsWith(v + '.') && c.version.length > v.length) v = c.version;
    return v;
  }
}

/** Whether an env var's name looks like it holds a secret (TOKEN, SECRET, PASSWORD, KEY...; PUBLIC ones do not). */
/**
 * Sets `name` to `value` in a map capped at MAX_ENTRIES names, copying only what is new: the same value again (a
 * variable every step's env block shows, a package every job installs) copies nothing, and a name already in keeps
 * its key (the copy made then).
 */
function record(map: Map<string, string>, name: string, value: string): void {
  const had = map.get(name);
  if (had === value) return;
  if (had !== undefined) map.set(name, detach(value));
  else if (map.size < MAX_ENTRIES) map.set(detach(name), detach(value));
}

export function looksSecret(name: string): boolean {
  const words = name.toUpperCase().split(/[_.-]/);
  if (words.includes('PUBLIC') || (words.includes('CACHE') && words.includes('KEY'))) return false;
  for (const w of words) if (SECRET_WORDS.has(w)) return true;
  return false;
}

function isMasked(v: string): boolean {
  const s = v.trim().replace(/^['"]|['"]$/g, '');
  return s.length === 0 || s.includes('***') || s.includes('[MASKED]') || s === 'true' || s === 'false';
}

/** The image a job ran in as shown to people: `image@digest`, and whether the job pinned it by digest. */
export function jobImage(env: Environment): { shown: string; pinned: boolean } | null {
  const image = env.containerImage ?? (env.runnerImage ? null : env.image);
  if (!image) return null;
  // Pinned when the job named the image by digest; a tag floats even if the log shows the digest it got.
  const pinned = image.includes('@sha256:');
  return { shown: pinned || !env.digest ? image : `${image}@${env.digest}`, pinned };
}

/** `text.startsWith(prefix)` for the text of `s` located by `r`; yes when a colour code lies where the prefix would. */

/**
 * For an idle collector (`idle`): whether it could act on the unframed line `r` (its text located by `scanRaw`).
 * A superset: where a colour code could hide what the text holds, the answer is yes. With `digestPending` true,
 * a superset of the answer for every idle state.
 */
export function mayWantRaw(r: RawText, digestPending: boolean): boolean {
  const s = r.s;
  const p = r.p;
  if (p > r.q) return false;
  const c = s.charCodeAt(p);
  switch (c) {
    case 32: {
      const d = p + 1 <= r.q ? s.charCodeAt(p + 1) : -1;
      return d === 43 || d === 27;
    }
    case 36: // '$'
      return true;
    case 67: // 'C'
      return starts(s, r, 'Current runner version: ') || starts(s, r, 'Cloning into ');
    case 68: // 'D'
      return digestPending && starts(s, r, 'Digest: ');
    case 73: // 'I'
    case 82: {
      // 'R'
      const cl = s.charCodeAt(r.q);
      return starts(s, r, 'Running with gitlab-runner ') || cl === 47 || cl === 116 || r.esc >= 0;
    }
    case 80: // 'P'
      return starts(s, r, 'Python ') || starts(s, r, 'Poetry (version ');
    case 83: // 'S'
      return starts(s, r, 'Successfully ') || starts(s, r, 'Starting service ');
    case 85: // 'U'
      return starts(s, r, 'Using ');
    case 112: // 'p'
      return starts(s, r, 'platform ') || mayBeToolVersion(s, r);
    default:
      if (c >= 48 && c <= 57) return r.esc >= 0 || r.holds(T_MCCABE);
      if (c >= 97 && c <= 122) return mayBeToolVersion(s, r);
      return false;
  }
}

function starts(s: string, r: RawText, prefix: string): boolean {
  return s.startsWith(prefix, r.p) || (r.esc >= 0 && r.esc < r.p + prefix.length);
}

/** A superset of `toolVersion`'s cheap gate (`name 1.2`, `name v1.2`, `name version 1.2`) on unframed text. */
function mayBeToolVersion(s: string, r: RawText): boolean {
  const sp = s.indexOf(' ', r.p);
  if (sp < 0 || sp > r.q) return false;
  if (r.esc >= 0 && r.esc < sp) return true;
  const at = sp - r.p;
  if (at < 2 || sp + 1 > r.q) return false;
  if (at > 7) {
    // Bytes (see RawText.bytes): up to 7 characters may take up to 21.
    if (!r.bytes || at > 21) return false;
    for (let i = r.p; i < sp; i++) if (s.charCodeAt(i) >= 128) return true;
    return false;
  }
  const c = s.charCodeAt(sp + 1);
  return (c >= 48 && c <= 57) || c === 118 || c === 27;
}
