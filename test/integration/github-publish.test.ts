// The GitHub client against the loopback GitHub API: releases, deployments, sticky comments,
// issues and pull requests, each idempotent across re-runs.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitHub, type GitHub } from '../../src/git/github.js';
import { startGitHubApi, type GitHubApi } from '../support/github-api.js';

let api: GitHubApi;
let github: GitHub;

beforeEach(async () => {
  api = await startGitHubApi({ token: 'ghs_test' });
  github = createGitHub({ token: 'ghs_test', repository: 'acme/dify-apps', apiUrl: api.url });
});
afterEach(() => api.close());

const calls = (method: string, path: string | RegExp) =>
  api.requests.filter((r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path)));

describe('ensureRelease', () => {
  it('creates the release once and returns it on the next run', async () => {
    const first = await github.ensureRelease({ tag: 'bot@v1.0.0', name: 'bot 1.0.0', body: 'notes', commit: 'abc123' });
    const again = await github.ensureRelease({ tag: 'bot@v1.0.0', name: 'bot 1.0.0', body: 'notes' });

    expect(first.created).toBe(true);
    expect(again).toEqual({ ...first, created: false });
    expect(first.url).toMatch(/\/acme\/dify-apps\/releases\/tag\/bot%40v1\.0\.0$/);
    expect(api.state.releases).toHaveLength(1);
    expect(api.state.releases[0]).toMatchObject({ tag_name: 'bot@v1.0.0', target_commitish: 'abc123' });
    expect(calls('PATCH', /releases/)).toHaveLength(0);
  });

  it('updates name and body of an existing release instead of adding one', async () => {
    await github.ensureRelease({ tag: 'bot@v1.0.0', name: 'bot 1.0.0', body: 'old' });
    await github.ensureRelease({ tag: 'bot@v1.0.0', name: 'bot 1.0.0 (rolled back)', body: 'new' });
    expect(api.state.releases).toHaveLength(1);
    expect(api.state.releases[0]).toMatchObject({ name: 'bot 1.0.0 (rolled back)', body: 'new' });
  });

  it('uses the release a concurrent job created between lookup and create', async () => {
    await github.ensureRelease({ tag: 'bot@v1.0.0', name: 'n', body: 'b' });
    // The lookup misses once (as if the other job had not finished), so our create hits "already_exists".
    api.failNext({ method: 'GET', path: '/repos/acme/dify-apps/releases/tags/bot@v1.0.0' }, 404);
    const result = await github.ensureRelease({ tag: 'bot@v1.0.0', name: 'n', body: 'b' });
    expect(result.created).toBe(false);
    expect(api.state.releases).toHaveLength(1);
    expect(calls('POST', '/repos/acme/dify-apps/releases')).toHaveLength(2);
  });
});

describe('deployments', () => {
  it('records a deployment of exactly the ref and its statuses', async () => {
    const id = await github.createDeployment({
      ref: 'bot@v1.0.0',
      environment: 'production',
      description: 'Deploy bot 1.0.0',
      payload: { app: 'bot', version: '1.0.0' },
    });
    await github.setDeploymentStatus(id, { state: 'in_progress', description: 'importing' });
    await github.setDeploymentStatus(id, {
      state: 'success',
      description: 'x'.repeat(500),
      environmentUrl: 'https://dify.example.com/app/1',
      logUrl: 'https://github.com/acme/dify-apps/actions/runs/1',
    });

    expect(api.state.deployments).toEqual([
      expect.objectContaining({
        id,
        ref: 'bot@v1.0.0',
        environment: 'production',
        payload: { app: 'bot', version: '1.0.0' },
        auto_merge: false,
        required_contexts: [],
        transient_environment: false,
      }),
    ]);
    const statuses = api.state.deploymentStatuses.get(id)!;
    expect(statuses.map((s) => s.state)).toEqual(['in_progress', 'success']);
    expect(statuses[1]).toMatchObject({
      environment_url: 'https://dify.example.com/app/1',
      log_url: 'https://github.com/acme/dify-apps/actions/runs/1',
    });
    expect(statuses[1].description).toHaveLength(140);
  });
});

