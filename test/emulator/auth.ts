// Console auth, both eras (contract §1): login with lockout, cookies + CSRF or bearer tokens, refresh, logout.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { hasRole, type Ctx } from './context.js';
import { badParam, bearerToken, forbidden, HttpError, json, readJson, unauthorized, type Reply, type Req } from './http.js';
import type { Role } from './types.js';

// Dify 1.8.1 and 1.12.1 (libs/login rate limit, controllers/console/auth/login.py): six wrong passwords are
// answered 401, the 7th attempt is 429 whatever the password, for LOGIN_LOCKOUT_DURATION after the last failure.
const MAX_LOGIN_FAILURES = 6;
const REFRESH_TTL_MS = 30 * 24 * 3600 * 1000;
const CSRF_MESSAGE = 'CSRF token is missing or invalid.';

const b64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

function sign(ctx: Ctx, payload: Record<string, unknown>): string {
  const head = `${b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${b64url(JSON.stringify(payload))}`;
  return `${head}.${createHmac('sha256', ctx.secret).update(head).digest('base64url')}`;
}

function verify(ctx: Ctx, token: string): Record<string, unknown> | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const expected = createHmac('sha256', ctx.secret).update(`${parts[0]}.${parts[1]}`).digest();
  const given = Buffer.from(parts[2], 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    return JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}

export function cookieNames(ctx: Ctx): { access: string; refresh: string; csrf: string } {
  const prefix = ctx.options.secureCookies ? '__Host-' : '';
  return { access: `${prefix}access_token`, refresh: `${prefix}refresh_token`, csrf: `${prefix}csrf_token` };
}

function cookie(ctx: Ctx, name: string, value: string, maxAgeMs: number, httpOnly: boolean): string {
  const parts = [`${name}=${value}`, 'Path=/', `Max-Age=${Math.max(0, Math.floor(maxAgeMs / 1000))}`, 'SameSite=Lax'];
  if (httpOnly) parts.push('HttpOnly');
  if (ctx.options.secureCookies) parts.push('Secure');
  return parts.join('; ');
}

/**
 * Python's `base64.b64decode(text).decode("utf-8")` as Dify's FieldEncryption calls it: characters outside
 * the alphabet are dropped, the rest must be correctly padded Base64 of UTF-8 text; otherwise null.
 */
export function decodePythonBase64(text: string): string | null {
  const kept = text.replace(/[^A-Za-z0-9+/=]/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(kept) || kept.length % 4 !== 0) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(kept, 'base64'));
  } catch {
    return null;
  }
}

/** Issues a fresh token pair (and, cookie era, the Set-Cookie headers with a CSRF token). */
function issueTokens(ctx: Ctx): { access: string; refresh: string; setCookies: string[] } {
  const now = Date.now();
  const accessExp = now + ctx.options.accessTokenTtlMs;
  const access = sign(ctx, { user_id: ctx.account.id, exp: Math.ceil(accessExp / 1000), jti: b64url(randomBytes(9)) });
  const refresh = randomBytes(32).toString('hex');
  ctx.sessions.access.set(access, accessExp);
  ctx.sessions.refresh.set(refresh, now + REFRESH_TTL_MS);
  const csrf = sign(ctx, { user_id: ctx.account.id, exp: Math.ceil(accessExp / 1000), jti: b64url(randomBytes(9)) });
  const names = cookieNames(ctx);
  const setCookies = [
    cookie(ctx, names.access, access, ctx.options.accessTokenTtlMs, true),
    cookie(ctx, names.refresh, refresh, REFRESH_TTL_MS, true),
    cookie(ctx, names.csrf, csrf, ctx.options.accessTokenTtlMs, false),
  ];
  return { access, refresh, setCookies };
}

