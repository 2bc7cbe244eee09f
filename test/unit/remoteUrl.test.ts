import { test } from 'node:test';
import { parseRemoteUrl, repositoryFromPath, repositoryFromRemote } from '../../src/providers/remoteUrl';
import { assertEqualFor } from '../helpers/assert';
import assert from 'node:assert/strict';

const cases: [string, { provider?: 'github' | 'gitlab'; apiUrl?: string }, object][] = [
  [
    'https://github.com/octo/app.git',
    {},
    { provider: 'github', apiUrl: 'https://api.github.com', webUrl: 'https://github.com', path: 'octo/app' },
  ],
  [
    'https://github.com/octo/app',
    {},
    { provider: 'github', apiUrl: 'https://api.github.com', webUrl: 'https://github.com', path: 'octo/app' },
  ],
  [
    'https://github.com/octo/app/',
    {},
    { provider: 'github', apiUrl: 'https://api.github.com', webUrl: 'https://github.com', path: 'octo/app' },
  ],
  [
    'git@github.com:octo/app.git',
    {},
    { provider: 'github', apiUrl: 'https://api.github.com', webUrl: 'https://github.com', path: 'octo/app' },
  ],
  [
    'ssh://git@github.com/octo/app.git',
    {},
    { provider: 'github', apiUrl: 'https://api.github.com', webUrl: 'https://github.com', path: 'octo/app' },
  ],
  [
    'https://x-access-token:ghp_secret@github.com/octo/app.git',
    {},
    { provider: 'github', apiUrl: 'https://api.github.com', webUrl: 'https://github.com', path: 'octo/app' },
  ],
  // GitHub Enterprise Server: the REST base is https://HOST/api/v3
  [
    'https://github.acme.com/team/svc.git',
    {},
    {
      provider: 'github',
      apiUrl: 'https://github.acme.com/api/v3',
      webUrl: 'https://github.acme.com',
      path: 'team/svc',
    },
  ],
  [
    'git@ghe.internal:team/svc.git',
    { provider: 'github' },
    {
      provider: 'github',
      apiUrl: 'https://ghe.internal/api/v3',
      webUrl: 'https://ghe.internal',
      path: 'team/svc',
    },
  ],
  [
    'https://ghe.internal/team/svc.git',
    { apiUrl: 'https://ghe.internal/api/v3/', provider: 'github' },
    {
      provider: 'github',
      apiUrl: 'https://ghe.internal/api/v3',
      webUrl: 'https://ghe.internal',
      path: 'team/svc',
    },
  ],
  // gitlab.com and nested groups
  [
    'https://gitlab.com/acme/platform/backend.git',
    {},
    {
      provider: 'gitlab',
      apiUrl: 'https://gitlab.com',
      webUrl: 'https://gitlab.com',
      path: 'acme/platform/backend',
    },
  ],
  [
    'git@gitlab.com:acme/platform/backend.git',
    {},
    {
      provider: 'gitlab',
      apiUrl: 'https://gitlab.com',
      webUrl: 'https://gitlab.com',
      path: 'acme/platform/backend',
    },
  ],
  // self-hosted: ssh on another port, and a GitLab under a path
  [
    'ssh://git@gitlab.acme.com:2222/group/proj.git',
    {},
    {
      provider: 'gitlab',
      apiUrl: 'https://gitlab.acme.com',
      webUrl: 'https://gitlab.acme.com',
      path: 'group/proj',
    },
  ],
  [
    'https://code.acme.com/gitlab/group/sub/proj.git',
    { provider: 'gitlab', apiUrl: 'https://code.acme.com/gitlab' },
    {
      provider: 'gitlab',
      apiUrl: 'https://code.acme.com/gitlab',
      webUrl: 'https://code.acme.com/gitlab',
      path: 'group/sub/proj',
    },
  ],
  [
    'git@code.acme.com:group/sub/proj.git',
    { provider: 'gitlab', apiUrl: 'https://code.acme.com/gitlab' },
    {
      provider: 'gitlab',
      apiUrl: 'https://code.acme.com/gitlab',
      webUrl: 'https://code.acme.com/gitlab',
      path: 'group/sub/proj',
    },
  ],
  [
    'https://oauth2:glpat-secret@gitlab.example.org:8443/g/p.git',
    {},
    {
      provider: 'gitlab',
      apiUrl: 'https://gitlab.example.org:8443',
      webUrl: 'https://gitlab.example.org:8443',
      path: 'g/p',
    },
  ],
];

test('remote URLs resolve to the repository and its API', () => {
  for (const [url, opts, want] of cases)
    assertEqualFor(`${url} ${JSON.stringify(opts)}`, repositoryFromRemote(url, opts), want);
});

test('ssh remotes keep their port apart from the API', () => {
  assertEqualFor('ssh port', parseRemoteUrl('ssh://git@gitlab.acme.com:2222/group/proj.git'), {
    host: 'gitlab.acme.com',
    port: 2222,
    protocol: 'ssh',
    segments: ['group', 'proj'],
  });
});

test('what is not a remote we understand', () => {
  for (const bad of [
    '',
    '/srv/git/app.git',
    './app',
    'file:///srv/app.git',
    'https://github.com/onlyowner',
    'C:\\repos\\app',
  ]) {
    assertEqualFor(bad, parseRemoteUrl(bad), null);
  }
  assert.throws(() => repositoryFromRemote('git@git.example.net:a/b.git'), /pass --provider github\|gitlab/);
  assert.throws(() => repositoryFromRemote('https://github.com/a/b/c.git'), /not an OWNER\/NAME/);
  // The message about an unreadable remote does not repeat credentials.
  assert.throws(
    () => repositoryFromRemote('https://user:s3cret@/x'),
    (e: Error) => !e.message.includes('s3cret'),
  );
});

test('--repo paths', () => {
  assertEqualFor('gh', repositoryFromPath('octo/app', 'github'), {
    provider: 'github',
    apiUrl: 'https://api.github.com',
    webUrl: 'https://github.com',
    path: 'octo/app',
  });
  assertEqualFor(
    'gl',
    repositoryFromPath('acme/platform/backend', 'gitlab', 'http://127.0.0.1:8080/gitlab/'),
    {
      provider: 'gitlab',
      apiUrl: 'http://127.0.0.1:8080/gitlab',
      webUrl: 'http://127.0.0.1:8080/gitlab',
      path: 'acme/platform/backend',
    },
  );
  assert.throws(() => repositoryFromPath('a/b/c', 'github'), /not OWNER\/NAME/);
  assert.throws(() => repositoryFromPath('a', 'gitlab'), /not GROUP\/PROJECT/);
});
