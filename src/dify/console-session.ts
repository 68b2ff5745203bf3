// Console authentication for both server eras, behind one `send`:
// - cookie era (Dify ≥ ~1.9): login sets access/refresh/csrf cookies (maybe `__Host-`); every
//   call sends the cookies AND `X-CSRF-Token` = the csrf cookie (Dify checks it on GET too);
// - bearer era (≤ ~1.8): login returns tokens in `data`; calls send `Authorization: Bearer`.
// A 401 triggers one refresh (single-flight) and one resend.
import { registerSecret } from '../support/redact.js';
import { createCookieJar } from './cookies.js';
import { difyError } from './errors.js';
import type { HttpClient, HttpRequest, HttpResponse, HttpStream } from './http.js';
import { errorFromResponse, isRecord, parseJson } from './responses.js';
import { BASE64_PASSWORD_SINCE, readServerVersion, versionAtLeast } from './server-version.js';

export type PasswordEncoding = 'base64' | 'plain';

export interface ConsoleSession {
  readonly mode: 'cookie' | 'bearer';
  /** Which password form the server accepted (undefined for a token session). */
  readonly passwordEncoding?: PasswordEncoding;
  /** Send with the session's credentials; on 401, refresh once and resend once. */
  send(req: HttpRequest): Promise<HttpResponse>;
  /** The same for an SSE answer (a draft run): the body comes back unread. */
  open(req: HttpRequest): Promise<HttpStream>;
}

export interface PasswordLogin {
  email: string;
  password: string;
  /** `auto` (default) picks the form from the server's version; pinning it skips that one GET. */
  encoding?: 'auto' | PasswordEncoding;
}

const LOGIN_PATH = '/console/api/login';
const REFRESH_PATH = '/console/api/refresh-token';

/**
 * Answers that prove the attempt was not counted toward Dify's lock, so the other password form may
 * be tried: ≥ 1.11.2 refuses a password that is not Base64 with 401 "Invalid encrypted data" before it
 * counts anything; ≤ 1.11.1 refuses a field that fails its password rule with flask-restx's code-less
 * 400 `{"errors": {"password": …}}` before looking the account up.
 */
function wasNotCounted(res: HttpResponse): boolean {
  let body: unknown;
  try {
    body = JSON.parse(res.text);
  } catch {
    return false;
  }
  if (!isRecord(body)) return false;
  if (res.status === 401) return body.message === 'Invalid encrypted data';
  return res.status === 400 && isRecord(body.errors) && 'password' in body.errors;
}

/**
 * Which password form to send, decided before the first attempt so a wrong password costs one counted
 * failure per run (Dify locks an account on the 7th attempt after 6 failures, for 24 hours, and a
 * correct password does not lift the lock). The server names its version in `X-Version`: ≥ 1.11.2
 * decodes Base64, older servers compare the field as sent. Without a version (a proxy stripped it) the
 * plain password goes first: a server that wants Base64 refuses it without counting (see wasNotCounted),
 * and only then is the Base64 form sent.
 */
async function chooseEncodings(http: HttpClient, pinned: PasswordLogin['encoding']): Promise<{ order: PasswordEncoding[]; why: string }> {
  if (pinned && pinned !== 'auto') return { order: [pinned], why: 'pinned by dify-password-encoding' };
  const { version } = await readServerVersion(http);
  if (version) {
    const base64 = versionAtLeast(version, BASE64_PASSWORD_SINCE);
    return { order: [base64 ? 'base64' : 'plain'], why: `Dify ${version} ${base64 ? 'decodes Base64' : 'compares it as sent'}` };
  }
  return { order: ['plain', 'base64'], why: 'the server did not name its version' };
}

const FORM = { base64: 'Base64-encoded', plain: 'plain' } as const;

/** Log in with email and password, spending at most one counted failed attempt (see chooseEncodings). */
export async function loginWithPassword(http: HttpClient, login: PasswordLogin, log: (line: string) => void): Promise<ConsoleSession> {
  registerSecret(login.password);
  const base64 = Buffer.from(login.password, 'utf8').toString('base64');
  registerSecret(base64);
  const { order, why } = await chooseEncodings(http, login.encoding);
  const tried: PasswordEncoding[] = [];
  for (const encoding of order) {
    tried.push(encoding);
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
        log(`dify login: sent the ${FORM[encoding]} password (${why})`);
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
    if (tried.length < order.length && wasNotCounted(res)) {
      log(`dify login: the ${FORM[encoding]} password was refused without counting a failure; sending the other form once`);
      continue;
    }
    const error = errorFromResponse(res, req);
    throw difyError(
      `Dify refused the login for ${login.email} (HTTP ${res.status}, ${error.details.difyCode ?? 'no code'}; password sent ${tried.map((e) => FORM[e]).join(', then ')}: ${why})`,
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
  return {
    mode: 'bearer',
    send: (req) => http.send({ ...req, headers: { ...req.headers, ...auth } }),
    open: (req) => http.open({ ...req, headers: { ...req.headers, ...auth } }),
  };
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
    send: (req) => withRefresh((headed) => http.send(headed(req))),
    open: (req) => withRefresh((headed) => http.open(headed(req))),
  };

  async function withRefresh<R extends HttpResponse>(attempt: (headed: (req: HttpRequest) => HttpRequest) => Promise<R>): Promise<R> {
    const headed = (req: HttpRequest): HttpRequest => ({ ...req, headers: { ...req.headers, ...headers() } });
    const seen = generation;
    const first = await attempt(headed);
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
    return attempt(headed);
  }
}
