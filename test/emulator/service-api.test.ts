import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, CHATFLOW, consoleApi, consoleSession, parseSse, PASSTHROUGH, readFixture, serviceApi, withEnv } from './helpers.js';
import { startEmulator, type Emulator } from './server.js';

let em: Emulator;
const passthrough = readFixture(PASSTHROUGH);

beforeEach(async () => {
  em = await startEmulator();
});
afterEach(async () => {
  await em.close();
});

const run = (key: string, body: Record<string, unknown>) => serviceApi(em, key)('POST', '/workflows/run', body);

describe('auth', () => {
  it('needs a known Bearer app key and an enabled API', async () => {
    const app = em.seedApp({ mode: 'workflow', name: 'echo', dsl: passthrough, published: true });
    const none = await call(em, 'POST', '/v1/workflows/run', { body: { inputs: {}, user: 'u' } });
    expect(none.status).toBe(401);
    expect(none.body.code).toBe('unauthorized');
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="api"');
    expect((await run('app-unknownunknownunknown00', { inputs: {}, user: 'u' })).status).toBe(401);
    const api = consoleApi(em, await consoleSession(em));
    await api('POST', `/apps/${app.id}/api-enable`, { enable_api: false });
    const disabled = await run(app.api_key, { inputs: { query: 'x' }, user: 'u' });
    expect(disabled.status).toBe(403);
    expect(disabled.body.code).toBe('forbidden');
  });
});

