// Release tags in real repositories: idempotent create and push, refusal to move, fetch, and
// that nothing a tag or path contains ever reaches a shell.
import { existsSync } from 'node:fs';
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

/** A second clone of origin, as another CI job would have. */
async function cloneOrigin(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'dify-gitops-clone-'));
  cleanups.push(() => rm(root, { recursive: true, force: true }));
  await runGit(root, ['clone', '--quiet', repo.origin, 'clone']);
  const dir = join(root, 'clone');
  await runGit(dir, ['config', 'user.name', 'Other Job']);
  await runGit(dir, ['config', 'user.email', 'other@example.com']);
  return dir;
}

async function remoteTags(): Promise<string> {
  return repo.git(['ls-remote', '--tags', 'origin']);
}

describe('createAnnotatedTag', () => {
  it('creates an annotated tag once; the same commit again is a no-op', async () => {
    const sha = await repo.commit({ 'a.txt': 'a' }, 'one');
    expect(await git.createAnnotatedTag('bot@v1.0.0', sha, 'Release bot 1.0.0')).toEqual({ created: true });
    expect(await git.createAnnotatedTag('bot@v1.0.0', 'HEAD', 'Release bot 1.0.0')).toEqual({ created: false });

    expect(await repo.git(['cat-file', '-t', 'refs/tags/bot@v1.0.0'])).toBe('tag');
    expect(await repo.git(['tag', '-l', '--format=%(contents:subject)', 'bot@v1.0.0'])).toBe('Release bot 1.0.0');
    expect(await git.tagTarget('bot@v1.0.0')).toBe(sha);
    expect(await git.tagTarget('bot@v2.0.0')).toBeNull();
  });

  it('refuses to move a tag that points at another commit, naming both commits', async () => {
    const first = await repo.commit({ 'a.txt': '1' }, 'one');
    const second = await repo.commit({ 'a.txt': '2' }, 'two');
    await git.createAnnotatedTag('bot@v1.0.0', first, 'release');

    const error = await expectGitError(git.createAnnotatedTag('bot@v1.0.0', second, 'release'));
    expect(error.code).toBe('git.tag-conflict');
    expect(error.message).toContain(first.slice(0, 12));
    expect(error.message).toContain(second.slice(0, 12));
    expect(error.hint).toMatch(/bump "version"/);
    expect(await git.tagTarget('bot@v1.0.0')).toBe(first);
  });

  it('tags as github-actions[bot] when the runner has no git identity', async () => {
    const sha = await repo.commit({ 'a.txt': 'a' }, 'one');
    await repo.git(['config', '--unset', 'user.name']);
    await repo.git(['config', '--unset', 'user.email']);
    const saved = { global: process.env.GIT_CONFIG_GLOBAL, system: process.env.GIT_CONFIG_NOSYSTEM };
    // An empty global config and no system config: the state of a fresh CI runner.
    process.env.GIT_CONFIG_GLOBAL = '/dev/null';
    process.env.GIT_CONFIG_NOSYSTEM = '1';
    try {
      await git.createAnnotatedTag('bot@v1.0.0', sha, 'release');
    } finally {
      restoreEnv('GIT_CONFIG_GLOBAL', saved.global);
      restoreEnv('GIT_CONFIG_NOSYSTEM', saved.system);
    }
    const tagger = await repo.git(['tag', '-l', '--format=%(taggername) %(taggeremail)', 'bot@v1.0.0']);
    expect(tagger).toBe('github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>');
  });

  it('keeps a configured identity', async () => {
    const sha = await repo.commit({ 'a.txt': 'a' }, 'one');
    await git.createAnnotatedTag('bot@v1.0.0', sha, 'release');
    expect(await repo.git(['tag', '-l', '--format=%(taggeremail)', 'bot@v1.0.0'])).toBe('<test@example.com>');
  });
});

