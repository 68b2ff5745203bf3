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

  it('a restore that fails records a failed deployment and prints the command that finishes it', async () => {
    world = await createDeployWorld();
    await threeReleases(world);
    world.emulator.injectFault({
      match: { method: 'POST', path: `/console/api/apps/${A}/workflows/publish` },
      respond: { status: 500, body: { code: 'unknown', message: 'Internal Server Error', status: 500 } },
      times: 99,
    });
    const deploymentsBefore = world.github.state.deployments.length;

    const run = await world.run({ command: 'rollback', workflow: 'alpha', to: '1.0.0' });
    expect(run.code).toBe(1);
    expect(run.summary).toContain('🚨 NOT restored');
    expect(run.summary).toContain('gh workflow run rollback.yml -f workflow=alpha -f to=1.0.0 -f environment=production');
    expect(world.github.state.deployments.length).toBe(deploymentsBefore + 1);
    const deployment = world.github.state.deployments.at(-1) as { id: number };
    expect(world.github.state.deploymentStatuses.get(deployment.id)!.map((s) => (s as { state: string }).state)).toEqual(['failure']);
  });

  it('a GitHub error while recording the deployment does not turn a good rollback into a failed one', async () => {
    world = await createDeployWorld();
    await threeReleases(world);
    world.github.failNext({ method: 'POST', path: /\/deployments$/ }, 500, 10);

    const run = await world.run({ command: 'rollback', workflow: 'alpha', to: '1.0.0' });
    expect(run.code, run.stdout).toBe(0);
    const app = world.emulator.state().apps.find((a) => a.id === A)!;
    expect(app.published.find((p) => p.id === app.workflow_id)!.marked_name).toBe('1.0.0');
    expect(run.stdout).toMatch(/the GitHub deployment record could not be written/);
    expect(run.summary).toContain('↩️ rolled back');
  });

  it('refuses "to" together with "from-backup" before connecting', async () => {
    world = await createDeployWorld();
    const run = await world.run({ command: 'rollback', workflow: 'alpha', to: '1.0.0', 'from-backup': 'backup.yml' });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/Give either "to" \(a release\) or "from-backup" \(a backup file\), not both/);
    expect(world.emulator.state().requests).toEqual([]);
  });

  it('a failed production deploy goes back to what was live in production, not to a newer staging-only release', async () => {
    world = await createDeployWorld();
    const S = '51515151-5151-4515-8515-515151515151';
    const P = '50505050-5050-4505-8505-505050505050';
    const make = (version: string, title: string) => {
      const d = echoDefinition('alpha', S, version);
      d.app = { staging: S, production: P };
      d.dsl.workflow!.graph.nodes.find((n) => n.data.type === 'start')!.data.title = title;
      return d;
    };
    const v1 = make('1.0.0', 'Start 1.0');
    world.emulator.seedApp({ id: S, mode: 'workflow', name: 'alpha' });
    world.emulator.seedApp({ id: P, mode: 'workflow', name: 'alpha' });
    await world.commit([v1]);
    for (const environment of ['production', 'staging']) expect((await world.deploy({ all: 'true', environment })).code).toBe(0);
    await world.commit([make('1.1.0', 'Start 1.1')]);
    expect((await world.deploy({ all: 'true', environment: 'staging' })).code).toBe(0); // alpha@v1.1.0 exists now
    const v3 = make('1.2.0', 'Start 1.2');
    v3.smoke = [{ name: 'never passes', inputs: { query: 'hello' }, expect: { contains: { query: 'never' } } }];
    await world.commit([v3]);

    const run = await world.deploy({ all: 'true', environment: 'production', 'smoke-retries': '0' });
    expect(run.code).toBe(1);
    const prod = world.emulator.state().apps.find((a) => a.id === P)!;
    expect(prod.published.find((p) => p.id === prod.workflow_id)!.marked_name).toBe('1.0.0');
    expect(run.summary).toContain('Restored to `alpha@v1.0.0`');
  });
});
