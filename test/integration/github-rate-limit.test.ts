// Many deploy jobs creating releases at once meet GitHub's secondary rate limit: a 403 (or 429) that
// says so, with Retry-After. GitHub acted on nothing, so the call is sent again after the wait; a
// spent primary limit or a missing permission is not waited for.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createGitHub, type GitHub } from '../../src/git/github.js';
import { startGitHubApi, type GitHubApi } from '../support/github-api.js';

const SECONDARY = 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.';
const RELEASES = { method: 'POST', path: '/repos/acme/dify-apps/releases' };

let api: GitHubApi;
let github: GitHub;
let waits: number[];

beforeEach(async () => {
  api = await startGitHubApi({ token: 'ghs_test' });
  waits = [];
  github = createGitHub({ token: 'ghs_test', repository: 'acme/dify-apps', apiUrl: api.url, sleep: async (ms) => void waits.push(ms) });
});
afterEach(() => api.close());

const release = () => github.ensureRelease({ tag: 'bot@v1.0.0', name: 'bot 1.0.0', body: 'notes', commit: 'abc123' });
const posts = () => api.requests.filter((r) => r.method === 'POST' && r.path === RELEASES.path);

it('waits out a secondary rate limit for as long as Retry-After says, then creates the release once', async () => {
  api.failNext(RELEASES, 403, 2, { message: SECONDARY, headers: { 'retry-after': '3' } });
  expect((await release()).created).toBe(true);
  expect(waits).toEqual([3000, 3000]);
  expect(posts()).toHaveLength(3);
  expect(api.state.releases).toHaveLength(1);
});

it('a 429 without Retry-After waits a minute, as GitHub advises', async () => {
  api.failNext(RELEASES, 429, 1, { message: SECONDARY });
  expect((await release()).created).toBe(true);
  expect(waits).toEqual([60_000]);
});

it('gives up after two waits, and says it is a rate limit', async () => {
  api.failNext(RELEASES, 403, 3, { message: SECONDARY, headers: { 'retry-after': '1' } });
  await expect(release()).rejects.toMatchObject({ code: 'github.http', hint: expect.stringMatching(/rate limit/) });
  expect(waits).toEqual([1000, 1000]);
  expect(api.state.releases).toEqual([]);
});

it('does not wait for what time does not fix: a missing permission, a spent primary limit, a Retry-After of an hour', async () => {
  api.failNext(RELEASES, 403, 1);
  await expect(release()).rejects.toMatchObject({ code: 'github.http' });
  api.failNext(RELEASES, 403, 1, { message: 'API rate limit exceeded for installation ID 1.', headers: { 'x-ratelimit-remaining': '0' } });
  await expect(release()).rejects.toMatchObject({ code: 'github.http' });
  api.failNext(RELEASES, 429, 1, { message: SECONDARY, headers: { 'retry-after': '3600' } });
  await expect(release()).rejects.toMatchObject({ code: 'github.http' });
  expect(waits).toEqual([]);
});
