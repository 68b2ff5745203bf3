// command: rollback (workflow_dispatch), from dist/ against the emulator and a real repository.
import { afterEach, describe, expect, it } from 'vitest';
import { createDeployWorld, echoDefinition, type DeployWorld } from '../support/deploy-world.js';
import { publishedWorkflowHash } from '../../src/definition/workflow-hash.js';
import { workflowHash } from '../../src/definition/workflow-hash.js';

let world: DeployWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

const A = '11111111-1111-4111-8111-111111111111';

/** Releases 1.0.0, 1.1.0 and 1.2.0 of one workflow, each deployed and tagged. */
async function threeReleases(w: DeployWorld) {
  const versions = ['1.0.0', '1.1.0', '1.2.0'].map((v) => {
    const d = echoDefinition('alpha', A, v);
    d.dsl.workflow!.graph.nodes.find((n) => n.data.type === 'start')!.data.title = `Start ${v}`;
    return d;
  });
  w.seed(versions[0]);
  for (const d of versions) {
    await w.commit([d], `alpha ${d.version}`);
    const run = await w.deploy({ all: 'true' });
    expect(run.code, run.stdout).toBe(0);
  }
  return versions;
}

describe('command: rollback', () => {
  it('restores a named version, verifies the live hash and records a deployment', async () => {
    world = await createDeployWorld();
    const versions = await threeReleases(world);
    const deploymentsBefore = world.github.state.deployments.length;

    const run = await world.run({ command: 'rollback', workflow: 'alpha', to: '1.0.0' });
    expect(run.code, run.stdout).toBe(0);
    const app = world.emulator.state().apps.find((a) => a.id === A)!;
    const live = app.published.find((p) => p.id === app.workflow_id)!;
    expect(live.marked_name).toBe('1.0.0');
    expect(publishedWorkflowHash(live.dsl.workflow)).toBe(workflowHash(versions[0].dsl));
    expect(app.published).toHaveLength(4); // nothing deleted
    expect(run.summary).toMatch(/Restored to `alpha@v1\.0\.0`; live content sha256 `[0-9a-f]{16}` verified/);
    expect(world.github.state.deployments.length).toBe(deploymentsBefore + 1);
  });

  it('"previous" goes to the release before the latest', async () => {
    world = await createDeployWorld();
    await threeReleases(world);
    const run = await world.run({ command: 'rollback', workflow: 'alpha', to: 'previous' });
    expect(run.code, run.stdout).toBe(0);
    const app = world.emulator.state().apps.find((a) => a.id === A)!;
    expect(app.published.find((p) => p.id === app.workflow_id)!.marked_name).toBe('1.1.0');
  });

  it('refuses an unknown version, lists the ones that exist, and touches nothing', async () => {
    world = await createDeployWorld();
    await threeReleases(world);
    const before = world.emulator.state().requests.length;
    const run = await world.run({ command: 'rollback', workflow: 'alpha', to: '0.9.0' });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/alpha has no release "0\.9\.0"/);
    expect(run.stdout).toMatch(/Released versions: 1\.2\.0, 1\.1\.0, 1\.0\.0/);
    expect(world.writes(before)).toEqual([]);
  });

  it('refuses an unknown workflow name and lists the known ones', async () => {
    world = await createDeployWorld();
    await threeReleases(world);
    const run = await world.run({ command: 'rollback', workflow: 'beta', to: '1.0.0' });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/No definition named "beta".*Known: alpha/);
  });
});
