// The one comparison: app block and dependencies normalised the same way on the repo side and the
// live side, so that an import's own effects never read as a change and a UI edit always does.
import { describe, expect, it } from 'vitest';
import {
  compareStates,
  normalizeDependencies,
  pulledAppBlock,
  sameState,
  stateFromDsl,
  stateFromExport,
  stateFromLive,
} from '../../../src/plan/app-state.js';
import type { AppInfo } from '../../../src/dify/types.js';
import { stringifyPyYaml } from '../../../src/support/pyyaml.js';

const dsl = (app: Record<string, unknown>, dependencies: unknown[] = []) => ({
  version: '0.3.1',
  kind: 'app',
  app: { mode: 'workflow', ...app },
  dependencies,
  workflow: { graph: { nodes: [], edges: [] }, features: {} },
});
const live = (app: Partial<AppInfo>): AppInfo => ({ id: 'a', name: 'echo', mode: 'workflow', ...app });
const openai = (extra: Record<string, unknown> = {}) => ({
  type: 'marketplace',
  value: { marketplace_plugin_unique_identifier: 'langgenius/openai:0.2.0@x', ...extra },
});

describe('app block', () => {
  const cases: Array<{ name: string; repo: Record<string, unknown>; live: Partial<AppInfo>; changed: string[] }> = [
    {
      name: 'what an import leaves is no change',
      repo: { name: 'echo', description: 'd', icon: '🤖', icon_background: '#FFEAD5' },
      live: { description: 'd', icon_type: 'emoji', icon: '🤖', icon_background: '#FFEAD5' },
      changed: [],
    },
    {
      name: 'a rename, a new description and an icon are changes',
      repo: { name: 'echo', description: 'd', icon: '🤖' },
      live: { name: 'Echo!', description: 'e', icon_type: 'emoji', icon: '🚀' },
      changed: ['description', 'icon', 'name'],
    },
    {
      name: 'an image icon set in the UI: icon_type differs from the emoji an import assumes',
      repo: { name: 'echo', icon: '🤖' },
      live: { icon_type: 'image', icon: 'file-id' },
      changed: ['icon', 'icon_type'],
    },
    {
      name: 'keys the DSL leaves out keep the live value: not compared',
      repo: { name: 'echo', icon: '🤖' },
      live: { description: 'anything', icon_background: '#000000', icon_type: 'emoji', icon: '🤖' },
      changed: [],
    },
    {
      // Dify 1.12.1 writes str(icon): a DSL without an icon clears it, and `icon: null` leaves the text "None".
      name: 'an icon left out is "" once imported, and a null icon is "None"',
      repo: { name: 'echo', icon: null },
      live: { icon_type: 'emoji', icon: 'None' },
      changed: [],
    },
    {
      name: 'a DSL without an icon against a live icon is a change (the import clears it)',
      repo: { name: 'echo' },
      live: { icon_type: 'emoji', icon: '🤖' },
      changed: ['icon'],
    },
    {
      name: 'keys the server does not report (/openapi has no icon) are not compared',
      repo: { name: 'echo', icon: '🤖', icon_type: 'link' },
      live: { description: undefined },
      changed: [],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const diff = compareStates(stateFromLive({ app: live(c.live), workflow: null }), stateFromDsl(dsl(c.repo)));
      expect(diff.app.map((v) => v.path).sort()).toEqual(c.changed);
    });
  }

  it('takes name and description from an export, but never its icon (Dify 1.12.1 exports emoji icons as 🤖)', () => {
    const yaml = stringifyPyYaml(dsl({ name: 'Renamed', description: 'new', icon: '🤖' }));
    const state = stateFromExport(undefined, yaml);
    expect(state.app).toEqual({ name: 'Renamed', description: 'new' });
    expect(stateFromExport(live({ icon: '🚀', icon_type: 'emoji' }), yaml).app).toMatchObject({ name: 'echo', icon: '🚀' });
  });

  it('pull writes the live settings, keeps the repo icon where live says nothing, and writes icon_type only when needed', () => {
    const exported = { name: 'x', mode: 'workflow', icon: '🤖', icon_background: '#FFEAD5', use_icon_as_answer_icon: false };
    const repo = { name: 'echo', mode: 'workflow', icon: '🐙', icon_background: '#FFFFFF' };
    expect(pulledAppBlock(exported, repo, { name: 'New', description: 'd' })).toEqual({
      name: 'New',
      description: 'd',
      mode: 'workflow',
      icon: '🐙',
      icon_background: '#FFFFFF',
      use_icon_as_answer_icon: false,
    });
    expect(pulledAppBlock(exported, repo, { icon_type: 'emoji', icon: '🚀', icon_background: '#E0F2FE' })).toMatchObject({
      icon: '🚀',
      icon_background: '#E0F2FE',
    });
    expect(pulledAppBlock(exported, repo, { icon_type: 'emoji' })).not.toHaveProperty('icon_type');
    expect(pulledAppBlock(exported, repo, { icon_type: 'image', icon: 'f' })).toMatchObject({ icon_type: 'image', icon: 'f' });
  });
});

describe('dependencies', () => {
  it("ignores Dify's nulls and order; an identifier that differs is one removed and one added", () => {
    const exported = [
      { ...openai({ version: null }), current_identifier: null },
      { type: 'package', value: { plugin_unique_identifier: 'acme/a:1.0.0@y', version: null } },
    ];
    const repo = [{ type: 'package', value: { plugin_unique_identifier: 'acme/a:1.0.0@y' } }, openai()];
    expect(normalizeDependencies(exported)).toEqual(normalizeDependencies(repo));
    expect(sameState(stateFromDsl(dsl({}, repo)), stateFromLive({ workflow: null, exportedDsl: dsl({}, exported) }))).toBe(true);
    const upgraded = [openai({ marketplace_plugin_unique_identifier: 'langgenius/openai:0.3.0@z' })];
    const diff = compareStates(stateFromDsl(dsl({}, [openai()])), stateFromDsl(dsl({}, upgraded)));
    expect(diff.dependencies).toEqual({
      added: ['marketplace langgenius/openai:0.3.0@z'],
      removed: ['marketplace langgenius/openai:0.2.0@x'],
    });
  });

  it('a side that cannot say (nothing exported) is not compared', () => {
    const diff = compareStates(stateFromLive({ workflow: null }), stateFromDsl(dsl({}, [openai()])));
    expect(diff.dependencies).toEqual({ added: [], removed: [] });
  });
});
