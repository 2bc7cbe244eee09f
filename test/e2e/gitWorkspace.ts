/** The throwaway git workspace the end-to-end tests and `npm run demo` open against the fake GitHub or GitLab API. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { GithubBranchScenario, GitlabBranchScenario } from '../fakes/scenarios';

/** A clone-like git workspace: the scenario's branch checked out, `origin` on a GitHub- or GitLab-like host. */
export function gitWorkspace(sc: GithubBranchScenario | GitlabBranchScenario): string {
  const ws = mkdtempSync(join(tmpdir(), 'ci-triage-ws-'));
  // The files the seeded logs and annotations point at (flake8 on src/app.py, pytest on tests/test_x.py).
  const files: Record<string, string> = {
    'src/app.py': 'import os\n\n\ndef main():\n    return 1\n',
    'src/coverage_gate.py': Array.from({ length: 14 }, (_, i) => `x${i} = ${i}\n`).join(''),
    'tests/test_x.py': 'def test_a():\n    assert 1 == 2\n\n\ndef test_b():\n    assert True\n',
  };
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(ws, name)), { recursive: true });
    writeFileSync(join(ws, name), text);
  }
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=CI Triage e2e', '-c', 'user.email=e2e@example.invalid', ...args], {
      cwd: ws,
      stdio: 'pipe',
    });
  git('init', '-q', '-b', sc.branch);
  git('add', '.');
  git('commit', '-q', '-m', 'the failing change');
  // remoteUrl.ts tells the provider by a `github`/`gitlab` label in the host; the API URL comes from settings.
  const remote =
    'repo' in sc ? `https://github.example/${sc.repo}.git` : `https://gitlab.example/${sc.project}.git`;
  git('remote', 'add', 'origin', remote);
  return ws;
}
