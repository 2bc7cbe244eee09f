/** Human output of `ci-triage parse`: problems grouped by file, then the environment. */
import type { Environment, Problem } from '../core/model';

export interface FormatOptions {
  color: boolean;
}

export function formatHuman(problems: readonly Problem[], env: Environment, opts: FormatOptions): string {
  const c = (code: string, s: string) => (opts.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const byFile = new Map<string, Problem[]>();
  for (const p of problems) {
    const key = p.path ?? p.file ?? '(no file)';
    let list = byFile.get(key);
    if (!list) byFile.set(key, (list = []));
    list.push(p);
  }
  const lines: string[] = [];
  for (const [file, list] of byFile) {
    lines.push(c('1;4', file));
    for (const p of list) {
      const loc = p.line !== null ? `${p.line}${p.column !== null ? `:${p.column}` : ''}` : '';
      const sev =
        p.severity === 'error'
          ? c('31', 'error')
          : p.severity === 'warning'
            ? c('33', 'warning')
            : c('36', 'info');
      const test = p.test ? ` ${c('2', `[${p.test}]`)}` : '';
      lines.push(
        `  ${loc.padEnd(9)} ${sev.padEnd(opts.color ? 16 : 7)} ${p.message}  ${c('2', p.tool)}${test}`,
      );
    }
    lines.push('');
  }
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.filter((p) => p.severity === 'warning').length;
  lines.push(
    problems.length === 0
      ? c('32', 'No problems found.')
      : c(
          '1',
          `${problems.length} problem${problems.length === 1 ? '' : 's'} (${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'})`,
        ),
  );
  const envBits: string[] = [];
  if (env.python) envBits.push(`Python ${env.python}`);
  if (env.os) envBits.push(env.os);
  if (env.image) envBits.push(`image ${env.image}${env.digest ? `@${env.digest}` : ''}`);
  if (envBits.length > 0) lines.push(c('2', `Environment: ${envBits.join(', ')}`));
  for (const w of env.warnings) lines.push(c('33', `warning: ${w}`));
  return lines.join('\n') + '\n';
}
