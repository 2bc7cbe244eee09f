/** `ciTriage/reproducePlan`: the reproduction plan of a failed job, worked out here so the log is read off the editor's thread. */
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import type { Connection } from 'vscode-languageserver';
import { ResponseError } from 'vscode-languageserver';
import { buildPlan, PlanError, readJobStream } from '../core/reproduce/plan';
import { loadWorkflowFiles } from '../core/reproduce/workflow';
import { PLAN_REFUSED, ReproducePlanRequest } from '../protocol';
import { describeParseError } from './parseRequests';

export function registerReproduceRequest(connection: Connection): void {
  connection.onRequest(ReproducePlanRequest, async (params) => {
    try {
      const read = await readJobStream(createReadStream(params.logFile), params.workspace);
      const workflows = await loadWorkflowFiles(params.workspace);
      return buildPlan(read.parsed, read.job, {
        workflows,
        focus: params.focus,
        logName: basename(params.logFile),
        ...(params.approximations ? { approximations: params.approximations } : {}),
      });
    } catch (e) {
      if (e instanceof PlanError) return new ResponseError(PLAN_REFUSED, e.message);
      return new ResponseError(1, describeParseError(params.logFile, e));
    }
  });
}
