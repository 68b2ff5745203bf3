import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, PASSTHROUGH, readFixture, serviceApi } from './helpers.js';
import { startEmulator, type Emulator } from './server.js';

let em: Emulator;
beforeEach(async () => {
  em = await startEmulator();
});
afterEach(async () => {
  await em.close();
});

describe('faults', () => {
  it('answers verbatim, counts down `times`, then handles normally', async () => {
    em.injectFault({
      match: { method: 'GET', path: '/console/api/apps' },
      respond: { status: 429, body: { code: 'too_many_requests', message: 'slow down', status: 429 }, headers: { 'Retry-After': '1' } },
      times: 2,
    });
    for (let i = 0; i < 2; i += 1) {
      const res = await call(em, 'GET', '/console/api/apps');
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(res.body).toEqual({ code: 'too_many_requests', message: 'slow down', status: 429 });
    }
    expect((await call(em, 'GET', '/console/api/apps')).status).toBe(401);
    expect(em.state().requests.map((r) => r.status)).toEqual([429, 429, 401]);
  });

  it('matches regex paths and respects the method', async () => {
    em.injectFault({ match: { method: 'POST', path: '^/v1/' }, respond: { status: 503 } });
    expect((await call(em, 'GET', '/v1/info')).status).toBe(401);
    expect((await call(em, 'POST', '/v1/workflows/run', { body: {} })).status).toBe(503);
  });

  it('resets the socket', async () => {
    em.injectFault({ match: { path: '/v1/info' }, respond: 'reset' });
    await expect(fetch(`${em.url}/v1/info`)).rejects.toThrow();
    expect(em.state().requests[0]).toMatchObject({ path: '/v1/info', status: 0 });
  });

  it('returns a 200 with a body that is not JSON', async () => {
    em.injectFault({ match: { path: '/v1/info' }, respond: 'garbage' });
    const res = await fetch(`${em.url}/v1/info`);
    expect(res.status).toBe(200);
    await expect(res.json()).rejects.toThrow();
  });

  it('hangs until the client gives up, and close() still finishes', async () => {
    em.injectFault({ match: { path: '/v1/info' }, respond: 'hang' });
    await expect(fetch(`${em.url}/v1/info`, { signal: AbortSignal.timeout(150) })).rejects.toThrow();
    const pending = fetch(`${em.url}/v1/info`).catch((error: Error) => error);
    em.injectFault({ match: { path: '/v1/info' }, respond: 'hang' });
    await new Promise((resolve) => setTimeout(resolve, 30));
    await em.close();
    expect(await pending).toBeInstanceOf(Error);
  });

  it('adds fault latency and global latency', async () => {
    em.setOptions({ latencyMs: 40 });
    em.injectFault({ match: { path: '/v1/info' }, respond: { status: 500 }, latency_ms: 60 });
    const started = Date.now();
    expect((await call(em, 'GET', '/v1/info')).status).toBe(500);
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
  });
});

describe('control API over HTTP', () => {
  const control = (method: string, path: string, body?: unknown) => call(em, method, `/__emulator/${path}`, { body });

  it('seeds, scripts runs, injects faults, patches options, resets; none of it is logged', async () => {
    const seeded = await control('POST', 'apps', { mode: 'workflow', name: 'echo', dsl: readFixture(PASSTHROUGH), published: true });
    expect(seeded.status).toBe(200);
    expect(seeded.body).toEqual({ id: expect.any(String), api_key: expect.stringMatching(/^app-/) });
    expect((await control('POST', `apps/${seeded.body.id}/runs`, { runs: [{ outputs: { query: 'scripted' } }] })).status).toBe(200);
    const ran = await serviceApi(em, seeded.body.api_key)('POST', '/workflows/run', { inputs: { query: 'x' }, user: 'u' });
    expect(ran.body.data.outputs).toEqual({ query: 'scripted' });

    await control('POST', 'faults', { match: { path: '/v1/info' }, respond: { status: 418 } });
    expect((await serviceApi(em, seeded.body.api_key)('GET', '/info')).status).toBe(418);

    await control('POST', 'options', { role: 'normal' });
    const state = await control('GET', 'state');
    expect(state.body.apps).toHaveLength(1);
    expect(state.body.apps[0]).toMatchObject({ name: 'echo', mode: 'workflow', enable_api: true });
    expect(state.body.requests.map((r: any) => r.path)).toEqual(['/v1/workflows/run', '/v1/info']);
    expect(state.body.requests.every((r: any) => !r.path.startsWith('/__emulator'))).toBe(true);

    expect((await control('POST', 'reset')).status).toBe(200);
    const cleared = await control('GET', 'state');
    expect(cleared.body).toEqual({ apps: [], requests: [], pendingImports: [], loginFailures: 0 });
  });

  it('is not subject to faults or latency, and reports bad input as 400', async () => {
    em.injectFault({ match: { path: '^/' }, respond: 'hang', times: 100 });
    em.setOptions({ latencyMs: 5_000 });
    expect((await control('GET', 'state')).status).toBe(200);
    const bad = await control('POST', 'apps', { mode: 'nope', name: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('invalid_param');
    expect((await control('POST', 'apps/unknown/runs', { runs: [] })).status).toBe(404);
  });
});
