import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { consoleApi, consoleSession, LLM_CHATFLOW, PASSTHROUGH, readFixture, secretVar, withEnv } from './helpers.js';
import { startEmulator, type Emulator } from './server.js';

let em: Emulator;
let api: ReturnType<typeof consoleApi>;
let appId: string;
const passthrough = readFixture(PASSTHROUGH);

beforeEach(async () => {
  em = await startEmulator();
  api = consoleApi(em, await consoleSession(em));
  appId = em.seedApp({ mode: 'workflow', name: 'echo', dsl: withEnv(passthrough, [secretVar('sk-1234567890abcdef')]) }).id;
});
afterEach(async () => {
  await em.close();
});

describe('publish and versions', () => {
  it('publishes the draft as a new version and points the app at it', async () => {
    // Nothing published: 200 with every field null (Dify 1.8.1 and 1.12.1), not JSON null.
    const none = (await api('GET', `/apps/${appId}/workflows/publish`)).body;
    expect(none).toMatchObject({ id: null, graph: null, marked_name: null, created_by: { id: null, name: null, email: null } });
    const res = await api('POST', `/apps/${appId}/workflows/publish`, { marked_name: 'v1', marked_comment: 'first' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ result: 'success', created_at: expect.any(Number) });
    const published = await api('GET', `/apps/${appId}/workflows/publish`);
    expect(published.body).toMatchObject({ marked_name: 'v1', marked_comment: 'first', tool_published: false });
    expect(published.body.version).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
    // Secrets are masked in full when reading workflows.
    expect(published.body.environment_variables[0].value).toBe('*'.repeat(20));
    const app = await api('GET', `/apps/${appId}`);
    expect(app.body.workflow).toMatchObject({ id: published.body.id });
    expect(app.body).not.toHaveProperty('workflow_id');
    expect(em.state().apps[0].workflow_id).toBe(published.body.id);
  });

  it('limits marked_name to 20 and marked_comment to 100 characters', async () => {
    const long = await api('POST', `/apps/${appId}/workflows/publish`, { marked_name: 'x'.repeat(21) });
    expect(long.status).toBe(400);
    expect(long.body).toMatchObject({ code: 'invalid_param', status: 400 });
    const comment = await api('POST', `/apps/${appId}/workflows/publish`, { marked_comment: 'x'.repeat(101) });
    expect(comment.status).toBe(400);
    expect(em.state().apps[0].published).toHaveLength(0);
  });

  it('lists the draft first, then published versions newest first, with paging', async () => {
    for (const name of ['a', 'b', 'c']) await api('POST', `/apps/${appId}/workflows/publish`, { marked_name: name });
    const page = await api('GET', `/apps/${appId}/workflows?page=1&limit=3`);
    expect(page.body).toMatchObject({ page: 1, limit: 3, has_more: true });
    expect(page.body.items.map((w: any) => [w.version === 'draft' ? 'draft' : 'published', w.marked_name])).toEqual([
      ['draft', ''],
      ['published', 'c'],
      ['published', 'b'],
    ]);
    const named = await api('GET', `/apps/${appId}/workflows?named_only=true`);
    expect(named.body.items.map((w: any) => w.marked_name)).toEqual(['c', 'b', 'a']);
    expect((await api('GET', `/apps/${appId}/workflows?limit=101`)).status).toBe(400);
  });

  it('refuses to publish a chatflow whose LLM has no model', async () => {
    const chat = em.seedApp({ mode: 'advanced-chat', name: 'chat', dsl: readFixture(LLM_CHATFLOW) });
    const res = await api('POST', `/apps/${chat.id}/workflows/publish`, {});
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/Model is not configured/);
  });
});

describe('draft sync', () => {
  it('checks the hash (409 on mismatch or when none is sent) and needs env var ids', async () => {
    const draft = await api('GET', `/apps/${appId}/workflows/draft`);
    expect(draft.status).toBe(200);
    expect(draft.body.version).toBe('draft');
    const body = {
      graph: draft.body.graph,
      features: draft.body.features,
      environment_variables: [secretVar('[__HIDDEN__]')],
      conversation_variables: [],
    };
    const stale = await api('POST', `/apps/${appId}/workflows/draft`, { ...body, hash: 'stale' });
    expect(stale.status).toBe(409);
    expect(stale.body).toEqual({
      code: 'draft_workflow_not_sync',
      message: 'Workflow graph might have been modified, please refresh and resubmit.',
      status: 409,
    });
    expect((await api('POST', `/apps/${appId}/workflows/draft`, body)).status).toBe(409);
    const { id: _id, ...noId } = secretVar('x');
    const bad = await api('POST', `/apps/${appId}/workflows/draft`, {
      ...body,
      hash: draft.body.hash,
      environment_variables: [noId],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe('environment variable require a unique id');
    const ok = await api('POST', `/apps/${appId}/workflows/draft`, { ...body, hash: draft.body.hash });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ result: 'success', hash: draft.body.hash, updated_at: expect.any(Number) });
    expect((em.state().apps[0].draft!.dsl as any).workflow.environment_variables[0].value).toBe('sk-1234567890abcdef');
  });
});

