// The GitHub client against the loopback GitHub API: Actions secrets and variables, and the
// errors a user sees when the token, the permissions or GITHUB_API_URL are wrong.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GitHubError } from '../../src/git/errors.js';
import { isUserError } from '../../src/support/errors.js';
import { createGitHub, type GitHub } from '../../src/git/github.js';
import { startGitHubApi, type GitHubApi } from '../support/github-api.js';

const TOKEN = 'ghs_secret_token_value';
let api: GitHubApi;
let github: GitHub;

beforeEach(async () => {
  api = await startGitHubApi({ token: TOKEN });
  github = createGitHub({ token: TOKEN, repository: 'acme/dify-apps', apiUrl: api.url });
});
afterEach(() => api.close());

async function expectGitHubError(promise: Promise<unknown>): Promise<GitHubError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(isUserError(error, 'github.http')).toBe(true);
  const failure = error as GitHubError;
  expect(`${failure.message} ${failure.hint}`).not.toContain(TOKEN);
  return failure;
}

describe('secrets', () => {
  it('hands out an X25519 public key per scope and stores sealed values under it', async () => {
    const repoKey = await github.getRepoPublicKey();
    const envKey = await github.getRepoPublicKey('production');
    expect(Buffer.from(repoKey.key, 'base64')).toHaveLength(32);
    expect(envKey.key_id).not.toBe(repoKey.key_id);

    await github.putSecret({ name: 'DIFY_API_KEY', encryptedValue: 'c2VhbGVk', keyId: repoKey.key_id });
    await github.putSecret({ name: 'DIFY_API_KEY', encryptedValue: 'c2VhbGVkMg==', keyId: envKey.key_id, environment: 'production' });
    await github.putSecret({ name: 'DIFY_API_KEY', encryptedValue: 'c2VhbGVkMw==', keyId: repoKey.key_id });

    expect(api.state.secrets.get('/DIFY_API_KEY')).toMatchObject({ encrypted_value: 'c2VhbGVkMw==', key_id: repoKey.key_id });
    expect(api.state.secrets.get('production/DIFY_API_KEY')).toMatchObject({ encrypted_value: 'c2VhbGVkMg==' });
  });

  it('reports a stale key id as GitHub does', async () => {
    await github.getRepoPublicKey();
    const error = await expectGitHubError(github.putSecret({ name: 'K', encryptedValue: 'eA==', keyId: '1' }));
    expect(error.details.status).toBe(422);
    expect(error.message).toContain('key_id is not valid');
  });

  it('explains that the workflow token cannot write secrets', async () => {
    api.failNext({ method: 'GET', path: /secrets\/public-key$/ }, 403);
    const error = await expectGitHubError(github.getRepoPublicKey());
    expect(error.details.status).toBe(403);
    expect(error.details.endpoint).toBe('GET /repos/{owner}/{repo}/actions/secrets/public-key');
    expect(error.message).toContain('Resource not accessible by integration');
    expect(error.hint).toMatch(/GITHUB_TOKEN can never write secrets.*"Secrets"/);
  });
});

describe('variables', () => {
  it('creates a missing variable, then updates it', async () => {
    expect(await github.getVariable('DIFY_BOT_KEY_ID')).toBeNull();
    await github.setVariable('DIFY_BOT_KEY_ID', 'key-1');
    expect(await github.getVariable('DIFY_BOT_KEY_ID')).toBe('key-1');
    await github.setVariable('DIFY_BOT_KEY_ID', 'key-2');
    expect(await github.getVariable('DIFY_BOT_KEY_ID')).toBe('key-2');
    expect(api.state.variables.size).toBe(1);

    const methods = api.requests.filter((r) => r.path.includes('/variables')).map((r) => r.method);
    expect(methods).toEqual(['GET', 'PATCH', 'POST', 'GET', 'PATCH', 'GET']);
  });

  it('keeps environment variables apart from repository ones', async () => {
    await github.setVariable('LAST_RELEASE', 'bot@v1.0.0', 'production');
    expect(await github.getVariable('LAST_RELEASE', 'production')).toBe('bot@v1.0.0');
    expect(await github.getVariable('LAST_RELEASE', 'staging')).toBeNull();
    expect(await github.getVariable('LAST_RELEASE')).toBeNull();
  });

  it('updates instead when another job created the variable first', async () => {
    await github.setVariable('V', 'theirs');
    // Our update misses once (as if it ran before theirs), so our create meets 409.
    api.failNext({ method: 'PATCH', path: '/repos/acme/dify-apps/actions/variables/V' }, 404);
    await github.setVariable('V', 'ours');
    expect(await github.getVariable('V')).toBe('ours');
  });

  it('names the missing environment on 404', async () => {
    const error = await expectGitHubError(github.setVariable('V', 'x', 'qa'));
    expect(error.details.status).toBe(404);
    expect(error.details.endpoint).toBe('POST /repos/{owner}/{repo}/environments/{environment_name}/variables');
    expect(error.hint).toMatch(/environment exists/);
  });
});

