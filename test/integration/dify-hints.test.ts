// Typed errors tell the user what to do: missing role, admin-only key deletion, a DSL too new
// (pending import), missing plugins, the Service API switched off (openapi) and a bad URL.
import { parse, stringify } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { createDifyConsole, type DifyError, hintForImport } from '../../src/dify/index.js';
import type { Emulator } from '../emulator/server.js';
import { connectionFor, disableServiceApi, startDify, WORKFLOW_DSL } from './dify-support.js';

let emu: Emulator;
afterEach(async () => emu?.close());
const quiet = { log: () => {} };

describe('hints', () => {
  it('an account without the editor role is told which roles work', async () => {
    emu = await startDify({ role: 'normal' });
    const app = emu.seedApp({ mode: 'workflow', name: 'echo', dsl: WORKFLOW_DSL });
    const dify = await createDifyConsole(connectionFor(emu, 'cookie'), quiet);
    const error = (await dify.exportDsl(app.id).catch((e: unknown) => e)) as DifyError;
    expect(error).toMatchObject({
      code: 'dify.forbidden',
      details: { status: 403, method: 'GET', path: `/console/api/apps/${app.id}/export` },
    });
    expect(error.hint).toMatch(/editor, admin or owner role/);
    await dify.close?.();
  });

  it('an editor deleting an API key is told it takes admin or owner', async () => {
    emu = await startDify({ role: 'editor' });
    const app = emu.seedApp({ mode: 'workflow', name: 'echo', dsl: WORKFLOW_DSL, published: true });
    const dify = await createDifyConsole(connectionFor(emu, 'cookie'), quiet);
    const [key] = await dify.listApiKeys(app.id);
    const error = (await dify.deleteApiKey(app.id, key.id).catch((e: unknown) => e)) as DifyError;
    expect(error.details.status).toBe(403);
    expect(error.hint).toMatch(/admin or owner/);
    await dify.close?.();
  });

  it('a DSL from a newer major version is pending, with advice on confirming', async () => {
    emu = await startDify();
    const app = emu.seedApp({ mode: 'workflow', name: 'echo', dsl: WORKFLOW_DSL });
    const dify = await createDifyConsole(connectionFor(emu, 'cookie'), quiet);
    const newer = WORKFLOW_DSL.replace(/^version: .*$/m, "version: '1.0.0'");
    const result = await dify.importDsl(app.id, newer);
    expect(result).toMatchObject({ status: 'pending', imported_dsl_version: '1.0.0', current_dsl_version: '0.5.0' });
    expect(hintForImport(result)).toMatch(/allow-dsl-version-change/);
    await dify.close?.();
  });

  it('missing plugins are found from the installed list, even where check-dependencies answers empty', async () => {
    emu = await startDify({ installedPlugins: ['langgenius/openai:0.2.0@abc'] });
    const dependencies = [
      { type: 'marketplace', value: { marketplace_plugin_unique_identifier: 'langgenius/missing-plugin:0.0.1@abc' } },
      { type: 'marketplace', value: { marketplace_plugin_unique_identifier: 'langgenius/openai:0.1.0@old' } },
    ];
    const dsl = parse(WORKFLOW_DSL) as Record<string, unknown>;
    dsl.dependencies = dependencies;
    // Seeded, not imported: Dify's import-time check would be empty, as after a confirmed import.
    const app = emu.seedApp({ mode: 'workflow', name: 'echo', dsl: stringify(dsl) });
    const dify = await createDifyConsole(connectionFor(emu, 'cookie'), quiet);
    expect(await dify.checkDependencies(app.id)).toEqual([]);
    const missing = await dify.missingPlugins(app.id, dependencies);
    // openai is installed at another version: present. missing-plugin is not.
    expect(missing).toEqual([dependencies[0]]);
    expect(await dify.missingPlugins(app.id, [])).toEqual([]);
    await dify.close?.();
  });

  it('openapi: an app whose Service API is off gets the switch-it-on hint', async () => {
    emu = await startDify({ openapi: true });
    const app = emu.seedApp({ mode: 'workflow', name: 'echo', dsl: WORKFLOW_DSL });
    const dify = await createDifyConsole(connectionFor(emu, 'openapi'), quiet);
    await disableServiceApi(emu, app.id);
    const error = (await dify.exportDsl(app.id).catch((e: unknown) => e)) as DifyError;
    expect(error).toMatchObject({ details: { status: 403, difyCode: 'service_api_disabled' } });
    expect(error.hint).toMatch(/Service API is switched off/);
    await dify.close?.();
  });

  it('a non-JSON answer names the status and shows a short snippet', async () => {
    emu = await startDify();
    const app = emu.seedApp({ mode: 'workflow', name: 'echo', dsl: WORKFLOW_DSL });
    const dify = await createDifyConsole(connectionFor(emu, 'cookie'), quiet);
    emu.injectFault({ match: { method: 'GET', path: `/console/api/apps/${app.id}` }, respond: 'garbage' });
    const error = (await dify.getApp(app.id).catch((e: unknown) => e)) as DifyError;
    expect(error).toMatchObject({ details: { difyCode: 'non_json_response', status: 200 } });
    expect(error.message).toContain('returned a non-JSON response (HTTP 200): "<html><body>502 Bad Gateway');
    expect(error.hint).toMatch(/points at Dify/);
    await dify.close?.();
  });

  it('an unreachable server and a non-URL say what to check', async () => {
    emu = await startDify();
    const url = emu.url;
    await emu.close();
    const refused = await createDifyConsole(
      { baseUrl: url, email: 'a@b.c', password: 'xxxxxxxx', timeoutMs: 500, maxAttempts: 1 },
      quiet,
    ).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'dify.unreachable', details: { reason: 'refused' } });
    expect((refused as DifyError).hint).toMatch(/dify-url/);
    await expect(
      createDifyConsole({ baseUrl: 'dify.example.com', email: 'a@b.c', password: 'x', timeoutMs: 500, maxAttempts: 1 }),
    ).rejects.toMatchObject({ details: { difyCode: 'invalid_url' } });
    emu = await startDify();
  });
});
