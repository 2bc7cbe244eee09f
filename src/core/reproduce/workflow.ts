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

/** Reads the workspace's CI files (missing ones are fine). */
export async function loadWorkflowFiles(workspace: string): Promise<WorkflowFile[]> {
  const out: WorkflowFile[] = [];
  const read = async (rel: string): Promise<void> => {
    try {
      const text = await readFile(join(workspace, rel), 'utf8');
      if (text.length <= MAX_FILE) out.push({ path: rel, text });
    } catch {
      // Not there: fine.
    }
  };
  await read('.gitlab-ci.yml');
  try {
    const names = await readdir(join(workspace, '.github', 'workflows'));
    for (const n of names.sort()) if (/\.ya?ml$/.test(n)) await read(`.github/workflows/${n}`);
  } catch {
    // No workflows folder.
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

/** The jobs of `.gitlab-ci.yml` (without `extends:` or `include:` resolution). */
export function gitlabJobs(files: readonly WorkflowFile[]): WorkflowJob[] {
  const f = files.find((x) => x.path === '.gitlab-ci.yml');
  if (!f) return [];
  const doc = parseYaml(f);
  if (!doc) return [];
  const def = isObj(doc['default']) ? doc['default'] : {};
  const imageOf = (v: unknown): string | null => str(v) ?? (isObj(v) ? str(v['name']) : null);
  const defaultImage = imageOf(def['image']) ?? imageOf(doc['image']);
  const defaultBefore = def['before_script'] ?? doc['before_script'];
  const jobs: WorkflowJob[] = [];
  for (const [id, j] of Object.entries(doc)) {
    if (GITLAB_RESERVED.has(id) || id.startsWith('.') || !isObj(j) || j['script'] === undefined) continue;
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
