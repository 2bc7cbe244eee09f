/** What podman holds of the reproductions (`ci-triage-<id>` containers), for the container and e2e tests. */
import { execFileSync } from 'node:child_process';

/** The reproductions' containers podman still has, running or not (`env` points podman at its config). */
export function reproductionContainers(env: NodeJS.ProcessEnv): string[] {
  return execFileSync('podman', ['ps', '--all', '--filter', 'name=^ci-triage-', '--format', '{{.Names}}'], {
    env,
    encoding: 'utf8',
  })
    .split('\n')
    .filter((l) => l !== '');
}
