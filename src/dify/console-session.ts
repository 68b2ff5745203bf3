// Console authentication for both server eras, behind one `send`:
// - cookie era (Dify ≥ ~1.9): login sets access/refresh/csrf cookies (maybe `__Host-`); every
//   call sends the cookies AND `X-CSRF-Token` = the csrf cookie (Dify checks it on GET too);
// - bearer era (≤ ~1.8): login returns tokens in `data`; calls send `Authorization: Bearer`.
// A 401 triggers one refresh (single-flight) and one resend.
import { registerSecret } from '../support/redact.js';
import { createCookieJar } from './cookies.js';
import { difyError } from './errors.js';
import type { HttpClient, HttpRequest, HttpResponse } from './http.js';
import { errorFromResponse, isRecord, parseJson } from './responses.js';

export type PasswordEncoding = 'base64' | 'plain';

export interface ConsoleSession {
  readonly mode: 'cookie' | 'bearer';
  /** Which password form the server accepted (undefined for a token session). */
  readonly passwordEncoding?: PasswordEncoding;
  /** Send with the session's credentials; on 401, refresh once and resend once. */
  send(req: HttpRequest): Promise<HttpResponse>;
}

export interface PasswordLogin {
  email: string;
  password: string;
  /** `auto` (default) tries Base64, then plain once. Pin it to spend one attempt per run. */
  encoding?: 'auto' | PasswordEncoding;
}

const LOGIN_PATH = '/console/api/login';
const REFRESH_PATH = '/console/api/refresh-token';

/** Codes that mean "these credentials are wrong", where the other password form may still work. */
function isWrongCredentials(res: HttpResponse, code: string | undefined): boolean {
  if (res.status === 401) return code === undefined || code === 'authentication_failed' || code === 'unauthorized';
  return res.status === 400 && (code === 'authentication_failed' || code === 'email_or_password_mismatch');
}

/**
 * Log in with email and password. Order: Base64 first, then the plain password, each at most once.
 * Why this order: Dify ≥ 1.11 decodes the field as Base64, and when decoding fails it answers 401
 * `authentication_failed` *before* counting a failed login; older servers compare the field as is.
 * A successful login resets Dify's failed-login counter, so with correct credentials neither order
 * leaves a mark and Base64-first costs one round trip only on old servers. With a wrong password
 * both orders spend at most two of the five attempts before the lock; `encoding` pins one form.
 */
export async function loginWithPassword(http: HttpClient, login: PasswordLogin, log: (line: string) => void): Promise<ConsoleSession> {
  registerSecret(login.password);
  const base64 = Buffer.from(login.password, 'utf8').toString('base64');
  registerSecret(base64);
  const order: PasswordEncoding[] = !login.encoding || login.encoding === 'auto' ? ['base64', 'plain'] : [login.encoding];
  for (let i = 0; i < order.length; i++) {
    const encoding = order[i];
    const req: HttpRequest = {
      method: 'POST',
      path: LOGIN_PATH,
      json: { email: login.email, password: encoding === 'base64' ? base64 : login.password, remember_me: true },
      safety: 'once',
      surface: 'login',
    };
    const res = await http.send(req);
    if (res.status === 200) {
      const body = parseJson(res, req);
      if (body.result === 'success') {
        log(`dify login: accepted the ${encoding === 'base64' ? 'Base64-encoded' : 'plain'} password`);
        return startSession(http, res, body, encoding);
      }
      throw difyError(`Dify refused the login for ${login.email}: ${typeof body.data === 'string' ? body.data : 'result "fail"'}`, {
        status: 200,
        difyCode: 'workspace_not_found',
        method: 'POST',
        path: LOGIN_PATH,
        surface: 'login',
      });
    }
    const error = errorFromResponse(res, req);
    if (i + 1 < order.length && isWrongCredentials(res, error.details.difyCode)) {
      log('dify login: the Base64-encoded password was refused; trying the plain password once (Dify before 1.11)');
      continue;
    }
    const tried = order.slice(0, i + 1).map((e) => (e === 'base64' ? 'Base64-encoded' : 'plain'));
    throw difyError(
      `Dify refused the login for ${login.email} (HTTP ${res.status}, ${error.details.difyCode ?? 'no code'}; password sent ${tried.join(', then ')})`,
      {
        status: res.status,
        difyCode: error.details.difyCode,
        difyMessage: error.details.difyMessage,
        method: 'POST',
        path: LOGIN_PATH,
        surface: 'login',
      },
    );
  }
  throw new Error('unreachable: the login loop always returns or throws');
}