describe('restore, patch, delete', () => {
  it('restores a published version into the draft', async () => {
    await api('POST', `/apps/${appId}/workflows/publish`, {});
    const v1 = em.state().apps[0].published[0];
    const changed = withEnv(passthrough, [secretVar('other')], (dsl) => {
      dsl.workflow.graph.nodes[1].data.title = 'Changed';
    });
    await api('POST', '/apps/imports', { mode: 'yaml-content', yaml_content: changed, app_id: appId });
    expect(em.state().apps[0].draft!.hash).not.toBe(v1.hash);
    const res = await api('POST', `/apps/${appId}/workflows/${v1.id}/restore`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ result: 'success', hash: v1.hash, updated_at: expect.any(Number) });
    expect(em.state().apps[0].draft!.hash).toBe(v1.hash);
    const draftId = em.state().apps[0].draft!.id;
    expect((await api('POST', `/apps/${appId}/workflows/${draftId}/restore`)).status).toBe(400);
    expect((await api('POST', `/apps/${appId}/workflows/nope/restore`)).status).toBe(404);
  });

  it('has no restore endpoint on older servers', async () => {
    await api('POST', `/apps/${appId}/workflows/publish`, {});
    em.setOptions({ restoreEndpoint: false });
    const v1 = em.state().apps[0].published[0];
    const res = await api('POST', `/apps/${appId}/workflows/${v1.id}/restore`);
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('not_found');
  });

  it('patches marks and refuses to delete the draft or the version in use', async () => {
    await api('POST', `/apps/${appId}/workflows/publish`, { marked_name: 'one' });
    await api('POST', `/apps/${appId}/workflows/publish`, { marked_name: 'two' });
    const [first, second] = em.state().apps[0].published;
    expect((await api('PATCH', `/apps/${appId}/workflows/${first.id}`, {})).status).toBe(400);
    const draftId = em.state().apps[0].draft!.id;
    const draftMarked = await api('PATCH', `/apps/${appId}/workflows/${draftId}`, { marked_name: 'wip' });
    expect(draftMarked.status).toBe(200); // Dify marks the draft too
    expect(draftMarked.body).toMatchObject({ id: draftId, version: 'draft', marked_name: 'wip' });
    const patched = await api('PATCH', `/apps/${appId}/workflows/${first.id}`, { marked_comment: 'old' });
    expect(patched.body).toMatchObject({ id: first.id, marked_name: 'one', marked_comment: 'old' });
    expect((await api('DELETE', `/apps/${appId}/workflows/${second.id}`)).status).toBe(400);
    expect((await api('DELETE', `/apps/${appId}/workflows/${em.state().apps[0].draft!.id}`)).status).toBe(400);
    expect((await api('DELETE', `/apps/${appId}/workflows/${first.id}`)).status).toBe(204);
    expect((await api('DELETE', `/apps/${appId}/workflows/${first.id}`)).status).toBe(404);
  });
});

describe('api keys', () => {
  it('lists, creates up to 10, and deletes keys', async () => {
    const list = await api('GET', `/apps/${appId}/api-keys`);
    expect(list.body.data).toHaveLength(1);
    expect(list.body.data[0]).toEqual({
      id: expect.any(String),
      type: 'app',
      token: expect.stringMatching(/^app-[A-Za-z0-9]{24}$/),
      last_used_at: null,
      created_at: expect.any(Number),
    });
    for (let i = 0; i < 9; i += 1) expect((await api('POST', `/apps/${appId}/api-keys`)).status).toBe(201);
    const over = await api('POST', `/apps/${appId}/api-keys`);
    expect(over.status).toBe(400);
    // Dify's answer here has no code and no status, only `custom`.
    expect(over.body).toEqual({
      custom: 'max_keys_exceeded',
      message: 'Cannot create more than 10 API keys for this resource type.',
    });
    const missing = await api('DELETE', `/apps/${appId}/api-keys/nope`);
    expect(missing.body).toEqual({ code: 'not_found', message: 'API key not found', status: 404 });
  });
});