describe('upsertStickyComment', () => {
  it('creates one comment with the hidden marker, then edits it in place', async () => {
    const pr = api.addIssue({ title: 'Change bot', pull: true });
    const first = await github.upsertStickyComment({ issueNumber: pr, marker: 'dify-gitops:plan', body: 'plan v1' });
    const second = await github.upsertStickyComment({ issueNumber: pr, marker: 'dify-gitops:plan', body: 'plan v2' });
    await github.upsertStickyComment({ issueNumber: pr, marker: 'dify-gitops:other', body: 'other' });

    expect(first.created).toBe(true);
    expect(second).toEqual({ id: first.id, created: false });
    const ours = api.state.comments.filter((c) => c.body.includes('dify-gitops:plan'));
    expect(ours).toHaveLength(1);
    expect(ours[0].body).toBe('<!-- dify-gitops:plan -->\nplan v2');
    expect(api.state.comments).toHaveLength(2);
  });

  it('finds its comment on a later page of a long discussion', async () => {
    const pr = api.addIssue({ title: 'Busy PR', pull: true });
    for (let i = 0; i < 240; i++) api.addComment(pr, `human comment ${i}`);
    const ourId = api.addComment(pr, '<!-- dify-gitops:plan -->\nold plan');
    for (let i = 0; i < 10; i++) api.addComment(pr, `late comment ${i}`);

    const result = await github.upsertStickyComment({ issueNumber: pr, marker: 'dify-gitops:plan', body: 'new plan' });

    expect(result).toEqual({ id: ourId, created: false });
    expect(api.state.comments).toHaveLength(251);
    expect(api.state.comments.find((c) => c.id === ourId)!.body).toBe('<!-- dify-gitops:plan -->\nnew plan');
    const pages = calls('GET', `/repos/acme/dify-apps/issues/${pr}/comments`).map((r) => r.query.page ?? '1');
    expect(pages).toEqual(['1', '2', '3']);
  });

  it('reads every page before deciding to create, and does not edit an unchanged comment', async () => {
    const pr = api.addIssue({ title: 'Busy PR', pull: true });
    for (let i = 0; i < 35; i++) api.addComment(pr, `comment ${i}`);
    const created = await github.upsertStickyComment({ issueNumber: pr, marker: 'm', body: 'same' });
    const again = await github.upsertStickyComment({ issueNumber: pr, marker: 'm', body: 'same' });
    expect(created.created).toBe(true);
    expect(again).toEqual({ id: created.id, created: false });
    expect(calls('PATCH', /comments/)).toHaveLength(0);
  });

  it("never takes over a person's comment that quotes the marker", async () => {
    const pr = api.addIssue({ title: 'Reviewed PR', pull: true });
    const human = (body: string) => {
      const id = api.addComment(pr, body);
      api.state.comments.find((c) => c.id === id)!.user = { login: 'octocat', type: 'User' };
      return id;
    };
    const quoting = human('<!-- dify-gitops:plan -->\nThis plan looks wrong to me');
    const mentioning = human('Why does the bot write <!-- dify-gitops:plan --> here?');

    const first = await github.upsertStickyComment({ issueNumber: pr, marker: 'dify-gitops:plan', body: 'plan v1' });
    const second = await github.upsertStickyComment({ issueNumber: pr, marker: 'dify-gitops:plan', body: 'plan v2' });

    expect(first.created).toBe(true);
    expect(second).toEqual({ id: first.id, created: false });
    expect(api.state.comments.find((c) => c.id === quoting)!.body).toBe('<!-- dify-gitops:plan -->\nThis plan looks wrong to me');
    expect(api.state.comments.find((c) => c.id === mentioning)!.body).toBe('Why does the bot write <!-- dify-gitops:plan --> here?');
    expect(api.state.comments.find((c) => c.id === first.id)!.body).toBe('<!-- dify-gitops:plan -->\nplan v2');
    expect(calls('PATCH', `/repos/acme/dify-apps/issues/comments/${quoting}`)).toHaveLength(0);
  });

  it.each([403, 404])('posts a new comment when editing the old one is refused (%i)', async (status) => {
    const pr = api.addIssue({ title: 'PR', pull: true });
    const old = api.addComment(pr, '<!-- dify-gitops:plan -->\nold plan');
    api.failNext({ method: 'PATCH', path: `/repos/acme/dify-apps/issues/comments/${old}` }, status);

    const result = await github.upsertStickyComment({ issueNumber: pr, marker: 'dify-gitops:plan', body: 'new plan' });

    expect(result.created).toBe(true);
    expect(result.id).not.toBe(old);
    expect(api.state.comments.find((c) => c.id === result.id)!.body).toBe('<!-- dify-gitops:plan -->\nnew plan');
    expect(api.state.comments.find((c) => c.id === old)!.body).toBe('<!-- dify-gitops:plan -->\nold plan');
  });

  it('still fails on other errors while editing', async () => {
    const pr = api.addIssue({ title: 'PR', pull: true });
    const old = api.addComment(pr, '<!-- dify-gitops:plan -->\nold plan');
    api.failNext({ method: 'PATCH', path: `/repos/acme/dify-apps/issues/comments/${old}` }, 422);
    await expect(github.upsertStickyComment({ issueNumber: pr, marker: 'dify-gitops:plan', body: 'new plan' })).rejects.toThrow(
      /422|Validation/,
    );
    expect(api.state.comments.filter((c) => c.issue_number === pr)).toHaveLength(1);
  });

  it('refuses a marker that would break out of the HTML comment', async () => {
    await expect(github.upsertStickyComment({ issueNumber: 1, marker: 'a --> b', body: 'x' })).rejects.toThrow(/HTML comment/);
  });
});

