// Which release is where: the latest release of a definition (from its tags), and the release a
// live published version in an environment came from (from its marks). Reads only; tags are
// fetched first when the checkout has none.
import type { Git } from '../git/git.js';
import type { WorkflowVersion } from '../dify/types.js';
import type { Definition, DifyDsl } from '../definition/types.js';
import { dslContentHash } from '../definition/canonical.js';
import { mapDatasetAliases } from '../definition/workflow-parts.js';
import { findSnapshot, listReleaseTags, readSnapshot, type Snapshot } from './snapshots.js';
import { latestReleaseTag, releaseTag } from './tags.js';
import { verifiedHash } from './marks.js';

export interface Release {
  tag: string;
  definition: Definition;
  /** The released DSL as it was imported into this environment (dataset ids mapped). */
  dsl: DifyDsl;
}

/** The latest `<name>@v*` release, or null when the definition was never released. */
export async function readLatestRelease(git: Git, name: string, file: string, environment: string): Promise<Release | null> {
  const tag = latestReleaseTag(await listReleaseTags(git, name), name);
  if (!tag) return null;
  const snapshot = await readSnapshot(git, tag, file);
  return { tag: snapshot.tag, definition: snapshot.definition, dsl: mapDatasetAliases(snapshot.definition, environment).dsl };
}

/**
 * actions/checkout fetches no tags by default; without them every definition looks unreleased.
 * The one place tags are fetched: a failure only warns, saying what it costs (`consequence`).
 */
export async function ensureTags(
  git: Git,
  warn: (line: string) => void,
  consequence = 'releases are read from local tags only',
): Promise<void> {
  if (await git.hasAnyTags()) return;
  try {
    await git.fetchTags();
  } catch (error) {
    warn(`Could not fetch tags (${(error as Error).message}); ${consequence}.`);
  }
}

/**
 * The release a published version claims by its name (`marked_name` is the version a deploy
 * published), when that release's DSL, as imported into `environment`, passes `sameContent`.
 * A version named after a release but holding other content was edited, not released.
 */
export async function findReleaseNamedBy(
  git: Git,
  definition: { name: string; file: string },
  environment: string,
  versionName: string,
  sameContent: (dsl: DifyDsl) => boolean,
): Promise<Snapshot | null> {
  const tag = releaseTag(definition.name, versionName);
  const snapshot = await findSnapshot(git, definition.name, definition.file, tag).catch(() => null);
  return snapshot && sameContent(mapDatasetAliases(snapshot.definition, environment).dsl) ? snapshot : null;
}

/** The release live in `environment` per the verified marks of its published version, or null. */
export async function findLiveRelease(
  git: Git,
  definition: { name: string; file: string },
  environment: string,
  published: WorkflowVersion | null,
): Promise<Snapshot | null> {
  const marked = verifiedHash(published?.marked_comment);
  if (!published?.marked_name || !marked) return null;
  return findReleaseNamedBy(git, definition, environment, published.marked_name, (dsl) => dslContentHash(dsl).startsWith(marked));
}
