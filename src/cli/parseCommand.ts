/** `ci-triage parse <logfile|-> [--json] [--workspace DIR]` */
import { statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseFileAhead, prescanFor } from '../core/parseAhead';
import { parseChunks } from '../core/parser';
import type { Problem } from '../core/model';
import { CliError } from './errors';
import { formatHuman } from './format';

export async function runParse(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { json: { type: 'boolean', default: false }, workspace: { type: 'string' } },
    });
  } catch (e) {
    throw new CliError(`parse: ${(e as Error).message}`);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1)
    throw new CliError('parse: give exactly one log file, or - for standard input');
  const file = positionals[0]!;
  if (values.workspace !== undefined) {
    const st = statOrNull(values.workspace);
    if (!st?.isDirectory()) throw new CliError(`parse: workspace '${values.workspace}' is not a folder`);
  }
  let bytes = 0;
  if (file !== '-') {
    const st = statOrNull(file);
    if (!st) throw new CliError(`parse: cannot read '${file}': no such file`);
    if (st.isDirectory()) throw new CliError(`parse: '${file}' is a folder, not a log file`);
    bytes = st.size;
  }

  const problems: Problem[] = [];
  const take = (ps: Problem[]): void => {
    for (const p of ps) problems.push(p);
  };
  const opts = { workspace: values.workspace ?? null };
  let parser;
  try {
    // A big file is read and pre-scanned on a second thread; standard input (its size unknown) on one.
    parser =
      file === '-'
        ? await parseChunks(process.stdin as AsyncIterable<Buffer>, opts, take)
        : await parseFileAhead(file, opts, take, { script: prescanFor(bytes) });
  } catch (e) {
    throw new CliError(
      `parse: cannot read '${file}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }

  if (values.json) {
    const out = { problems, environment: parser.environment, steps: parser.steps, format: parser.format };
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  } else {
    process.stdout.write(formatHuman(problems, parser.environment, { color: Boolean(process.stdout.isTTY) }));
  }
  return 0;
}

function statOrNull(p: string) {
  try {
    return statSync(p);
  } catch {
    return null;
  }
}