describe('upsertIssue', () => {
  it('creates an issue once, then updates it while open; ignores closed issues and pull requests', async () => {
    api.addIssue({ title: 'PR quoting the marker', body: '<!-- drift:bot -->', pull: true });
    const created = await github.upsertIssue({ title: 'Drift: bot', marker: 'drift:bot', body: 'v1', labels: ['dify-drift'] });
    const updated = await github.upsertIssue({ title: 'Drift: bot (2 changes)', marker: 'drift:bot', body: 'v2' });

    expect(created.created).toBe(true);
    expect(updated).toEqual({ number: created.number, url: created.url, created: false });
    const issue = api.state.issues.find((i) => i.number === created.number)!;
    expect(issue).toMatchObject({ title: 'Drift: bot (2 changes)', body: '<!-- drift:bot -->\nv2', labels: [{ name: 'dify-drift' }] });

    issue.state = 'closed';
    const reopened = await github.upsertIssue({ title: 'Drift: bot', marker: 'drift:bot', body: 'v3' });
    expect(reopened.created).toBe(true);
    expect(reopened.number).not.toBe(created.number);
  });
});

describe('createPullRequest', () => {
  it('opens a pull request, and on the next run updates the open one', async () => {
    const first = await github.createPullRequest({ head: 'dify-gitops/pull-bot', base: 'main', title: 'Pull bot', body: 'one' });
    const again = await github.createPullRequest({ head: 'dify-gitops/pull-bot', base: 'main', title: 'Pull bot', body: 'two' });

    expect(first.created).toBe(true);
    expect(again).toEqual({ number: first.number, url: first.url, created: false });
    expect(api.state.pulls).toHaveLength(1);
    expect(api.state.pulls[0]).toMatchObject({ body: 'two', head: { label: 'acme:dify-gitops/pull-bot' }, base: { ref: 'main' } });
  });
});
