// Every fault on every endpoint the client uses: 500, 503 twice (with and without Retry-After),
// 429 + Retry-After, a hung server, a reset connection and a garbage body. Reads (GET, DELETE)
// are retried; writes only when Dify certainly did not process them; nothing waits past its
// timeout. Backoff runs on a virtual clock; the 300 ms timeouts are real.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createDifyConsole,
  createDifyService,
  type DifyConsole,
  type DifyErrorCode,
  type DifyUnreachableError,
} from '../../src/dify/index.js';
import { createVirtualClock, type VirtualClock } from '../../src/support/clock.js';
import type { Emulator, FaultResponse } from '../emulator/server.js';
import { CHATFLOW_DSL, connectionFor, requestsTo, startDify, WORKFLOW_DSL, type Mode } from './dify-support.js';

const TIMEOUT_MS = 300;
const MAX_ATTEMPTS = 3;
/** Scheduling slack on a loaded 2-core CI box; still far below "hung". */
const SLACK_MS = 700;

/** `replace`: import into an existing app; applying it twice leaves the same draft, so it retries like a read. */
type Safety = 'read' | 'replace' | 'write';

interface World {
  emu: Emulator;
  clock: VirtualClock;
  dify: DifyConsole;
  appId: string;
  keyId: string;
  versionId: string;
  importId: string;
}

interface OpCase {
  op: string;
  method: string;
  /** Exact path, or a regex source starting with ^ (the emulator's fault matcher takes both). */
  path: (w: World) => string;
  safety: Safety;
  call: (w: World) => Promise<unknown>;
  needsPending?: boolean;
}

interface FaultKind {
  name: string;
  respond: FaultResponse;
  times: number;
  /** Outcome by safety: requests the endpoint saw, and the error (if any). */
  expect: (safety: 'read' | 'write') => {
    requests: number;
    error?: Record<string, unknown>;
    errorCode?: DifyErrorCode | 'dify.unreachable';
    sleeps?: number[];
  };
}

const FAULTS: FaultKind[] = [
  {
    name: '500',
    respond: { status: 500, body: { code: 'unknown', message: 'Internal Server Error', status: 500 } },
    times: 1,
    expect: () => ({ requests: 1, errorCode: 'dify.http', error: { details: { status: 500 } } }),
  },
  {
    name: '503 twice, then success',
    respond: { status: 503, body: 'Service Unavailable' },
    times: 2,
    // A bare 503 on a write may come after Dify did the work (a proxy timing out): not retried.
    expect: (s) => (s === 'read' ? { requests: 3 } : { requests: 1, errorCode: 'dify.http', error: { details: { status: 503 } } }),
  },
  {
    name: '503 + Retry-After twice, then success',
    respond: { status: 503, headers: { 'Retry-After': '1' } },
    times: 2,
    expect: () => ({ requests: 3, sleeps: [1000, 1000] }),
  },
  {
    name: '429 + Retry-After',
    respond: {
      status: 429,
      body: { code: 'too_many_requests', message: 'Too many requests', status: 429 },
      headers: { 'Retry-After': '2' },
    },
    times: 1,
    expect: () => ({ requests: 2, sleeps: [2000] }),
  },
  {
    name: 'hang past the timeout',
    respond: 'hang',
    times: 1,
    expect: (s) =>
      s === 'read' ? { requests: 2 } : { requests: 1, errorCode: 'dify.unreachable', error: { details: { reason: 'timeout' } } },
  },
  {
    name: 'reset',
    respond: 'reset',
    times: 1,
    expect: (s) =>
      s === 'read' ? { requests: 2 } : { requests: 1, errorCode: 'dify.unreachable', error: { details: { reason: 'reset' } } },
  },
  {
    name: 'garbage body',
    respond: 'garbage',
    times: 1,
    expect: () => ({ requests: 1, errorCode: 'dify.http', error: { details: { difyCode: 'non_json_response', status: 200 } } }),
  },
];

