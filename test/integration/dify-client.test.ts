// The console client against the emulator in every auth mode: cookie (plain and __Host- names),
// bearer (pre-1.9) and /openapi (dfoa_ token). Each operation is checked against the emulator's
// state, not only against what the client returns.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDifyConsole, type DifyConsole, isDifyError } from '../../src/dify/index.js';
import { parse } from 'yaml';
import { publishedWorkflowHash, workflowHash } from '../../src/definition/workflow-hash.js';
import { createVirtualClock } from '../../src/support/clock.js';
import type { Emulator } from '../emulator/server.js';
import { connectionFor, MODE_OPTIONS, requestsTo, startDify, WORKFLOW_DSL, type Mode } from './dify-support.js';

const MODES: Mode[] = ['cookie', 'cookie-host', 'bearer', 'openapi'];

describe.each(MODES)('console operations, %s mode', (mode) => {
  let emu: Emulator;
  let dify: DifyConsole;
  beforeAll(async () => {
    emu = await startDify(MODE_OPTIONS[mode]);
    dify = await createDifyConsole(connectionFor(emu, mode, { withPassword: true }), { log: () => {} });
  });
  afterAll(async () => {
    await dify.close?.();
    await emu.close();
  });
  afterEach(() => emu.reset());

  it('reports the auth mode it settled on', () => {
    expect(dify.authMode).toBe(mode === 'cookie-host' ? 'cookie' : mode);
    if (mode === 'cookie' || mode === 'cookie-host') expect(dify.passwordEncoding).toBe('base64');
    if (mode === 'bearer') expect(dify.passwordEncoding).toBe('plain');
  });

  it('reads an app and exports its draft as YAML without secrets', async () => {
    const app = emu.seedApp({ mode: 'workflow', name: 'echo', dsl: WORKFLOW_DSL, published: true });
    const info = await dify.getApp(app.id);
    expect(info).toMatchObject({ id: app.id, name: 'echo', mode: 'workflow' });
    expect(info.workflow_id).toBe(emu.state().apps[0].workflow_id);
    const yaml = await dify.exportDsl(app.id);
    expect(yaml).toMatch(/kind: app/);
    expect(yaml).toMatch(/mode: workflow/);
    const exportPath = mode === 'openapi' ? `/openapi/v1/apps/${app.id}/dsl` : `/console/api/apps/${app.id}/export`;
    expect(requestsTo(emu, 'GET', exportPath)).toHaveLength(1);
  });

  it('imports into the existing app (draft only), then publishes, lists and restores versions', async () => {
    const app = emu.seedApp({ mode: 'workflow', name: 'echo', dsl: WORKFLOW_DSL, published: true });
    const renamed = WORKFLOW_DSL.replace(/name: .*/, 'name: renamed-by-import');
    const result = await dify.importDsl(app.id, renamed);
    expect(result).toMatchObject({ status: 'completed-with-warnings', app_id: app.id, imported_dsl_version: '0.3.1', error: '' });
    let state = emu.state().apps[0];
    expect(state.name).toBe('renamed-by-import');
    expect(state.published).toHaveLength(1);

    expect(await dify.checkDependencies(app.id)).toEqual([]);
    const firstVersion = state.published[0].id;
    const { createdAt } = await dify.publish(app.id, { markedName: 'v2', markedComment: 'from git abc123' });
    expect(createdAt).toBeGreaterThan(0);
    state = emu.state().apps[0];
    expect(state.published).toHaveLength(2);
    expect(state.published[1]).toMatchObject({ marked_name: 'v2', marked_comment: 'from git abc123' });

    const published = await dify.getPublished(app.id);
    expect(published).toMatchObject({ id: state.workflow_id, marked_name: 'v2' });
    const versions = await dify.listVersions(app.id);
    expect(versions.map((v) => v.id).sort()).toEqual(state.published.map((w) => w.id).sort());

    expect(await dify.restoreVersion(app.id, firstVersion)).toBe(true);
  });

  it('the published version carries its content, so its hash is the hash of what is live', async () => {
    const app = emu.seedApp({ mode: 'workflow', name: 'echo', dsl: WORKFLOW_DSL, published: true });
    const live = await dify.getPublished(app.id);
    const dsl = parse(WORKFLOW_DSL) as { workflow: Parameters<typeof workflowHash>[0]['workflow'] };
    expect(publishedWorkflowHash(live!)).toBe(workflowHash(dsl));
    // A different live content gives a different hash (on /openapi the rows alone would hash the same).
    await dify.importDsl(app.id, WORKFLOW_DSL.replace('title: End', 'title: Changed'));
    await dify.publish(app.id, { markedName: 'x', markedComment: '' });
    expect(publishedWorkflowHash((await dify.getPublished(app.id))!)).not.toBe(workflowHash(dsl));
  });

  it('reports a failed import as a result, and confirms a pending one', async () => {
    const app = emu.seedApp({ mode: 'workflow', name: 'echo', dsl: WORKFLOW_DSL });
    const failed = await dify.importDsl(app.id, 'version: "0.3.1"\nkind: app\n');
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/app/i);

    emu.setOptions({ dslVersion: '1.0.0' });
    try {
      const pending = await dify.importDsl(app.id, WORKFLOW_DSL);
      expect(pending.status).toBe('pending');
      expect(emu.state().pendingImports).toHaveLength(1);
      const confirmed = await dify.confirmImport(pending.id);
      expect(confirmed).toMatchObject({ status: 'completed', app_id: app.id });
      expect(emu.state().pendingImports).toHaveLength(0);
      const again = await dify.confirmImport(pending.id);
      expect(again.status).toBe('failed');
    } finally {
      emu.setOptions({ dslVersion: '0.6.0' });
    }
  });

  it('refuses over-long version marks before sending anything', async () => {
    const app = emu.seedApp({ mode: 'workflow', name: 'echo', dsl: WORKFLOW_DSL });
    const before = emu.state().requests.length;
    const error = await dify.publish(app.id, { markedName: 'x'.repeat(21), markedComment: '' }).catch((e) => e);
    expect(isDifyError(error)).toBe(true);
    expect(error).toMatchObject({ details: { difyCode: 'invalid_marks', status: 0 } });
    expect(error.message).toContain('at most 20');
    await expect(dify.publish(app.id, { markedName: 'ok', markedComment: 'c'.repeat(101) })).rejects.toMatchObject({
      details: { difyCode: 'invalid_marks' },
    });
    expect(emu.state().requests.length).toBe(before);
  });

  it('lists, creates and deletes service API keys', async () => {
    const app = emu.seedApp({ mode: 'workflow', name: 'echo', dsl: WORKFLOW_DSL, published: true });
    const created = await dify.createApiKey(app.id);
    expect(created.token).toMatch(/^app-/);
    const keys = await dify.listApiKeys(app.id);
    expect(keys.map((k) => k.token)).toEqual(emu.state().apps[0].api_keys.map((k) => k.token));
    await dify.deleteApiKey(app.id, created.id);
    expect(emu.state().apps[0].api_keys.map((k) => k.id)).not.toContain(created.id);
  });

  it('names a missing app in a typed error with a hint', async () => {
    const error = await dify.getApp('00000000-0000-4000-8000-000000000000').catch((e) => e);
    expect(isDifyError(error)).toBe(true);
    expect(error.details.status).toBe(404);
    expect(error.hint).toMatch(/app id in the definition/);
  });
});

