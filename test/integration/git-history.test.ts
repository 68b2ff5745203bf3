// The Git wrapper reading history in real temporary repositories with a bare origin.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GitError } from '../../src/git/errors.js';
import { isUserError } from '../../src/support/errors.js';
import { createGit, type Git } from '../../src/git/git.js';
import { createTempRepo, runGit, type TempRepo } from '../support/git-repo.js';

let repo: TempRepo;
let git: Git;
const cleanups: Array<() => Promise<void>> = [];

beforeEach(async () => {
  repo = await createTempRepo();
  git = createGit(repo.dir);
});
afterEach(async () => {
  await repo.cleanup();
  while (cleanups.length) await cleanups.pop()!();
});

async function expectGitError(promise: Promise<unknown>): Promise<GitError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(isUserError(error, 'git.missing', 'git.unknown-ref', 'git.invalid-ref', 'git.tag-conflict', 'git.failed')).toBe(true);
  return error as GitError;
}

describe('changedFiles', () => {
  it('lists added, modified and renamed files under the pathspec, never deleted ones', async () => {
    const base = await repo.commit(
      { 'workflows/a.json': 'a1', 'workflows/b.json': 'b1', 'workflows/d.json': 'd1', 'README.md': 'r1' },
      'base',
    );
    await repo.git(['mv', 'workflows/d.json', 'workflows/e.json']);
    const head = await repo.commit(
      { 'workflows/a.json': 'a2', 'workflows/b.json': null, 'workflows/c.json': 'c1', 'README.md': 'r2' },
      'change',
    );
    expect((await git.changedFiles(base, head, 'workflows')).sort()).toEqual(['workflows/a.json', 'workflows/c.json', 'workflows/e.json']);
    expect(await git.changedFiles(base, head, 'README.md')).toEqual(['README.md']);
    expect(await git.changedFiles(head, head, 'workflows')).toEqual([]);
  });

  it('keeps unusual file names verbatim', async () => {
    const base = await repo.commit({ 'workflows/x.json': '1' }, 'base');
    const head = await repo.commit({ 'workflows/ünïcode name "q".json': '1' }, 'odd');
    expect(await git.changedFiles(base, head, 'workflows')).toEqual(['workflows/ünïcode name "q".json']);
  });

  it('throws unknown-ref for a base this clone does not have, so callers can fall back', async () => {
    const head = await repo.commit({ 'workflows/a.json': 'a' }, 'only');
    for (const base of ['0000000000000000000000000000000000000000', 'origin/nope', 'deadbeef']) {
      const error = await expectGitError(git.changedFiles(base, head, 'workflows'));
      expect(error.code).toBe('git.unknown-ref');
      expect(error.message).toContain(base);
      expect(error.hint).toContain('fetch-depth: 0');
    }
  });
});

describe('show', () => {
  it('reads a file as it was at a tag, and null where the path does not exist', async () => {
    const first = await repo.commit({ 'workflows/a.json': '{"v":1}\n' }, 'v1');
    await repo.git(['tag', '-a', '-m', 'release', 'bot@v1.0.0', first]);
    await repo.commit({ 'workflows/a.json': '{"v":2}\n', 'workflows/b.json': 'b' }, 'v2');

    expect(await git.show('bot@v1.0.0', 'workflows/a.json')).toBe('{"v":1}\n');
    expect(await git.show('HEAD', 'workflows/a.json')).toBe('{"v":2}\n');
    expect(await git.show('bot@v1.0.0', 'workflows/b.json')).toBeNull();
    expect(await git.show('HEAD', 'workflows')).toBeNull();
    expect(await git.show('HEAD', '../../etc/passwd')).toBeNull();
  });

  it('throws unknown-ref when the ref itself is missing', async () => {
    await repo.commit({ 'a.txt': 'a' }, 'one');
    expect((await expectGitError(git.show('bot@v9.9.9', 'a.txt'))).code).toBe('git.unknown-ref');
  });
});

describe('refs and repository state', () => {
  it('resolves HEAD, branches and tags to commits and unknown refs to null', async () => {
    const sha = await repo.commit({ 'a.txt': 'a' }, 'one');
    expect(await git.headSha()).toBe(sha);
    expect(await git.resolve('main')).toBe(sha);
    expect(await git.resolve('origin/main')).toBe(sha);
    expect(await git.resolve('no-such-branch')).toBeNull();
  });

  it('reports the branch, and null on a detached HEAD as in pull-request checkouts', async () => {
    const sha = await repo.commit({ 'a.txt': 'a' }, 'one');
    expect(await git.currentBranch()).toBe('main');
    await repo.git(['checkout', '--quiet', '--detach', sha]);
    expect(await git.currentBranch()).toBeNull();
  });

  it('tells whether any tag exists', async () => {
    await repo.commit({ 'a.txt': 'a' }, 'one');
    expect(await git.hasAnyTags()).toBe(false);
    await repo.git(['tag', 'anything']);
    expect(await git.hasAnyTags()).toBe(true);
  });

  it('detects a shallow clone, where older bases are missing', async () => {
    const base = await repo.commit({ 'workflows/a.json': '1' }, 'one');
    const head = await repo.commit({ 'workflows/a.json': '2' }, 'two');
    expect(await git.isShallow()).toBe(false);

    const shallowDir = await mkdtemp(join(tmpdir(), 'dify-gitops-shallow-'));
    cleanups.push(() => rm(shallowDir, { recursive: true, force: true }));
    await runGit(shallowDir, ['clone', '--quiet', '--depth', '1', `file://${repo.origin}`, 'clone']);
    const shallow = createGit(join(shallowDir, 'clone'));
    expect(await shallow.isShallow()).toBe(true);
    expect(await shallow.headSha()).toBe(head);
    expect((await expectGitError(shallow.changedFiles(base, head, 'workflows'))).code).toBe('git.unknown-ref');
  });

  it('explains a directory that is not a repository', async () => {
    const plain = await mkdtemp(join(tmpdir(), 'dify-gitops-plain-'));
    cleanups.push(() => rm(plain, { recursive: true, force: true }));
    // GIT_CEILING_DIRECTORIES would be cleaner, but tmpdir is never inside a repository here.
    const error = await expectGitError(createGit(plain).headSha());
    expect(error.code).toBe('git.failed');
    expect(error.details.args).toEqual(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
    expect(error.details.stderr).toMatch(/not a git repository/);
    expect(error.hint).toMatch(/checkout/);
  });

  it('logs each command it runs when asked', async () => {
    await repo.commit({ 'a.txt': 'a' }, 'one');
    const lines: string[] = [];
    await createGit(repo.dir, { log: (line) => lines.push(line) }).currentBranch();
    expect(lines).toEqual(['git symbolic-ref --quiet --short HEAD']);
  });
});