const id = (w: World) => w.appId;
const CONSOLE_CASES: OpCase[] = [
  { op: 'getApp', method: 'GET', path: (w) => `/console/api/apps/${id(w)}`, safety: 'read', call: (w) => w.dify.getApp(id(w)) },
  {
    op: 'exportDsl',
    method: 'GET',
    path: (w) => `/console/api/apps/${id(w)}/export`,
    safety: 'read',
    call: (w) => w.dify.exportDsl(id(w)),
  },
  {
    op: 'importDsl',
    method: 'POST',
    path: () => '/console/api/apps/imports',
    safety: 'replace',
    call: (w) => w.dify.importDsl(id(w), WORKFLOW_DSL),
  },
  {
    op: 'confirmImport',
    method: 'POST',
    path: (w) => `/console/api/apps/imports/${w.importId}/confirm`,
    safety: 'write',
    call: (w) => w.dify.confirmImport(w.importId),
    needsPending: true,
  },
  {
    op: 'checkDependencies',
    method: 'GET',
    path: (w) => `/console/api/apps/imports/${id(w)}/check-dependencies`,
    safety: 'read',
    call: (w) => w.dify.checkDependencies(id(w)),
  },
  {
    op: 'publish',
    method: 'POST',
    path: (w) => `/console/api/apps/${id(w)}/workflows/publish`,
    safety: 'write',
    call: (w) => w.dify.publish(id(w), { markedName: 'v2', markedComment: '' }),
  },
  {
    op: 'getPublished',
    method: 'GET',
    path: (w) => `/console/api/apps/${id(w)}/workflows/publish`,
    safety: 'read',
    call: (w) => w.dify.getPublished(id(w)),
  },
  {
    op: 'listVersions',
    method: 'GET',
    path: (w) => `/console/api/apps/${id(w)}/workflows`,
    safety: 'read',
    call: (w) => w.dify.listVersions(id(w)),
  },
  {
    op: 'restoreVersion',
    method: 'POST',
    path: (w) => `/console/api/apps/${id(w)}/workflows/${w.versionId}/restore`,
    safety: 'write',
    call: (w) => w.dify.restoreVersion(id(w), w.versionId),
  },
  {
    op: 'listApiKeys',
    method: 'GET',
    path: (w) => `/console/api/apps/${id(w)}/api-keys`,
    safety: 'read',
    call: (w) => w.dify.listApiKeys(id(w)),
  },
  {
    op: 'createApiKey',
    method: 'POST',
    path: (w) => `/console/api/apps/${id(w)}/api-keys`,
    safety: 'write',
    call: (w) => w.dify.createApiKey(id(w)),
  },
  {
    op: 'deleteApiKey',
    method: 'DELETE',
    path: (w) => `/console/api/apps/${id(w)}/api-keys/${w.keyId}`,
    safety: 'read',
    call: (w) => w.dify.deleteApiKey(id(w), w.keyId),
  },
];