describe('server and credential variants', () => {
  let emu: Emulator;
  afterEach(async () => emu?.close());

  it('/openapi: a published version is exported once for its content, however often it is read', async () => {
    emu = await startDify({ openapi: true });
    const app = emu.seedApp({ mode: 'workflow', name: 'echo', dsl: WORKFLOW_DSL, published: true });
    const dify = await createDifyConsole(connectionFor(emu, 'openapi'), { log: () => {} });
    const first = await dify.getPublished(app.id);
    const second = await dify.getPublished(app.id);
    expect(second?.graph).toEqual(first?.graph);
    expect(requestsTo(emu, 'GET', `/openapi/v1/apps/${app.id}/dsl`)).toHaveLength(1);
    await dify.close?.();
  });

  it('returns false from restoreVersion when the server has no restore endpoint', async () => {
    emu = await startDify({ restoreEndpoint: false });
    const app = emu.seedApp({ mode: 'workflow', name: 'echo', dsl: WORKFLOW_DSL, published: true });
    const dify = await createDifyConsole(connectionFor(emu, 'cookie'), { log: () => {} });
    const version = emu.state().apps[0].published[0].id;
    expect(await dify.restoreVersion(app.id, version)).toBe(false);
    // Flask answers 405 when the path matches another rule's methods only: also "no endpoint".
    emu.injectFault({
      match: { method: 'POST', path: `/console/api/apps/${app.id}/workflows/${version}/restore` },
      respond: {
        status: 405,
        body: { code: 'method_not_allowed', message: 'The method is not allowed for the requested URL.', status: 405 },
      },
    });
    expect(await dify.restoreVersion(app.id, version)).toBe(false);
    // …but a missing workflow on a server that has the route is an error, not "no endpoint".
    emu.setOptions({ restoreEndpoint: true });
    await expect(dify.restoreVersion(app.id, '00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ details: { status: 404 } });
    await dify.close?.();
  });

  it('a retried key deletion that finds the key gone counts as deleted; a first-try 404 does not', async () => {
    emu = await startDify();
    const app = emu.seedApp({ mode: 'workflow', name: 'echo', dsl: WORKFLOW_DSL });
    const dify = await createDifyConsole(connectionFor(emu, 'cookie'), { log: () => {}, clock: createVirtualClock() });
    const path = `/console/api/apps/${app.id}/api-keys/k-1`;
    const gone = { status: 404, body: { code: 'not_found', message: 'API key not found', status: 404 } };
    // First answer lost (502), the retry finds the key deleted: the first attempt did the work.
    emu.injectFault({ match: { method: 'DELETE', path }, respond: { status: 502 } });
    emu.injectFault({ match: { method: 'DELETE', path }, respond: gone });
    await expect(dify.deleteApiKey(app.id, 'k-1')).resolves.toBeUndefined();
    expect(requestsTo(emu, 'DELETE', path)).toHaveLength(2);
    emu.injectFault({ match: { method: 'DELETE', path }, respond: gone });
    await expect(dify.deleteApiKey(app.id, 'k-1')).rejects.toMatchObject({ details: { status: 404 } });
    await dify.close?.();
  });

  it('openapi mode without email+password refuses key operations with advice', async () => {
    emu = await startDify({ openapi: true });
    const app = emu.seedApp({ mode: 'workflow', name: 'echo', dsl: WORKFLOW_DSL });
    const dify = await createDifyConsole(connectionFor(emu, 'openapi'), { log: () => {} });
    expect(dify.authMode).toBe('openapi');
    const error = await dify.listApiKeys(app.id).catch((e) => e);
    expect(error).toMatchObject({ details: { difyCode: 'api_keys_need_console' } });
    expect(error.hint).toMatch(/dify-email and dify-password/);
    expect(requestsTo(emu, 'POST', '/console/api/login')).toHaveLength(0);
    await dify.close?.();
  });

  it('openapi mode logs in to the console only when a key operation needs it', async () => {
    emu = await startDify({ openapi: true });
    const app = emu.seedApp({ mode: 'workflow', name: 'echo', dsl: WORKFLOW_DSL });
    const dify = await createDifyConsole(connectionFor(emu, 'openapi', { withPassword: true }), { log: () => {} });
    await dify.exportDsl(app.id);
    expect(requestsTo(emu, 'POST', '/console/api/login')).toHaveLength(0);
    await dify.listApiKeys(app.id);
    await dify.listApiKeys(app.id);
    expect(requestsTo(emu, 'POST', '/console/api/login')).toHaveLength(1);
    await dify.close?.();
  });

  it('openapi: ops are found by catalog id, and getApp falls back to the app list when the catalog has no describe op', async () => {
    emu = await startDify({ openapi: true });
    const app = emu.seedApp({ mode: 'workflow', name: 'echo', dsl: WORKFLOW_DSL, published: true });
    const catalog = (await (await fetch(`${emu.url}/openapi/v1/_catalog`)).json()) as { ops: Record<string, { path: string }> };
    delete catalog.ops['describe.console_app'];
    // Older surfaces used other paths: move export to a new path to prove the client follows the catalog.
    catalog.ops['export.console_app.dsl'].path = '/apps/{app_id}/export-moved';
    emu.injectFault({ match: { method: 'GET', path: '/openapi/v1/_catalog' }, respond: { status: 200, body: catalog } });
    const dify = await createDifyConsole(connectionFor(emu, 'openapi'), { log: () => {} });
    expect(await dify.getApp(app.id)).toMatchObject({
      id: app.id,
      name: 'echo',
      mode: 'workflow',
      workflow_id: emu.state().apps[0].workflow_id,
    });
    expect(requestsTo(emu, 'GET', '/openapi/v1/apps')).toHaveLength(1);
    await expect(dify.exportDsl(app.id)).rejects.toMatchObject({ details: { status: 404 } });
    expect(requestsTo(emu, 'GET', `/openapi/v1/apps/${app.id}/export-moved`)).toHaveLength(1);
    await dify.close?.();
  });

  it('a dfoa_ token on a server without /openapi falls back to email+password, or says why it cannot', async () => {
    emu = await startDify({ openapi: false });
    const withPassword = await createDifyConsole(connectionFor(emu, 'openapi', { withPassword: true }), { log: () => {} });
    expect(withPassword.authMode).toBe('cookie');
    await withPassword.close?.();
    const error = await createDifyConsole(connectionFor(emu, 'openapi'), { log: () => {} }).catch((e) => e);
    expect(error).toMatchObject({ details: { difyCode: 'openapi_unavailable' } });
    expect(error.hint).toMatch(/dify-email and dify-password/);
  });

  it('uses a non-dfoa token as a console Bearer access token (pre-cookie servers)', async () => {
    emu = await startDify({ auth: 'bearer' });
    const app = emu.seedApp({ mode: 'workflow', name: 'echo', dsl: WORKFLOW_DSL });
    const login = await fetch(`${emu.url}/console/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@example.com', password: 'dify-emulator-password' }),
    });
    const token = ((await login.json()) as { data: { access_token: string } }).data.access_token;
    const dify = await createDifyConsole({ baseUrl: emu.url, token, timeoutMs: 2000, maxAttempts: 2 }, { log: () => {} });
    expect(dify.authMode).toBe('bearer');
    expect((await dify.getApp(app.id)).name).toBe('echo');
    await dify.close?.();
  });

  it('without any credentials says what to provide', async () => {
    emu = await startDify();
    const error = await createDifyConsole({ baseUrl: emu.url, timeoutMs: 2000, maxAttempts: 1 }).catch((e) => e);
    expect(error).toMatchObject({ details: { difyCode: 'missing_credentials' } });
    expect(error.hint).toMatch(/dify-email \+ dify-password/);
  });
});
