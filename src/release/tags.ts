// Release tags are `<name>@v<version>`, one series per definition. Pure helpers: picking the
// previous release (the rollback target) must follow semver, not string order (1.10.0 > 1.9.0).
import { compareSemver, parseSemver, type SemVer } from '../definition/versions.js';

export interface ReleaseTag {
  name: string;
  version: string;
}

export function releaseTag(name: string, version: string): string {
  return `${name}@v${version}`;
}

/** `{name, version}` for a release tag, or null for any other tag (hand-made tags are ignored). */
export function parseReleaseTag(tag: string): ReleaseTag | null {
  const at = tag.lastIndexOf('@v');
  if (at <= 0) return null;
  const version = tag.slice(at + 2);
  return parseSemver(version) ? { name: tag.slice(0, at), version } : null;
}

/** The release of `name` with the highest version strictly below `belowVersion`, or null. */
export function previousReleaseTag(tags: readonly string[], name: string, belowVersion: string): string | null {
  const below = parseSemver(belowVersion);
  if (!below) throw new Error(`Not a semantic version: ${JSON.stringify(belowVersion)}`);
  return highest(tags, name, (version) => compareSemver(version, below) < 0);
}

/** The release of `name` with the highest version, or null when it was never released. */
export function latestReleaseTag(tags: readonly string[], name: string): string | null {
  return highest(tags, name, () => true);
}

function highest(tags: readonly string[], name: string, accept: (version: SemVer) => boolean): string | null {
  let best: { tag: string; version: SemVer } | null = null;
  for (const tag of tags) {
    const parsed = parseReleaseTag(tag);
    const version = parsed?.name === name ? parseSemver(parsed.version) : undefined;
    if (!version || !accept(version)) continue;
    if (!best || compareSemver(version, best.version) > 0) best = { tag, version };
  }
  return best?.tag ?? null;
}
