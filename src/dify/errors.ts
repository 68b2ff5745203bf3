// Failures of the Dify boundary, as UserErrors. Each carries what happened (method, path, HTTP
// status, Dify's `code` and message) and, in `hint`, what the user should do next. Messages are
// redacted: they may be printed, logged and put into job summaries.
import { redact } from '../support/redact.js';
import { type DifyHttpDetails, type DifySurface, type UnreachableReason, UserError } from '../support/errors.js';
import type { ImportResult } from './types.js';

export type { DifySurface, UnreachableReason };

export interface DifyErrorDetails extends DifyHttpDetails {
  /** What to do next; derived from status and code when not given. */
  hint?: string;
}

export type DifyErrorCode = 'dify.auth' | 'dify.locked' | 'dify.forbidden' | 'dify.http';
export type DifyError = UserError<DifyErrorCode>;

/** A Dify answer we did not accept, coded so callers can tell a refused login from an outage. */
export function difyError(message: string, details: DifyErrorDetails): DifyError {
  const { hint, ...facts } = details;
  const difyMessage = facts.difyMessage === undefined ? undefined : redact(facts.difyMessage);
  return new UserError(codeFor(details), redact(message), {
    hint: hint ?? hintFor(details),
    details: { ...facts, difyMessage },
  });
}

/** Narrows to a failed Dify answer (any of the HTTP codes). */
export function isDifyError(error: unknown): error is DifyError {
  return error instanceof UserError && (DIFY_CODES as readonly string[]).includes(error.code);
}

const DIFY_CODES: readonly DifyErrorCode[] = ['dify.auth', 'dify.locked', 'dify.forbidden', 'dify.http'];

function codeFor(d: DifyErrorDetails): DifyErrorCode {
  const code = d.difyCode ?? '';
  if (d.surface === 'login') {
    if (code === 'email_code_login_limit' || code === 'email_password_login_limit' || d.status === 429) return 'dify.locked';
    // Any other refusal of a login (wrong password, banned, no workspace) is about the account;
    // an outage or a page that is not Dify's API is not.
    if (d.status < 500 && code !== 'non_json_response') return 'dify.auth';
  }
  if (d.status === 401 || code === 'session_expired') return 'dify.auth';
  if (d.status === 403) return 'dify.forbidden';
  return 'dify.http';
}

/**
 * Export of an app whose draft was never created. The console has no code for it, only a 400 whose
 * message names the draft (1.8.1 and 1.12.1); /openapi answers 404 `not_found` "draft workflow not found"
 * (the emulator, after the contract: no 1.18 server was run).
 */
export function isMissingDraft(error: unknown): boolean {
  if (!isDifyError(error)) return false;
  const { status, surface, difyCode, difyMessage = '' } = error.details;
  if (surface === 'openapi') return status === 404 && difyCode === 'not_found' && /draft/i.test(difyMessage);
  return status === 400 && /missing draft/i.test(difyMessage);
}

export type DifyUnreachableError = UserError<'dify.unreachable'>;

/** Dify could not be reached, or stopped answering: no HTTP status to show. */
export function difyUnreachable(details: {
  url: string;
  method: string;
  reason: UnreachableReason;
  detail: string;
  cause?: unknown;
}): DifyUnreachableError {
  const url = redact(stripQuery(details.url));
  const what = details.reason === 'aborted' ? 'Gave up on Dify' : 'Could not reach Dify';
  return new UserError('dify.unreachable', redact(`${what}: ${details.method} ${url}: ${details.detail}`), {
    cause: details.cause,
    hint: UNREACHABLE_HINTS[details.reason],
    details: { url, method: details.method, reason: details.reason },
  });
}

const UNREACHABLE_HINTS: Record<UnreachableReason, string> = {
  timeout: 'Dify did not answer in time. Check that the server is up and not overloaded, or raise the timeout (timeout-seconds).',
  reset:
    'The connection was closed mid-request. If Dify sits behind a proxy or load balancer, check its logs; re-run when Dify is healthy.',
  refused: 'Nothing is listening at that address. Check the Dify URL (dify-url) and that the API container is running.',
  dns: "The host name does not resolve. Check the Dify URL (dify-url) and the runner's DNS.",
  tls: "TLS failed. For a private CA set NODE_EXTRA_CA_CERTS to the CA bundle (PEM) for the step; check that the URL's host matches the certificate.",
  network: 'A network error stopped the request. Check the Dify URL, and HTTPS_PROXY/NO_PROXY if the runner needs a proxy.',
  aborted: 'dify-gitops abandoned the request: a smoke run passed its deadline, or the job was cancelled.',
};

