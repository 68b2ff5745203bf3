// Batched tag pushes: one ls-remote and one push for a whole deploy run.
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
