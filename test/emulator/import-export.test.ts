import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHATFLOW, consoleApi, consoleSession, PASSTHROUGH, readFixture, SECRET_ID, secretVar, sleep, withEnv } from './helpers.js';
import { startEmulator, type Emulator } from './server.js';

let em: Emulator;
let api: ReturnType<typeof consoleApi>;
const passthrough = readFixture(PASSTHROUGH);

async function boot(options: Parameters<typeof startEmulator>[0] = {}) {
  em = await startEmulator(options);
  api = consoleApi(em, await consoleSession(em));
}
afterEach(async () => {
  await em?.close();
});

const importYaml = (yaml_content: string, extra: Record<string, unknown> = {}) =>
  api('POST', '/apps/imports', { mode: 'yaml-content', yaml_content, ...extra });

const withVersion = (version: string) => passthrough.replace('version: 0.3.1', `version: ${version}`);

describe('export', () => {
  beforeEach(() => boot());

  it('exports the draft as Dify does, blanking secrets unless include_secret=true', async () => {
    const app = em.seedApp({ mode: 'workflow', name: 'echo', dsl: withEnv(passthrough, [secretVar('s3cret')]) });
    const res = await api('GET', `/apps/${app.id}/export?include_secret=false`);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['data']);
    const dsl = parse(res.body.data);
    expect(Object.keys(dsl)).toEqual(['app', 'dependencies', 'kind', 'version', 'workflow']);
    expect(dsl).toMatchObject({ version: '0.5.0', kind: 'app', app: { name: 'echo', mode: 'workflow' }, dependencies: [] });
    expect(Object.keys(dsl.workflow).sort()).toEqual(['conversation_variables', 'environment_variables', 'features', 'graph']);
    expect(dsl.workflow.environment_variables).toEqual([
      { id: SECRET_ID, name: 'API_KEY', value: '', value_type: 'secret', description: '', selector: ['env', 'API_KEY'] },
    ]);
    const withSecret = parse((await api('GET', `/apps/${app.id}/export?include_secret=true`)).body.data);
    expect(withSecret.workflow.environment_variables[0].value).toBe('s3cret');
  });

  it('fails without a draft and 404s unknown apps', async () => {
    const app = em.seedApp({ mode: 'workflow', name: 'empty' });
    const res = await api('GET', `/apps/${app.id}/export`);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ code: 'invalid_param', message: 'Missing draft workflow configuration, please check.', status: 400 });
    const missing = await api('GET', '/apps/00000000-0000-4000-8000-000000000000/export');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ code: 'not_found', message: 'App not found.', status: 404 });
  });
});

describe('import version rules', () => {
  it.each([
    ['0.6.0', '0.6.0', 200, 'completed'],
    ['0.6.1', '0.6.3', 200, 'completed'],
    ['0.3.1', '0.6.0', 200, 'completed-with-warnings'],
    ['0.6.2', '0.6.0', 202, 'pending'],
    ['0.7.0', '0.6.0', 202, 'pending'],
    ['1.0.0', '0.6.0', 202, 'pending'],
  ])('version %s on a %s server → %i %s', async (version, server, http, status) => {
    await boot({ dslVersion: server });
    const res = await importYaml(withVersion(version));
    expect(res.status).toBe(http);
    expect(res.body).toMatchObject({ status, current_dsl_version: server, imported_dsl_version: version, error: '' });
    expect(Object.keys(res.body).sort()).toEqual(
      ['app_id', 'app_mode', 'current_dsl_version', 'error', 'id', 'imported_dsl_version', 'status'].sort(),
    );
    expect(em.state().apps).toHaveLength(status === 'pending' ? 0 : 1);
  });

  it('an older major than the server is pending', async () => {
    await boot({ dslVersion: '1.0.0' });
    const res = await importYaml(withVersion('0.9.0'));
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('pending');
  });

  it.each([
    ['version: 0.4', "Invalid version type, expected str, got <class 'float'>"],
    ['version: 1', "Invalid version type, expected str, got <class 'int'>"],
  ])('%s (not a YAML string) fails', async (line, error) => {
    await boot();
    const res = await importYaml(passthrough.replace('version: 0.3.1', line));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 'failed', app_id: null, error });
  });

  it.each([
    [{ mode: 'yaml-file' }, 'Invalid import_mode: yaml-file'],
    [{ yaml_content: 'app: [unclosed' }, /^Invalid YAML format: /],
    [{ yaml_content: 'version: "0.5.0"\nkind: app\n' }, 'Missing app data in YAML content'],
    [{ yaml_content: 'version: "0.5.0"\napp:\n  name: x\n' }, 'loss app mode'],
  ])('refuses bad content %#', async (patch, error) => {
    await boot();
    const res = await api('POST', '/apps/imports', { mode: 'yaml-content', yaml_content: passthrough, ...patch });
    expect(res.status).toBe(400);
    expect(res.body.status).toBe('failed');
    expect(res.body.error).toMatch(error);
    expect(em.state().apps).toHaveLength(0);
  });
});