describe('POST /v1/workflows/run', () => {
  it('runs only the published version', async () => {
    const app = em.seedApp({ mode: 'workflow', name: 'echo', dsl: passthrough });
    const unpublished = await run(app.api_key, { inputs: { query: 'hi' }, user: 'u' });
    expect(unpublished.status).toBe(400);
    expect(unpublished.body).toEqual({ code: 'invalid_param', message: 'Workflow not published', status: 400 });

    const api = consoleApi(em, await consoleSession(em));
    await api('POST', `/apps/${app.id}/workflows/publish`, {});
    // A new draft whose end node reads nothing from the start node: the published one still echoes.
    const changed = withEnv(passthrough, [], (dsl) => {
      dsl.workflow.graph.nodes[1].data.outputs[0].value_selector = ['llm', 'text'];
    });
    await api('POST', '/apps/imports', { mode: 'yaml-content', yaml_content: changed, app_id: app.id });
    const res = await run(app.api_key, { inputs: { query: 'hi' }, user: 'u' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      task_id: expect.any(String),
      workflow_run_id: expect.any(String),
      data: {
        id: res.body.workflow_run_id,
        workflow_id: em.state().apps[0].workflow_id,
        status: 'succeeded',
        outputs: { query: 'hi' },
        error: null,
        elapsed_time: expect.any(Number),
        total_tokens: 0,
        total_steps: 2,
        created_at: expect.any(Number),
        finished_at: expect.any(Number),
      },
    });
    await api('POST', `/apps/${app.id}/workflows/publish`, {});
    const after = await run(app.api_key, { inputs: { query: 'hi' }, user: 'u' });
    expect(after.body.data.outputs).toEqual({ query: null });
    const fetched = await serviceApi(em, app.api_key)('GET', `/workflows/run/${after.body.workflow_run_id}`);
    expect(fetched.body).toMatchObject({ id: after.body.workflow_run_id, status: 'succeeded', inputs: { query: 'hi' } });
  });

  it('validates user, inputs, required start variables and app mode', async () => {
    const app = em.seedApp({ mode: 'workflow', name: 'echo', dsl: passthrough, published: true });
    expect((await run(app.api_key, { inputs: { query: 'x' } })).body).toEqual({
      code: 'invalid_param',
      message: 'Arg user must be provided.',
      status: 400,
      params: 'user',
    });
    expect((await run(app.api_key, { user: 'u' })).status).toBe(400);
    const missing = await run(app.api_key, { inputs: {}, user: 'u' });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toBe('query is required in input form');
    const chat = em.seedApp({ mode: 'advanced-chat', name: 'chat', dsl: readFixture(CHATFLOW), published: true });
    const wrong = await run(chat.api_key, { inputs: {}, user: 'u' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.code).toBe('not_workflow_app');
  });

  it('applies scripted runs: a failed run is still HTTP 200', async () => {
    const app = em.seedApp({ mode: 'workflow', name: 'echo', dsl: passthrough, published: true });
    em.scriptRuns(app.id, [{ status: 'failed', error: 'boom' }, { outputs: { extra: 1 } }]);
    const failed = await run(app.api_key, { inputs: { query: 'x' }, user: 'u' });
    expect(failed.status).toBe(200);
    expect(failed.body.data).toMatchObject({ status: 'failed', error: 'boom', outputs: {} });
    const second = await run(app.api_key, { inputs: { query: 'x' }, user: 'u' });
    expect(second.body.data).toMatchObject({ status: 'succeeded', outputs: { query: 'x', extra: 1 } });
  });

  it('streams the workflow event sequence, with no ping in a short run', async () => {
    const app = em.seedApp({ mode: 'workflow', name: 'echo', dsl: passthrough, published: true });
    const res = await run(app.api_key, { inputs: { query: 'hi' }, user: 'u', response_mode: 'streaming' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const { events, named } = parseSse(res.body);
    expect(named).not.toContain('ping');
    expect(events.map((e) => e.event)).toEqual([
      'workflow_started',
      'node_started',
      'node_finished',
      'node_started',
      'text_chunk',
      'node_finished',
      'workflow_finished',
    ]);
    expect(events[4].data.text).toBe('hi');
    expect(events[6].data).toMatchObject({ status: 'succeeded', outputs: { query: 'hi' } });
    expect(new Set(events.map((e) => e.task_id)).size).toBe(1);
  });

  it('pings every interval while a run is under way, as Dify does every 10 s', async () => {
    await em.close();
    em = await startEmulator({ pingIntervalMs: 40 });
    const app = em.seedApp({ mode: 'workflow', name: 'echo', dsl: passthrough, published: true });
    em.scriptRuns(app.id, [{ latency_ms: 150 }]);
    const res = await run(app.api_key, { inputs: { query: 'hi' }, user: 'u', response_mode: 'streaming' });
    const { events, named } = parseSse(res.body);
    expect(named.filter((n) => n === 'ping').length).toBeGreaterThanOrEqual(2);
    expect(events.at(-1)?.event).toBe('workflow_finished');
  });

  it('emits an error event after the 200 for a scripted stream error', async () => {
    const app = em.seedApp({ mode: 'workflow', name: 'echo', dsl: passthrough, published: true });
    em.scriptRuns(app.id, [{ stream_error: { code: 'provider_quota_exceeded', message: 'quota' } }]);
    const res = await run(app.api_key, { inputs: { query: 'hi' }, user: 'u', response_mode: 'streaming' });
    expect(res.status).toBe(200);
    const { events } = parseSse(res.body);
    const last = events.at(-1);
    expect(last).toEqual({ event: 'error', task_id: events[0].task_id, status: 500, code: 'provider_quota_exceeded', message: 'quota' });
    expect(events.some((e) => e.event === 'workflow_finished')).toBe(false);
  });
});

describe('POST /v1/chat-messages', () => {
  it('answers from the answer template (conversation variable set from sys.query), blocking', async () => {
    const app = em.seedApp({ mode: 'advanced-chat', name: 'chat', dsl: readFixture(CHATFLOW), published: true });
    const chat = serviceApi(em, app.api_key);
    const res = await chat('POST', '/chat-messages', { query: 'hello there', inputs: {}, user: 'u' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      event: 'message',
      task_id: expect.any(String),
      id: expect.any(String),
      message_id: res.body.id,
      conversation_id: expect.any(String),
      mode: 'advanced-chat',
      answer: 'hello there',
      metadata: { usage: expect.objectContaining({ total_tokens: 0 }), retriever_resources: [] },
      created_at: expect.any(Number),
    });
    const unknown = await chat('POST', '/chat-messages', {
      query: 'x',
      inputs: {},
      user: 'u',
      conversation_id: '00000000-0000-4000-8000-000000000000',
    });
    expect(unknown.status).toBe(404);
    const workflowApp = em.seedApp({ mode: 'workflow', name: 'echo', dsl: passthrough, published: true });
    const wrong = await serviceApi(em, workflowApp.api_key)('POST', '/chat-messages', { query: 'x', inputs: {}, user: 'u' });
    expect(wrong.body.code).toBe('not_chat_app');
  });

  it('keeps conversation variables per conversation; agent-chat refuses blocking', async () => {
    const app = em.seedApp({ mode: 'advanced-chat', name: 'chat', dsl: readFixture(CHATFLOW), published: true });
    const chat = serviceApi(em, app.api_key);
    const first = await chat('POST', '/chat-messages', { query: 'one', inputs: {}, user: 'u' });
    const second = await chat('POST', '/chat-messages', {
      query: 'two',
      inputs: {},
      user: 'u',
      conversation_id: first.body.conversation_id,
    });
    expect(second.body).toMatchObject({ conversation_id: first.body.conversation_id, answer: 'two' });
    const agent = em.seedApp({ mode: 'agent-chat', name: 'agent' });
    const blocking = await serviceApi(em, agent.api_key)('POST', '/chat-messages', { query: 'x', inputs: {}, user: 'u' });
    expect(blocking.status).toBe(400);
    expect(blocking.body.message).toBe('Agent Chat App does not support blocking mode');
  });

  it('streams workflow events, message chunks and message_end', async () => {
    const app = em.seedApp({ mode: 'advanced-chat', name: 'chat', dsl: readFixture(CHATFLOW), published: true });
    em.scriptRuns(app.id, [{ answer: 'scripted answer' }]);
    const res = await serviceApi(em, app.api_key)('POST', '/chat-messages', {
      query: 'q',
      inputs: {},
      user: 'u',
      response_mode: 'streaming',
    });
    const { events } = parseSse(res.body);
    const kinds = events.map((e) => e.event);
    expect(kinds[0]).toBe('workflow_started');
    expect(kinds.slice(-2)).toEqual(['workflow_finished', 'message_end']);
    expect(
      events
        .filter((e) => e.event === 'message')
        .map((e) => e.answer)
        .join(''),
    ).toBe('scripted answer');
  });
});

describe('/v1/info and /v1/parameters', () => {
  it('describe the app and its published start form', async () => {
    const app = em.seedApp({ mode: 'workflow', name: 'echo', dsl: passthrough });
    const svc = serviceApi(em, app.api_key);
    expect((await svc('GET', '/info')).body).toEqual({
      name: 'echo',
      description: 'Echoes the "query" input back as the "query" output.',
      tags: [],
      mode: 'workflow',
      author_name: expect.any(String),
    });
    const unpublished = await svc('GET', '/parameters');
    expect(unpublished.status).toBe(400);
    expect(unpublished.body.code).toBe('app_unavailable');
    const api = consoleApi(em, await consoleSession(em));
    await api('POST', `/apps/${app.id}/workflows/publish`, {});
    const params = await svc('GET', '/parameters');
    expect(params.body.user_input_form).toEqual([
      { 'text-input': { label: 'query', max_length: null, options: [], required: true, variable: 'query' } },
    ]);
    expect(params.body).toHaveProperty('system_parameters');
  });
});