const O = '/openapi/v1';
const OPENAPI_CASES: OpCase[] = [
  { op: 'getApp', method: 'GET', path: (w) => `${O}/apps/${id(w)}`, safety: 'read', call: (w) => w.dify.getApp(id(w)) },
  { op: 'exportDsl', method: 'GET', path: (w) => `${O}/apps/${id(w)}/dsl`, safety: 'read', call: (w) => w.dify.exportDsl(id(w)) },
  {
    op: 'importDsl',
    method: 'POST',
    path: () => `^${O}/workspaces/[^/]+/apps/imports$`,
    safety: 'replace',
    call: (w) => w.dify.importDsl(id(w), WORKFLOW_DSL),
  },
  {
    op: 'confirmImport',
    method: 'POST',
    path: (w) => `^${O}/workspaces/[^/]+/apps/imports/${w.importId}:confirm$`,
    safety: 'write',
    call: (w) => w.dify.confirmImport(w.importId),
    needsPending: true,
  },
  {
    op: 'checkDependencies',
    method: 'GET',
    path: (w) => `${O}/apps/${id(w)}/dependencies:check`,
    safety: 'read',
    call: (w) => w.dify.checkDependencies(id(w)),
  },
  {
    op: 'publish',
    method: 'POST',
    path: (w) => `${O}/apps/${id(w)}:publish`,
    safety: 'write',
    call: (w) => w.dify.publish(id(w), { markedName: 'v2', markedComment: '' }),
  },
  {
    op: 'listVersions',
    method: 'GET',
    path: (w) => `${O}/apps/${id(w)}/versions`,
    safety: 'read',
    call: (w) => w.dify.listVersions(id(w)),
  },
  {
    op: 'getPublished',
    method: 'GET',
    path: (w) => `${O}/apps/${id(w)}/versions`,
    safety: 'read',
    call: (w) => w.dify.getPublished(id(w)),
  },
  {
    op: 'restoreVersion',
    method: 'POST',
    path: (w) => `${O}/apps/${id(w)}/versions/${w.versionId}:restore`,
    safety: 'write',
    call: (w) => w.dify.restoreVersion(id(w), w.versionId),
  },
];

function countRequests(emu: Emulator, method: string, path: string): number {
  return requestsTo(emu, method, path.startsWith('^') ? new RegExp(path) : path).length;
}

async function checkOutcome(w: World, c: OpCase, fault: FaultKind): Promise<void> {
  const path = c.path(w);
  const expected = fault.expect(c.safety === 'write' ? 'write' : 'read');
  const before = countRequests(w.emu, c.method, path);
  const sleepsBefore = w.clock.sleeps.length;
  w.emu.injectFault({ match: { method: c.method, path }, respond: fault.respond, times: fault.times });
  const started = performance.now();
  const outcome = await c.call(w).then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  const elapsed = performance.now() - started;
  const requests = countRequests(w.emu, c.method, path) - before;
  const timeouts = fault.respond === 'hang' ? 1 : 0;
  expect(elapsed, 'never waits much past its timeout').toBeLessThan(timeouts * TIMEOUT_MS + SLACK_MS);
  expect(requests, `requests to ${c.method} ${path}`).toBe(expected.requests);
  if (expected.errorCode) {
    expect(outcome.ok, 'should fail').toBe(false);
    if (!outcome.ok) {
      expect(outcome.error).toMatchObject({ code: expected.errorCode, ...expected.error });
      expect((outcome.error as { hint?: string }).hint, 'every failure says what to do').toBeTruthy();
    }
  } else {
    if (!outcome.ok) throw outcome.error;
  }
  if (expected.sleeps) expect(w.clock.sleeps.slice(sleepsBefore)).toEqual(expected.sleeps);
}

