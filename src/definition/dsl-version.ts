// The DSL's own format version (`dsl.version`, not the definition's semver): it must be one Dify has
// released, and a deploy refuses one newer than the target server takes before writing anything.
import type { DifyDsl } from './types.js';
import type { Reporter } from './diagnostics.js';
import { compareSemver, compareVersionText, parseSemver } from './versions.js';
import { UserError } from '../support/errors.js';

/**
 * Every value Dify's CURRENT_DSL_VERSION (api/services/app_dsl_service.py) has taken: 0.1.x through
 * 0.4.0 in 1.x releases up to 1.8.1, 0.5.0 in 1.11.x and 1.12.1, 0.6.0 on Dify's main branch.
 */
export const RELEASED_DSL_VERSIONS: readonly string[] = [
  '0.1.0',
  '0.1.1',
  '0.1.2',
  '0.1.3',
  '0.1.4',
  '0.1.5',
  '0.2.0',
  '0.3.0',
  '0.3.1',
  '0.4.0',
  '0.5.0',
  '0.6.0',
];

/**
 * Dify versions whose DSL version we read in their source. DSL versions only grow, so a server at or
 * below one of these takes that DSL version at most; a newer server has no known bound.
 */
const KNOWN_SERVERS: ReadonlyArray<readonly [dify: string, dsl: string]> = [
  ['1.8.1', '0.4.0'],
  ['1.12.1', '0.5.0'],
];

export function checkDslVersion(reporter: Reporter, dsl: DifyDsl): void {
  const version = dsl.version;
  if (typeof version !== 'string' || RELEASED_DSL_VERSIONS.includes(version)) return;
  const newest = RELEASED_DSL_VERSIONS[RELEASED_DSL_VERSIONS.length - 1];
  if (isPlausibleNext(version, newest)) {
    // Like an unknown node type: a Dify release newer than this list must not break the build.
    reporter.warn(
      '/dsl/version',
      `DSL version "${version}" is newer than any dify-gitops knows (${newest}); if a new Dify exported it, update dify-gitops, otherwise keep the version Dify wrote`,
    );
    return;
  }
  reporter.error(
    '/dsl/version',
    `DSL version "${version}" is not one Dify has released (${RELEASED_DSL_VERSIONS[0]} to ${newest}); keep the version Dify wrote when it exported the app, e.g. "0.5.0" for Dify 1.12`,
  );
}

/** A version a Dify release after this list could write: same major, at most two minors ahead. */
function isPlausibleNext(version: string, newest: string): boolean {
  const v = parseSemver(version);
  const n = parseSemver(newest);
  if (!v || !n || v.prerelease.length > 0 || v.build.length > 0) return false;
  return compareSemver(v, n) > 0 && v.major === n.major && v.minor <= n.minor + 2;
}

/** The newest DSL version a Dify server of version `difyVersion` can take, when we know a bound. */
export function maxDslVersionFor(difyVersion: string | undefined): string | undefined {
  const plain = /^\s*v?(\d+\.\d+\.\d+)/.exec(difyVersion ?? '')?.[1];
  if (!plain) return undefined;
  for (const [dify, dsl] of KNOWN_SERVERS) {
    const order = compareVersionText(plain, dify);
    if (order !== undefined && order <= 0) return dsl;
  }
  return undefined;
}

/**
 * Refuses, before any write, a DSL newer than the server takes (Dify would hold its import as pending).
 * `allow-dsl-version-change` lets it through to Dify's own confirm step.
 */
export function assertDslFitsServer(dsl: DifyDsl, difyVersion: string | undefined, allowVersionChange: boolean): void {
  const limit = maxDslVersionFor(difyVersion);
  if (allowVersionChange || !limit || typeof dsl.version !== 'string') return;
  const order = compareVersionText(dsl.version, limit);
  if (order === undefined || order <= 0) return;
  throw new UserError(
    'deploy.import',
    `DSL version ${dsl.version} is newer than Dify ${difyVersion} takes (${limit} at most); nothing was written.`,
    {
      hint: 'Export the app again from a Dify of this version (or set its dsl.version to one it takes), or set allow-dsl-version-change: true to let Dify confirm the import.',
      location: { path: '/dsl/version' },
    },
  );
}
