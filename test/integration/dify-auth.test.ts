// Console auth: which password form is tried and how often (Dify locks an account after 5 failed
// logins), refresh on 401 exactly once in both eras, and the CSRF header kept in step.
import { afterEach, describe, expect, it } from 'vitest';
import { createDifyConsole, isDifyError } from '../../src/dify/index.js';
import type { Emulator } from '../emulator/server.js';
import { connectionFor, loginRequests, requestsTo, startDify, WORKFLOW_DSL } from './dify-support.js';

let emu: Emulator;
afterEach(async () => emu?.close());

const quiet = { log: () => {} };

describe('login', () => {
  it('cookie era with Base64 passwords: the version decides, one login request', async () => {
    emu = await startDify({ auth: 'cookie', base64Password: true });
    const lines: string[] = [];
    const dify = await createDifyConsole(connectionFor(emu, 'cookie'), { log: (l) => lines.push(l) });
    expect(dify.passwordEncoding).toBe('base64');
    expect(loginRequests(emu)).toHaveLength(1);
    expect(lines.join('\n')).toMatch(/Base64-encoded password \(Dify 1\.12\.1 decodes Base64\)/);
    await dify.close?.();
  });

  it('a server before 1.11.2 gets the plain password at once, and nothing is counted', async () => {
    emu = await startDify({ auth: 'cookie', base64Password: false });
    const dify = await createDifyConsole(connectionFor(emu, 'cookie'), quiet);
    expect(dify.passwordEncoding).toBe('plain');
    expect(loginRequests(emu).map((r) => r.status)).toEqual([200]);
    expect(emu.state().loginFailures).toBe(0);
    await dify.close?.();
  });

  it.each([
    ['bearer', {}],
    ['cookie', {}],
    ['cookie without X-Version', { serverVersion: '' }],
    ['bearer without X-Version', { serverVersion: '' }],
  ] as const)('a wrong password costs one counted attempt (%s)', async (label, extra) => {
    const auth = label.startsWith('bearer') ? 'bearer' : 'cookie';
    emu = await startDify({ auth, ...extra });
    const error = await createDifyConsole(connectionFor(emu, auth, { password: 'wrong-password' }), quiet).catch((e) => e);
    expect(error).toMatchObject({ code: 'dify.auth', details: { status: 401, difyCode: 'authentication_failed' } });
    expect(error.hint).toMatch(/at most one failed attempt/);
    expect(emu.state().loginFailures).toBe(1);
  });

  it('without X-Version, a Base64 server refuses the plain password uncounted, then takes the Base64 one', async () => {
    emu = await startDify({ auth: 'cookie', serverVersion: '' });
    const dify = await createDifyConsole(connectionFor(emu, 'cookie'), quiet);
    expect(dify.passwordEncoding).toBe('base64');
    expect(loginRequests(emu).map((r) => r.status)).toEqual([401, 200]);
    expect(emu.state().loginFailures).toBe(0);
    await dify.close?.();
  });

  it('six runs with a wrong password leave the account one attempt short of the lock; the seventh is refused', async () => {
    emu = await startDify({ auth: 'cookie' });
    for (let i = 0; i < 6; i++) await createDifyConsole(connectionFor(emu, 'cookie', { password: `bad-${i}` }), quiet).catch(() => {});
    expect(emu.state().loginFailures).toBe(6);
    const before = loginRequests(emu).length;
    const error = await createDifyConsole(connectionFor(emu, 'cookie'), quiet).catch((e) => e);
    expect(error).toMatchObject({ code: 'dify.locked', details: { status: 429 } });
    expect(error.hint).toMatch(/locked password logins for this account after 6 failures, for 24 hours/);
    expect(loginRequests(emu).length - before).toBe(1);
  });

  it('a pinned encoding spends one attempt and reads no version', async () => {
    emu = await startDify({ auth: 'bearer' });
    await expect(createDifyConsole(connectionFor(emu, 'bearer', { password: 'nope', passwordEncoding: 'plain' }), quiet)).rejects.toSatisfy(
      isDifyError,
    );
    expect(loginRequests(emu)).toHaveLength(1);
    const dify = await createDifyConsole(connectionFor(emu, 'bearer', { passwordEncoding: 'plain' }), quiet);
    expect(loginRequests(emu)).toHaveLength(2);
    expect(requestsTo(emu, 'GET', '/console/api/system-features')).toHaveLength(0);
    await dify.close?.();
  });

  it.each([503, 429, 500])('a %i answer to the login is never retried', async (status) => {
    emu = await startDify({ auth: 'cookie' });
    emu.injectFault({
      match: { method: 'POST', path: '/console/api/login' },
      respond: { status, headers: { 'Retry-After': '1' } },
      times: 5,
    });
    await expect(createDifyConsole(connectionFor(emu, 'cookie'), quiet)).rejects.toMatchObject({ details: { status } });
    expect(loginRequests(emu)).toHaveLength(1);
  });

  it('a login that succeeds without a session cookie is reported as such', async () => {
    emu = await startDify({ auth: 'cookie' });
    emu.injectFault({ match: { method: 'POST', path: '/console/api/login' }, respond: { status: 200, body: { result: 'success' } } });
    await expect(createDifyConsole(connectionFor(emu, 'cookie'), quiet)).rejects.toMatchObject({
      details: { difyCode: 'no_session_cookie' },
    });
  });

  it('an account without a workspace gets the admin hint', async () => {
    emu = await startDify({ auth: 'cookie' });
    emu.injectFault({
      match: { method: 'POST', path: '/console/api/login' },
      respond: { status: 200, body: { result: 'fail', data: 'workspace not found, please contact system admin' } },
    });
    const error = await createDifyConsole(connectionFor(emu, 'cookie'), quiet).catch((e) => e);
    expect(error).toMatchObject({ details: { difyCode: 'workspace_not_found' } });
    expect(error.hint).toMatch(/invite it/);
  });
});

