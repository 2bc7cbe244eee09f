/**
 * Job logs the fakes serve, written from real tool output (flake8 6 and pytest 7 on a two-file project)
 * wrapped in each provider's real framing: GitHub's raw job log (timestamps, `##[group]`, `##[error]`)
 * and a GitLab trace (`section_start:...\r\e[0K`, ANSI colours, CRLF-free).
 */

function github(lines: string[], startSeconds = 0): string {
  const t0 = Date.parse('2024-05-01T10:00:00Z') + startSeconds * 1000;
  return (
    lines.map((l, i) => `${new Date(t0 + i * 37).toISOString().replace('Z', '')}0000Z ${l}`).join('\n') + '\n'
  );
}

const GITHUB_SETUP = [
  "Current runner version: '2.316.1'",
  '##[group]Operating System',
  'Ubuntu',
  '22.04.4',
  'LTS',
  '##[endgroup]',
  '##[group]Runner Image',
  'Image: ubuntu-22.04',
  'Version: 20240422.1.0',
  '##[endgroup]',
  '##[group]GITHUB_TOKEN Permissions',
  'Contents: read',
  'Metadata: read',
  '##[endgroup]',
  'Prepare workflow directory',
  'Prepare all required actions',
  'Getting action download info',
  "Download action repository 'actions/checkout@v4' (SHA:0ad4b8fadaa221de15dcec353f45205ec38ea70b)",
  "Download action repository 'actions/setup-python@v5' (SHA:82c7e631bb3cdc910f68e0081d67478d79c6982d)",
  'Complete job name: lint',
  '##[group]Run actions/checkout@v4',
  'with:',
  '  repository: octo/app',
  '  fetch-depth: 1',
  '##[endgroup]',
  'Syncing repository: octo/app',
  '##[group]Run actions/setup-python@v5',
  'with:',
  '  python-version: 3.11',
  '##[endgroup]',
  'Installed versions',
  'Successfully set up CPython (3.11.9)',
];

/** A GitHub lint job: flake8 finds an unused import. */
export function githubFlake8Log(): string {
  return github([
    ...GITHUB_SETUP,
    '##[group]Run pip install flake8',
    '\u001b[36;1mpip install flake8\u001b[0m',
    'shell: /usr/bin/bash -e {0}',
    '##[endgroup]',
    'Collecting flake8',
    '  Downloading flake8-7.0.0-py2.py3-none-any.whl.metadata (3.8 kB)',
    'Successfully installed flake8-7.0.0 mccabe-0.7.0 pycodestyle-2.11.1 pyflakes-3.2.0',
    '##[group]Run flake8 src',
    '\u001b[36;1mflake8 src\u001b[0m',
    'shell: /usr/bin/bash -e {0}',
    '##[endgroup]',
    "src/app.py:1:1: F401 'os' imported but unused",
    '##[error]Process completed with exit code 1.',
    'Post job cleanup.',
    'Cleaning up orphan processes',
  ]);
}

/** A GitHub test job: pytest fails one test and the workflow raised an annotation without a file. */
export function githubPytestLog(): string {
  return github(
    [
      ...GITHUB_SETUP,
      '##[group]Run python -m pytest tests',
      '\u001b[36;1mpython -m pytest tests\u001b[0m',
      'shell: /usr/bin/bash -e {0}',
      'env:',
      '  pythonLocation: /opt/hostedtoolcache/Python/3.11.9/x64',
      '##[endgroup]',
      '============================= test session starts ==============================',
      'platform linux -- Python 3.11.9, pytest-7.2.1, pluggy-1.0.0',
      'rootdir: /home/runner/work/app/app',
      'collected 2 items',
      '',
      'tests/test_x.py F.                                                       [100%]',
      '',
      '=================================== FAILURES ===================================',
      '____________________________________ test_a ____________________________________',
      '',
      '    def test_a():',
      '>       assert 1 == 2',
      'E       assert 1 == 2',
      '',
      'tests/test_x.py:2: AssertionError',
      '=========================== short test summary info ============================',
      'FAILED tests/test_x.py::test_a - assert 1 == 2',
      '========================= 1 failed, 1 passed in 0.03s ==========================',
      '##[error]Coverage dropped below 80%',
      '##[error]Process completed with exit code 1.',
    ],
    60,
  );
}