function faultMatrix(mode: Mode, cases: OpCase[]) {
  describe(`${mode} console: faults on every endpoint`, () => {
    const w = {} as World;
    beforeAll(async () => {
      w.emu = await startDify(mode === 'openapi' ? { openapi: true } : { auth: mode === 'bearer' ? 'bearer' : 'cookie' });
      w.clock = createVirtualClock();
      // Unpaced: these tests count the retry sleeps exactly (pacing has its own tests).
      w.dify = await createDifyConsole(
        connectionFor(w.emu, mode, { timeoutMs: TIMEOUT_MS, maxAttempts: MAX_ATTEMPTS, openapiPerMinute: 0 }),
        {
          clock: w.clock,
          log: () => {},
        },
      );
    });
    afterAll(async () => {
      await w.dify.close?.();
      await w.emu.close();
    });

    async function seed(c: OpCase) {
      w.emu.reset();
      const app = w.emu.seedApp({ mode: 'workflow', name: 'echo', dsl: WORKFLOW_DSL, published: true });
      w.appId = app.id;
      const state = w.emu.state().apps[0];
      w.keyId = state.api_keys[0].id;
      w.versionId = state.published[0].id;
      if (c.needsPending) {
        w.emu.setOptions({ dslVersion: '1.0.0' });
        w.importId = (await w.dify.importDsl(app.id, WORKFLOW_DSL)).id;
        w.emu.setOptions({ dslVersion: '0.6.0' });
      }
    }

    for (const c of cases) {
      it.each(FAULTS.map((f) => [f.name, f] as const))(`${c.op} (${c.safety}): %s`, async (_name, fault) => {
        await seed(c);
        await checkOutcome(w, c, fault);
      });
    }

    it('a server that stays hung: reads give up after maxAttempts timeouts, with a timeout error', async () => {
      const c = cases[0];
      await seed(c);
      w.emu.injectFault({ match: { method: c.method, path: c.path(w) }, respond: 'hang', times: 99 });
      const started = performance.now();
      const error = (await c.call(w).catch((e: unknown) => e)) as DifyUnreachableError;
      expect(performance.now() - started).toBeLessThan(MAX_ATTEMPTS * TIMEOUT_MS + SLACK_MS);
      expect(error).toMatchObject({ code: 'dify.unreachable', details: { reason: 'timeout' } });
      expect(error.message).toContain(`no response within ${TIMEOUT_MS} ms`);
      expect(countRequests(w.emu, c.method, c.path(w))).toBe(MAX_ATTEMPTS);
    });
  });
}

faultMatrix('cookie', CONSOLE_CASES);
faultMatrix('openapi', OPENAPI_CASES);

describe('auth endpoints are never retried', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startDify({ openapi: true });
  });
  afterAll(async () => emu.close());

  it.each(FAULTS.map((f) => [f.name, f] as const))('login: %s', async (_name, fault) => {
    emu.reset();
    emu.injectFault({ match: { method: 'POST', path: '/console/api/login' }, respond: fault.respond, times: fault.times });
    const started = performance.now();
    const error = await createDifyConsole(connectionFor(emu, 'cookie', { timeoutMs: TIMEOUT_MS }), {
      clock: createVirtualClock(),
      log: () => {},
    }).catch((e) => e);
    expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    expect(error).toBeInstanceOf(Error);
    expect(error.hint).toBeTruthy();
    expect(requestsTo(emu, 'POST', '/console/api/login')).toHaveLength(1);
  });

  it.each(FAULTS.filter((f) => f.respond !== 'garbage').map((f) => [f.name, f] as const))('refresh-token: %s', async (_name, fault) => {
    emu.reset();
    const app = emu.seedApp({ mode: 'workflow', name: 'echo', dsl: WORKFLOW_DSL });
    const dify = await createDifyConsole(connectionFor(emu, 'cookie', { timeoutMs: TIMEOUT_MS }), {
      clock: createVirtualClock(),
      log: () => {},
    });
    emu.injectFault({
      match: { method: 'GET', path: `/console/api/apps/${app.id}` },
      respond: { status: 401, body: { code: 'unauthorized', message: 'Token has expired.', status: 401 } },
    });
    emu.injectFault({ match: { method: 'POST', path: '/console/api/refresh-token' }, respond: fault.respond, times: fault.times });
    await expect(dify.getApp(app.id)).rejects.toBeInstanceOf(Error);
    expect(requestsTo(emu, 'POST', '/console/api/refresh-token')).toHaveLength(1);
    await dify.close?.();
  });

  it.each(FAULTS.map((f) => [f.name, f] as const))('openapi probe and catalog: %s', async (_name, fault) => {
    for (const path of [`${O}/_version`, `${O}/_catalog`]) {
      emu.reset();
      emu.injectFault({ match: { method: 'GET', path }, respond: fault.respond, times: fault.times });
      const clock = createVirtualClock();
      const outcome = await createDifyConsole(connectionFor(emu, 'openapi', { timeoutMs: TIMEOUT_MS, maxAttempts: MAX_ATTEMPTS }), {
        clock,
        log: () => {},
      }).then(
        (d) => (d.close?.(), { ok: true as const }),
        (error: unknown) => ({ ok: false as const, error }),
      );
      const expected = fault.expect('read');
      expect(requestsTo(emu, 'GET', path), path).toHaveLength(expected.requests);
      expect(outcome.ok, path).toBe(!expected.errorCode);
      if (!outcome.ok) expect(outcome.error).toMatchObject({ code: expected.errorCode });
    }
  });
});

