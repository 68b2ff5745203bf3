import { afterEach, describe, expect, it } from 'vitest';
import { call, consoleApi, consoleSession, cookieJar, login, PASSTHROUGH, readFixture, sessionFrom, sleep } from './helpers.js';
import { startEmulator, type Emulator } from './server.js';
import { decodePythonBase64 } from './auth.js';

let em: Emulator;
afterEach(async () => {
  await em?.close();
});

const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('login lockout duration', () => {
  it('lapses LOGIN_LOCKOUT_DURATION after the last failure', async () => {
    em = await startEmulator({ loginLockoutMs: 150 });
    for (let i = 0; i < 6; i += 1) await login(em, b64('wrong'));
    expect((await login(em)).status).toBe(429);
    await sleep(200);
    expect((await login(em)).status).toBe(200);
    expect(em.state().loginFailures).toBe(0);
  });

  it('names its version in X-Version by era, and can leave it out as a proxy might', async () => {
    em = await startEmulator({ auth: 'bearer' });
    expect((await login(em, 'dify-emulator-password')).headers.get('x-version')).toBe('1.8.1');
    await em.close();
    em = await startEmulator({ serverVersion: '' });
    expect((await login(em)).headers.get('x-version')).toBeNull();
  });
});

describe('cookie-era login', () => {
  it('sets HttpOnly access/refresh cookies and a readable csrf cookie, body has no tokens', async () => {
    em = await startEmulator();
    const res = await login(em);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ result: 'success' });
    const lines = res.headers.getSetCookie();
    const byName = Object.fromEntries(lines.map((l) => [l.split('=')[0], l]));
    expect(Object.keys(byName).sort()).toEqual(['access_token', 'csrf_token', 'refresh_token']);
    expect(byName.access_token).toMatch(/HttpOnly/);
    expect(byName.refresh_token).toMatch(/HttpOnly/);
    expect(byName.csrf_token).not.toMatch(/HttpOnly/);
    const csrf = cookieJar(lines).csrf_token;
    const claims = JSON.parse(Buffer.from(csrf.split('.')[1], 'base64url').toString());
    expect(claims).toMatchObject({ user_id: expect.any(String), exp: expect.any(Number) });
  });

  it('uses __Host- prefixed Secure cookies when secureCookies is set', async () => {
    em = await startEmulator({ secureCookies: true });
    const res = await login(em);
    const lines = res.headers.getSetCookie();
    expect(lines.map((l) => l.split('=')[0]).sort()).toEqual(['__Host-access_token', '__Host-csrf_token', '__Host-refresh_token']);
    expect(lines.every((l) => /; Secure/.test(l) && /Path=\//.test(l))).toBe(true);
    const session = sessionFrom(lines, '__Host-csrf_token');
    expect((await consoleApi(em, session)('GET', '/apps')).status).toBe(200);
  });

  it('wants the Base64 password; one that does not decode is refused without counting a failure', async () => {
    em = await startEmulator();
    const res = await login(em, 'dify-emulator-password');
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ code: 'authentication_failed', message: 'Invalid encrypted data', status: 401 });
    expect(em.state().loginFailures).toBe(0);
    const wrong = await login(em, b64('wrong-password'));
    expect(await wrong.json()).toEqual({ code: 'authentication_failed', message: 'Invalid email or password.', status: 401 });
    expect(em.state().loginFailures).toBe(1);
    expect(res.headers.get('x-version')).toBe('1.12.1');
  });

  it('decodes the password as Python does: dropped non-alphabet characters, padding and UTF-8 required', () => {
    expect(decodePythonBase64(b64('Passw0rd-Live-1'))).toBe('Passw0rd-Live-1');
    expect(decodePythonBase64('Passw0rd-Live-1')).toBeNull(); // 13 characters once "-" is dropped
    expect(decodePythonBase64('not base64 !!')).toBeNull();
    expect(decodePythonBase64('Abcd1234')).toBeNull(); // decodes, but not to UTF-8
    expect(decodePythonBase64('QUJD\nREVG')).toBe('ABCDEF');
  });

  it('requires the CSRF header on GET too, equal to the cookie', async () => {
    em = await startEmulator();
    const session = await consoleSession(em);
    const noCsrf = await call(em, 'GET', '/console/api/apps', { headers: { cookie: session.headers.cookie } });
    expect(noCsrf.status).toBe(401);
    expect(noCsrf.body).toEqual({ code: 'unauthorized', message: 'CSRF token is missing or invalid.', status: 401 });
    expect(noCsrf.headers.get('www-authenticate')).toBe('Bearer realm="api"');
    const wrong = await call(em, 'GET', '/console/api/apps', {
      headers: { ...session.headers, 'x-csrf-token': `${session.cookies.csrf_token}x` },
    });
    expect(wrong.status).toBe(401);
    // Bearer with the access token still needs the CSRF pair in the cookie era.
    const bearerOnly = await call(em, 'GET', '/console/api/apps', {
      headers: { authorization: `Bearer ${session.cookies.access_token}` },
    });
    expect(bearerOnly.status).toBe(401);
    const ok = await consoleApi(em, session)('GET', '/apps');
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ page: 1, limit: 20, total: 0, has_more: false, data: [] });
  });

  it('rejects calls without any session', async () => {
    em = await startEmulator();
    const res = await call(em, 'GET', '/console/api/apps');
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('unauthorized');
  });

  it('answers six wrong passwords with 401 and locks on the 7th attempt, even for the right password, until reset', async () => {
    em = await startEmulator();
    for (let i = 0; i < 6; i += 1) expect((await login(em, b64('wrong'))).status).toBe(401);
    const locked = await login(em);
    expect(locked.status).toBe(429);
    expect(await locked.json()).toEqual({
      code: 'email_code_login_limit',
      message: 'Too many incorrect password attempts. Please try again later.',
      status: 429,
    });
    expect(em.state().loginFailures).toBe(6);
    // Undecodable passwords are refused before the lock is checked (Dify 1.12.1).
    expect((await login(em, 'not base64 !!')).status).toBe(401);
    em.reset();
    expect((await login(em)).status).toBe(200);
  });

  it('expires the access token, then refresh rotates cookies and kills the old refresh token', async () => {
    em = await startEmulator({ accessTokenTtlMs: 150 });
    const session = await consoleSession(em);
    await sleep(200);
    const expired = await consoleApi(em, session)('GET', '/apps');
    expect(expired.status).toBe(401);
    const refreshed = await fetch(`${em.url}/console/api/refresh-token`, { method: 'POST', headers: session.headers });
    expect(refreshed.status).toBe(200);
    expect(await refreshed.json()).toEqual({ result: 'success' });
    const next = sessionFrom(refreshed.headers.getSetCookie());
    expect(next.cookies.csrf_token).not.toBe(session.cookies.csrf_token);
    expect((await consoleApi(em, next)('GET', '/apps')).status).toBe(200);
    const reused = await call(em, 'POST', '/console/api/refresh-token', { headers: session.headers });
    expect(reused.status).toBe(401);
    expect(reused.body).toMatchObject({ result: 'fail' });
  });

  it('logout clears the cookies and ends the session', async () => {
    em = await startEmulator();
    const session = await consoleSession(em);
    const res = await fetch(`${em.url}/console/api/logout`, { method: 'POST', headers: session.headers });
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie().every((l) => /Max-Age=0/.test(l))).toBe(true);
    expect((await consoleApi(em, session)('GET', '/apps')).status).toBe(401);
  });
});

