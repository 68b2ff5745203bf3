// The factories stages use: pick the auth mode from what the user supplied, log in, and hand
// back a ready DifyConsole / DifyService. Everything else in src/dify/ is behind these two.
import type { Dispatcher } from 'undici';
import { createSystemClock, type Clock } from '../support/clock.js';
import { registerSecret } from '../support/redact.js';
import { createConsoleOps } from './console-api.js';
import { createTokenSession, loginWithPassword, type ConsoleSession } from './console-session.js';
import { difyError } from './errors.js';
import { createDefaultLog, createHttpClient, type HttpClient, type Pacer } from './http.js';
import { createOpenApiOps, probeOpenApi } from './openapi-api.js';
import { createServiceOps } from './service.js';
import { COOKIE_SESSIONS_SINCE, readServerVersion, type ServerSurface, versionAtLeast } from './server-version.js';
import type { DifyConnection, DifyConsole, DifyService } from './types.js';

export interface ClientDeps {
  clock?: Clock;
  /** Debug lines (already redacted). Default: the Actions debug log, or stderr with DIFY_GITOPS_DEBUG. */
  log?: (line: string) => void;
  /** Tests only: a dispatcher shared by several clients. */
  dispatcher?: Dispatcher;
  /** Abandons every request of the client once aborted (a cancelled job whose time is up). */
  signal?: AbortSignal;
  /** One pace for every client of a run: a 429's Retry-After met by any of them holds back all. */
  pacer?: Pacer;
}

/**
 * Auth mode, in order:
 * 1. a `dfoa_` token and a server with /openapi → `openapi` (email+password, if also given, serve the
 *    API-key operations /openapi lacks; the login happens only when a key operation is called);
 * 2. email+password → console login (`cookie` or `bearer` by what the server answers);
 * 3. any other token → a console Bearer access token (`bearer`; works on pre-cookie servers only,
 *    because cookie-era servers also demand a CSRF token a bare token cannot supply).
 */
export async function createDifyConsole(conn: DifyConnection, deps: ClientDeps = {}): Promise<DifyConsole> {
  const clock = deps.clock ?? createSystemClock();
  const log = deps.log ?? createDefaultLog();
  registerSecret(conn.password);
  registerSecret(conn.token);
  const http = createHttpClient({
    baseUrl: checkUrl(conn.baseUrl),
    timeoutMs: conn.timeoutMs,
    maxAttempts: conn.maxAttempts,
    clock,
    log,
    dispatcher: deps.dispatcher,
    openapiPerMinute: conn.openapiPerMinute,
    signal: deps.signal,
    extraHeaders: conn.headers,
    pacer: deps.pacer,
  });
  const hasPassword = Boolean(conn.email && conn.password);
  const login = () =>
    loginWithPassword(http, { email: conn.email as string, password: conn.password as string, encoding: conn.passwordEncoding }, log);
  try {
    if (conn.token?.startsWith('dfoe_')) {
      throw difyError("A dfoe_ token (external SSO user) cannot deploy; Dify's deploy operations accept only dfoa_ account tokens", {
        status: 0,
        difyCode: 'unsupported_token_type',
        method: 'GET',
        path: '/openapi/v1/_version',
        surface: 'openapi',
      });
    }
    if (conn.token?.startsWith('dfoa_')) {
      if (await probeOpenApi(http)) {
        let keySession: Promise<ConsoleSession> | undefined;
        const keys = hasPassword
          ? async () => {
              keySession ??= login();
              return createConsoleOps(await keySession);
            }
          : undefined;
        const ops = await createOpenApiOps(http, { token: conn.token, workspaceId: conn.workspaceId, keys });
        log('dify: using the /openapi surface with a dfoa_ token');
        return { authMode: 'openapi', ...ops, serverVersion: () => http.serverVersion(), close: () => http.close() };
      }
      if (!hasPassword) {
        throw difyError('A dfoa_ token was given but this Dify server has no /openapi surface (GET /openapi/v1/_version was not 200)', {
          status: 0,
          difyCode: 'openapi_unavailable',
          method: 'GET',
          path: '/openapi/v1/_version',
          surface: 'openapi',
        });
      }
      log('dify: no /openapi on this server; logging in with email and password instead');
    }
    let session: ConsoleSession;
    if (hasPassword) session = await login();
    else if (conn.token) session = createTokenSession(http, conn.token);
    else {
      throw difyError('No Dify credentials: set dify-email and dify-password, or dify-token', {
        status: 0,
        difyCode: 'missing_credentials',
        method: 'POST',
        path: '/console/api/login',
        surface: 'login',
        hint: 'Provide dify-email + dify-password (any Dify version) or a dfoa_ token from `difyctl login` (Dify with /openapi).',
      });
    }
    return {
      authMode: session.mode,
      passwordEncoding: session.passwordEncoding,
      ...createConsoleOps(session),
      serverVersion: () => http.serverVersion(),
      close: () => http.close(),
    };
  } catch (error) {
    await http.close();
    throw error;
  }
}

/**
 * What a server says about itself without credentials: its version, which console auth era that is,
 * and whether /openapi answers. Throws (unreachable) when nothing answers at all.
 */
export async function inspectDifyServer(
  baseUrl: string,
  timeoutMs: number,
  deps: ClientDeps & { headers?: Readonly<Record<string, string>> } = {},
): Promise<ServerSurface> {
  const http = createHttpClient({
    baseUrl: checkUrl(baseUrl),
    timeoutMs,
    extraHeaders: deps.headers,
    maxAttempts: 2,
    clock: deps.clock ?? createSystemClock(),
    log: deps.log ?? createDefaultLog(),
    dispatcher: deps.dispatcher,
  });
  try {
    const { version } = await readServerVersion(http);
    const consoleEra = version ? (versionAtLeast(version, COOKIE_SESSIONS_SINCE) ? 'cookie' : 'bearer') : 'unknown';
    return { version, console: consoleEra, openapi: await probeOpenApi(http) };
  } finally {
    await http.close();
  }
}

export function createDifyService(
  opts: { serviceUrl: string; apiKey: string; timeoutMs: number; maxAttempts: number; headers?: Readonly<Record<string, string>> },
  deps: ClientDeps = {},
): DifyService {
  const clock = deps.clock ?? createSystemClock();
  const http: HttpClient = createHttpClient({
    baseUrl: checkUrl(opts.serviceUrl),
    timeoutMs: opts.timeoutMs,
    maxAttempts: opts.maxAttempts,
    clock,
    log: deps.log ?? createDefaultLog(),
    dispatcher: deps.dispatcher,
    signal: deps.signal,
    extraHeaders: opts.headers,
    pacer: deps.pacer,
  });
  return { ...createServiceOps(http, opts.apiKey, clock), close: () => http.close() };
}

function checkUrl(url: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw difyError(`"${url}" is not an http(s) URL`, {
      status: 0,
      difyCode: 'invalid_url',
      method: 'GET',
      path: '/',
      hint: 'Set dify-url to the Dify base URL, e.g. https://dify.example.com.',
    });
  }
  return url;
}
