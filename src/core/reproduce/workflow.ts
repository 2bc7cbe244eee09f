/**
 * The job's definition in the workspace's CI files (`.github/workflows/*.yml`, `.gitlab-ci.yml`), when the
 * log alone does not say enough: the container image of a job whose log lacks one, step working folders, and
 * the full text of GitLab's collapsed multi-line commands. Best effort: a file that does not parse is skipped.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';

export interface WorkflowFile {
  /** Workspace-relative path, `/`-separated. */
  path: string;
  text: string;
}

export interface WorkflowStep {
  name: string | null;
  run: string | null;
  uses: string | null;
  workingDirectory: string | null;
}

export interface WorkflowJob {
  file: string;
  id: string;
  /** GitHub's `name:` of the job, or null. */
  name: string | null;
  /** The job's container (GitHub `container:`) or `image:` (GitLab), or null. May hold `${{ }}` expressions. */
  image: string | null;
  /** GitHub `runs-on` when it is a single label. */
  runsOn: string | null;
  /** GitHub `defaults.run.working-directory` (job, else workflow). */
  workingDirectory: string | null;
  steps: WorkflowStep[];
  /** GitLab `before_script` + `script` entries. */
  script: string[];
}

const MAX_FILE = 1 << 20;
const GITLAB_RESERVED = new Set([
  'stages',
  'variables',
  'default',
  'include',
  'workflow',
  'image',
  'services',
  'before_script',
  'after_script',
  'cache',
  'pages:deploy',
]);

/** Reads the workspace's CI files (missing ones are fine), with the local files `.gitlab-ci.yml` includes. */
export async function loadWorkflowFiles(workspace: string): Promise<WorkflowFile[]> {
  const out: WorkflowFile[] = [];
  const read = async (rel: string): Promise<WorkflowFile | null> => {
    try {
      const text = await readFile(join(workspace, rel), 'utf8');
      if (text.length > MAX_FILE) return null;
      const f = { path: rel, text };
      out.push(f);
      return f;
    } catch {
      // Not there: fine.
      return null;
    }
  };
  const gitlab = await read('.gitlab-ci.yml');
  if (gitlab) {
    const seen = new Set([gitlab.path]);
    const queue = [gitlab];
    for (let f = queue.shift(); f !== undefined && seen.size <= MAX_INCLUDES; f = queue.shift()) {
      const doc = parseYaml(f);
      for (const rel of doc ? localIncludes(doc) : []) {
        if (seen.has(rel)) continue;
        seen.add(rel);
        const inc = await read(rel);
        if (inc) queue.push(inc);
      }
    }
  }
  try {
    const names = await readdir(join(workspace, '.github', 'workflows'));
    for (const n of names.sort()) if (/\.ya?ml$/.test(n)) await read(`.github/workflows/${n}`);
  } catch {
    // No workflows folder.
  }
  return out;
}

const MAX_INCLUDES = 50;

/**
 * The workspace files a GitLab config's `include:` names (`'/ci/a.yml'`, `{ local: ... }`), workspace-relative; a
 * path with `..`, a wildcard or a variable is left out, and so are remote, project and template includes (not
 * in the workspace).
 */
