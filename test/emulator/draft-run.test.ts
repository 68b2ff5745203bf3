import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, CHATFLOW, consoleApi, consoleSession, parseSse, PASSTHROUGH, readFixture, serviceApi, type Session } from './helpers.js';
import { startEmulator, type Emulator } from './server.js';

let em: Emulator;
let session: Session;
afterEach(async () => {
  await em.close();
});
beforeEach(async () => {
  em = await startEmulator();
  session = await consoleSession(em);
});

const draftRun = (appId: string, body: unknown, path = 'workflows/draft/run') =>
  call(em, 'POST', `/console/api/apps/${appId}/${path}`, { headers: session.headers, body });

describe('console draft runs', () => {
  it('streams a workflow draft run with the full events, tokens and elapsed time', async () => {
    const { id } = em.seedApp({ mode: 'workflow', name: 'echo', dsl: readFixture(PASSTHROUGH) });
    const res = await draftRun(id, { inputs: { query: 'hi' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const { events } = parseSse(res.body);
    expect(events.map((e) => e.event)).toContain('workflow_started');
    const finished = events.find((e) => e.event === 'workflow_finished');
    expect(finished.data).toMatchObject({ status: 'succeeded', outputs: { query: 'hi' }, total_tokens: 0 });
    // Dify 1.12.1 measures in microseconds: even an instant start → end run takes more than 0 s.
    expect(finished.data.elapsed_time).toBeGreaterThan(0);
  });

  it('runs the draft, not the published version, and refuses other modes, missing drafts and no session', async () => {
    const { id } = em.seedApp({ mode: 'workflow', name: 'echo', dsl: readFixture(PASSTHROUGH), published: true });
    em.scriptRules(id, [
      { when: { version: 'draft' }, outputs: { query: 'from the draft' }, tokens: 40, latency_ms: 5 },
      { when: { version: 'published' }, outputs: { query: 'live' }, tokens: 10 },
    ]);
    const draft = parseSse((await draftRun(id, { inputs: { query: 'x' } })).body).events.find((e) => e.event === 'workflow_finished');
    expect(draft.data).toMatchObject({ outputs: { query: 'from the draft' }, total_tokens: 40 });
    expect(draft.data.elapsed_time).toBeGreaterThanOrEqual(0.005);
    const key = em.state().apps[0].api_keys[0].token;
    const live = await serviceApi(em, key)('POST', '/workflows/run', { inputs: { query: 'x' }, user: 'u', response_mode: 'blocking' });
    expect(live.body.data).toMatchObject({ outputs: { query: 'live' }, total_tokens: 10 });
    // As Dify 1.12.1 answers (checked against a running server): the other mode's route is a 404.
    const other = await draftRun(id, { inputs: { query: 'x' } }, 'advanced-chat/workflows/draft/run');
    expect(other).toMatchObject({ status: 404, body: { code: 'app_not_found' } });
    expect(other.body.message).toContain("App mode is not in the supported list: {'advanced-chat'}");
    expect(await draftRun(id, {})).toMatchObject({ status: 400, body: { code: 'invalid_param' } });
    const blank = (await consoleApi(em, session)('POST', '/apps', { name: 'blank', mode: 'workflow' })).body.id;
    expect((await draftRun(blank, { inputs: {} })).body).toMatchObject({ code: 'invalid_param', message: 'Workflow not initialized' });
    expect((await call(em, 'POST', `/console/api/apps/${id}/workflows/draft/run`, { body: { inputs: {} } })).status).toBe(401);
  });

  it('streams a chatflow draft run with the answer and the usage in message_end', async () => {
    const { id } = em.seedApp({ mode: 'advanced-chat', name: 'chat', dsl: readFixture(CHATFLOW) });
    em.scriptRules(id, [{ when: { query: 'price?' }, answer: 'ten', tokens: 7, total_price: '0.0007', currency: 'USD' }]);
    const { events } = parseSse((await draftRun(id, { query: 'price?', inputs: {} }, 'advanced-chat/workflows/draft/run')).body);
    expect(
      events
        .filter((e) => e.event === 'message')
        .map((e) => e.answer)
        .join(''),
    ).toBe('ten');
    const end = events.find((e) => e.event === 'message_end');
    expect(end.metadata.usage).toMatchObject({ total_tokens: 7, total_price: '0.0007', currency: 'USD' });
    expect(await draftRun(id, { inputs: {} }, 'advanced-chat/workflows/draft/run')).toMatchObject({
      status: 400,
      body: { code: 'invalid_param', message: 'query is required' },
    });
  });
});

describe('run rules', () => {
  it('match on inputs and workflow content, keep answering, and yield to queued scripted runs', async () => {
    const { id } = em.seedApp({ mode: 'workflow', name: 'echo', dsl: readFixture(PASSTHROUGH) });
    const rules = [
      { when: { inputs: { query: 'a' }, workflow_contains: 'no such text' }, outputs: { query: 'never' } },
      { when: { inputs: { query: 'a' } }, outputs: { query: 'A' }, tokens: 3 },
    ];
    const set = await call(em, 'POST', `/__emulator/apps/${id}/rules`, { body: { rules } });
    expect(set.status).toBe(200);
    const finished = async (query: string) =>
      parseSse((await draftRun(id, { inputs: { query } })).body).events.find((e) => e.event === 'workflow_finished').data;
    expect(await finished('a')).toMatchObject({ outputs: { query: 'A' }, total_tokens: 3 });
    expect(await finished('a')).toMatchObject({ outputs: { query: 'A' } });
    expect(await finished('b')).toMatchObject({ outputs: { query: 'b' }, total_tokens: 0 });
    em.scriptRuns(id, [{ outputs: { query: 'queued' } }]);
    expect(await finished('a')).toMatchObject({ outputs: { query: 'queued' } });
    await call(em, 'POST', `/__emulator/apps/${id}/rules`, { body: { rules: [], replace: true } });
    expect(await finished('a')).toMatchObject({ outputs: { query: 'a' } });
    // "*" answers runs of every app, after the app's own rules.
    await call(em, 'POST', '/__emulator/apps/*/rules', {
      body: { rules: [{ when: { inputs: { query: 'z' } }, outputs: { query: 'any app' } }] },
    });
    expect(await finished('z')).toMatchObject({ outputs: { query: 'any app' } });
    const bad = await call(em, 'POST', `/__emulator/apps/${id}/rules`, { body: { rules: [{ when: { version: 'beta' } }] } });
    expect(bad).toMatchObject({ status: 400, body: { message: 'rules[0].when.version must be "draft" or "published"' } });
  });
});
