import { parse } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { call, consoleApi, consoleSession, parseSse, PASSTHROUGH, readFixture } from './helpers.js';
import { startEmulator, type Emulator } from './server.js';

let em: Emulator;
afterEach(async () => {
  await em?.close();
});

const TOKEN = 'dfoa_emulator_token_0123456789';
const open = (method: string, path: string, body?: unknown, token = TOKEN) =>
  call(em, method, `/openapi/v1${path}`, { headers: { authorization: `Bearer ${token}` }, body });

describe('/openapi/v1', () => {
  it('is absent unless enabled', async () => {
    em = await startEmulator();
    expect((await call(em, 'GET', '/openapi/v1/_version')).status).toBe(404);
  });

  it('limits each token to 60 requests a minute, answering 429 with Retry-After', async () => {
    em = await startEmulator({ openapi: true, openapiRateLimitPerMinute: 3 });
    const headers = { authorization: 'Bearer dfoa_emulator_token_0123456789' };
    for (let i = 0; i < 3; i++) expect((await call(em, 'GET', '/openapi/v1/account', { headers })).status).toBe(200);
    const limited = await call(em, 'GET', '/openapi/v1/account', { headers });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('serves version and a catalog with the newest paths, absolute', async () => {
    em = await startEmulator({ openapi: true });
    const version = await call(em, 'GET', '/openapi/v1/_version');
    expect(version.body).toEqual({ version: expect.any(String), edition: expect.any(String) });
    const catalog = await call(em, 'GET', '/openapi/v1/_catalog');
    expect(catalog.headers.get('x-dify-catalog')).toEqual(expect.any(String));
    const ops = catalog.body.ops;
    const routes = Object.fromEntries(Object.entries(ops).map(([id, op]: [string, any]) => [id, `${op.method} ${op.path}`]));
    expect(routes).toMatchObject({
      'export.console_app.dsl': 'GET /openapi/v1/apps/{app_id}/dsl',
      'import.console_app.dsl': 'POST /openapi/v1/workspaces/{workspace_id}/apps/imports',
      'confirm.console_app.dsl_import': 'POST /openapi/v1/workspaces/{workspace_id}/apps/imports/{import_id}:confirm',
      'check.console_app.dependency': 'GET /openapi/v1/apps/{app_id}/dependencies:check',
      'publish.console_app': 'POST /openapi/v1/apps/{app_id}:publish',
      'get.console_app.version': 'GET /openapi/v1/apps/{app_id}/versions',
      'restore.console_app.version': 'POST /openapi/v1/apps/{app_id}/versions/{version_id}:restore',
    });
    for (const op of Object.values(ops) as any[]) expect(op.input).toMatchObject({ type: 'object' });
  });

  it('accepts dfoa_ account tokens only', async () => {
    em = await startEmulator({ openapi: true });
    const none = await call(em, 'GET', '/openapi/v1/account');
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ code: 'unauthorized', status: 401 });
    const appKey = await open('GET', '/account', undefined, 'app-abcdefabcdefabcdefabcdef');
    expect(appKey.status).toBe(403);
    expect(appKey.body).toMatchObject({ code: 'unsupported_token_type', status: 403 });
    expect((await open('GET', '/account', undefined, 'dfoa_wrong')).status).toBe(401);
    const account = await open('GET', '/account');
    expect(account.body).toMatchObject({ default_workspace_id: expect.any(String), workspaces: [{ role: 'owner' }] });
  });

  it('imports, exports with draft_hash, publishes, lists and restores versions', async () => {
    em = await startEmulator({ openapi: true });
    const ws = (await open('GET', '/workspaces')).body.data[0].id;
    const yaml = readFixture(PASSTHROUGH);
    const extra = await open('POST', `/workspaces/${ws}/apps/imports`, { mode: 'yaml-content', yaml_content: yaml, surprise: 1 });
    expect(extra.status).toBe(422);
    expect(extra.body).toMatchObject({ code: 'invalid_param', status: 422, details: [{ loc: ['body', 'surprise'] }] });
    const imported = await open('POST', `/workspaces/${ws}/apps/imports`, { mode: 'yaml-content', yaml_content: yaml });
    expect(imported.status).toBe(200);
    expect(imported.body).toMatchObject({ status: 'completed-with-warnings', warnings: [expect.any(String)] });
    const appId = imported.body.app_id;

    const exported = await open('GET', `/apps/${appId}/dsl`);
    expect(parse(exported.body.data).app.name).toBe('echo');
    expect(exported.body.draft_hash).toBe(em.state().apps[0].draft!.hash);
    const stale = await open('POST', `/workspaces/${ws}/apps/imports`, {
      mode: 'yaml-content',
      yaml_content: yaml,
      app_id: appId,
      draft_hash: 'stale',
    });
    expect(stale.status).toBe(400);
    expect(stale.body.status).toBe('failed');

    expect((await open('POST', `/apps/${appId}:publish`, { marked_name: 'x'.repeat(21) })).status).toBe(422);
    const published = await open('POST', `/apps/${appId}:publish`, { marked_name: 'v1' });
    expect(published.body).toEqual({ version_id: expect.any(String), created_at: expect.any(Number), warning: null });
    const versions = await open('GET', `/apps/${appId}/versions`);
    expect(versions.body).toMatchObject({
      page: 1,
      has_more: false,
      data: [{ id: published.body.version_id, marked_name: 'v1', current: true }],
    });
    const restored = await open('POST', `/apps/${appId}/versions/${published.body.version_id}:restore`);
    expect(restored.body).toEqual({ result: 'success', draft_hash: em.state().apps[0].draft!.hash });
    expect((await open('GET', `/apps/${appId}/dependencies:check`)).body).toEqual({ leaked_dependencies: [], hints: [] });

    const described = await open('GET', `/apps/${appId}`);
    expect(described.body).toMatchObject({
      info: { id: appId, name: 'echo', mode: 'workflow', service_api_enabled: true },
      parameters: { user_input_form: [{ 'text-input': { variable: 'query' } }] },
      input_schema: { type: 'object', required: ['query'] },
    });
    const listed = await open('GET', `/apps?workspace_id=${ws}&name=ech`);
    expect(listed.body).toMatchObject({ total: 1, data: [{ id: appId, name: 'echo', mode: 'workflow' }] });
    const runRes = await open('POST', `/apps/${appId}/workflow:run`, { inputs: { query: 'hey' } });
    const { events } = parseSse(runRes.body);
    expect(events.at(-1)).toMatchObject({ event: 'workflow_finished', data: { outputs: { query: 'hey' } } });
  });

  it('refuses apps whose Service API is off', async () => {
    em = await startEmulator({ openapi: true });
    const app = em.seedApp({ mode: 'workflow', name: 'echo', dsl: readFixture(PASSTHROUGH) });
    const console = consoleApi(em, await consoleSession(em));
    expect((await console('POST', `/apps/${app.id}/api-enable`, { enable_api: false })).status).toBe(200);
    const res = await open('GET', `/apps/${app.id}/dsl`);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('service_api_disabled');
  });
});
