// A manual rollback is a release put back by dify-gitops itself: repeating it writes nothing, and
// drift reads its marks and does not call it an edit made outside git. Proven from the emulator's
// request log and state and from the loopback GitHub API, not from the log lines.
import { afterEach, expect, it } from 'vitest';
import { runDeploy } from '../../src/commands/deploy.js';
import { runRollback } from '../../src/commands/rollback.js';
import { runDrift } from '../../src/commands/drift.js';
import { createGit } from '../../src/git/git.js';
import { readActionSettings } from '../../src/settings.js';
import { deploySettings, settingsFor } from '../support/settings.js';
import { createVirtualClock } from '../../src/support/clock.js';
import { publishedWorkflowHash, workflowHash } from '../../src/definition/workflow-hash.js';
import type { DefinitionOutcome } from '../../src/outcomes.js';
import { actionInputs, createDeployWorld, EMAIL, echoDefinition, PASSWORD, type DeployWorld } from '../support/deploy-world.js';
import { createCaptureSink } from '../support/capture-sink.js';

const A = '11111111-1111-4111-8111-111111111111';
let world: DeployWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

async function deploy(w: DeployWorld) {
  const env = actionInputs(w, { INPUT_ALL: 'true' });
  const settings = deploySettings(env);
  return runDeploy(settings, settings.options, { git: createGit(w.repo.dir), sink: createCaptureSink(), env });
}

async function rollbackTo(w: DeployWorld, to: string) {
  const env = actionInputs(w, { INPUT_COMMAND: 'rollback', INPUT_WORKFLOW: 'alpha', INPUT_TO: to });
  const settings = settingsFor(readActionSettings(env), 'rollback');
  const sink = createCaptureSink();
  const result = await runRollback(settings, settings.options, { git: createGit(w.repo.dir), sink, env, clock: createVirtualClock() });
  return { ...result, outcome: (result.json as { outcomes: DefinitionOutcome[] }).outcomes[0], sink };
}

function titled(version: string, title: string) {
  const d = echoDefinition('alpha', A, version);
  d.dsl.workflow!.graph.nodes.find((n) => n.data.type === 'start')!.data.title = title;
  return d;
}

it('a second identical rollback writes nothing; drift calls the rolled-back release in sync and opens no issue', async () => {
  world = await createDeployWorld();
  const v1 = titled('1.0.0', 'Start v1');
  world.seed(v1);
  await world.commit([v1], 'v1');
  expect((await deploy(world)).exitCode).toBe(0);
  await world.commit([titled('1.1.0', 'Start v2')], 'v2');
  expect((await deploy(world)).exitCode).toBe(0);

  const first = await rollbackTo(world, '1.0.0');
  expect(first.outcome.result, first.sink.text()).toBe('rolled-back');
  const app = () => world!.emulator.state().apps.find((a) => a.id === A)!;
  const published = app().published.length;
  const deployments = world.github.state.deployments.length;

  const before = world.emulator.state().requests.length;
  const again = await rollbackTo(world, '1.0.0');
  expect(again.exitCode, again.sink.text()).toBe(0);
  expect(again.outcome.result).toBe('skipped');
  expect(world.writes(before)).toEqual([]);
  expect(app().published).toHaveLength(published);
  expect(world.github.state.deployments).toHaveLength(deployments);
  expect(again.sink.text()).toMatch(/already live and verified/);
  const live = app().published.find((p) => p.id === app().workflow_id)!;
  expect(publishedWorkflowHash(live.dsl.workflow)).toBe(workflowHash(v1.dsl));

  const env = actionInputs(world, { INPUT_COMMAND: 'drift', 'INPUT_DRIFT-ISSUES': 'true' });
  const settings = settingsFor(readActionSettings(env), 'drift');
  const sink = createCaptureSink();
  const drift = await runDrift(settings, settings.options, { git: createGit(world.repo.dir), sink });
  expect(drift.exitCode, sink.text()).toBe(0);
  expect((drift.json as { drifted: unknown[] }).drifted).toEqual([]);
  expect(world.github.state.issues).toEqual([]);
  expect(sink.text()).toMatch(/live is alpha@v1\.0\.0, rolled back from alpha@v1\.1\.0/);
});

it('drift still flags an edit made outside git', async () => {
  world = await createDeployWorld();
  const v1 = titled('1.0.0', 'Start v1');
  world.seed(v1);
  await world.commit([v1], 'v1');
  expect((await deploy(world)).exitCode).toBe(0);
  // Someone publishes other content by hand under the release's name (no ✓ marks).
  const { createDifyConsole } = await import('../../src/dify/client.js');
  const { stringifyPyYaml } = await import('../../src/support/pyyaml.js');
  const dify = await createDifyConsole({ baseUrl: world.emulator.url, email: EMAIL, password: PASSWORD, timeoutMs: 5000, maxAttempts: 1 });
  await dify.importDsl(A, stringifyPyYaml(titled('1.0.0', 'Edited by hand').dsl));
  await dify.publish(A, { markedName: '1.0.0', markedComment: 'hand edit' });
  const env = actionInputs(world, { INPUT_COMMAND: 'drift', 'INPUT_DRIFT-ISSUES': 'true' });
  const settings = settingsFor(readActionSettings(env), 'drift');
  const drift = await runDrift(settings, settings.options, { git: createGit(world.repo.dir), sink: createCaptureSink() });
  expect((drift.json as { drifted: unknown[] }).drifted).toHaveLength(1);
  expect(world.github.state.issues).toHaveLength(1);
});

it('after a rollback, deploying the released version again from a later commit keeps its tag where it is', async () => {
  world = await createDeployWorld();
  await world.commit([titled('1.0.0', 'Start v1')], 'v1');
  world.seed(titled('1.0.0', 'Start v1'));
  expect((await deploy(world)).exitCode).toBe(0);
  const released = await world.commit([titled('1.1.0', 'Start v2')], 'v2');
  expect((await deploy(world)).exitCode).toBe(0);
  expect((await rollbackTo(world, '1.0.0')).outcome.result).toBe('rolled-back');
  // Someone else's commit lands; a deploy of everything (a fleet job's `all: true`) puts 1.1.0 back.
  await world.repo.commit({ 'NOTES.md': 'unrelated\n' }, 'notes');

  const again = await deploy(world);
  const outcome = (again.json as { outcomes: DefinitionOutcome[] }).outcomes[0];
  expect(again.exitCode, JSON.stringify(outcome)).toBe(0);
  expect(outcome).toMatchObject({ result: 'deployed', tag: 'alpha@v1.1.0' });
  expect(await world.repo.git(['rev-parse', 'alpha@v1.1.0^{commit}'])).toBe(released);
  expect(await world.repo.git(['ls-remote', 'origin', 'refs/tags/alpha@v1.1.0^{}'])).toMatch(new RegExp(`^${released}\\s`));
  const app = world.emulator.state().apps.find((a) => a.id === A)!;
  expect(app.published.find((p) => p.id === app.workflow_id)?.marked_name).toBe('1.1.0');
});
