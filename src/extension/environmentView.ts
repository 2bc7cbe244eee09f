/**
 * A job's environment as tree rows: Python, OS, runner image, container image@digest (pinned when the job
 * named it by digest, floating when by tag), env vars with secret-looking values masked, packages.
 * Pure data (no `vscode`), so the masking can be unit tested.
 */
import { jobImage } from '../core/environment';
import type { Environment } from '../core/model';

export interface EnvRow {
  label: string;
  value: string;
  tooltip?: string;
  children?: EnvRow[];
}

const SECRET_NAME =
  /(?:^|[_.-])(?:TOKENS?|SECRETS?|PASSWORDS?|PASSWD|PASSPHRASE|KEYS?|APIKEY|CREDENTIALS?|PRIVATE|AUTH)(?:$|[_.-])/i;
// Values that are secrets whatever their name: provider tokens, JWTs, PEM keys, basic-auth in URLs.
const SECRET_VALUE =
  /(?:\b(?:gh[pousr]_|github_pat_|glpat-|xox[abpr]-|AKIA)[A-Za-z0-9_-]{8,}|\beyJ[A-Za-z0-9_-]{10,}\.|-----BEGIN [A-Z ]{0,40}PRIVATE KEY|\/\/[^/\s:@]{1,256}:[^/\s@]{1,256}@)/;

/** `***` for a value that looks secret by its name or its shape; the value itself otherwise. */
export function maskEnvValue(name: string, value: string): string {
  const upper = name.toUpperCase();
  const publicName = /(?:^|[_.-])PUBLIC(?:$|[_.-])/.test(upper) || (/CACHE/.test(upper) && /KEY/.test(upper));
  if (value.trim() === '' || value.includes('***') || value.includes('[MASKED]')) return value;
  if ((!publicName && SECRET_NAME.test(upper)) || SECRET_VALUE.test(value)) return '***';
  return value;
}

export function environmentRows(env: Environment): EnvRow[] {
  const rows: EnvRow[] = [];
  if (env.python) rows.push({ label: 'Python', value: env.python });
  if (env.os) rows.push({ label: 'OS', value: env.os });
  if (env.runnerImage)
    rows.push({
      label: 'Runner image',
      value: env.runnerImageVersion ? `${env.runnerImage} ${env.runnerImageVersion}` : env.runnerImage,
    });
  const image = jobImage(env);
  if (image) {
    const { shown, pinned } = image;
    rows.push({
      label: 'Container image',
      value: `${shown} (${pinned ? 'pinned' : 'floating'})`,
      tooltip: pinned
        ? 'The job named the image by digest: a re-run gets the same image.'
        : 'The job named the image by tag: a re-run may get a different image. Pin it with @sha256:... to reproduce.',
    });
  }
  const env_ = Object.entries(env.env);
  if (env_.length > 0)
    rows.push({
      label: 'Environment variables',
      value: String(env_.length),
      children: env_
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => ({ label: k, value: maskEnvValue(k, v) })),
    });
  const pkgs = Object.entries(env.packages);
  if (pkgs.length > 0)
    rows.push({
      label: 'Packages',
      value: String(pkgs.length),
      children: pkgs.sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => ({ label: k, value: v })),
    });
  for (const w of env.warnings) rows.push({ label: 'Warning', value: w });
  return rows;
}
