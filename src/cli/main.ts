/** The `ci-triage` command line: the same engine as the extension, in a terminal. */
import { runParse } from './parseCommand';
import { runRuns } from './runsCommand';
import { runReproduce } from './reproduceCommand';
import { CliError } from './errors';

const USAGE = `usage: ci-triage <command> [options]

commands:
  parse <logfile|->  [--json] [--workspace DIR]   problems and environment of a CI log
  runs [--provider github|gitlab] [--repo PATH] [--branch NAME] [--api-url URL] [--json]
                                                  failed runs of a branch, their failed jobs' problems
  reproduce <logfile> [--workspace DIR] [--engine podman|docker] [--worktree] [--print]
                                                  re-run a failed job in its container (--print: the command, as JSON)
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'parse':
      return runParse(rest);
    case 'runs':
      return runRuns(rest);
    case 'reproduce':
      return runReproduce(rest);
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(USAGE);
      return 0;
    case undefined:
      throw new CliError("missing command (try 'ci-triage --help')");
    default:
      throw new CliError(`unknown command '${command}' (try 'ci-triage --help')`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // One clear line, never a stack trace.
    const msg =
      err instanceof CliError
        ? err.message
        : `unexpected error: ${err instanceof Error ? err.message : String(err)}`;
    process.stderr.write(`ci-triage: ${msg}\n`);
    process.exitCode = err instanceof CliError ? err.exitCode : 1;
  },
);
