/**
 * A synthetic GitHub Actions raw job log of any size, for the benchmark.
 *
 * Real logs are mostly noise (setup steps, pip output, passing tests, progress bars) with a little tool output
 * in between, so that is the mix: filler written in the shapes real runners print, plus blocks of real tool
 * output taken from `test/fixtures/**\/*.log` (made by the other helpers with the real tools). Numbers vary
 * from block to block so de-duplication cannot collapse the work. Generation is lazy: a 1 GB log is produced
 * chunk by chunk and never held in memory.
 */
import fs from 'node:fs';
import path from 'node:path';

/** A small fast PRNG (mulberry32): the same seed gives the same log. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TS_PREFIX = /^\uFEFF?\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?Z (?:[0-9a-f]{2}[OE][+ ]?)?/;
const SECTION_MARK = /section_(?:start|end):\d+:[^\s\r]*\r?(?:\x1b\[0K)?/g;

/** One fixture, as lines without their timestamps (the generator adds its own). */
export interface Material {
  name: string;
  lines: string[];
}

/** Reads every `*.log` under `dir` (recursively), small ones only. */
export function loadFixtureMaterial(dir: string): Material[] {
  const out: Material[] = [];
  const walk = (d: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && e.name.endsWith('.log') && fs.statSync(p).size < 2_000_000) {
        const text = fs.readFileSync(p, 'utf8');
        // CR-only files (GitLab) become LF lines; the generator writes LF-framed GitHub logs.
        const lines = text
          .replace(SECTION_MARK, '')
          .split(/\r?\n|\r/)
          .map((l) => l.replace(TS_PREFIX, ''));
        while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
        if (lines.length > 0) out.push({ name: path.relative(dir, p), lines });
      }
    }
  };
  walk(dir);
  return out;
}

/** Shifts the numbers that look like locations (`:12:`, `line 12`, `(12,3)`) so each copy is a new problem. */
function varyNumbers(line: string, k: number): string {
  if (!/\d/.test(line)) return line;
  return line.replace(
    /([:(,]|line )(\d{1,5})(?=[:,)\s]|$)/g,
    (_m, pre: string, n: string) => pre + String(((Number(n) + k) % 9973) + 1),
  );
}

const PACKAGES = [
  'requests',
  'urllib3',
  'idna',
  'certifi',
  'charset-normalizer',
  'numpy',
  'pandas',
  'python-dateutil',
  'pytz',
  'six',
  'attrs',
  'pluggy',
  'iniconfig',
  'packaging',
  'pytest',
  'pytest-cov',
  'coverage',
  'mypy',
  'mypy-extensions',
  'typing-extensions',
  'flake8',
  'pycodestyle',
  'pyflakes',
  'mccabe',
  'black',
  'click',
  'pathspec',
  'platformdirs',
  'tomli',
  'pydantic',
  'pydantic-core',
  'annotated-types',
  'sqlalchemy',
  'greenlet',
  'jinja2',
  'markupsafe',
  'werkzeug',
  'flask',
  'itsdangerous',
  'blinker',
];

const MODULES = [
  'api',
  'models',
  'views',
  'utils',
  'cart',
  'orders',
  'billing',
  'auth',
  'search',
  'cache',
  'io',
];
const WORDS = [
  'total',
  'discount',
  'parse',
  'render',
  'empty',
  'unicode',
  'large_input',
  'timeout',
  'retry',
  'merge',
  'roundtrip',
  'defaults',
  'invalid',
  'nested',
];

const GREEN = '\x1b[32m';
const RED = '\x1b[31m';
const YELLOW = '\x1b[33m';
const BOLD = '\x1b[1m';
const CYAN1 = '\x1b[36;1m';
const RESET = '\x1b[0m';

function pad(n: number, w: number): string {
  const s = String(n);
  return s.length >= w ? s : '0'.repeat(w - s.length) + s;
}

/**
 * Yields the log as text chunks of about `chunkSize` characters, each ending with a line end. Stops once
 * `targetBytes` UTF-8 bytes have been produced (the last chunk may overshoot by less than one chunk).
 */