describe('pushTag and fetchTags', () => {
  it('pushes a tag to origin once; pushing it again is a no-op', async () => {
    const sha = await repo.commit({ 'a.txt': 'a' }, 'one');
    await git.createAnnotatedTag('bot@v1.0.0', sha, 'release');
    expect(await git.pushTag('bot@v1.0.0')).toEqual({ pushed: true });
    expect(await remoteTags()).toContain(`${sha}\trefs/tags/bot@v1.0.0^{}`);
    expect(await git.pushTag('bot@v1.0.0', 'origin')).toEqual({ pushed: false });
  });

  it('treats the same release pushed by another job as done', async () => {
    const sha = await repo.commit({ 'a.txt': 'a' }, 'one');
    const other = createGit(await cloneOrigin());
    await other.createAnnotatedTag('bot@v1.0.0', sha, 'their message');
    await other.pushTag('bot@v1.0.0');

    await git.createAnnotatedTag('bot@v1.0.0', sha, 'our message');
    expect(await git.pushTag('bot@v1.0.0')).toEqual({ pushed: false });
  });

  it('refuses to overwrite a remote tag on another commit', async () => {
    const first = await repo.commit({ 'a.txt': '1' }, 'one');
    const second = await repo.commit({ 'a.txt': '2' }, 'two');
    const other = createGit(await cloneOrigin());
    await other.createAnnotatedTag('bot@v1.0.0', first, 'theirs');
    await other.pushTag('bot@v1.0.0');

    await git.createAnnotatedTag('bot@v1.0.0', second, 'ours');
    const error = await expectGitError(git.pushTag('bot@v1.0.0'));
    expect(error.code).toBe('git.tag-conflict');
    expect(error.message).toContain('on origin');
    expect(error.hint).toContain('git push origin :refs/tags/bot@v1.0.0');
    expect(await remoteTags()).toContain(`${first}\trefs/tags/bot@v1.0.0^{}`);
  });

  it('refuses to push a tag that does not exist locally', async () => {
    await repo.commit({ 'a.txt': 'a' }, 'one');
    expect((await expectGitError(git.pushTag('bot@v1.0.0'))).code).toBe('git.unknown-ref');
  });

  it('explains a push to a remote that is not there', async () => {
    const sha = await repo.commit({ 'a.txt': 'a' }, 'one');
    await git.createAnnotatedTag('bot@v1.0.0', sha, 'release');
    const error = await expectGitError(git.pushTag('bot@v1.0.0', 'upstream'));
    expect(error.code).toBe('git.failed');
    expect(error.details.args).toEqual(['ls-remote', '--tags', 'upstream', 'refs/tags/bot@v1.0.0', 'refs/tags/bot@v1.0.0^{}']);
    expect(error.hint).toMatch(/remote name/);
  });

  it('fetches tags another job pushed and lists them by pattern', async () => {
    const sha = await repo.commit({ 'a.txt': 'a' }, 'one');
    const other = createGit(await cloneOrigin());
    for (const tag of ['bot@v1.0.0', 'bot@v1.1.0', 'other@v1.0.0']) {
      await other.createAnnotatedTag(tag, sha, tag);
      await other.pushTag(tag);
    }
    expect(await git.listTags('bot@v*')).toEqual([]);
    await git.fetchTags();
    expect(await git.listTags('bot@v*')).toEqual(['bot@v1.0.0', 'bot@v1.1.0']);
    expect(await git.tagTarget('other@v1.0.0')).toBe(sha);
  });
});

describe('no shell in between', () => {
  const hostile = ['a;touch pwned', 'v1$(touch pwned)', 'v1`touch pwned`', 'x|touch pwned', 'a&&touch pwned'];

  it('passes tag names literally: valid ones become tags verbatim, the rest are refused', async () => {
    const sha = await repo.commit({ 'a.txt': 'a' }, 'one');
    for (const tag of hostile) {
      const valid = !tag.includes(' ');
      const result = git.createAnnotatedTag(tag, sha, `$(touch pwned); rm -rf ${repo.dir}`);
      if (valid) {
        await expect(result).resolves.toEqual({ created: true });
        expect(await git.tagTarget(tag)).toBe(sha);
        expect(await git.pushTag(tag)).toEqual({ pushed: true });
      } else {
        expect((await expectGitError(result)).code).toBe('git.invalid-ref');
      }
    }
    expect((await git.listTags('*')).sort()).toEqual(hostile.filter((t) => !t.includes(' ')).sort());
    expect(existsSync(join(repo.dir, 'pwned'))).toBe(false);
    expect(existsSync(join(process.cwd(), 'pwned'))).toBe(false);
    expect(existsSync(join(repo.dir, 'a.txt'))).toBe(true);
  });

  it('reads paths with shell syntax literally', async () => {
    const name = 'workflows/$(touch pwned); rm -rf x.json';
    const base = await repo.commit({ 'workflows/ok.json': '1' }, 'base');
    const head = await repo.commit({ [name]: 'literal' }, 'odd');
    expect(await git.changedFiles(base, head, 'workflows')).toEqual([name]);
    expect(await git.show(head, name)).toBe('literal');
    expect(await git.show(head, 'workflows/`touch pwned`.json')).toBeNull();
    expect(existsSync(join(repo.dir, 'pwned'))).toBe(false);
  });

  it('refuses refs and patterns that git would read as options', async () => {
    await repo.commit({ 'a.txt': 'a' }, 'one');
    const out = join(repo.dir, 'written-by-option');
    const attempts = [
      git.resolve(`--output=${out}`),
      git.show('--help', 'a.txt'),
      git.listTags('--contains=HEAD'),
      git.tagTarget('-d'),
      git.fetchTags('--upload-pack=touch pwned'),
    ];
    for (const attempt of attempts) expect((await expectGitError(attempt)).code).toBe('git.invalid-ref');
    expect(existsSync(out)).toBe(false);
  });
});

function restoreEnv(key: string, value: string | undefined): void {
  if (value === undefined) delete process.env[key];
  else process.env[key] = value;
}