describe('import into an existing app', () => {
  beforeEach(() => boot());

  it('replaces only the draft, renames from the DSL, never publishes', async () => {
    const app = em.seedApp({ mode: 'workflow', name: 'old name', dsl: passthrough, published: true });
    const before = em.state().apps[0];
    const changed = withEnv(passthrough, [], (dsl) => {
      dsl.app.name = 'renamed';
      dsl.workflow.graph.nodes[1].data.title = 'End 2';
    });
    const res = await importYaml(changed, { app_id: app.id });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'completed-with-warnings', app_id: app.id, app_mode: 'workflow' });
    const after = em.state().apps[0];
    expect(after.name).toBe('renamed');
    expect(after.draft!.hash).not.toBe(before.draft!.hash);
    const versions = (app: typeof after) => app.published.map((w) => [w.id, w.hash, w.version]);
    expect(versions(after)).toEqual(versions(before));
    expect(after.workflow_id).toBe(before.workflow_id);
  });

  it('only overwrites workflow and advanced-chat apps, and only existing ones', async () => {
    const chat = em.seedApp({ mode: 'chat', name: 'chat' });
    const res = await importYaml(passthrough, { app_id: chat.id });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('Only workflow or advanced chat apps can be overwritten');
    const missing = await importYaml(passthrough, { app_id: '00000000-0000-4000-8000-000000000000' });
    expect(missing.body).toMatchObject({ status: 'failed', error: 'App not found' });
  });

  it('refuses a DSL whose mode differs from the app', async () => {
    const app = em.seedApp({ mode: 'workflow', name: 'wf', dsl: passthrough });
    const res = await importYaml(readFixture(CHATFLOW), { app_id: app.id });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/mode mismatch/);
  });

  it('"" overwrites a stored secret; [__HIDDEN__] with the same id keeps it', async () => {
    const app = em.seedApp({ mode: 'workflow', name: 'echo', dsl: withEnv(passthrough, [secretVar('s3cret')]) });
    const secretOf = () => (em.state().apps[0].draft!.dsl as any).workflow.environment_variables[0].value;
    expect((await importYaml(withEnv(passthrough, [secretVar('[__HIDDEN__]')]), { app_id: app.id })).status).toBe(200);
    expect(secretOf()).toBe('s3cret');
    const exported = (await api('GET', `/apps/${app.id}/export`)).body.data;
    expect((await importYaml(exported, { app_id: app.id })).status).toBe(200);
    expect(secretOf()).toBe('');
  });

  it('fails an environment variable without id', async () => {
    const app = em.seedApp({ mode: 'workflow', name: 'echo', dsl: passthrough });
    const { id: _id, ...noId } = secretVar('x');
    const res = await importYaml(withEnv(passthrough, [noId]), { app_id: app.id });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('environment variable require a unique id');
  });
});