export function* generateLog(
  targetBytes: number,
  opts: { seed?: number; material?: Material[]; chunkSize?: number } = {},
): Generator<string> {
  const rand = rng(opts.seed ?? 1);
  const material = opts.material ?? [];
  const chunkSize = opts.chunkSize ?? 1 << 16;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));

  // Timestamps: a cached "YYYY-MM-DDTHH:MM:SS" per second, and a 7-digit fraction that moves forward.
  let second = Date.UTC(2024, 4, 1, 10, 0, 0) / 1000;
  let secondText = '';
  let frac = 0;
  const refreshSecond = (): void => {
    secondText = new Date(second * 1000).toISOString().slice(0, 19);
  };
  refreshSecond();

  let buf: string[] = [];
  let bufChars = 0;
  let bytes = 0;
  let nonAscii = false;
  const emit = (text: string): void => {
    frac += 1 + Math.floor(rand() * 40000);
    if (frac >= 10_000_000) {
      second += Math.floor(frac / 10_000_000);
      frac %= 10_000_000;
      refreshSecond();
    }
    const line = `${secondText}.${pad(frac, 7)}Z ${text}\n`;
    buf.push(line);
    bufChars += line.length;
    // Most filler is ASCII; only count bytes precisely for lines that are not.
    if (nonAscii) {
      bytes += Buffer.byteLength(line);
      nonAscii = false;
    } else bytes += line.length;
  };
  const emitU = (text: string): void => {
    nonAscii = true;
    emit(text);
  };
  const flush = function* (): Generator<string> {
    if (bufChars >= chunkSize) {
      yield buf.join('');
      buf = [];
      bufChars = 0;
    }
  };

  let job = 0;
  let materialIndex = 0;
  while (bytes < targetBytes) {
    job++;
    // Set up job.
    if (job === 1) {
      // Raw job logs start with a BOM.
      yield '\uFEFF';
      bytes += 3;
    }
    emit(`Current runner version: '2.3${int(10, 29)}.${int(0, 9)}'`);
    emit('##[group]Operating System');
    emit('Ubuntu');
    emit(pick(['22.04.5', '24.04.1', '24.04.3']));
    emit('LTS');
    emit('##[endgroup]');
    emit('##[group]Runner Image');
    emit(`Image: ubuntu-${pick(['22.04', '24.04'])}`);
    emit(`Version: 2025${pad(int(1, 12), 2)}${pad(int(1, 28), 2)}.${int(1, 300)}.1`);
    emit('##[endgroup]');
    emit('##[group]GITHUB_TOKEN Permissions');
    for (const p of ['Contents: read', 'Metadata: read', 'Packages: read']) emit(p);
    emit('##[endgroup]');
    emit('Secret source: Actions');
    emit('Prepare workflow directory');
    emit('Prepare all required actions');
    emit('Getting action download info');
    for (const a of ['actions/checkout@v4', 'actions/setup-python@v5', 'actions/cache@v4']) {
      let sha = '';
      for (let i = 0; i < 5; i++) sha += int(0x10000000, 0xffffffff).toString(16);
      emit(`Download action repository '${a}' (SHA:${sha.slice(0, 40)})`);
    }
    emit(`Complete job name: test (${pick(['3.9', '3.10', '3.11', '3.12'])})`);

    // Checkout.
    emit('##[group]Run actions/checkout@v4');
    emit('with:');
    emit(`  repository: example-org/project-${job % 17}`);
    emit('  token: ***');
    for (const w of ['ssh-strict: true', 'persist-credentials: true', 'clean: true', 'fetch-depth: 1'])
      emit('  ' + w);
    emit('##[endgroup]');
    emit(`Syncing repository: example-org/project-${job % 17}`);
    emit('[command]/usr/bin/git version');
    emit('git version 2.51.0');
    emit(
      `[command]/usr/bin/git -c protocol.version=2 fetch --no-tags --prune --no-recurse-submodules --depth=1 origin +${int(1e8, 9e8).toString(16)}:refs/remotes/origin/main`,
    );
    for (let i = 0, n = int(3, 12); i < n; i++) {
      emit(`remote: Counting objects: ${int(1, 100)}% (${int(1, 900)}/${int(900, 1900)})        `);
    }

    // Setup python, with an env block.
    emit('##[group]Run actions/setup-python@v5');
    emit('with:');
    const py = `3.${int(9, 12)}.${int(1, 20)}`;
    emit(`  python-version: ${py.slice(0, py.lastIndexOf('.'))}`);
    emit('  check-latest: false');
    emit('##[endgroup]');
    emit(`Successfully set up CPython (${py})`);

    // pip install: the bulk of most Python jobs.
    emit(`##[group]Run python -m pip install --upgrade pip && pip install -r requirements.txt`);
    emit(`${CYAN1}python -m pip install --upgrade pip && pip install -r requirements.txt${RESET}`);
    emit('shell: /usr/bin/bash -e {0}');
    emit('env:');
    emit(`  pythonLocation: /opt/hostedtoolcache/Python/${py}/x64`);
    emit(`  PKG_CONFIG_PATH: /opt/hostedtoolcache/Python/${py}/x64/lib/pkgconfig`);
    emit(`  Python_ROOT_DIR: /opt/hostedtoolcache/Python/${py}/x64`);
    emit(`  LD_LIBRARY_PATH: /opt/hostedtoolcache/Python/${py}/x64/lib`);
    emit('##[endgroup]');
    const nPkgs = int(20, 60);
    const installed: string[] = [];
    for (let i = 0; i < nPkgs; i++) {
      const name = pick(PACKAGES);
      const ver = `${int(0, 9)}.${int(0, 40)}.${int(0, 20)}`;
      installed.push(`${name}-${ver}`);
      const wheel = `${name.replace(/-/g, '_')}-${ver}-py3-none-any.whl`;
      const size = (rand() * 900 + 1).toFixed(1);
      emit(`Collecting ${name}>=${ver.slice(0, 3)} (from -r requirements.txt (line ${int(1, 40)}))`);
      emit(`  Downloading ${wheel}.metadata (${(rand() * 40 + 1).toFixed(1)} kB)`);
      emit(`Downloading ${wheel} (${size} kB)`);
      if (rand() < 0.5) {
        emitU(`   ${'━'.repeat(40)} ${size}/${size} kB ${(rand() * 90 + 1).toFixed(1)} MB/s eta 0:00:00`);
      } else {
        emitU(
          `   \x1b[38;2;114;156;31m${'━'.repeat(40)}\x1b[0m \x1b[32m${size}/${size} kB\x1b[0m \x1b[31m${(rand() * 90 + 1).toFixed(1)} MB/s\x1b[0m eta \x1b[36m0:00:00\x1b[0m`,
        );
      }
      if (rand() < 0.3)
        emit(
          `Requirement already satisfied: ${pick(PACKAGES)} in /opt/hostedtoolcache/Python/${py}/x64/lib/python3/site-packages (${ver})`,
        );
    }
    emit(`Installing collected packages: ${installed.map((x) => x.slice(0, x.lastIndexOf('-'))).join(', ')}`);
    emit(`Successfully installed ${installed.join(' ')}`);
    if (rand() < 0.3) {
      // A long single line (a dependency resolver dump, minified output): real logs have a few.
      let long = 'DEBUG resolver: ';
      const n = int(50, 400);
      for (let i = 0; i < n; i++) long += `${pick(PACKAGES)}==${int(0, 9)}.${int(0, 30)} `;
      emit(long);
    }

    // Tool output from the fixtures, with the numbers shifted.
    if (material.length > 0) {
      const blocks = int(1, 3);
      for (let b = 0; b < blocks; b++) {
        const m = material[materialIndex++ % material.length]!;
        const k = job * 7 + b;
        for (const l of m.lines) emitU(varyNumbers(l, k));
        yield* flush();
      }
    }

    // pytest -v: hundreds of passing lines, sometimes a failure.
    emit('##[group]Run pytest -v --cov');
    emit(`${CYAN1}pytest -v --cov${RESET}`);
    emit('shell: /usr/bin/bash -e {0}');
    emit('##[endgroup]');
    emit(`${BOLD}============================= test session starts ==============================${RESET}`);
    emit(
      `platform linux -- Python ${py}, pytest-8.3.${int(0, 5)}, pluggy-1.5.0 -- /opt/hostedtoolcache/Python/${py}/x64/bin/python`,
    );
    emit('cachedir: .pytest_cache');
    emit(`rootdir: /home/runner/work/project-${job % 17}/project-${job % 17}`);
    emit('plugins: cov-5.0.0');
    const nTests = int(200, 900);
    emit(`${BOLD}collecting ... ${RESET}collected ${nTests} items`);
    emit('');
    const failing = rand() < 0.35 ? int(0, nTests - 1) : -1;
    let failName = '';
    for (let i = 0; i < nTests; i++) {
      const mod = MODULES[i % MODULES.length]!;
      const id = `tests/test_${mod}.py::test_${pick(WORDS)}_${i}${rand() < 0.3 ? `[case-${int(0, 99)}]` : ''}`;
      const pct = `[${String(Math.floor(((i + 1) * 100) / nTests)).padStart(3)}%]`;
      if (i === failing) {
        failName = id;
        emit(`${id} ${RED}FAILED${RESET}${RED}${' '.repeat(Math.max(1, 70 - id.length))}${pct}${RESET}`);
      } else if (rand() < 0.02) {
        emit(
          `${id} ${YELLOW}SKIPPED${RESET} (needs network)${YELLOW}${' '.repeat(Math.max(1, 52 - id.length))}${pct}${RESET}`,
        );
      } else {
        emit(`${id} ${GREEN}PASSED${RESET}${GREEN}${' '.repeat(Math.max(1, 70 - id.length))}${pct}${RESET}`);
      }
      if ((i & 127) === 127) yield* flush();
    }
    emit('');
    if (failing >= 0) {
      const fn = failName.slice(failName.indexOf('::') + 2).replace(/\[.*$/, '');
      const file = failName.slice(0, failName.indexOf('::'));
      const line = int(10, 900);
      emit('=================================== FAILURES ===================================');
      emit(`${RED}${BOLD}${'_'.repeat(20)} ${fn} ${'_'.repeat(20)}${RESET}`);
      emit('');
      emit(`    def ${fn}():`);
      emit(`        cart = Cart(items=[Item(${int(1, 99)}), Item(${int(1, 99)})])`);
      emit(`>       assert cart.total() == ${int(100, 999)}`);
      emit(`${RED}E       assert ${int(1, 99)} == ${int(100, 999)}${RESET}`);
      emit(`${RED}E        +  where ${int(1, 99)} = <bound method Cart.total of Cart(items=2)>()${RESET}`);
      emit('');
      emit(`${file}:${line}: AssertionError`);
      emit('=========================== short test summary info ============================');
      emit(`FAILED ${failName} - assert ${int(1, 99)} == ${int(100, 999)}`);
      emit(
        `${RED}======================== 1 failed, ${nTests - 1} passed in ${(rand() * 90).toFixed(2)}s ========================${RESET}`,
      );
      emit('##[error]Process completed with exit code 1.');
    } else {
      emit(
        `${GREEN}============================= ${nTests} passed in ${(rand() * 90).toFixed(2)}s =============================${RESET}`,
      );
    }

    // A lint step that sometimes fails, in the tools' documented formats (used even with no fixtures).
    const lint = int(0, 9);
    if (lint === 0) {
      emit('##[group]Run flake8 src tests');
      emit('##[endgroup]');
      for (let i = 0, n = int(1, 6); i < n; i++) {
        emit(
          `src/pkg/${pick(MODULES)}.py:${int(1, 900)}:${int(1, 99)}: ${pick(['E501 line too long (101 > 100 characters)', "F401 'os' imported but unused", 'W293 blank line contains whitespace', 'E302 expected 2 blank lines, found 1'])}`,
        );
      }
      emit('##[error]Process completed with exit code 1.');
    } else if (lint === 1) {
      emit('##[group]Run mypy src');
      emit('##[endgroup]');
      for (let i = 0, n = int(1, 4); i < n; i++) {
        emit(
          `src/pkg/${pick(MODULES)}.py:${int(1, 900)}: error: Argument 1 to "total" has incompatible type "str"; expected "int"  [arg-type]`,
        );
      }
      emit(`Found ${int(1, 4)} errors in ${int(1, 3)} files (checked ${int(10, 90)} source files)`);
      emit('##[error]Process completed with exit code 1.');
    } else if (lint === 2) {
      emit('##[group]Run npx tsc --noEmit');
      emit('##[endgroup]');
      emit(
        `src/${pick(MODULES)}.ts(${int(1, 900)},${int(1, 80)}): error TS2345: Argument of type 'string' is not assignable to parameter of type 'number'.`,
      );
      emit('##[error]Process completed with exit code 2.');
    } else if (lint === 3) {
      emit('##[group]Run npx eslint .');
      emit('##[endgroup]');
      emit('');
      emit(`/home/runner/work/web/web/src/${pick(MODULES)}.js`);
      emit(`  ${int(1, 900)}:${int(1, 80)}  error  'x' is assigned a value but never used  no-unused-vars`);
      emit(`  ${int(1, 900)}:${int(1, 80)}  warning  Unexpected console statement  no-console`);
      emit('');
      emit('✖ 2 problems (1 error, 1 warning)');
      emit('##[error]Process completed with exit code 1.');
    }

    // Post steps.
    emit('Post job cleanup.');
    emit('[command]/usr/bin/git version');
    emit('git version 2.51.0');
    emit('Cleaning up orphan processes');
    yield* flush();
  }
  if (buf.length > 0) yield buf.join('');
}