export function handleLogin(ctx: Ctx, req: Req): Reply {
  // Dify 1.12.1 controllers/console/wraps.py email_password_login_enabled: with password sign-in off
  // (ENABLE_EMAIL_PASSWORD_LOGIN=false, or SSO enforced by the enterprise edition) the login is
  // abort(403) before the body is read: libs/external_api.py shapes it as {code: "forbidden", …}.
  if (!ctx.options.emailPasswordLogin) {
    throw new HttpError(
      403,
      'forbidden',
      "You don't have the permission to access the requested resource. It is either read-protected or not readable by the server.",
    );
  }
  const body = readJson(req);
  if (typeof body.email !== 'string' || !body.email) throw badParam('email is required', 'email');
  if (typeof body.password !== 'string' || !body.password) throw badParam('password is required', 'password');
  // Dify ≥ 1.11.2 decodes the field before anything else (libs/encryption.py); what does not decode is
  // refused without counting a failure, even while the account is locked.
  const base64Era = ctx.options.auth === 'cookie' && ctx.options.base64Password;
  const password = base64Era ? decodePythonBase64(body.password) : body.password;
  if (password === null) throw new HttpError(401, 'authentication_failed', 'Invalid encrypted data');
  const isAccount = body.email.toLowerCase() === ctx.options.email.toLowerCase();
  const store = ctx.store;
  if (store.loginFailures > 0 && Date.now() - store.lastLoginFailureAt >= ctx.options.loginLockoutMs) store.loginFailures = 0;
  // Upstream raises EmailPasswordLoginLimitError: HTTP 429, error_code "email_code_login_limit".
  if (isAccount && store.loginFailures >= MAX_LOGIN_FAILURES) {
    throw new HttpError(429, 'email_code_login_limit', 'Too many incorrect password attempts. Please try again later.');
  }
  if (!isAccount || password !== ctx.options.password) {
    if (isAccount) {
      store.loginFailures += 1;
      store.lastLoginFailureAt = Date.now();
    }
    throw new HttpError(401, 'authentication_failed', 'Invalid email or password.');
  }
  store.loginFailures = 0;
  const tokens = issueTokens(ctx);
  if (ctx.options.auth === 'bearer') {
    return json(200, { result: 'success', data: { access_token: tokens.access, refresh_token: tokens.refresh } });
  }
  return json(200, { result: 'success' }, { 'Set-Cookie': tokens.setCookies });
}

export function handleRefresh(ctx: Ctx, req: Req): Reply {
  const names = cookieNames(ctx);
  let given: string | undefined;
  if (ctx.options.auth === 'cookie') given = req.cookies[names.refresh];
  else {
    const body = readJson(req);
    if (typeof body.refresh_token !== 'string') throw badParam('refresh_token is required', 'refresh_token');
    given = body.refresh_token;
  }
  if (!given) return json(401, { result: 'fail', message: 'No refresh token provided' });
  const exp = ctx.sessions.refresh.get(given);
  if (exp === undefined || exp <= Date.now()) {
    ctx.sessions.refresh.delete(given);
    return json(401, { result: 'fail', message: 'Invalid refresh token' });
  }
  ctx.sessions.refresh.delete(given);
  const tokens = issueTokens(ctx);
  if (ctx.options.auth === 'bearer') {
    return json(200, { result: 'success', data: { access_token: tokens.access, refresh_token: tokens.refresh } });
  }
  return json(200, { result: 'success' }, { 'Set-Cookie': tokens.setCookies });
}

export function handleLogout(ctx: Ctx, req: Req): Reply {
  const names = cookieNames(ctx);
  const access = req.cookies[names.access] ?? bearerToken(req);
  if (access) ctx.sessions.access.delete(access);
  const refresh = req.cookies[names.refresh];
  if (refresh) ctx.sessions.refresh.delete(refresh);
  if (ctx.options.auth === 'bearer') return json(200, { result: 'success' });
  const cleared = [names.access, names.refresh, names.csrf].map((name) => cookie(ctx, name, '', 0, name !== names.csrf));
  return json(200, { result: 'success' }, { 'Set-Cookie': cleared });
}

/**
 * Every console call: a live access token (cookie, or Bearer), and in the cookie era an
 * X-CSRF-Token header equal to the csrf cookie, on every method including GET.
 */
export function requireSession(ctx: Ctx, req: Req): void {
  const names = cookieNames(ctx);
  const token = ctx.options.auth === 'cookie' ? (req.cookies[names.access] ?? bearerToken(req)) : bearerToken(req);
  if (!token) throw unauthorized('Unauthorized.');
  const exp = ctx.sessions.access.get(token);
  if (exp === undefined) throw unauthorized('Invalid Authorization token.');
  if (exp <= Date.now()) {
    ctx.sessions.access.delete(token);
    throw unauthorized('Token has expired.');
  }
  if (ctx.options.auth === 'bearer') return;
  const header = req.headers['x-csrf-token'];
  const fromCookie = req.cookies[names.csrf];
  if (typeof header !== 'string' || !header || header !== fromCookie) throw unauthorized(CSRF_MESSAGE);
  const claims = verify(ctx, header);
  if (!claims || claims.user_id !== ctx.account.id || typeof claims.exp !== 'number' || claims.exp * 1000 <= Date.now()) {
    throw unauthorized(CSRF_MESSAGE);
  }
}

/** Session plus a least workspace role (editor for DSL and workflow work, admin for key deletion). */
export function requireConsole(ctx: Ctx, req: Req, least: Role = 'normal'): void {
  requireSession(ctx, req);
  if (!hasRole(ctx, least)) throw forbidden();
}
