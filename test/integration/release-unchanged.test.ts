// A bumped version whose DSL is unchanged (only the envelope: description, smoke checks) is still a
// release: nothing imported, its smoke checks run against the live app, the live version re-marked,
// the tag pushed. A failing check on such a release fails loudly and marks and tags nothing. An app
// renamed in Dify's UI is not "unchanged": the deploy imports to put the name back.
import { afterEach, expect, it } from 'vitest';
import { runDeploy } from '../../src/commands/deploy.js';
import { runPlan } from '../../src/commands/plan.js';
import { createGit } from '../../src/git/git.js';
import { readActionSettings } from '../../src/settings.js';
import type { Definition } from '../../src/definition/types.js';
import { runGit } from '../support/git-repo.js';
import { deploySettings, settingsFor } from '../support/settings.js';
import { actionInputs, createDeployWorld, echoDefinition, type DeployWorld } from '../support/deploy-world.js';
import { createCaptureSink } from '../support/capture-sink.js';
import { consoleApi, consoleSession } from '../emulator/helpers.js';

const A = '11111111-1111-4111-8111-111111111111';
let world: DeployWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

async function deploy(w: DeployWorld) {
  const env = actionInputs(w, { INPUT_ALL: 'true' });
  const settings = deploySettings(env);
  const sink = createCaptureSink();
  const result = await runDeploy(settings, settings.options, { git: createGit(w.repo.dir), sink, env });
  return { ...result, log: sink.text() };
}

async function planStatus(w: DeployWorld): Promise<string> {
  const env = actionInputs(w, { INPUT_COMMAND: 'plan' });
  const settings = readActionSettings(env);
  const result = await runPlan(settings, settingsFor(settings, 'plan').options, { git: createGit(w.repo.dir), sink: createCaptureSink() });
  return (result.json as { changes: Array<{ status: string }> }).changes[0].status;
}

/** The same DSL as 1.0.0, under a new version, description and smoke check. */
function envelopeBump(version: string, expected = 'hello'): Definition {
  const d = echoDefinition('alpha', A, version);
  d.description = `Release ${version}: same workflow, new checks.`;
  d.smoke = [{ name: `echoes (${version})`, inputs: { query: 'hello' }, expect: { status: 'succeeded', contains: { query: expected } } }];
  return d;
}

const originTags = async (w: DeployWorld) => (await runGit(w.repo.origin, ['tag', '--list'])).split('\n').filter(Boolean);

it('an envelope-only bump is a release: no import, smoke checks against live, re-marked and tagged; a failing check tags nothing', async () => {
  const w = await createDeployWorld();
  world = w;
  const v1 = echoDefinition('alpha', A, '1.0.0');
  w.seed(v1);
  await w.commit([v1], 'v1');
  expect((await deploy(w)).exitCode).toBe(0);
  const app = () => w.emulator.state().apps.find((a) => a.id === A)!;
  const live = () => app().published.find((p) => p.id === app().workflow_id)!;
  const releasedId = live().id;
  const requests = () => w.emulator.state().requests;

  await w.commit([envelopeBump('1.0.1')], 'v1.0.1: new checks');
  expect(await planStatus(w)).toBe('release');
  const before = requests().length;
  const released = await deploy(w);
  expect(released.exitCode, released.log).toBe(0);
  const since = requests().slice(before);
  const writes = since.filter((r) => r.method !== 'GET' && !r.path.startsWith('/v1/') && !r.path.endsWith('/login'));
  expect(writes.map((r) => `${r.method} ${r.path}`)).toEqual([`PATCH /console/api/apps/${A}/workflows/${releasedId}`]);
  expect(since.filter((r) => r.method === 'POST' && r.path === '/v1/workflows/run')).toHaveLength(1); // the new check ran
  expect(app().published).toHaveLength(1);
  expect(live().id).toBe(releasedId);
  expect(live().marked_name).toBe('1.0.1');
  expect(live().marked_comment).toMatch(/^✓ sha256:[0-9a-f]{16} commit [0-9a-f]{12} dify-gitops alpha@1\.0\.1$/);
  expect(await originTags(w)).toEqual(['alpha@v1.0.0', 'alpha@v1.0.1']);
  expect(w.github.state.releases.map((r) => r.tag_name)).toContain('alpha@v1.0.1');
  expect(released.log).toMatch(/content unchanged since 1\.0\.0/);

  // A check that fails against the live app: nothing to roll back, nothing marked, nothing tagged.
  await w.commit([envelopeBump('1.0.2', 'not what it echoes')], 'v1.0.2: a wrong check');
  const failing = await deploy(w);
  expect(failing.exitCode).toBe(1);
  const outcome = (failing.json as { outcomes: Array<{ result: string; error: string }> }).outcomes[0];
  expect(outcome.result).toBe('failed');
  expect(outcome.error).toMatch(/nothing was imported, so there is nothing to roll back, and 1\.0\.2 was not marked or tagged/);
  expect(live().marked_name).toBe('1.0.1');
  expect(await originTags(w)).toEqual(['alpha@v1.0.0', 'alpha@v1.0.1']);

  // Renamed in Dify's UI: the same content is no longer "unchanged", and the import puts the name back.
  const api = consoleApi(w.emulator, await consoleSession(w.emulator));
  await api('PUT', `/apps/${A}`, { name: 'Renamed in the UI', description: app().description, icon_type: 'emoji', icon: '🤖' });
  await w.commit([envelopeBump('1.0.3')], 'v1.0.3');
  expect(await planStatus(w)).toBe('update');
  const mark = requests().length;
  const reverted = await deploy(w);
  expect(reverted.exitCode, reverted.log).toBe(0);
  expect(
    requests()
      .slice(mark)
      .some((r) => r.path.endsWith('/apps/imports')),
  ).toBe(true);
  expect(app().name).toBe('alpha');
  expect(live().marked_name).toBe('1.0.3');
});
