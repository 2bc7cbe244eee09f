/** The throwaway git workspace the end-to-end tests and `npm run demo` open against the fake GitHub API. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { GithubBranchScenario } from '../fakes/scenarios';

/** A clone-like git workspace: the scenario's branch checked out, `origin` on a GitHub-like host. */
export function gitWorkspace(sc: GithubBranchScenario): string {
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
  // github.example: remoteUrl.ts tells GitHub by a `github` label in the host; the API URL comes from settings.
  git('remote', 'add', 'origin', `https://github.example/${sc.repo}.git`);
  return ws;
}
