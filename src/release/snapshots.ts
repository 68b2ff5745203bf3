// Released versions of a definition, read back from git: the tag `<name>@v<version>` and the
// definition file as it was at that tag. These are the rollback targets.
import type { Git } from '../git/git.js';
import type { Definition } from '../definition/types.js';
import { isDefinitionShaped } from '../definition/load.js';
import { latestReleaseTag, parseReleaseTag, previousReleaseTag, releaseTag } from './tags.js';
import { compareVersionText } from '../definition/versions.js';
import { UserError } from '../support/errors.js';

export interface Snapshot {
  tag: string;
  commit: string;
  definition: Definition;
}

/** The highest release strictly below the definition's version: where a failed deploy goes back to. */
export async function previousSnapshot(git: Git, definition: Definition, file: string): Promise<Snapshot | null> {
  const tags = await listReleaseTags(git, definition.name);
  const tag = previousReleaseTag(tags, definition.name, definition.version);
  return tag ? readSnapshot(git, tag, file) : null;
}

/** `to` is a version (1.3.0), a tag (name@v1.3.0), `latest`, or `previous` (the release before the latest). */
export async function findSnapshot(git: Git, name: string, file: string, to: string): Promise<Snapshot> {
  const tags = await listReleaseTags(git, name);
  let tag: string | null;
  if (to === 'latest') tag = latestReleaseTag(tags, name);
  else if (to === 'previous') {
    const latest = latestReleaseTag(tags, name);
    tag = latest ? previousReleaseTag(tags, name, parseReleaseTag(latest)!.version) : null;
  } else tag = to.includes('@v') ? to : releaseTag(name, to.replace(/^v/, ''));
  if (!tag || !tags.includes(tag)) {
    const known = tags.map((t) => parseReleaseTag(t)!.version).sort((a, b) => compareVersionText(b, a) ?? 0);
    throw known.length
      ? new UserError('release.not-found', `${name} has no release "${to}".`, {
          hint: `Released versions: ${known.join(', ')}. Pass one of them as "to" (or a tag, "latest", "previous").`,
        })
      : new UserError('snapshot.never-released', `${name} has no release "${to}".`, {
          hint: `${name} was never released (no ${name}@v* tags). Fetch tags (fetch-depth: 0) or deploy it first.`,
        });
  }
  return readSnapshot(git, tag, file);
}

/** The release tags of `name` (the glob also matches `name@v…` of a longer name: those are dropped). */
export async function listReleaseTags(git: Git, name: string): Promise<string[]> {
  return (await git.listTags(`${name}@v*`)).filter((t) => parseReleaseTag(t)?.name === name);
}

export async function readSnapshot(git: Git, tag: string, file: string): Promise<Snapshot> {
  const commit = (await git.tagTarget(tag)) ?? tag;
  const text = await git.show(tag, file);
  if (text === null)
    throw new UserError('snapshot.unreadable', `${file} does not exist at ${tag}.`, {
      hint: 'The definition was renamed or moved since that release; roll back from the file path it had then.',
    });
  return { tag, commit, definition: parseDefinition(text, `${file}@${tag}`) };
}

/** Released files passed validation when they were tagged; a parse failure here means tampering. */
export function parseDefinition(text: string, where: string): Definition {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UserError('snapshot.unreadable', `${where} is not valid JSON: ${(error as Error).message}`, {
      hint: 'Restore from another release.',
    });
  }
  if (!isDefinitionShaped(value))
    throw new UserError('snapshot.unreadable', `${where} is not a definition (no name, app or dsl).`, {
      hint: 'Restore from another release.',
    });
  return value;
}
