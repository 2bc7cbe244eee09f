/** `ci-triage reproduce <logfile> [--workspace DIR] [--engine podman|docker] [--worktree] [--print]` */
import { spawn } from 'node:child_process';
import { createReadStream, mkdirSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { constants as osConstants, homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { containerCommand, containerName, reproductionId } from '../core/reproduce/command';
import type { Engine } from '../core/reproduce/command';
import { detectEngine, INSTALL_HINT, removeContainer } from '../core/reproduce/engine';
import { buildPlan, PlanError, readJobStream } from '../core/reproduce/plan';
import { renderScript } from '../core/reproduce/script';
import { loadWorkflowFiles } from '../core/reproduce/workflow';
import { createWorktree } from '../core/reproduce/worktree';
import { CliError } from './errors';

export async function runReproduce(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        workspace: { type: 'string' },
        engine: { type: 'string' },
        worktree: { type: 'boolean', default: false },
        print: { type: 'boolean', default: false },
      },
    });
  } catch (e) {
    throw new CliError(`reproduce: ${(e as Error).message}`);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new CliError('reproduce: give exactly one log file');
  const engineFlag = values.engine;
  if (engineFlag !== undefined && engineFlag !== 'podman' && engineFlag !== 'docker')
    throw new CliError(`reproduce: --engine must be podman or docker, not '${engineFlag}'`);

  const file = positionals[0]!;
  const st = statOrNull(file);
  if (!st) throw new CliError(`reproduce: cannot read '${file}': no such file`);
  if (st.isDirectory()) throw new CliError(`reproduce: '${file}' is a folder, not a log file`);
  const workspace = realDir(values.workspace ?? process.cwd());

  let read;
  try {
    read = await readJobStream(createReadStream(file) as AsyncIterable<Buffer>, workspace);
  } catch (e) {
    throw new CliError(
      `reproduce: cannot read '${file}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  const workflows = await loadWorkflowFiles(workspace);
  const id = reproductionId(resolve(file));
  const name = containerName(id);
  const dir = join(cacheRoot(), 'reproduce', id);
  try {
    const plan = buildPlan(read.parsed, read.job, { workflows, logName: file.split(/[\\/]/).pop() ?? file });
    let mountSource = workspace;
    if (values.worktree) {
      if (plan.headSha === null)
        throw new PlanError("the log does not name the run's commit: --worktree needs it");
      mountSource = await createWorktree(
        workspace,
        plan.headSha,
        join(cacheRoot(), 'reproduce', 'worktrees'),
      );
    }
    mkdirSync(dir, { recursive: true });
    const scriptPath = join(dir, 'reproduce.sh');
    writeFileSync(scriptPath, renderScript(plan), { mode: 0o644 });

    const engine: Engine | null = detectEngine((engineFlag as Engine | undefined) ?? 'auto');
    const argv = containerCommand(plan, {
      engine: engine ?? (engineFlag as Engine | undefined) ?? 'podman',
      mountSource,
      scriptPath,
      name,
    });
    for (const n of plan.notes) process.stderr.write(`ci-triage: ${n}\n`);
    if (values.print) {
      process.stdout.write(JSON.stringify(argv) + '\n');
      return 0;
    }
    if (engine === null) {
      throw new CliError(
        engineFlag !== undefined
          ? `reproduce: ${engineFlag} is not on PATH: ${INSTALL_HINT}`
          : `reproduce: no container engine found (podman or docker on PATH): ${INSTALL_HINT}`,
      );
    }
    process.stderr.write(`ci-triage: running ${plan.image.ref} with ${scriptPath}\n`);
    // A leftover of a run that was killed would hold the name; this run's container goes once it has ended.
    await removeContainer(engine, name);
    try {
      return await run(argv);
    } finally {
      await removeContainer(engine, name);
    }
  } catch (e) {
    if (e instanceof PlanError) throw new CliError(`reproduce: ${e.message}`, 2);
    throw e;
  }
}

/** Runs the container with the terminal attached; resolves to its exit code (128+N for a signal). */
function run(argv: string[]): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: 'inherit' });
    // Ctrl-C reaches the engine through the terminal's process group; this process waits for it.
    const ignore = (): void => undefined;
    process.on('SIGINT', ignore);
    child.on('error', (err: NodeJS.ErrnoException) => {
      process.off('SIGINT', ignore);
      reject(
        new CliError(`reproduce: cannot start ${argv[0]}: ${err.code ?? err.message}: ${INSTALL_HINT}`, 1),
      );
    });
    child.on('exit', (code, signal) => {
      process.off('SIGINT', ignore);
      if (code !== null) resolvePromise(code);
      else resolvePromise(128 + (signal ? (osConstants.signals[signal] ?? 1) : 1));
    });
  });
}

function cacheRoot(): string {
  const xdg = process.env['XDG_CACHE_HOME'];
  return join(xdg && xdg.length > 0 ? xdg : join(homedir(), '.cache'), 'ci-triage');
}

function realDir(p: string): string {
  const st = statOrNull(p);
  if (!st?.isDirectory()) throw new CliError(`reproduce: workspace '${p}' is not a folder`);
  return realpathSync(p);
}

function statOrNull(p: string) {
  try {
    return statSync(p);
  } catch {
    return null;
  }
}
