// Which definitions a deploy touches: those changed by the push, or every one with `all`.
// Without a usable push range (first push, manual run), each definition is compared with its
// own latest release tag, so nothing released is redeployed and nothing unreleased is missed.
import type { Git } from './git/git.js';
import { latestReleaseTag } from './release/tags.js';

export interface Candidate {
  file: string;
  name: string;
  version: string;
  text: string;
}

export interface Selection<C extends Candidate = Candidate> {
  selected: Array<C & { reason: string }>;
  /** How the changes were found, for the log. */
  basis: string;
}

const ZERO_SHA = /^0+$/;

export async function selectChanged<C extends Candidate>(
  candidates: C[],
  options: { git: Git; all: boolean; base?: string; head: string; dir: string; log: (line: string) => void },
): Promise<Selection<C>> {
  const { git } = options;
  if (options.all) return { selected: candidates.map((c) => ({ ...c, reason: 'all: true' })), basis: 'every definition (all: true)' };
  if (options.base && !ZERO_SHA.test(options.base)) {
    const base = await git.resolve(options.base);
    if (base) {
      const changed = new Set(await git.changedFiles(base, options.head, options.dir));
      return {
        selected: candidates.filter((c) => changed.has(c.file)).map((c) => ({ ...c, reason: `changed since ${base.slice(0, 7)}` })),
        basis: `changes between ${base.slice(0, 7)} and ${options.head.slice(0, 7)}`,
      };
    }
    options.log(
      `The push's base ${options.base.slice(0, 7)} is not in this clone; comparing each definition with its latest release tag instead.`,
    );
  }
  // actions/checkout fetches no tags by default; without them every definition would look new.
  if (!(await git.hasAnyTags())) {
    try {
      await git.fetchTags();
    } catch (error) {
      options.log(`Could not fetch tags (${(error as Error).message}); definitions without a local tag count as new.`);
    }
  }
  const tags = await git.listTags('*@v*');
  const selected: Selection<C>['selected'] = [];
  for (const c of candidates) {
    const tag = latestReleaseTag(tags, c.name);
    if (!tag) selected.push({ ...c, reason: 'never released' });
    else if ((await git.show(tag, c.file)) !== c.text) selected.push({ ...c, reason: `differs from ${tag}` });
  }
  return { selected, basis: 'each definition against its latest release tag' };
}
