// Retry timing on the virtual clock: jittered exponential backoff, Retry-After in seconds and as
// an HTTP date, and a Retry-After beyond the cap (give up now rather than hammer a server that
// asked for an hour).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDifyService, type DifyError } from '../../src/dify/index.js';
import { createVirtualClock, type VirtualClock } from '../../src/support/clock.js';
import { computeBackoffMs, DEFAULT_BACKOFF, parseRetryAfter } from '../../src/support/retry.js';
import type { Emulator } from '../emulator/server.js';
import { requestsTo, startDify, WORKFLOW_DSL } from './dify-support.js';

let emu: Emulator;
let apiKey = '';
let clock: VirtualClock;
beforeAll(async () => {
  emu = await startDify();
});
afterAll(async () => emu.close());
beforeEach(() => {
  emu.reset();
  apiKey = emu.seedApp({ mode: 'workflow', name: 'echo', dsl: WORKFLOW_DSL, published: true }).api_key;
  clock = createVirtualClock();
});

const info = (maxAttempts = 4) => {
  const service = createDifyService({ serviceUrl: `${emu.url}/v1`, apiKey, timeoutMs: 2000, maxAttempts }, { clock, log: () => {} });
  return service.info().finally(() => service.close?.());
};

describe('backoff and Retry-After', () => {
  it('backs off exponentially with jitter between half and all of each step', async () => {
    emu.injectFault({ match: { method: 'GET', path: '/v1/info' }, respond: { status: 502 }, times: 3 });
    expect((await info()).name).toBe('echo');
    expect(clock.sleeps).toHaveLength(3);
    clock.sleeps.forEach((ms, i) => {
      const step = DEFAULT_BACKOFF.baseDelayMs * 2 ** i;
      expect(ms).toBeGreaterThanOrEqual(step / 2);
      expect(ms).toBeLessThanOrEqual(step);
    });
  });

  it('honours Retry-After given as an HTTP date', async () => {
    const at = new Date(clock.now() + 7_000).toUTCString();
    emu.injectFault({ match: { method: 'GET', path: '/v1/info' }, respond: { status: 429, headers: { 'Retry-After': at } } });
    await info();
    // HTTP dates have whole seconds: up to 1 s less than asked.
    expect(clock.sleeps[0]).toBeGreaterThan(6_000);
    expect(clock.sleeps[0]).toBeLessThanOrEqual(7_000);
  });

  it('gives up at once when Retry-After is beyond the cap, reporting the 429', async () => {
    emu.injectFault({
      match: { method: 'GET', path: '/v1/info' },
      respond: { status: 429, body: { code: 'too_many_requests', message: 'quota', status: 429 }, headers: { 'Retry-After': '3600' } },
    });
    const error = (await info().catch((e: unknown) => e)) as DifyError;
    expect(error).toMatchObject({ code: 'dify.http', details: { status: 429, difyCode: 'too_many_requests' } });
    expect(error.hint).toMatch(/rate-limiting/);
    expect(clock.sleeps).toEqual([]);
    expect(requestsTo(emu, 'GET', '/v1/info')).toHaveLength(1);
  });

  it('stops after maxAttempts and reports the last answer', async () => {
    emu.injectFault({ match: { method: 'GET', path: '/v1/info' }, respond: { status: 503 }, times: 10 });
    await expect(info(3)).rejects.toMatchObject({ details: { status: 503 } });
    expect(requestsTo(emu, 'GET', '/v1/info')).toHaveLength(3);
  });

  it('parses Retry-After forms', () => {
    expect(parseRetryAfter('2', 0)).toBe(2000);
    expect(parseRetryAfter('0.5', 0)).toBe(500);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(parseRetryAfter(new Date(1_000).toUTCString(), 4_000)).toBe(0);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
    expect(parseRetryAfter(undefined, 0)).toBeUndefined();
    expect(computeBackoffMs(10, { ...DEFAULT_BACKOFF, random: () => 1 })).toBe(DEFAULT_BACKOFF.maxDelayMs);
  });
});