describe('service API: faults on every endpoint', () => {
  let emu: Emulator;
  const clock = createVirtualClock();
  let workflowKey = '';
  let chatKey = '';
  beforeAll(async () => {
    emu = await startDify();
  });
  beforeEach(() => {
    emu.reset();
    workflowKey = emu.seedApp({ mode: 'workflow', name: 'wf', dsl: WORKFLOW_DSL, published: true }).api_key;
    chatKey = emu.seedApp({ mode: 'advanced-chat', name: 'chat', dsl: CHATFLOW_DSL, published: true }).api_key;
  });
  afterAll(async () => emu.close());

  const service = (key: string) =>
    createDifyService(
      { serviceUrl: `${emu.url}/v1`, apiKey: key, timeoutMs: TIMEOUT_MS, maxAttempts: MAX_ATTEMPTS },
      { clock, log: () => {} },
    );
  const SERVICE_CASES: Array<{ op: string; method: string; path: string; safety: Safety; call: () => Promise<unknown> }> = [
    { op: 'info', method: 'GET', path: '/v1/info', safety: 'read', call: () => service(workflowKey).info() },
    { op: 'parameters', method: 'GET', path: '/v1/parameters', safety: 'read', call: () => service(workflowKey).parameters() },
    {
      op: 'runWorkflow blocking',
      method: 'POST',
      path: '/v1/workflows/run',
      safety: 'write',
      call: () => service(workflowKey).runWorkflow({ query: 'hi' }, { stream: false }),
    },
    {
      op: 'runWorkflow streaming',
      method: 'POST',
      path: '/v1/workflows/run',
      safety: 'write',
      call: () => service(workflowKey).runWorkflow({ query: 'hi' }, { stream: true }),
    },
    {
      op: 'sendChat blocking',
      method: 'POST',
      path: '/v1/chat-messages',
      safety: 'write',
      call: () => service(chatKey).sendChat('hi', {}, { stream: false }),
    },
    {
      op: 'sendChat streaming',
      method: 'POST',
      path: '/v1/chat-messages',
      safety: 'write',
      call: () => service(chatKey).sendChat('hi', {}, { stream: true }),
    },
  ];

  for (const c of SERVICE_CASES) {
    it.each(FAULTS.map((f) => [f.name, f] as const))(`${c.op} (${c.safety}): %s`, async (_name, fault) => {
      const w = { emu, clock } as World;
      await checkOutcome(w, { ...c, path: () => c.path, call: c.call }, fault);
    });
  }

  it('a stream that goes silent mid-run fails after the idle timeout, not after the run', async () => {
    const app = emu.seedApp({ mode: 'workflow', name: 'slow', dsl: WORKFLOW_DSL, published: true });
    emu.scriptRuns(app.id, [{ status: 'succeeded', outputs: { query: 'late' }, latency_ms: 5_000 }]);
    const started = performance.now();
    const error = await service(app.api_key)
      .runWorkflow({ query: 'x' }, { stream: true })
      .catch((e) => e);
    expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    expect(error).toMatchObject({ code: 'dify.unreachable' });
    expect(error.message).toContain(`stream sent nothing for ${TIMEOUT_MS} ms`);
    expect(requestsTo(emu, 'POST', '/v1/workflows/run').filter((r) => r.status === 200).length).toBeGreaterThan(0);
  });
});
