/**
 * Hover on a line that printed a problem: what the engine made of it (tool, rule, test id, the place it
 * points at) and the environment of the step that printed it (Python, OS, image@digest, pinned or floating).
 */
import { MarkupKind } from 'vscode-languageserver';
import type { Hover, MarkupContent } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { jobImage } from '../../core/environment';
import type { Environment, Problem } from '../../core/model';
import { location } from './diagnostics';
import { lineRange } from './ranges';
import { innermost } from './stepTree';
import type { StepTree } from './stepTree';
import type { WorkspaceFiles } from './workspaceFiles';
import { withPosition } from './workspaceFiles';

export function hover(
  doc: TextDocument,
  line: number,
  here: readonly Problem[],
  tree: StepTree,
  env: Environment,
  files: WorkspaceFiles,
  markdown: boolean,
): Hover | null {
  if (here.length === 0) return null;
  const md: string[] = [];
  for (const p of here) {
    const head = [`**${esc(p.tool)}**`, p.severity];
    if (p.code) head.push(`\`${code(p.code)}\``);
    md.push(head.join(' · '));
    if (p.test) md.push(`test \`${code(p.test)}\``);
    const where = location(p);
    if (where) {
      const f = p.path ? files.resolve(p.path) : null;
      md.push(f ? `at [${esc(where)}](${withPosition(f.uri, p.line, p.column)})` : `at \`${code(where)}\``);
    }
    md.push(esc(p.message));
    md.push('');
  }
  const chain = innermost(tree.roots, line + 1);
  const step = chain.length > 0 ? chain[0]!.step.name : here[0]!.step;
  if (step) md.push(`step **${esc(step)}**`);
  md.push(...environmentLines(env).map((l) => `- ${l}`));
  const value = md
    .join('\n\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  const contents: MarkupContent = markdown
    ? { kind: MarkupKind.Markdown, value }
    : { kind: MarkupKind.PlainText, value: value.replace(/[*`\\]/g, '') };
  return { contents, range: lineRange(doc, line) };
}

/** "Python 3.11.9", "OS Ubuntu 22.04.4 LTS", "image python:3.11-slim@sha256:… (floating)". */
export function environmentLines(env: Environment): string[] {
  const out: string[] = [];
  if (env.python) out.push(`Python ${esc(env.python)}`);
  if (env.os) out.push(`OS ${esc(env.os)}`);
  if (env.runnerImage)
    out.push(
      `runner image ${esc(env.runnerImage)}${env.runnerImageVersion ? ` ${esc(env.runnerImageVersion)}` : ''}`,
    );
  const image = jobImage(env);
  if (image) {
    const { shown, pinned } = image;
    out.push(`image \`${code(shown)}\` (${pinned ? 'pinned' : 'floating'})`);
  }
  return out;
}

function esc(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!<>|~]/g, '\\$&');
}

function code(s: string): string {
  return s.replace(/`/g, "'");
}
