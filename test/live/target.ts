// Which Dify the live conformance suite talks to: a real server named by DIFY_LIVE_* variables, or
// the bundled emulator (the normal suite runs the same checks against it, so they cannot rot).
import { randomBytes } from 'node:crypto';

export interface LiveTarget {
  /** Shown in test names and the skip line: "emulator (cookie)", "http://127.0.0.1:5001". */
  label: string;
  url: string;
  email?: string;
  password?: string;
  token?: string;
  /** DIFY_LIVE_PASSWORD_ENCODING: pins how the login sends the password, as the action's input does. */
  passwordEncoding?: 'auto' | 'base64' | 'plain';
}

type Env = Record<string, string | undefined>;

/** The target named by the environment, or the one line saying why the live suite is skipped. */
export function readLiveTarget(env: Env = process.env): { target: LiveTarget } | { skip: string } {
  const url = env.DIFY_LIVE_URL?.trim();
  if (!url) return { skip: 'live conformance suite skipped: DIFY_LIVE_URL is not set (see test/live/README.md)' };
  const email = env.DIFY_LIVE_EMAIL?.trim() || undefined;
  const password = env.DIFY_LIVE_PASSWORD || undefined;
  const token = env.DIFY_LIVE_TOKEN?.trim() || undefined;
  if (!token && !(email && password)) {
    return { skip: 'live conformance suite skipped: set DIFY_LIVE_EMAIL and DIFY_LIVE_PASSWORD, or DIFY_LIVE_TOKEN, beside DIFY_LIVE_URL' };
  }
  const encoding = env.DIFY_LIVE_PASSWORD_ENCODING?.trim();
  const passwordEncoding = encoding === 'base64' || encoding === 'plain' ? encoding : undefined;
  return { target: { label: url, url: url.replace(/\/+$/, ''), email, password, token, passwordEncoding } };
}

/** Every app the suite creates is named with this prefix and the run id, so cleanup can never touch another app. */
export const LIVE_PREFIX = 'dify-gitops-live';

export function newRunId(): string {
  return randomBytes(3).toString('hex');
}