describe('pending imports', () => {
  it('confirm applies a pending import', async () => {
    await boot();
    const app = em.seedApp({ mode: 'workflow', name: 'echo', dsl: passthrough });
    const pending = await importYaml(withVersion('0.9.0').replace('name: echo', 'name: future'), { app_id: app.id });
    expect(pending.status).toBe(202);
    expect(pending.body).toMatchObject({ status: 'pending', app_id: app.id, app_mode: null });
    expect(em.state().apps[0].name).toBe('echo');
    expect(em.state().pendingImports).toHaveLength(1);
    const confirmed = await api('POST', `/apps/imports/${pending.body.id}/confirm`);
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ id: pending.body.id, status: 'completed', app_id: app.id, app_mode: 'workflow' });
    expect(em.state().apps[0].name).toBe('future');
    const again = await api('POST', `/apps/imports/${pending.body.id}/confirm`);
    expect(again.status).toBe(400);
  });

  it('expires after pendingTtlMs', async () => {
    await boot({ pendingTtlMs: 50 });
    const pending = await importYaml(withVersion('0.9.0'));
    await sleep(80);
    const res = await api('POST', `/apps/imports/${pending.body.id}/confirm`);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 'failed', error: 'Import information expired or does not exist' });
    expect(em.state().apps).toHaveLength(0);
  });
});

describe('dependencies', () => {
  it('reports, after a direct import, dependencies whose identifier says missing as leaked, as Dify shapes them', async () => {
    await boot();
    const deps = [
      { type: 'marketplace', value: { marketplace_plugin_unique_identifier: 'langgenius/openai:0.0.1@abc' } },
      { type: 'marketplace', value: { marketplace_plugin_unique_identifier: 'acme/missing-tool:1.0.0@def' } },
    ];
    const yaml = withEnv(passthrough, [], (dsl) => {
      dsl.dependencies = deps;
    });
    const res = await importYaml(yaml);
    const check = await api('GET', `/apps/imports/${res.body.app_id}/check-dependencies`);
    expect(check.status).toBe(200);
    expect(check.body).toEqual({ leaked_dependencies: [{ ...deps[1], current_identifier: '' }] });
  });

  it('answers empty after a confirmed pending import, and once the 10-minute check has lapsed', async () => {
    await boot({ dependencyCheckTtlMs: 100 });
    const missing = [{ type: 'marketplace', value: { marketplace_plugin_unique_identifier: 'acme/missing-tool:1.0.0@def' } }];
    const direct = await importYaml(withEnv(passthrough, [], (dsl) => (dsl.dependencies = missing)));
    const check = () => api('GET', `/apps/imports/${direct.body.app_id}/check-dependencies`);
    expect((await check()).body.leaked_dependencies).toHaveLength(1);
    await sleep(150);
    expect((await check()).body).toEqual({ leaked_dependencies: [] });
    const newer = withEnv(passthrough, [], (dsl) => {
      dsl.dependencies = missing;
      dsl.version = '9.0.0';
    });
    const pending = await importYaml(newer);
    expect(pending.body.status).toBe('pending');
    const confirmed = await api('POST', `/apps/imports/${pending.body.id}/confirm`);
    expect(confirmed.body.status).toBe('completed');
    expect((await api('GET', `/apps/imports/${confirmed.body.app_id}/check-dependencies`)).body).toEqual({ leaked_dependencies: [] });
  });
});

describe('knowledge-base ids', () => {
  it('exports them encrypted per workspace (deterministically), and imports both forms back to the same id', async () => {
    await boot();
    const id = '0b1f7c2e-4d5a-4e6f-8a9b-1c2d3e4f5a6b';
    const withKnowledge = (ids: string[]) =>
      withEnv(passthrough, [], (dsl) => {
        const graph = (dsl.workflow as { graph: { nodes: unknown[] } }).graph;
        graph.nodes.push({ id: 'kr', data: { type: 'knowledge-retrieval', title: 'K', dataset_ids: ids } });
      });
    const created = await importYaml(withKnowledge([id]));
    const exported = async () => {
      const yaml = (await api('GET', `/apps/${created.body.app_id}/export`)).body.data as string;
      return /dataset_ids:\n\s+- (.+)/.exec(yaml)![1];
    };
    const cipher = await exported();
    expect(cipher).not.toContain(id);
    expect(await exported()).toBe(cipher);
    // The ciphertext imports back as the id; a value that does not decrypt is dropped, as Dify drops it.
    await importYaml(withKnowledge([cipher.replace(/^'|'$/g, ''), 'bm90LWEtY2lwaGVy']), { app_id: created.body.app_id });
    const draft = em.state().apps[0].draft!.dsl.workflow.graph as { nodes: Array<{ id: string; data: { dataset_ids?: string[] } }> };
    expect(draft.nodes.find((n) => n.id === 'kr')!.data.dataset_ids).toEqual([id]);
  });
});