describe.each([
  ['cookie', { auth: 'cookie' as const }],
  ['cookie with __Host- names', { auth: 'cookie' as const, secureCookies: true }],
  ['bearer', { auth: 'bearer' as const }],
])('refresh on 401, %s', (_name, options) => {
  const mode = options.auth;

  it('refreshes once on a 401, keeps cookies and the CSRF header in step, and carries on', async () => {
    emu = await startDify(options);
    const app = emu.seedApp({ mode: 'workflow', name: 'echo', dsl: WORKFLOW_DSL });
    const dify = await createDifyConsole(connectionFor(emu, mode), quiet);
    const appPath = `/console/api/apps/${app.id}`;
    emu.injectFault({
      match: { method: 'GET', path: appPath },
      respond: { status: 401, body: { code: 'unauthorized', message: 'Token has expired.', status: 401 } },
    });
    expect((await dify.getApp(app.id)).name).toBe('echo');
    expect(requestsTo(emu, 'GET', appPath).map((r) => r.status)).toEqual([401, 200]);
    expect(requestsTo(emu, 'POST', '/console/api/refresh-token').map((r) => r.status)).toEqual([200]);
    // Calls after the refresh carry the new cookies and (cookie era) the new CSRF token.
    expect((await dify.createApiKey(app.id)).token).toMatch(/^app-/);
    expect((await dify.listApiKeys(app.id)).length).toBe(2);
    expect(requestsTo(emu, 'POST', '/console/api/refresh-token')).toHaveLength(1);
    await dify.close?.();
  });

  it('refreshes when the access token really expires', async () => {
    // Cookie Max-Age is whole seconds: a TTL under 1 s would make the emulator delete the cookie at once.
    const ttl = mode === 'bearer' ? 1 : 1000;
    emu = await startDify({ ...options, accessTokenTtlMs: ttl });
    const app = emu.seedApp({ mode: 'workflow', name: 'echo', dsl: WORKFLOW_DSL });
    const dify = await createDifyConsole(connectionFor(emu, mode), quiet);
    await new Promise((r) => setTimeout(r, ttl + 20));
    emu.setOptions({ accessTokenTtlMs: 3_600_000 });
    expect((await dify.getApp(app.id)).name).toBe('echo');
    expect(requestsTo(emu, 'GET', `/console/api/apps/${app.id}`).map((r) => r.status)).toEqual([401, 200]);
    expect(requestsTo(emu, 'POST', '/console/api/refresh-token')).toHaveLength(1);
    await dify.close?.();
  });

  it('does not loop: a second 401 after the refresh is an error with a hint', async () => {
    emu = await startDify(options);
    const app = emu.seedApp({ mode: 'workflow', name: 'echo', dsl: WORKFLOW_DSL });
    const dify = await createDifyConsole(connectionFor(emu, mode), quiet);
    const appPath = `/console/api/apps/${app.id}`;
    emu.injectFault({
      match: { method: 'GET', path: appPath },
      respond: { status: 401, body: { code: 'unauthorized', message: 'CSRF token is missing or invalid.', status: 401 } },
      times: 3,
    });
    const error = await dify.getApp(app.id).catch((e) => e);
    expect(error).toMatchObject({ code: 'dify.auth', details: { status: 401 } });
    expect(error.hint).toMatch(/CSRF/);
    expect(requestsTo(emu, 'GET', appPath)).toHaveLength(2);
    expect(requestsTo(emu, 'POST', '/console/api/refresh-token')).toHaveLength(1);
    await dify.close?.();
  });

  it('a refused refresh is reported as an expired session, once for concurrent calls', async () => {
    emu = await startDify(options);
    const app = emu.seedApp({ mode: 'workflow', name: 'echo', dsl: WORKFLOW_DSL });
    const dify = await createDifyConsole(connectionFor(emu, mode), quiet);
    emu.injectFault({
      match: { method: 'GET', path: '^/console/api/apps/' },
      respond: { status: 401, body: { code: 'unauthorized', message: 'Token has expired.', status: 401 } },
      times: 3,
    });
    emu.injectFault({
      match: { method: 'POST', path: '/console/api/refresh-token' },
      respond: { status: 401, body: { result: 'fail', message: 'Invalid refresh token' } },
      times: 5,
    });
    const results = await Promise.allSettled([dify.getApp(app.id), dify.exportDsl(app.id), dify.listApiKeys(app.id)]);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toMatchObject({ details: { difyCode: 'session_expired' } });
    }
    expect(requestsTo(emu, 'POST', '/console/api/refresh-token')).toHaveLength(1);
    await dify.close?.();
  });
});
