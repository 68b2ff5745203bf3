// Released versions of a definition, read back from git: the tag `<name>@v<version>` and the
// definition file as it was at that tag. These are the rollback targets.
import type { Git } from '../git/git.js';
import type { Definition } from '../definition/types.js';
import { isDefinitionShaped, readDefinition } from '../definition/load.js';
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
  const definition = await readDefinitionAt(git, tag, file);
  if (definition === null)
    throw new UserError('snapshot.unreadable', `${file} does not exist at ${tag}.`, {
      hint: 'The definition was renamed or moved since that release; roll back from the file path it had then.',
    });
  return { tag, commit, definition };
}

/**
 * The definition as it was at `ref`, with the DSL file it named then; null when it did not exist.
 * Released files passed validation when they were tagged; a parse failure here means tampering.
 */
export async function readDefinitionAt(git: Git, ref: string, file: string): Promise<Definition | null> {
  const loaded = await readDefinition((f) => git.show(ref, f), file);
  if (loaded === null) return null;
  const where = `${file}@${ref.length === 40 ? ref.slice(0, 7) : ref}`;
  const problem = loaded.diagnostics[0];
  if (problem)
    throw new UserError(
      'snapshot.unreadable',
      `${where} cannot be read: ${problem.file}:${problem.line}:${problem.column}: ${problem.message}`,
      {
        hint: 'Restore from another release.',
      },
    );
  if (!isDefinitionShaped(loaded.value))
    throw new UserError('snapshot.unreadable', `${where} is not a definition (no name, app or dsl).`, {
      hint: 'Restore from another release.',
    });
  return loaded.value;
}
