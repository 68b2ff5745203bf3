// The same deploy and rollback from a terminal: `npx dify-gitops …` reading DIFY_* variables.
import { afterEach, describe, expect, it } from 'vitest';
import { createDeployWorld, echoDefinition, type DeployWorld, runCli } from '../support/deploy-world.js';

const A = '11111111-1111-4111-8111-111111111111';
let world: DeployWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

const cli = runCli;

describe('CLI deploy and rollback', () => {
  it('deploys, pushes the tag to origin, exits 0; a dry run writes nothing', async () => {
    world = await createDeployWorld();
    const d = echoDefinition('alpha', A);
    world.seed(d);
    await world.commit([d]);

    const before = world.emulator.state().requests.length;
    const dry = await cli(world, ['deploy', '--all', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/\[alpha\] would import into app 11111111-.* publish as 1\.0\.0/);
    expect(world.writes(before)).toEqual([]);

    const run = await cli(world, ['deploy', '--all']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/\[alpha\] tagged alpha@v1\.0\.0/);
    expect(run.stdout).toMatch(/Pushed 1 release tag\(s\) to origin: alpha@v1\.0\.0/);
    expect(run.stdout).not.toMatch(/^::/m); // no workflow commands on a terminal
    expect(await world.repo.git(['ls-remote', '--tags', 'origin'])).toContain('refs/tags/alpha@v1.0.0');
  });

  it('exits 1 and names the missing variable when DIFY_URL is unset', async () => {
    world = await createDeployWorld();
    const d = echoDefinition('alpha', A);
    await world.commit([d]);
    const run = await cli(world, ['deploy', '--all'], { DIFY_URL: '' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/DIFY_URL is not set/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('rolls back with --workflow and --to', async () => {
    world = await createDeployWorld();
    const v1 = echoDefinition('alpha', A, '1.0.0');
    const v2 = echoDefinition('alpha', A, '1.1.0');
    v2.dsl.workflow!.graph.nodes[0].data.title = 'v2';
    world.seed(v1);
    for (const d of [v1, v2]) {
      await world.commit([d]);
      expect((await cli(world, ['deploy', '--all'])).code).toBe(0);
    }
    const run = await cli(world, ['rollback', '--workflow', 'alpha', '--to', '1.0.0']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const app = world.emulator.state().apps.find((a) => a.id === A)!;
    expect(app.published.find((p) => p.id === app.workflow_id)!.marked_name).toBe('1.0.0');
  });
});
