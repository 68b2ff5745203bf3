// One pace per client, shared by everything it sends: a 429's Retry-After holds back the requests
// after it, not only the one that met it, and /openapi requests stay under Dify's per-token limit
// (60 a minute) instead of finding it one 429 at a time. On the virtual clock: nothing waits.
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpClient } from '../../src/dify/http.js';
import { createDifyConsole, createDifyService, createPacer } from '../../src/dify/index.js';
import { createVirtualClock } from '../../src/support/clock.js';
import type { Emulator } from '../emulator/server.js';
import { EMAIL, PASSWORD, requestsTo, startDify, WORKFLOW_DSL } from './dify-support.js';

let emu: Emulator;
afterEach(async () => emu?.close());

const TOKEN = 'dfoa_emulator_token_0123456789';

describe('pacing', () => {
  it('keeps /openapi requests under the per-minute limit, waiting for the window instead of meeting 429s', async () => {
    emu = await startDify({ openapi: true, openapiRateLimitPerMinute: 0 });
    const clock = createVirtualClock();
    const http = createHttpClient({ baseUrl: emu.url, timeoutMs: 2000, maxAttempts: 1, clock, log: () => {}, openapiPerMinute: 3 });
    const account = () =>
      http.send({
        method: 'GET',
        path: '/openapi/v1/account',
        headers: { authorization: `Bearer ${TOKEN}` },
        safety: 'read',
        surface: 'openapi',
      });
    const start = clock.now();
    const answers = await Promise.all([account(), account(), account(), account(), account()]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    // The 4th waited for the first requests to leave the minute (on this clock the 5th then finds room).
    expect(clock.sleeps.some((ms) => ms > 50_000)).toBe(true);
    expect(clock.now() - start).toBeGreaterThanOrEqual(60_000);
    await http.close();
  });

  it('does not pace the console (its limits are per workspace plan, and not announced)', async () => {
    emu = await startDify();
    const clock = createVirtualClock();
    const http = createHttpClient({ baseUrl: emu.url, timeoutMs: 2000, maxAttempts: 1, clock, log: () => {}, openapiPerMinute: 1 });
    for (let i = 0; i < 3; i++)
      await http.send({ method: 'GET', path: '/console/api/system-features', safety: 'read', surface: 'console' });
    expect(clock.sleeps).toEqual([]);
    await http.close();
  });

  it("holds back the next request for a 429's Retry-After, even one to another route", async () => {
    emu = await startDify();
    const clock = createVirtualClock();
    const http = createHttpClient({ baseUrl: emu.url, timeoutMs: 2000, maxAttempts: 1, clock, log: () => {} });
    emu.injectFault({
      match: { method: 'GET', path: '/console/api/system-features' },
      respond: { status: 429, headers: { 'Retry-After': '7' } },
    });
    const limited = await http.send({ method: 'GET', path: '/console/api/system-features', safety: 'read', surface: 'console' });
    expect(limited.status).toBe(429);
    const before = clock.now();
    await http.send({ method: 'GET', path: '/openapi/v1/_version', safety: 'read', surface: 'openapi' });
    expect(clock.now() - before).toBeGreaterThanOrEqual(7000);
    expect(requestsTo(emu, 'GET', '/openapi/v1/_version')).toHaveLength(1);
    await http.close();
  });

  it('shares one pace between the console and service clients of a run: a 429 on a run holds back the console', async () => {
    emu = await startDify();
    const clock = createVirtualClock();
    const pacer = createPacer(clock);
    const deps = { clock, log: () => {}, pacer };
    const { api_key } = emu.seedApp({ mode: 'workflow', name: 'echo', dsl: WORKFLOW_DSL, published: true });
    const dify = await createDifyConsole({ baseUrl: emu.url, email: EMAIL, password: PASSWORD, timeoutMs: 2000, maxAttempts: 1 }, deps);
    const service = createDifyService({ serviceUrl: `${emu.url}/v1`, apiKey: api_key, timeoutMs: 2000, maxAttempts: 1 }, deps);
    emu.injectFault({ match: { method: 'POST', path: '/v1/workflows/run' }, respond: { status: 429, headers: { 'Retry-After': '9' } } });
    await expect(service.runWorkflow({ query: 'x' }, { stream: false })).rejects.toThrow();
    const before = clock.now();
    await dify.listVersions(emu.state().apps[0].id);
    expect(clock.now() - before).toBeGreaterThanOrEqual(9000);
    await Promise.all([dify.close?.(), service.close?.()]);
  });
});