function localIncludes(doc: Obj): string[] {
  const inc = doc['include'];
  const entries = Array.isArray(inc) ? inc : inc === undefined ? [] : [inc];
  const out: string[] = [];
  for (const e of entries) {
    const path = typeof e === 'string' ? (/^https?:/.test(e) ? null : e) : isObj(e) ? str(e['local']) : null;
    if (path === null) continue;
    const rel = path.replace(/^\/+/, '');
    if (rel === '' || /[*$]/.test(rel) || rel.split('/').includes('..')) continue;
    out.push(rel);
  }
  return out;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null;

function parseYaml(f: WorkflowFile): Obj | null {
  try {
    const doc: unknown = parse(f.text, { maxAliasCount: 100 });
    return isObj(doc) ? doc : null;
  } catch {
    return null;
  }
}

function runWorkingDirectory(o: unknown): string | null {
  if (!isObj(o) || !isObj(o['run'])) return null;
  return str(o['run']['working-directory']);
}

/** The jobs of the GitHub workflow files. */
export function githubJobs(files: readonly WorkflowFile[]): WorkflowJob[] {
  const jobs: WorkflowJob[] = [];
  for (const f of files) {
    if (!f.path.startsWith('.github/')) continue;
    const doc = parseYaml(f);
    if (!doc || !isObj(doc['jobs'])) continue;
    const wfDir = runWorkingDirectory(doc['defaults']);
    for (const [id, j] of Object.entries(doc['jobs'])) {
      if (!isObj(j)) continue;
      const c = j['container'];
      const image = str(c) ?? (isObj(c) ? str(c['image']) : null);
      const steps = Array.isArray(j['steps']) ? j['steps'] : [];
      jobs.push({
        file: f.path,
        id,
        name: str(j['name']),
        image,
        runsOn: str(j['runs-on']),
        workingDirectory: runWorkingDirectory(j['defaults']) ?? wfDir,
        steps: steps.filter(isObj).map((s) => ({
          name: str(s['name']),
          run: str(s['run']),
          uses: str(s['uses']),
          workingDirectory: str(s['working-directory']),
        })),
        script: [],
      });
    }
  }
  return jobs;
}

/**
 * The GitHub job a log belongs to: by `Complete job name` (the job's `name:` with its expressions as
 * wildcards, or its id, maybe followed by matrix values in parentheses), else by a run step's first line.
 */
export function findGithubJob(
  files: readonly WorkflowFile[],
  jobName: string | null,
  firstLines: readonly string[],
): WorkflowJob | null {
  const jobs = githubJobs(files);
  if (jobName !== null) {
    for (const j of jobs) {
      if (jobName === j.id || jobName.startsWith(`${j.id} (`)) return j;
      if (j.name !== null && nameMatches(j.name, jobName)) return j;
    }
  }
  const wanted = new Set(firstLines.map((l) => l.trim()).filter((l) => l.length > 0));
  if (wanted.size === 0) return null;
  for (const j of jobs) {
    if (j.steps.some((s) => s.run !== null && wanted.has(firstLine(s.run)))) return j;
  }
  return null;
}

function nameMatches(pattern: string, name: string): boolean {
  const parts = pattern.split(/\$\{\{[^}]*\}\}/);
  const re = new RegExp(`^${parts.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(name) || (parts.length === 1 && name.startsWith(`${pattern} (`));
}

export function firstLine(script: string): string {
  const lines = script.split('\n').map((l) => l.trim());
  return lines.find((l) => l.length > 0) ?? '';
}

function scriptEntries(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (!Array.isArray(v)) return [];
  return v.flatMap((e) => scriptEntries(e));
}

/**
 * The jobs of `.gitlab-ci.yml`, with its local includes merged in first (the file's own keys win) and `extends:`
 * resolved as GitLab does: the templates in order, then the job; mappings merge key by key, anything else is
 * replaced.
 */
export function gitlabJobs(files: readonly WorkflowFile[]): WorkflowJob[] {
  const f = files.find((x) => x.path === '.gitlab-ci.yml');
  if (!f) return [];
  const doc = withIncludes(files, f, new Set());
  if (!doc) return [];
  const def = isObj(doc['default']) ? doc['default'] : {};
  const imageOf = (v: unknown): string | null => str(v) ?? (isObj(v) ? str(v['name']) : null);
  const defaultImage = imageOf(def['image']) ?? imageOf(doc['image']);
  const defaultBefore = def['before_script'] ?? doc['before_script'];
  const jobs: WorkflowJob[] = [];
  for (const id of Object.keys(doc)) {
    if (GITLAB_RESERVED.has(id) || id.startsWith('.')) continue;
    const j = resolveExtends(doc, id, 0);
    if (!j || j['script'] === undefined) continue;
    jobs.push({
      file: f.path,
      id,
      name: null,
      image: imageOf(j['image']) ?? defaultImage,
      runsOn: null,
      workingDirectory: null,
      steps: [],
      script: [...scriptEntries(j['before_script'] ?? defaultBefore), ...scriptEntries(j['script'])],
    });
  }
  return jobs;
}

/** The config in `f` with the files it includes (and they include) merged in, each under its includer. */
function withIncludes(files: readonly WorkflowFile[], f: WorkflowFile, seen: Set<string>): Obj | null {
  const own = parseYaml(f);
  if (!own) return null;
  seen.add(f.path);
  let doc: Obj = {};
  for (const rel of localIncludes(own)) {
    const inc = files.find((x) => x.path === rel);
    const d = inc && !seen.has(rel) ? withIncludes(files, inc, seen) : null;
    if (d) doc = deepMerge(doc, d);
  }
  return deepMerge(doc, own);
}

/** GitLab's limit on `extends:` nesting. */
const MAX_EXTENDS_DEPTH = 11;

/** The job `id` of `doc` with what it extends merged in; null when it is no job or its templates loop. */
function resolveExtends(doc: Obj, id: string, depth: number): Obj | null {
  const j = doc[id];
  if (!isObj(j) || depth > MAX_EXTENDS_DEPTH) return null;
  const ext = j['extends'];
  const bases =
    typeof ext === 'string' ? [ext] : Array.isArray(ext) ? ext.filter((e) => typeof e === 'string') : [];
  let merged: Obj = {};
  for (const b of bases) {
    const base = resolveExtends(doc, b, depth + 1);
    if (base) merged = deepMerge(merged, base);
  }
  const { extends: _extends, ...own } = j;
  return deepMerge(merged, own);
}

/** `over` on top of `base`: mappings merge key by key, anything else in `over` replaces. */
function deepMerge(base: Obj, over: Obj): Obj {
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isObj(b) && isObj(v) ? deepMerge(b, v) : v;
  }
  return out;
}

/** The GitLab job whose script entries begin with the commands the log echoed. */
export function findGitlabJob(
  files: readonly WorkflowFile[],
  commands: readonly string[],
): WorkflowJob | null {
  if (commands.length === 0) return null;
  let best: WorkflowJob | null = null;
  let bestScore = 0;
  for (const j of gitlabJobs(files)) {
    let score = 0;
    for (let i = 0; i < commands.length && i < j.script.length; i++) {
      if (firstLine(j.script[i]!) !== commands[i]!.trim()) break;
      score++;
    }
    if (score > bestScore) {
      best = j;
      bestScore = score;
    }
  }
  return best;
}