/** A GitHub job that passed. */
export function githubPassingLog(): string {
  return github([
    ...GITHUB_SETUP,
    '##[group]Run python -m pytest tests',
    '##[endgroup]',
    '2 passed in 0.02s',
  ]);
}

const ESC = '\u001b';

function section(name: string, t: number, header: string, body: string[]): string[] {
  return [
    `section_start:${t}:${name}\r${ESC}[0K${ESC}[0K${ESC}[36;1m${header}${ESC}[0;m`,
    ...body,
    `section_end:${t + 3}:${name}\r${ESC}[0K`,
  ];
}

/** A GitLab job trace: flake8 and pytest in one script, in a python:3.11 image. */
export function gitlabPytestTrace(): string {
  const t = 1714557600;
  return (
    [
      `${ESC}[0KRunning with gitlab-runner 16.11.0 (91a27b2a)${ESC}[0;m`,
      `${ESC}[0K  on blue-4.saas-linux-small-amd64.runners-manager.gitlab.com/default J2nyww-s, system ID: s_cf1798852952${ESC}[0;m`,
      ...section('prepare_executor', t, 'Preparing the "docker+machine" executor', [
        `${ESC}[0KUsing Docker executor with image python:3.11 ...${ESC}[0;m`,
        `${ESC}[0KPulling docker image python:3.11 ...${ESC}[0;m`,
        `${ESC}[0KUsing docker image sha256:2d1d1b7a5c7a0b2f6a8f0c0b2d0c6f3e0b8d6e1f2a3b4c5d6e7f8091a2b3c4d5 for python:3.11 with digest python@sha256:0e8b3b9c6a8e7d1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091 ...${ESC}[0;m`,
      ]),
      ...section('get_sources', t + 5, 'Getting source from Git repository', [
        `${ESC}[32;1mFetching changes with git depth set to 20...${ESC}[0;m`,
        `${ESC}[32;1mChecking out 3f2a1b0c as detached HEAD (ref is feature/login)...${ESC}[0;m`,
      ]),
      ...section('step_script', t + 10, 'Executing "step_script" stage of the job script', [
        `${ESC}[32;1m$ python --version${ESC}[0;m`,
        'Python 3.11.9',
        `${ESC}[32;1m$ flake8 src${ESC}[0;m`,
        "src/app.py:1:1: F401 'os' imported but unused",
        `${ESC}[32;1m$ python -m pytest tests${ESC}[0;m`,
        '============================= test session starts ==============================',
        'platform linux -- Python 3.11.9, pytest-7.2.1, pluggy-1.0.0',
        'collected 2 items',
        '',
        'tests/test_x.py F.                                                       [100%]',
        '',
        '=========================== short test summary info ============================',
        'FAILED tests/test_x.py::test_a - assert 1 == 2',
        '========================= 1 failed, 1 passed in 0.03s ==========================',
      ]),
      ...section(
        'cleanup_file_variables',
        t + 14,
        'Cleaning up project directory and file based variables',
        [],
      ),
      `${ESC}[31;1mERROR: Job failed: exit code 1`,
      `${ESC}[0;m`,
    ].join('\n') + '\n'
  );
}

/** A GitLab trace of a job that passed. */
export function gitlabPassingTrace(): string {
  return `${ESC}[0KRunning with gitlab-runner 16.11.0 (91a27b2a)${ESC}[0;m\n${ESC}[32;1m$ echo ok${ESC}[0;m\nok\n${ESC}[32;1mJob succeeded${ESC}[0;m\n`;
}
