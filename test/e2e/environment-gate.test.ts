// The staging job must not publish production apps ahead of the production approval gate: a
// definition deploys only to environments its "app" names, refused before any write to Dify.
import { afterEach, describe, expect, it } from 'vitest';
import { createDeployWorld, echoDefinition, runCli, type DeployWorld } from '../support/deploy-world.js';

const PROD = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';

let world: DeployWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

describe('a deploy to an environment the definition does not name', () => {
  it('is refused before any write, naming the file, /app and the fix; the named environment deploys', async () => {
    world = await createDeployWorld();
    const prodOnly = echoDefinition('alpha', { production: PROD });
    const everywhere = echoDefinition('beta', OTHER);
    world.seed(prodOnly);
    world.seed(everywhere);
    await world.commit([prodOnly, everywhere]);

    const staging = await world.deploy({ all: 'true', environment: 'staging' });
    expect(staging.code).toBe(1);
    expect(staging.stdout).toMatch(/workflows\/alpha\.json \/app: alpha has no app for environment "staging"/);
    expect(staging.stdout).toContain('In workflows/alpha.json, at /app, add "staging"');
    expect(world.writes()).toEqual([]); // beta ("*") waits too: nothing of the run is written

    const rollback = await runCli(world, ['rollback', '--workflow', 'alpha', '--to', 'latest', '--environment', 'staging']);
    expect(rollback.code).not.toBe(0);
    expect(world.writes()).toEqual([]);

    const production = await world.deploy({ all: 'true', environment: 'production' });
    expect(production.code, production.stdout).toBe(0);
    expect(JSON.parse(production.outputs.deployed).map((d: { name: string }) => d.name)).toEqual(['alpha', 'beta']);
  });
});
