// Everything sent to GitHub for people to read is redacted at the client: release notes, sticky
// PR comments, issues, deployment descriptions and pull requests never carry a secret we know.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitHub, type GitHub } from '../../src/git/github.js';
import { registerSecret } from '../../src/support/redact.js';
import { startGitHubApi, type GitHubApi } from '../support/github-api.js';

const SECRET = 'srch-live-7a5c3e1b9d2f4a6c8e0b';
const text = `Dify said: key ${SECRET} was revoked`;

let api: GitHubApi;
let github: GitHub;
beforeEach(async () => {
  registerSecret(SECRET);
  api = await startGitHubApi({ token: 'ghs_test' });
  github = createGitHub({ token: 'ghs_test', repository: 'acme/dify-apps', apiUrl: api.url });
});
afterEach(() => api.close());

describe('the GitHub client redacts what people read', () => {
  it('in releases, comments, issues, deployments and pull requests', async () => {
    await github.ensureRelease({ tag: 'bot@v1.0.0', name: `bot ${SECRET}`, body: text, commit: 'abc123' });
    const pr = api.addIssue({ title: 'Change bot', pull: true });
    await github.upsertStickyComment({ issueNumber: pr, marker: 'plan', body: text });
    await github.upsertIssue({ title: `drift ${SECRET}`, marker: 'drift', body: text });
    const id = await github.createDeployment({ ref: 'main', environment: 'production', description: text });
    await github.setDeploymentStatus(id, { state: 'failure', description: text });
    await github.createPullRequest({ head: 'pull', base: 'main', title: `pull ${SECRET}`, body: text });

    const sent = JSON.stringify(api.requests.map((r) => r.body));
    expect(sent).toContain('was revoked');
    expect(sent).not.toContain(SECRET);
    // Idempotent still: the stored (redacted) release is not rewritten on the next run.
    const before = api.requests.length;
    await github.ensureRelease({ tag: 'bot@v1.0.0', name: `bot ${SECRET}`, body: text });
    expect(api.requests.slice(before).filter((r) => r.method === 'PATCH')).toEqual([]);
  });
});
