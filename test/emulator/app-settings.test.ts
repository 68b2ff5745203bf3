// The app's own settings as the editor changes them (PUT /apps/{id}), and the export's dependencies,
// which Dify derives from the exported workflow's nodes and the workspace's installed plugins.
import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { consoleApi, consoleSession, PASSTHROUGH, readFixture, withEnv } from './helpers.js';
import { startEmulator, type Emulator } from './server.js';

let em: Emulator;
let api: ReturnType<typeof consoleApi>;
const passthrough = readFixture(PASSTHROUGH);

beforeEach(async () => {
  em = await startEmulator({});
  api = consoleApi(em, await consoleSession(em));
});
afterEach(async () => {
  await em?.close();
});

/** The passthrough workflow with an LLM node (model provider `provider`) and a tool node (`tool`). */
function withPluginNodes(provider: string, tool: string, deps: unknown[] = []): string {
  return withEnv(passthrough, [], (dsl) => {
    dsl.dependencies = deps;
    dsl.workflow.graph.nodes.push(
      { id: 'llm', data: { type: 'llm', title: 'LLM', model: { provider, name: 'gpt-4o', mode: 'chat' } } },
      { id: 'search', data: { type: 'tool', title: 'Search', provider_id: tool, provider_type: 'builtin' } },
    );
  });
}

describe('PUT /console/api/apps/{id} (the editor edits the app info)', () => {
  it('writes name, description and icon as sent, and the export shows name and description but an emoji icon as 🤖', async () => {
    const app = em.seedApp({ mode: 'workflow', name: 'echo', dsl: passthrough });
    const res = await api('PUT', `/apps/${app.id}`, {
      name: 'Echo (UI)',
      description: 'Edited',
      icon_type: 'emoji',
      icon: '🚀',
      icon_background: '#E0F2FE',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      name: 'Echo (UI)',
      description: 'Edited',
      icon_type: 'emoji',
      icon: '🚀',
      icon_background: '#E0F2FE',
    });
    expect((await api('GET', `/apps/${app.id}`)).body).toMatchObject({ name: 'Echo (UI)', icon: '🚀' });
    const dsl = parse((await api('GET', `/apps/${app.id}/export`)).body.data);
    expect(dsl.app).toMatchObject({ name: 'Echo (UI)', description: 'Edited', icon: '🤖', icon_background: '#E0F2FE' });
    expect(dsl.app.icon_type).toBeUndefined();
  });

  it('reports max_active_requests: null until the first save, then what was sent or 0 (Dify 1.12.1)', async () => {
    const app = em.seedApp({ mode: 'workflow', name: 'echo', dsl: passthrough });
    expect((await api('GET', `/apps/${app.id}`)).body.max_active_requests).toBeNull();
    expect((await api('PUT', `/apps/${app.id}`, { name: 'echo', max_active_requests: null })).body.max_active_requests).toBe(0);
    expect((await api('PUT', `/apps/${app.id}`, { name: 'echo', max_active_requests: 5 })).body.max_active_requests).toBe(5);
  });

  it('refuses an update without a name, and leaves the app as it was', async () => {
    const app = em.seedApp({ mode: 'workflow', name: 'echo', dsl: passthrough });
    expect((await api('PUT', `/apps/${app.id}`, { description: 'x' })).status).toBe(400);
    expect((await api('GET', `/apps/${app.id}`)).body.name).toBe('echo');
  });
});

describe('the icon an import writes (Dify 1.12.1: str(app_data.get("icon", "")))', () => {
  for (const [label, icon, expected] of [
    ['left out: cleared', undefined, ''],
    ['null: the text "None"', null, 'None'],
    ['a number: its text', 12, '12'],
  ] as const) {
    it(label, async () => {
      const app = em.seedApp({ mode: 'workflow', name: 'echo', dsl: passthrough });
      const yaml_content = withEnv(passthrough, [], (dsl) => {
        if (icon === undefined) delete dsl.app.icon;
        else dsl.app.icon = icon;
      });
      const res = await api('POST', '/apps/imports', { mode: 'yaml-content', yaml_content, app_id: app.id });
      expect(res.status).toBe(200);
      expect((await api('GET', `/apps/${app.id}`)).body).toMatchObject({ icon: expected, icon_type: 'emoji' });
    });
  }
});

describe('export dependencies', () => {
  it('lists the installed plugins the nodes use, shaped as Dify dumps them; a plugin not installed is left out', async () => {
    const app = em.seedApp({ mode: 'workflow', name: 'echo', dsl: withPluginNodes('langgenius/openai/openai', 'acme/search/search') });
    const exported = async () => parse((await api('GET', `/apps/${app.id}/export`)).body.data).dependencies;
    expect(await exported()).toEqual([]);
    await em.setOptions({ installedPlugins: ['langgenius/openai:0.2.0@aaa', 'acme/unused:1.0.0@bbb'] });
    expect(await exported()).toEqual([
      {
        type: 'marketplace',
        value: { marketplace_plugin_unique_identifier: 'langgenius/openai:0.2.0@aaa', version: null },
        current_identifier: null,
      },
    ]);
  });

  it('does not keep what an import declared: the nodes decide (a bare provider name is langgenius/<name>)', async () => {
    const declared = [{ type: 'package', value: { plugin_unique_identifier: 'langgenius/openai:0.1.0@ccc' } }];
    const other = [{ type: 'marketplace', value: { marketplace_plugin_unique_identifier: 'acme/unused:1.0.0@bbb' } }];
    const app = em.seedApp({ mode: 'workflow', name: 'echo', dsl: withPluginNodes('openai', 'time', [...declared, ...other]) });
    const dsl = parse((await api('GET', `/apps/${app.id}/export`)).body.data);
    expect(dsl.dependencies).toEqual([
      { type: 'package', value: { plugin_unique_identifier: 'langgenius/openai:0.1.0@ccc', version: null }, current_identifier: null },
    ]);
  });
});
