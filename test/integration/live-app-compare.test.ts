// One meaning of "the live app differs": an edit of the app's name, description and icon in Dify's
// editor, and a plugin dependency the workspace added, are seen by plan, drift (exit 3) and pull
// alike; after the pull the plan shows no change. Real git, the real client and the emulator.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { runDeploy } from '../../src/commands/deploy.js';
import { runDrift, DRIFT_EXIT_CODE } from '../../src/commands/drift.js';
import { runPlan } from '../../src/commands/plan.js';
import { runPull } from '../../src/commands/pull.js';
import { createGit } from '../../src/git/git.js';
import { readActionSettings } from '../../src/settings.js';
import type { Definition, DslNode } from '../../src/definition/types.js';
import { deploySettings, settingsFor } from '../support/settings.js';
import { createDeployWorld, echoDefinition, EMAIL, PASSWORD, type DeployWorld } from '../support/deploy-world.js';
import { createCaptureSink } from '../support/capture-sink.js';
import { consoleApi, consoleSession } from '../emulator/helpers.js';

const A = '11111111-1111-4111-8111-111111111111';
const OPENAI = 'langgenius/openai:0.2.0@0f1e2d3c';
let world: DeployWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

function inputs(w: DeployWorld, extra: Record<string, string>): Record<string, string> {
  return {
    GITHUB_WORKSPACE: w.repo.dir,
    GITHUB_API_URL: w.github.url,
    GITHUB_REPOSITORY: 'acme/flows',
    'INPUT_DIFY-URL': w.emulator.url,
    'INPUT_DIFY-EMAIL': EMAIL,
    'INPUT_DIFY-PASSWORD': PASSWORD,
    ...extra,
  };
}

async function run(w: DeployWorld, command: 'deploy' | 'plan' | 'drift' | 'pull', extra: Record<string, string> = {}) {
  const env = inputs(w, { INPUT_COMMAND: command, ...extra });
  const deps = { git: createGit(w.repo.dir), sink: createCaptureSink(), env };
  const settings = readActionSettings(env);
  const result =
    command === 'deploy'
      ? await runDeploy(deploySettings(env), deploySettings(env).options, deps)
      : command === 'plan'
        ? await runPlan(settings, settingsFor(settings, 'plan').options, deps)
        : command === 'drift'
          ? await runDrift(settings, settingsFor(settings, 'drift').options, deps)
          : await runPull(settings, settingsFor(settings, 'pull').options, deps);
  return { ...result, log: deps.sink.text() };
}

/** The echo workflow with an LLM node between start and end: a node that names a model plugin. */
function withLlm(version: string): Definition {
  const d = echoDefinition('alpha', A, version);
  const graph = d.dsl.workflow!.graph;
  const [start, end] = [graph.nodes[0], graph.nodes[1]];
  const llm: DslNode = {
    id: 'llm',
    type: 'custom',
    data: {
      type: 'llm',
      title: 'LLM',
      model: { provider: 'langgenius/openai/openai', name: 'gpt-4o', mode: 'chat', completion_params: {} },
      prompt_template: [{ role: 'system', text: 'Repeat {{#1754154032319.query#}}' }],
      context: { enabled: false, variable_selector: [] },
      vision: { enabled: false },
    },
  };
  graph.nodes = [start, llm, end];
  graph.edges = [
    { id: 'e1', source: start.id, sourceHandle: 'source', target: 'llm', targetHandle: 'target', type: 'custom', data: {} },
    { id: 'e2', source: 'llm', sourceHandle: 'source', target: end.id, targetHandle: 'target', type: 'custom', data: {} },
  ];
  return d;
}

it('a UI edit of the app info and an added plugin dependency: plan, drift and pull all see them; after the pull the plan is empty', async () => {
  const w = await createDeployWorld();
  world = w;
  const v1 = withLlm('1.0.0');
  w.seed(v1);
  const released = await w.commit([v1], 'v1');
  const deployed = await run(w, 'deploy', { INPUT_ALL: 'true' });
  expect(deployed.exitCode, deployed.log).toBe(0);
  expect((await run(w, 'drift')).exitCode).toBe(0);

  // In Dify's UI: "Edit info" renames the app and changes its icon; an admin installs the OpenAI plugin.
  const api = consoleApi(w.emulator, await consoleSession(w.emulator));
  const edit = { name: 'Alpha (renamed)', description: 'Edited in the UI', icon_type: 'emoji', icon: '🚀', icon_background: '#E0F2FE' };
  expect((await api('PUT', `/apps/${A}`, edit)).status).toBe(200);
  w.emulator.setOptions({ installedPlugins: [OPENAI] });
  const dependency = `marketplace ${OPENAI}`;

  const plan = await run(w, 'plan');
  expect(plan.exitCode, plan.log).toBe(0);
  const [change] = (plan.json as { changes: Array<Record<string, unknown>> }).changes;
  // Live → repo: the deploy would rename the app back and could not keep the dependency.
  expect(change).toMatchObject({ status: 'update', app_changed: true, dependencies: { added: [], removed: [dependency] } });
  expect(change.drift).toMatchObject({ tag: 'alpha@v1.0.0', adopted: false });
  const markdown = plan.log; // the job summary, captured
  expect(markdown).toContain('`name`: `"Alpha (renamed)"` → `"alpha"`');
  expect(markdown).toContain('`icon`: `"🚀"` → `"🤖"`');
  expect(markdown).toContain(`- ➖ \`${dependency}\``);

  const drift = await run(w, 'drift');
  expect(drift.exitCode, drift.log).toBe(DRIFT_EXIT_CODE);
  const summary = (drift.json as { summary: string }).summary;
  expect(summary).toContain('`name`: `"alpha"` → `"Alpha (renamed)"`');
  expect(summary).toContain(`- ➕ \`${dependency}\``);

  const pull = await run(w, 'pull', { INPUT_WORKFLOW: 'alpha' });
  expect(pull.exitCode, pull.log).toBe(0);
  const pulled = JSON.parse(await readFile(path.join(w.repo.dir, 'workflows/alpha.json'), 'utf8')) as Definition;
  expect(pulled.dsl.app).toMatchObject({
    name: 'Alpha (renamed)',
    description: 'Edited in the UI',
    icon: '🚀',
    icon_background: '#E0F2FE',
  });
  expect(pulled.dsl.app.icon_type).toBeUndefined(); // emoji is what an import assumes: not written
  expect(pulled.dsl.dependencies).toEqual([
    { type: 'marketplace', value: { marketplace_plugin_unique_identifier: OPENAI, version: null }, current_identifier: null },
  ]);

  // The reviewer bumps the version: the plan against live shows no change in any family.
  await w.commit([{ ...pulled, version: '1.0.1' }], 'pull alpha');
  const after = await run(w, 'plan', { 'INPUT_BASE-REF': released });
  expect(after.exitCode, after.log).toBe(0);
  const [again] = (after.json as { changes: Array<Record<string, unknown>> }).changes;
  expect(again).toMatchObject({
    nodes: { added: [], removed: [], changed: [] },
    variables: [],
    features_changed: false,
    app_changed: false,
    dependencies: { added: [], removed: [] },
    drift: { tag: 'alpha@v1.0.0', adopted: true },
  });
  // Pulling again writes nothing.
  const second = await run(w, 'pull', { INPUT_WORKFLOW: 'alpha' });
  expect(second.log).toContain('alpha: unchanged');
});
