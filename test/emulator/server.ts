// The Dify emulator: a stateful HTTP server on 127.0.0.1 that follows our reading of Dify's API
// contract (docs/dify-api.md), stricter than Dify where in doubt. Dev/test only.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { createCtx } from './context.js';
import { createControlRouter, injectFault, resetWorld, scriptRules, scriptRuns, seedApp } from './control.js';
import { respondWithFault, takeFault } from './faults.js';
import { errorReply, HttpError, parseCookies, readBody, sendReply, type Req } from './http.js';
import { createOpenapiRouter } from './openapi.js';
import type { Router } from './router.js';
import { createDifyRouter } from './routes.js';
import { createStore, snapshotState } from './state.js';
import { passesAccessProxy, sendAccessDenied } from './access-proxy.js';
import type { Emulator, EmulatorOptions, RequestLogEntry, ResolvedOptions } from './types.js';

export type * from './types.js';

/**
 * The DSL version a Dify of that version exports and takes (CURRENT_DSL_VERSION in
 * api/services/app_dsl_service.py): 0.4.0 up to 1.8.1, 0.5.0 in 1.11.x and 1.12.1 (0.6.0 is only on
 * Dify's main branch). An emulator that says it is 1.8.1 must not export what 1.8.1 cannot import.
 */
function dslVersionOf(serverVersion: string): string {
  const [major = 0, minor = 0, patch = 0] = serverVersion.split('.').map(Number);
  const atMost181 = major < 1 || (major === 1 && (minor < 8 || (minor === 8 && patch <= 1)));
  return serverVersion !== '' && atMost181 ? '0.4.0' : '0.5.0';
}

function resolveOptions(raw: EmulatorOptions): ResolvedOptions {
  const auth = raw.auth ?? 'cookie';
  const serverVersion = raw.serverVersion ?? (auth === 'bearer' ? '1.8.1' : (raw.base64Password ?? true) ? '1.12.1' : '1.11.1');
  return {
    port: raw.port ?? 0,
    auth,
    email: raw.email ?? 'admin@example.com',
    password: raw.password ?? 'dify-emulator-password',
    base64Password: raw.base64Password ?? auth === 'cookie',
    secureCookies: raw.secureCookies ?? false,
    role: raw.role ?? 'owner',
    openapi: raw.openapi ?? false,
    openapiToken: raw.openapiToken ?? 'dfoa_emulator_token_0123456789',
    dslVersion: raw.dslVersion ?? dslVersionOf(serverVersion),
    restoreEndpoint: raw.restoreEndpoint ?? true,
    latencyMs: raw.latencyMs ?? 0,
    pendingTtlMs: raw.pendingTtlMs ?? 10 * 60 * 1000,
    accessTokenTtlMs: raw.accessTokenTtlMs ?? 60 * 60 * 1000,
    serverVersion,
    loginLockoutMs: raw.loginLockoutMs ?? 24 * 3600 * 1000,
    encryptDatasetIds: raw.encryptDatasetIds ?? true,
    dependencyCheckTtlMs: raw.dependencyCheckTtlMs ?? 10 * 60 * 1000,
    pingIntervalMs: raw.pingIntervalMs ?? 10_000,
    installedPlugins: raw.installedPlugins ?? [],
    openapiRateLimitPerMinute: raw.openapiRateLimitPerMinute ?? 60,
    requireHeaders: raw.requireHeaders ?? {},
    emailPasswordLogin: raw.emailPasswordLogin ?? true,
  };
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  let raw: EmulatorOptions = { ...options };
  const store = createStore();
  const ctx = createCtx(store, resolveOptions(raw));
  const setOptions = (patch: Partial<EmulatorOptions>): void => {
    raw = { ...raw, ...patch };
    Object.assign(ctx.options, resolveOptions(raw));
  };
  const dify = createDifyRouter(ctx);
  const openapi = createOpenapiRouter(ctx);
  const control = createControlRouter(ctx, setOptions);
  const sockets = new Set<Socket>();

  async function dispatch(router: Router, incoming: IncomingMessage, res: ServerResponse, url: URL, log: RequestLogEntry | null) {
    const req: Req = {
      method: (incoming.method ?? 'GET').toUpperCase(),
      path: url.pathname,
      query: url.searchParams,
      headers: incoming.headers,
      cookies: parseCookies(incoming.headers.cookie),
      rawBody: Buffer.alloc(0),
      params: {},
      res,
      log,
    };
    try {
      req.rawBody = await readBody(incoming);
      const reply = await router.resolve(req)(req);
      if (reply) sendReply(res, reply, log);
    } catch (error) {
      if (error instanceof HttpError) return sendReply(res, errorReply(error), log);
      console.error('[dify-emulator] handler error:', error);
      if (res.headersSent) return void res.end();
      sendReply(res, { status: 500, body: { code: 'unknown', message: 'Internal Server Error', status: 500 } }, log);
    }
  }

  async function onRequest(incoming: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(incoming.url ?? '/', 'http://127.0.0.1');
    const method = (incoming.method ?? 'GET').toUpperCase();
    if (url.pathname.startsWith('/__emulator/')) return dispatch(control, incoming, res, url, null);
    const log: RequestLogEntry = { method, path: url.pathname, status: 0, at: Date.now() };
    store.requests.push(log);
    // Dify's app_factory stamps every answer with its version; the client reads it to pick the password form.
    if (ctx.options.serverVersion) res.setHeader('X-Version', ctx.options.serverVersion);
    await ctx.sleep(ctx.options.latencyMs);
    // The access proxy answers before Dify sees anything: no X-Version, no fault, no handler.
    if (!passesAccessProxy(incoming.headers, ctx.options.requireHeaders)) {
      incoming.resume();
      res.removeHeader('X-Version');
      return sendAccessDenied(res, log);
    }
    const fault = takeFault(store.faults, method, url.pathname);
    if (fault) {
      await ctx.sleep(fault.latency_ms ?? 0);
      // 'delay' only slows the request down (races, timeouts); it is then handled as usual.
      if (fault.respond !== 'delay') {
        incoming.resume();
        return respondWithFault(fault, incoming, res, log);
      }
    }
    const isOpenapi = url.pathname === '/openapi/v1' || url.pathname.startsWith('/openapi/v1/');
    if (isOpenapi && !ctx.options.openapi) {
      incoming.resume();
      return sendReply(res, errorReply(new HttpError(404, 'not_found', 'The requested URL was not found on the server.')), log);
    }
    return dispatch(isOpenapi ? openapi : dify, incoming, res, url, log);
  }

  const server = createServer((incoming, res) => {
    onRequest(incoming, res).catch((error) => {
      console.error('[dify-emulator] request failed:', error);
      if (!res.headersSent && !res.destroyed) res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(ctx.options.port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : ctx.options.port;

  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of ctx.timers) clearTimeout(timer);
        ctx.timers.clear();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
      }),
    reset: () => resetWorld(ctx),
    seedApp: (input) => seedApp(ctx, input),
    state: () => snapshotState(store, ctx.options),
    injectFault: (fault) => injectFault(ctx, fault),
    scriptRuns: (appId, runs) => scriptRuns(ctx, appId, runs),
    scriptRules: (appId, rules, options) => scriptRules(ctx, appId, rules, options),
    setOptions,
  };
}
