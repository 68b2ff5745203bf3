// The service API client against the emulator: blocking and streaming runs of workflow and
// chatflow apps, failed runs as results, stream errors after a 200, info/parameters, and the
// typed errors (with hints) for a wrong key, an unpublished app and a disabled API.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDifyService, type DifyService, isDifyError } from '../../src/dify/index.js';
import { createVirtualClock } from '../../src/support/clock.js';
import type { Emulator } from '../emulator/server.js';
import { CHATFLOW_DSL, disableServiceApi, startDify, WORKFLOW_DSL } from './dify-support.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startDify();
});
afterAll(async () => emu.close());
beforeEach(() => emu.reset());

const clients: DifyService[] = [];
function service(apiKey: string): DifyService {
  const client = createDifyService(
    { serviceUrl: `${emu.url}/v1`, apiKey, timeoutMs: 2000, maxAttempts: 2 },
    { clock: createVirtualClock(), log: () => {} },
  );
  clients.push(client);
  return client;
}
afterAll(async () => {
  for (const c of clients) await c.close?.();
});

describe('workflow apps', () => {
  it.each([false, true])('runs a published workflow (stream: %s)', async (stream) => {
    const app = emu.seedApp({ mode: 'workflow', name: 'echo', dsl: WORKFLOW_DSL, published: true });
    const result = await service(app.api_key).runWorkflow({ query: 'hello ✓' }, { stream });
    expect(result).toMatchObject({ status: 'succeeded', outputs: { query: 'hello ✓' }, error: null });
    expect(result.workflowRunId).toMatch(/[0-9a-f-]{36}/);
    if (stream) expect(result.events).toMatchObject({ workflow_started: 1, workflow_finished: 1 });
    else expect(result.events).toBeUndefined();
  });

  it.each([false, true])('returns a failed run as a result, not an exception (stream: %s)', async (stream) => {
    const app = emu.seedApp({ mode: 'workflow', name: 'echo', dsl: WORKFLOW_DSL, published: true });
    emu.scriptRuns(app.id, [{ status: 'failed', error: 'Code node raised ValueError' }]);
    const result = await service(app.api_key).runWorkflow({ query: 'x' }, { stream });
    expect(result.status).toBe('failed');
    expect(result.error).toBe('Code node raised ValueError');
  });

  it('folds an `error` event sent after the 200 into a failed run', async () => {
    const app = emu.seedApp({ mode: 'workflow', name: 'echo', dsl: WORKFLOW_DSL, published: true });
    emu.scriptRuns(app.id, [{ stream_error: { code: 'provider_quota_exceeded', message: 'Your quota is used up' } }]);
    const result = await service(app.api_key).runWorkflow({ query: 'x' }, { stream: true });
    expect(result).toMatchObject({ status: 'failed', error: 'Your quota is used up (provider_quota_exceeded)' });
    expect(result.events).toMatchObject({ error: 1 });
    expect(result.events?.workflow_finished).toBeUndefined();
  });

  it('reads info and parameters', async () => {
    const app = emu.seedApp({ mode: 'workflow', name: 'echo', dsl: WORKFLOW_DSL, published: true });
    const client = service(app.api_key);
    expect(await client.info()).toMatchObject({ name: 'echo', mode: 'workflow' });
    const parameters = await client.parameters();
    expect(JSON.stringify(parameters.user_input_form)).toContain('"variable":"query"');
  });
});

describe('chat apps', () => {
  it.each([false, true])('sends a chat message to an advanced-chat app (stream: %s)', async (stream) => {
    const app = emu.seedApp({ mode: 'advanced-chat', name: 'chat', dsl: CHATFLOW_DSL, published: true });
    const result = await service(app.api_key).sendChat('ping ✓', {}, { stream });
    expect(result.status).toBe('succeeded');
    expect(result.answer).toContain('ping ✓');
    if (stream) expect(result.events).toMatchObject({ message_end: 1 });
  });
});

describe('typed errors with hints', () => {
  it('a wrong app key', async () => {
    emu.seedApp({ mode: 'workflow', name: 'echo', dsl: WORKFLOW_DSL, published: true });
    const error = await service('app-wrongwrongwrongwrongwrong')
      .runWorkflow({ query: 'x' }, { stream: false })
      .catch((e) => e);
    expect(error).toMatchObject({ code: 'dify.auth', details: { status: 401, method: 'POST', path: '/workflows/run' } });
    expect(error.hint).toMatch(/app API key was refused/);
  });

  it('an app that was never published', async () => {
    const app = emu.seedApp({ mode: 'workflow', name: 'echo', dsl: WORKFLOW_DSL });
    const run = await service(app.api_key)
      .runWorkflow({ query: 'x' }, { stream: true })
      .catch((e) => e);
    expect(isDifyError(run)).toBe(true);
    expect(run.details.status).toBe(400);
    expect(run.hint).toMatch(/no published version/);
    const parameters = await service(app.api_key)
      .parameters()
      .catch((e) => e);
    expect(parameters).toMatchObject({ details: { status: 400, difyCode: 'app_unavailable' } });
    expect(parameters.hint).toMatch(/Publish it/);
  });

  it('an app whose API access is switched off', async () => {
    const app = emu.seedApp({ mode: 'workflow', name: 'echo', dsl: WORKFLOW_DSL, published: true });
    await disableServiceApi(emu, app.id);
    const error = await service(app.api_key)
      .info()
      .catch((e) => e);
    expect(error).toMatchObject({ details: { status: 403 } });
    expect(error.hint).toMatch(/API access is disabled|Enable API access/);
  });

  it('a workflow app asked to chat', async () => {
    const app = emu.seedApp({ mode: 'workflow', name: 'echo', dsl: WORKFLOW_DSL, published: true });
    await expect(service(app.api_key).sendChat('hi', {}, { stream: false })).rejects.toMatchObject({
      details: { status: 400, difyCode: 'not_chat_app' },
    });
  });
});