/** A console access token given directly (not dfoa_): Bearer, no refresh. Cookie-era servers also want CSRF, which a bare token cannot supply. */
export function createTokenSession(http: HttpClient, token: string): ConsoleSession {
  registerSecret(token);
  const auth = { authorization: `Bearer ${token}` };
  return { mode: 'bearer', send: (req) => http.send({ ...req, headers: { ...req.headers, ...auth } }) };
}

function startSession(http: HttpClient, res: HttpResponse, body: Record<string, unknown>, encoding: PasswordEncoding): ConsoleSession {
  const jar = createCookieJar();
  jar.update(res.headers['set-cookie']);
  const data = isRecord(body.data) ? body.data : undefined;
  let accessToken = typeof data?.access_token === 'string' ? data.access_token : undefined;
  let refreshToken = typeof data?.refresh_token === 'string' ? data.refresh_token : undefined;
  registerSecret(accessToken);
  registerSecret(refreshToken);
  const mode = accessToken ? 'bearer' : 'cookie';
  if (mode === 'cookie' && !jar.get('access_token')) {
    throw difyError('Dify accepted the login but set no session cookie (access_token). A proxy may strip Set-Cookie headers.', {
      status: res.status,
      difyCode: 'no_session_cookie',
      method: 'POST',
      path: LOGIN_PATH,
      surface: 'login',
      hint: 'Check that nothing between the runner and Dify removes Set-Cookie, or use a dfoa_ token.',
    });
  }

  const headers = (): Record<string, string> => {
    const h: Record<string, string> = {};
    const cookie = jar.header();
    if (cookie) h.cookie = cookie;
    const csrf = jar.get('csrf_token');
    if (csrf) h['x-csrf-token'] = csrf;
    if (accessToken) h.authorization = `Bearer ${accessToken}`;
    return h;
  };

  let generation = 0;
  let refreshing: Promise<void> | undefined;
  // A refused refresh token will not improve: later 401s fail at once with the same error.
  let refreshRefused: unknown;
  async function refresh(): Promise<void> {
    const req: HttpRequest =
      mode === 'cookie'
        ? { method: 'POST', path: REFRESH_PATH, headers: headers(), safety: 'once', surface: 'console' }
        : { method: 'POST', path: REFRESH_PATH, json: { refresh_token: refreshToken }, safety: 'once', surface: 'console' };
    const answer = await http.send(req);
    if (answer.status !== 200) {
      throw errorFromResponse(answer, req, {
        difyCode: 'session_expired',
        hint: 'The console session expired and Dify refused to refresh it. Re-run the job to log in again.',
      });
    }
    jar.update(answer.headers['set-cookie']);
    if (mode === 'bearer') {
      const fresh = parseJson(answer, req);
      const tokens = isRecord(fresh.data) ? fresh.data : {};
      if (typeof tokens.access_token === 'string') accessToken = tokens.access_token;
      if (typeof tokens.refresh_token === 'string') refreshToken = tokens.refresh_token;
      registerSecret(accessToken);
      registerSecret(refreshToken);
    }
    generation++;
  }

  return {
    mode,
    passwordEncoding: encoding,
    async send(req) {
      const seen = generation;
      const first = await http.send({ ...req, headers: { ...req.headers, ...headers() } });
      if (first.status !== 401) return first;
      // Another call may have refreshed while this one was in flight: then just resend.
      if (refreshRefused) throw refreshRefused;
      if (generation === seen) {
        refreshing ??= refresh()
          .catch((error: unknown) => {
            refreshRefused = error;
            throw error;
          })
          .finally(() => (refreshing = undefined));
        await refreshing;
      }
      return http.send({ ...req, headers: { ...req.headers, ...headers() } });
    },
  };
}
