/**
 * "CI Triage: Reproduce Locally": a failed job's log in, its reproduction running in a container as a VS Code
 * task out. The plan (core/reproduce) becomes an editable reproduce.sh in the extension's storage, opened
 * beside the log; the container runs through a ProcessExecution with an argument array, never a shell string.
 */
import * as vscode from 'vscode';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Problem } from '../core/model';
import { containerCommand, containerName, reproductionId } from '../core/reproduce/command';
import type { Engine } from '../core/reproduce/command';
import { detectEngine, engineProblem, INSTALL_HINT, removeContainer } from '../core/reproduce/engine';
import { PlanError } from '../core/reproduce/plan';
import type { ImageApproximations, ReproPlan } from '../core/reproduce/plan';
import { renderScript } from '../core/reproduce/script';
import { createWorktree, localHead, sameCommit } from '../core/reproduce/worktree';
import { REPRODUCE_PROBLEM_MATCHERS } from './reproduceMatchers';

export const REPRODUCE_TASK_TYPE = 'ciTriage.reproduce';

export interface ReproduceArgs {
  /** The job's log on disk. */
  logFile: string;
  folder: vscode.WorkspaceFolder;
  /** The extension's storage (context.storageUri, else globalStorageUri). */
  storageUri: vscode.Uri;
  engineSetting: 'auto' | Engine;
  /** The run's head commit, when the caller knows it (else the one the log shows). */
  runHeadSha?: string;
  /** The workspace's HEAD (else read with git). */
  localHeadSha?: string;
  /** Narrow to this failed test or linted file. */
  problem?: Problem;
  /** Mount a clean worktree at the run's head commit instead of the workspace. */
  worktree?: boolean;
  /** The runner-label / Python-version → image setting, for jobs that ran on a runner VM. */
  imageMap?: ImageApproximations;
  log?: vscode.LogOutputChannel;
  /** Works the plan out off the extension host's thread (the language server); throws PlanError when refused. */
  plan: (req: {
    logFile: string;
    workspace: string;
    focus: Problem | null;
    approximations: ImageApproximations | null;
  }) => Promise<ReproPlan>;
}

/** Builds the plan, writes and opens reproduce.sh, and runs it in a container as a task. */
export async function reproduceLocally(args: ReproduceArgs): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage(
      "Reproduce Locally runs the job's commands in a container with this workspace mounted: trust the workspace first.",
    );
    return;
  }
  const workspace = args.folder.uri.fsPath;
  const logName = basename(args.logFile);
  try {
    const plan = await args.plan({
      logFile: args.logFile,
      workspace,
      focus: args.problem ?? null,
      approximations: args.imageMap ?? null,
    });
    for (const n of plan.notes) args.log?.info(`reproduce ${logName}: ${n}`);

    const mountSource = await chooseMount(args, plan, workspace);
    if (mountSource === null) return;

    const id = reproductionId(args.logFile);
    const dir = join(args.storageUri.fsPath, 'reproduce', id);
    await mkdir(dir, { recursive: true });
    const scriptPath = join(dir, 'reproduce.sh');
    await writeFile(scriptPath, renderScript(plan), { mode: 0o644 });
    await vscode.window.showTextDocument(vscode.Uri.file(scriptPath), {
      // Beside the log (or whatever is open); with no editor open, Beside would leave an empty group.
      viewColumn: vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active,
      preview: false,
      preserveFocus: true,
    });

    const engine = detectEngine(args.engineSetting);
    if (engine === null) {
      const which =
        args.engineSetting === 'auto'
          ? 'No container engine (podman or docker) is installed'
          : `${args.engineSetting} is not installed (ciTriage.containerEngine)`;
      void vscode.window.showErrorMessage(
        `CI Triage: ${which}. To reproduce CI jobs locally, ${INSTALL_HINT}.`,
      );
      return;
    }
    const broken = await engineProblem(engine);
    if (broken !== null) {
      void vscode.window.showErrorMessage(`CI Triage: ${broken}.`);
      return;
    }
    if (plan.image.approximate) {
      void vscode.window.showInformationMessage(
        `CI Triage: the job ran on a runner VM, not in a container: ${plan.image.ref} stands in, an approximation. reproduce.sh says how to pin the job to an image.`,
      );
    }

    const name = containerName(id);
    const argv = containerCommand(plan, { engine, mountSource, scriptPath, name });
    args.log?.info(`reproduce ${logName}: ${JSON.stringify(argv)}`);
    const task = new vscode.Task(
      { type: REPRODUCE_TASK_TYPE, log: args.logFile },
      args.folder,
      `Reproduce ${plan.jobName ?? logName}`,
      'CI Triage',
      new vscode.ProcessExecution(argv[0]!, argv.slice(1)),
      REPRODUCE_PROBLEM_MATCHERS,
    );
    task.presentationOptions = {
      reveal: vscode.TaskRevealKind.Always,
      panel: vscode.TaskPanelKind.Dedicated,
      clear: true,
    };
    // A leftover of a run that was killed with the window would hold the name.
    await removeContainer(engine, name);
    // Listening before the task starts, so that a run that ends at once is not missed.
    const ended = vscode.tasks.onDidEndTaskProcess((e) => {
      const d = e.execution.task.definition;
      if (d.type !== REPRODUCE_TASK_TYPE || d['log'] !== args.logFile) return;
      ended.dispose();
      void removeContainer(engine, name);
    });
    try {
      await vscode.tasks.executeTask(task);
    } catch (e) {
      ended.dispose();
      throw e;
    }
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    args.log?.error(`reproduce ${logName}: ${msg}`);
    void vscode.window.showErrorMessage(
      e instanceof PlanError
        ? `CI Triage cannot reproduce ${logName}: ${msg}`
        : `CI Triage: reproducing ${logName} failed: ${msg}`,
    );
  }
}

/**
 * The host folder to mount: the workspace, or a worktree at the run's commit when asked, or when the user
 * takes the offer because local HEAD differs. Null when the user cancelled.
 */
async function chooseMount(args: ReproduceArgs, plan: ReproPlan, workspace: string): Promise<string | null> {
  const runSha = args.runHeadSha ?? plan.headSha;
  const worktreesDir = join(args.storageUri.fsPath, 'worktrees');
  if (args.worktree) {
    if (runSha === null)
      throw new PlanError("the log does not name the run's commit, so there is no worktree to make");
    return createWorktree(workspace, runSha, worktreesDir);
  }
  if (runSha === null) return workspace;
  const local = args.localHeadSha ?? (await localHead(workspace));
  if (local === null || sameCommit(runSha, local)) return workspace;
  const useWorktree = `Use a Clean Worktree at ${runSha.slice(0, 8)}`;
  const useWorkspace = 'Use My Workspace';
  const choice = await vscode.window.showWarningMessage(
    `Your HEAD (${local.slice(0, 8)}) is not the commit CI ran (${runSha.slice(0, 8)}): the reproduction may not fail the same way.`,
    useWorktree,
    useWorkspace,
  );
  if (choice === undefined) return null;
  return choice === useWorktree ? createWorktree(workspace, runSha, worktreesDir) : workspace;
}
