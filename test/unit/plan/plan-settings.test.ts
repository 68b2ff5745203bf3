// The settings plan, drift and pull read: the pull request from the event payload, fork detection,
// a Dify URL without credentials (a fork's plan), and the drift and pull inputs.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readActionSettings, readCliSettings } from '../../../src/settings.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'plan-settings-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const action = (inputs: Record<string, string>, env: Record<string, string> = {}) =>
  readActionSettings({ ...env, ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])) });

async function event(payload: unknown): Promise<string> {
  const file = path.join(dir, `event-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, JSON.stringify(payload));
  return file;
}

describe('plan settings', () => {
  it('reads the pull request number, base commit and fork flag from the event payload', async () => {
    const file = await event({ pull_request: { number: 17, base: { sha: 'abc123' }, head: { sha: 'fed987', repo: { fork: true } } } });
    expect(action({ command: 'plan' }, { GITHUB_EVENT_PATH: file }).github).toMatchObject({
      pullNumber: 17,
      pullBase: 'abc123',
      pullHead: 'fed987',
      fork: true,
    });
    const own = await event({ pull_request: { number: 3, base: { sha: 'def' }, head: { repo: { fork: false } } } });
    expect(action({ command: 'plan' }, { GITHUB_EVENT_PATH: own }).github).toMatchObject({ pullNumber: 3, fork: false });
    const push = action({ command: 'plan' }, { GITHUB_EVENT_PATH: await event({ before: 'x' }) }).github;
    expect([push.pullNumber, push.pullBase, push.fork]).toEqual([undefined, undefined, false]);
  });

  it('a fork is a head repository other than the base, not a head repository that is a fork of something', async () => {
    const pr = (head: unknown, base: unknown = { full_name: 'acme/flows' }) =>
      event({ pull_request: { number: 5, base: { sha: 'abc', repo: base }, head: { repo: head } } });
    const fork = async (file: Promise<string>) => action({ command: 'plan' }, { GITHUB_EVENT_PATH: await file }).github.fork;
    // The project itself is a fork (acme/flows forked from upstream/flows): its own branches are not fork PRs.
    expect(await fork(pr({ full_name: 'acme/flows', fork: true }))).toBe(false);
    expect(await fork(pr({ full_name: 'someone/flows', fork: true }))).toBe(true);
    expect(await fork(pr({ full_name: 'Acme/Flows', fork: false }))).toBe(false);
    // Without names, the fork flag is all there is; a deleted head repository was a fork.
    expect(await fork(pr({ fork: true }, {}))).toBe(true);
    expect(await fork(pr({ fork: false }, {}))).toBe(false);
    expect(await fork(pr(null))).toBe(true);
  });

  it('a Dify URL without credentials means an offline plan, but is still refused elsewhere', () => {
    expect(action({ command: 'plan', 'dify-url': 'https://dify.example.com' }).dify).toBeUndefined();
    expect(() => action({ command: 'deploy', 'dify-url': 'https://dify.example.com' })).toThrow(/credentials are missing/);
    expect(() => action({ command: 'plan', 'dify-url': 'https://dify.example.com', 'dify-email': 'a@b.c' })).toThrow(
      /credentials are missing/,
    );
    expect(readCliSettings(['plan'], { DIFY_URL: 'https://dify.example.com' }).dify).toBeUndefined();
  });
});

describe('drift and pull settings', () => {
  it('fail-on-drift defaults to true; drift-issues and pull-request to false', () => {
    expect(action({ command: 'drift' }).options).toMatchObject({ failOnDrift: true, driftIssues: false });
    expect(action({ command: 'pull' }).options).toMatchObject({ pullRequest: false });
    expect(action({ command: 'drift', 'fail-on-drift': 'false', 'drift-issues': 'true' }).options).toMatchObject({
      failOnDrift: false,
      driftIssues: true,
    });
    expect(action({ command: 'pull', 'pull-request': 'yes', workflow: 'all' })).toMatchObject({
      command: 'pull',
      options: { pullRequest: true, workflow: 'all' },
    });
    expect(() => action({ command: 'drift', 'fail-on-drift': 'sometimes' })).toThrow(/"fail-on-drift" is "sometimes"; use true or false/);
  });

  it('the CLI takes pull NAME… or --all, and drift always reports through its exit code', () => {
    expect(readCliSettings(['pull', 'alpha', 'beta'], {})).toMatchObject({
      command: 'pull',
      options: { names: ['alpha', 'beta'], all: false },
    });
    expect(readCliSettings(['pull', '--all'], {})).toMatchObject({ options: { all: true } });
    expect(readCliSettings(['drift', '--json'], {})).toMatchObject({
      command: 'drift',
      json: true,
      options: { failOnDrift: true, driftIssues: false },
    });
  });
});
