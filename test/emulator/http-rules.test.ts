import { createServer, type Server } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, consoleApi, consoleSession, PASSTHROUGH, readFixture, type Session } from './helpers.js';
import { startEmulator, type Emulator } from './server.js';

let em: Emulator;
let session: Session;
let api: ReturnType<typeof consoleApi>;
beforeEach(async () => {
  em = await startEmulator();
  session = await consoleSession(em);
  api = consoleApi(em, session);
});
afterEach(async () => {
  await em.close();
});

describe('HTTP rules', () => {
  it('answers unknown routes with 404 and wrong methods with 405, Dify-shaped', async () => {
    const missing = await api('GET', '/nope');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ code: 'not_found', message: expect.any(String), status: 404 });
    const method = await api('PUT', '/apps');
    expect(method.status).toBe(405);
    expect(method.body.code).toBe('method_not_allowed');
  });

  it('wants JSON bodies declared as JSON, and a JSON content type needs a body', async () => {
    const app = em.seedApp({ mode: 'workflow', name: 'echo', dsl: readFixture(PASSTHROUGH) });
    const wrongType = await call(em, 'POST', `/console/api/apps/${app.id}/workflows/publish`, {
      headers: { ...session.headers, 'content-type': 'application/x-www-form-urlencoded' },
      body: {},
    });
    expect(wrongType.status).toBe(415);
    const empty = await fetch(`${em.url}/console/api/apps/${app.id}/workflows/publish`, {
      method: 'POST',
      headers: { ...session.headers, 'content-type': 'application/json' },
    });
    expect(empty.status).toBe(400);
    // No body and no content type is fine: publish's body is optional.
    const none = await fetch(`${em.url}/console/api/apps/${app.id}/workflows/publish`, { method: 'POST', headers: session.headers });
    expect(none.status).toBe(200);
  });

  it('filters the app list by fuzzy name and mode, and bounds limit', async () => {
    em.seedApp({ mode: 'workflow', name: 'Support Bot', dsl: readFixture(PASSTHROUGH) });
    em.seedApp({ mode: 'chat', name: 'support-bot-legacy' });
    em.seedApp({ mode: 'workflow', name: 'other' });
    const fuzzy = await api('GET', '/apps?name=support');
    expect(fuzzy.body.data.map((a: any) => a.name).sort()).toEqual(['Support Bot', 'support-bot-legacy']);
    const workflows = await api('GET', '/apps?mode=workflow&name=support');
    expect(workflows.body).toMatchObject({ total: 1, data: [{ name: 'Support Bot', mode: 'workflow', enable_api: true }] });
    expect((await api('GET', '/apps?limit=101')).status).toBe(400);
  });
});

describe('import from a URL', () => {
  let yamlServer: Server;
  afterEach(() => new Promise<void>((resolve) => yamlServer.close(() => resolve())));

  it('fetches yaml-url content', async () => {
    yamlServer = createServer((_req, res) => res.end(readFixture(PASSTHROUGH)));
    await new Promise<void>((resolve) => yamlServer.listen(0, '127.0.0.1', resolve));
    const address = yamlServer.address() as { port: number };
    const res = await api('POST', '/apps/imports', { mode: 'yaml-url', yaml_url: `http://127.0.0.1:${address.port}/echo.yml` });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('completed-with-warnings');
    expect(em.state().apps[0].name).toBe('echo');
  });
});
