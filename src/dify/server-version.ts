// What a Dify server says about itself before anyone logs in: every answer carries `X-Version`
// (Dify's app_factory), and GET /console/api/system-features needs no session.
import { isUserError } from '../support/errors.js';
import type { HttpClient } from './http.js';

export interface ServerVersion {
  /** e.g. "1.12.1"; undefined when the header is missing (a proxy may strip it) or unreadable. */
  version?: string;
}

/** Dify 1.11.2 started decoding the login password as Base64 (libs/encryption.py, PR #29659). */
export const BASE64_PASSWORD_SINCE = '1.11.2';

/**
 * One unauthenticated GET. An answer without a readable version is no error (the login then cannot pick
 * its form up front); an unreachable server is, since the login would only fail the same way.
 */
export async function readServerVersion(http: HttpClient): Promise<ServerVersion> {
  try {
    const res = await http.send({ method: 'GET', path: '/console/api/system-features', safety: 'read', surface: 'console' });
    const header = res.headers['x-version'];
    const value = Array.isArray(header) ? header[0] : header;
    return parseVersion(value) ? { version: value?.trim() } : {};
  } catch (error) {
    if (isUserError(error, 'dify.unreachable')) throw error;
    return {};
  }
}

export function parseVersion(value: string | undefined): [number, number, number] | null {
  const match = /^\s*v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(value ?? '');
  return match ? [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)] : null;
}

/** `version` ≥ `least`, comparing major.minor.patch; false when `version` is unreadable. */
export function versionAtLeast(version: string | undefined, least: string): boolean {
  const a = parseVersion(version);
  const b = parseVersion(least);
  if (!a || !b) return false;
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] > b[i];
  return true;
}

/** Console auth by era: Dify moved console sessions from bearer tokens to cookies + CSRF in 1.9. */
export const COOKIE_SESSIONS_SINCE = '1.9.0';

export interface ServerSurface {
  version?: string;
  /** cookie (1.9+), bearer (earlier), or unknown without a version. */
  console: 'cookie' | 'bearer' | 'unknown';
  /** The /openapi/v1 surface (dfoa_ tokens) answers. */
  openapi: boolean;
}