describe('errors say what to do', () => {
  it.each([
    ['POST', '/repos/acme/dify-apps/releases', () => github.ensureRelease({ tag: 't', name: 'n', body: 'b' }), /contents: write/],
    [
      'POST',
      '/repos/acme/dify-apps/deployments',
      () => github.createDeployment({ ref: 'r', environment: 'e', description: 'd' }),
      /deployments: write/,
    ],
    [
      'POST',
      '/repos/acme/dify-apps/pulls',
      () => github.createPullRequest({ head: 'h', base: 'main', title: 't', body: 'b' }),
      /pull-requests: write.*Allow GitHub Actions/,
    ],
    ['POST', '/repos/acme/dify-apps/issues', () => github.upsertIssue({ title: 't', marker: 'm', body: 'b' }), /issues: write/],
    ['PATCH', /\/actions\/variables\//, () => github.setVariable('V', 'x'), /"Variables"/],
  ])('403 on %s %s names the permission', async (method, path, act, hint) => {
    api.failNext({ method, path }, 403);
    const error = await expectGitHubError(act());
    expect(error.details.status).toBe(403);
    expect(error.hint).toMatch(hint);
  });

  it('points at GITHUB_API_URL when GitHub Enterprise answers 404', async () => {
    const wrongRepo = createGitHub({ token: TOKEN, repository: 'acme/missing', apiUrl: api.url });
    const error = await expectGitHubError(wrongRepo.createDeployment({ ref: 'r', environment: 'e', description: 'd' }));
    expect(error.details.status).toBe(404);
    expect(error.message).toContain('acme/missing');
    expect(error.hint).toContain(`GITHUB_API_URL (now ${api.url})`);
    expect(error.hint).toContain('/api/v3');
  });

  it('uses GITHUB_API_URL when no apiUrl is given', async () => {
    const saved = process.env.GITHUB_API_URL;
    process.env.GITHUB_API_URL = api.url;
    try {
      const fromEnv = createGitHub({ token: TOKEN, repository: 'acme/dify-apps' });
      expect(await fromEnv.getVariable('NOPE')).toBeNull();
    } finally {
      if (saved === undefined) delete process.env.GITHUB_API_URL;
      else process.env.GITHUB_API_URL = saved;
    }
    expect(api.requests.at(-1)).toMatchObject({ method: 'GET', path: '/repos/acme/dify-apps/actions/variables/NOPE' });
  });

  it('reports a rejected token without printing it', async () => {
    const badToken = createGitHub({ token: 'wrong', repository: 'acme/dify-apps', apiUrl: api.url });
    const error = await expectGitHubError(badToken.getRepoPublicKey());
    expect(error.details.status).toBe(401);
    expect(error.message).toContain('Bad credentials');
    expect(error.hint).toMatch(/github-token/);
  });

  it('reports an unreachable API with status 0', async () => {
    const url = api.url;
    await api.close();
    const offline = createGitHub({ token: TOKEN, repository: 'acme/dify-apps', apiUrl: url });
    const error = await expectGitHubError(offline.getVariable('V'));
    expect(error.details.status).toBe(0);
    expect(error.message).toContain(url);
    expect(error.hint).toMatch(/GITHUB_API_URL/);
    api = await startGitHubApi({ token: TOKEN }); // afterEach closes it
  });

  it('explains GitHub server errors and validation failures', async () => {
    api.failNext({ method: 'POST', path: /\/deployments$/ }, 502);
    const outage = await expectGitHubError(github.createDeployment({ ref: 'r', environment: 'e', description: 'd' }));
    expect(outage.hint).toMatch(/re-run/);

    const invalid = await expectGitHubError(github.createDeployment({ ref: '', environment: 'e', description: 'd' }));
    expect(invalid.details.status).toBe(422);
    expect(invalid.message).toContain('Deployment ref missing_field');
  });

  it('refuses a repository that is not owner/name', () => {
    expect(() => createGitHub({ token: TOKEN, repository: 'acme', apiUrl: api.url })).toThrow(/owner\/name/);
  });
});