function stripQuery(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** What the user should do about a Dify answer, from status and code. Undefined when we cannot say. */
export function hintFor(
  d: Pick<DifyErrorDetails, 'status' | 'difyCode' | 'difyMessage' | 'surface' | 'method' | 'path'>,
): string | undefined {
  const code = d.difyCode ?? '';
  const message = (d.difyMessage ?? '').toLowerCase();
  if (d.surface === 'login') {
    if (code === 'email_code_login_limit' || code === 'email_password_login_limit' || d.status === 429)
      return 'Dify has locked password logins for this account after 6 failures, for 24 hours by default (LOGIN_LOCKOUT_DURATION); a correct password does not lift it. Fix the password, then wait, or ask the Dify admin to clear the Redis key login_error_rate_limit:<email>.';
    if (code === 'account_banned') return 'This Dify account is banned. Ask a workspace admin to re-enable it, or use another account.';
    if (code === 'account_in_freeze') return "This account's email is frozen on this Dify instance. Ask the Dify admin.";
    // Dify answers its own 403 `forbidden` to a login when password sign-in is off (controllers/console/wraps.py).
    if (d.status === 403 && code === 'forbidden')
      return 'This Dify does not allow signing in with a password (ENABLE_EMAIL_PASSWORD_LOGIN is off, or SSO is enforced). Use a dfoa_ account token (dify-token), or ask the admin for a service account that may sign in with a password; see "When the account signs in through SSO" in the README.';
    if (d.status === 401 || code === 'authentication_failed')
      return 'Check the email and password (inputs dify-email and dify-password; DIFY_EMAIL and DIFY_PASSWORD from a terminal). Each run spends at most one failed attempt, and Dify locks the account on the 7th attempt after 6 failures, so fix the credentials before re-running.';
  }
  // Dify's own 403s carry its {code, message} body; a bare one (HTML, or empty) comes from something in front of it.
  if (d.status === 403 && !d.difyCode)
    return "Something in front of Dify refused the request (HTTP 403 without Dify's error body): an access proxy such as Cloudflare Access or Google IAP. Send the headers it asks for (e.g. a service token's CF-Access-Client-Id and CF-Access-Client-Secret) with dify-headers (DIFY_HEADERS from a terminal).";
  if (code === 'workspace_not_found')
    return 'The account belongs to no workspace. Ask a Dify admin to invite it into the workspace that owns the apps.';
  if (code === 'api_keys_need_console')
    return "Dify's /openapi has no API-key routes. Provide dify-email and dify-password (in addition to, or instead of, the dfoa_ token) for key operations.";
  if (code === 'openapi_unavailable' || code === 'openapi_op_missing')
    return 'This Dify server has no (or an older) /openapi surface. Upgrade Dify, or use dify-email and dify-password instead of the token.';
  if (code === 'bearer_auth_disabled')
    return 'The server has /openapi bearer tokens switched off (ENABLE_OAUTH_BEARER). Ask the admin to enable it, or use dify-email and dify-password.';
  if (code === 'unsupported_token_type' || code === 'insufficient_scope')
    return 'Deploy operations need a dfoa_ account token with full scope (mint one with `difyctl login`).';
  if (code === 'service_api_disabled') return "The app's Service API is switched off. Enable it in Dify (app → API Access), then re-run.";
  if (code === 'draft_workflow_not_sync') return 'Someone edited the draft in Dify at the same time. Re-run the deploy.';
  if (code === 'max_keys_exceeded' || message.includes('more than 10 api keys'))
    return "The app already has 10 API keys, Dify's limit. Delete unused keys (rotate-keys does this), then re-run.";
  if (code === 'app_unavailable' || message.includes('not published'))
    return 'The app has no published version yet. Publish it (deploy does this after import) before calling the service API.';
  if (message.includes('plugin') || code.includes('plugin'))
    return 'A plugin the app needs is missing in this workspace. Install it in Dify (Plugins) and re-run.';
  if (code === 'non_json_response')
    return 'Something other than the Dify API answered: check that the URL points at Dify (not its web UI or a proxy login page). Behind an access proxy, send the headers it asks for with dify-headers.';
  if (d.status === 401) {
    if (d.surface === 'service') return 'The app API key was refused: it is wrong or was deleted. Check the key configured for this app.';
    if (d.surface === 'openapi') return 'The dfoa_ token was refused: it expired or was revoked. Mint a new one with `difyctl login`.';
    if (message.includes('csrf'))
      return "The console session's CSRF token was refused and refreshing it did not help. Re-run; if it persists, check that a proxy does not strip cookies or the X-CSRF-Token header.";
    return 'The console session expired and could not be refreshed. Re-run; if it persists, check the credentials.';
  }
  if (d.status === 403) {
    if (d.surface === 'service')
      return "Dify refused the app key: the app's API access is disabled, or the app or workspace is unavailable. Enable API access for the app.";
    if (d.method === 'DELETE' && d.path.includes('/api-keys')) return 'Deleting API keys needs the admin or owner role in the workspace.';
    return "The account lacks permission: it needs the editor, admin or owner role in the app's workspace.";
  }
  if (d.status === 404 && (/\bapp\b/.test(message) || /\/apps\/[^/]+(\/|$)/.test(d.path)))
    return "The app was not found. Check the app id in the definition (and the environment's override), and that the account is in the app's workspace.";
  if (d.status === 429) return 'Dify is rate-limiting these requests. Wait a little and re-run, or lower the deploy concurrency.';
  if (d.status >= 500) return 'Dify failed on its side. Check the Dify API logs, then re-run.';
  return undefined;
}

/** Advice for an import that did not simply complete (pending, failed, warnings). */
export function hintForImport(result: ImportResult): string | undefined {
  if (result.status === 'pending')
    return `The DSL version ${result.imported_dsl_version ?? '?'} differs in major version from the server's ${result.current_dsl_version ?? '?'}: Dify holds the import for 10 minutes pending confirmation. Allow DSL version changes (allow-dsl-version-change) to confirm it, or export the app from this server again.`;
  if (result.status === 'completed-with-warnings')
    return `The DSL (version ${result.imported_dsl_version ?? '?'}) is older than the server's ${result.current_dsl_version ?? '?'}; Dify imported it with warnings. Re-export from this server to refresh the definition.`;
  if (result.status === 'failed') {
    const text = result.error.toLowerCase();
    if (text.includes('app not found')) return 'The app id does not exist in this workspace. Check the app id in the definition.';
    if (text.includes('plugin')) return 'A plugin the app needs is missing in this workspace. Install it in Dify and re-run.';
    if (text.includes('version')) return 'The DSL `version` must be a quoted string such as "0.3.1".';
    return 'Dify refused the DSL. Validate the definition locally (dify-gitops validate) and check the error above.';
  }
  return undefined;
}