describe('bearer-era login', () => {
  it('returns tokens in the body, no cookies; Bearer works without CSRF; refresh via body', async () => {
    em = await startEmulator({ auth: 'bearer' });
    const res = await login(em, 'dify-emulator-password');
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toEqual({ result: 'success', data: { access_token: expect.any(String), refresh_token: expect.any(String) } });
    expect(res.headers.getSetCookie()).toEqual([]);
    const auth = { authorization: `Bearer ${body.data.access_token}` };
    expect((await call(em, 'GET', '/console/api/apps', { headers: auth })).status).toBe(200);
    const refreshed = await call(em, 'POST', '/console/api/refresh-token', { body: { refresh_token: body.data.refresh_token } });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.data.access_token).toEqual(expect.any(String));
    const again = await call(em, 'POST', '/console/api/refresh-token', { body: { refresh_token: body.data.refresh_token } });
    expect(again.status).toBe(401);
  });

  it('does not want Base64 in the bearer era', async () => {
    em = await startEmulator({ auth: 'bearer' });
    expect((await login(em)).status).toBe(401);
  });
});

describe('roles', () => {
  it('normal members cannot export or import; editors cannot delete keys; admins can', async () => {
    em = await startEmulator({ role: 'normal' });
    const app = em.seedApp({ mode: 'workflow', name: 'echo', dsl: readFixture(PASSTHROUGH) });
    const api = consoleApi(em, await consoleSession(em));
    expect((await api('GET', `/apps/${app.id}`)).status).toBe(200);
    const exported = await api('GET', `/apps/${app.id}/export`);
    expect(exported.status).toBe(403);
    expect(exported.body.code).toBe('forbidden');
    expect((await api('POST', '/apps/imports', { mode: 'yaml-content', yaml_content: 'x' })).status).toBe(403);
    expect((await api('POST', `/apps/${app.id}/workflows/publish`, {})).status).toBe(403);
    expect((await api('POST', `/apps/${app.id}/api-keys`)).status).toBe(403);

    em.setOptions({ role: 'editor' });
    const created = await api('POST', `/apps/${app.id}/api-keys`);
    expect(created.status).toBe(201);
    expect((await api('DELETE', `/apps/${app.id}/api-keys/${created.body.id}`)).status).toBe(403);
    em.setOptions({ role: 'admin' });
    const deleted = await api('DELETE', `/apps/${app.id}/api-keys/${created.body.id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBeUndefined();
  });
});
