// Batched tag pushes: one ls-remote and one push for a whole deploy run.
import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { createGit } from '../../src/git/git.js';
import { createTempRepo, runGit, type TempRepo } from '../support/git-repo.js';

let repo: TempRepo | undefined;
afterEach(async () => {
  await repo?.cleanup();
  repo = undefined;
});

it('pushes only the tags origin lacks, is a no-op the second time, and refuses to move one', async () => {
  repo = await createTempRepo();
  const first = await repo.commit({ 'a.txt': 'a' }, 'a');
  const git = createGit(repo.dir);
  for (const tag of ['a@v1.0.0', 'b@v1.0.0', 'c@v1.0.0']) await git.createAnnotatedTag(tag, first, tag);
  await git.pushTag('a@v1.0.0');

  expect((await git.pushTags(['a@v1.0.0', 'b@v1.0.0', 'c@v1.0.0'])).pushed).toEqual(['b@v1.0.0', 'c@v1.0.0']);
  const remote = await repo.git(['ls-remote', '--tags', 'origin']);
  for (const tag of ['a@v1.0.0', 'b@v1.0.0', 'c@v1.0.0']) expect(remote).toContain(`refs/tags/${tag}^{}`);
  expect((await git.pushTags(['a@v1.0.0', 'b@v1.0.0'])).pushed).toEqual([]);

  // Someone else released d@v1.0.0 from another commit.
  const second = await repo.commit({ 'b.txt': 'b' }, 'b');
  await runGit(repo.dir, ['tag', 'd@v1.0.0', second]);
  await runGit(repo.dir, ['push', 'origin', 'refs/tags/d@v1.0.0']);
  await runGit(repo.dir, ['tag', '-d', 'd@v1.0.0']);
  await git.createAnnotatedTag('d@v1.0.0', first, 'd');
  await expect(git.pushTags(['d@v1.0.0'])).rejects.toThrow(/Tag d@v1\.0\.0 on origin points at .*refusing to move a release tag/);
});

/** A pre-receive hook on origin that refuses the next `times` pushes, as a busy remote does while other jobs push. */
async function refuseNextPushes(origin: string, times: number): Promise<void> {
  await writeFile(path.join(origin, 'refusals-left'), String(times));
  const hook = path.join(origin, 'hooks', 'pre-receive');
  await writeFile(
    hook,
    [
      '#!/bin/sh',
      'cat > /dev/null',
      'left=$(cat refusals-left)',
      'if [ "$left" -gt 0 ]; then',
      '  echo $((left - 1)) > refusals-left',
      '  echo "error: cannot lock ref: another push is updating the repository" >&2',
      '  exit 1',
      'fi',
      '',
    ].join('\n'),
  );
  await chmod(hook, 0o755);
}

it('a tag push refused while other jobs push to the same origin is tried again, and lands', async () => {
  repo = await createTempRepo();
  const commit = await repo.commit({ 'a.txt': 'a' }, 'a');
  const waits: number[] = [];
  const git = createGit(repo.dir, { sleep: async (ms) => void waits.push(ms) });
  await git.createAnnotatedTags(['a@v1.0.0', 'b@v1.0.0'].map((tag) => ({ tag, commit, message: tag })));
  await refuseNextPushes(repo.origin, 2);

  expect((await git.pushTags(['a@v1.0.0', 'b@v1.0.0'])).pushed).toEqual(['a@v1.0.0', 'b@v1.0.0']);
  expect(waits).toEqual([1000, 2000]);
  expect(await runGit(repo.origin, ['tag', '--list'])).toBe('a@v1.0.0\nb@v1.0.0');
});

it("a tag push refused every time fails after three attempts, with git's own words", async () => {
  repo = await createTempRepo();
  const commit = await repo.commit({ 'a.txt': 'a' }, 'a');
  const git = createGit(repo.dir, { sleep: async () => {} });
  await git.createAnnotatedTags([{ tag: 'a@v1.0.0', commit, message: 'a' }]);
  await refuseNextPushes(repo.origin, 5);

  await expect(git.pushTags(['a@v1.0.0'])).rejects.toMatchObject({
    code: 'git.failed',
    details: { stderr: expect.stringMatching(/cannot lock ref: another push/) },
  });
  expect(await readFile(path.join(repo.origin, 'refusals-left'), 'utf8')).toBe('2\n');
  expect(await runGit(repo.origin, ['tag', '--list'])).toBe('');
});
