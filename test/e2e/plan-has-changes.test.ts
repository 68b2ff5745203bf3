// Branching on the plan, as terraform users do: a `has-changes` output in Actions, and
// `plan --detailed-exitcode` from a terminal (0 nothing to change, 2 changes, 1 error).
import { afterEach, describe, expect, it } from 'vitest';
import { createDeployWorld, type DeployWorld, echoDefinition, runCli } from '../support/deploy-world.js';

const A = '11111111-1111-4111-8111-111111111111';
let world: DeployWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

describe('plan: has changes or not', () => {
  it('exits 2 with changes and 0 without under --detailed-exitcode; plain plan exits 0 either way', async () => {
    world = await createDeployWorld();
    const d = echoDefinition('alpha', A);
    world.seed(d);
    await world.commit([d]);
    const before = await runCli(world, ['plan', '--detailed-exitcode', '--json']);
    expect(before.code, before.stderr).toBe(2);
    expect(JSON.parse(before.stdout)).toMatchObject({ ok: true, hasChanges: true });
    expect((await runCli(world, ['plan'])).code).toBe(0);
    expect((await runCli(world, ['deploy', '--all'])).code).toBe(0);
    const after = await runCli(world, ['plan', '--detailed-exitcode', '--json']);
    expect(after.code, after.stderr).toBe(0);
    expect(JSON.parse(after.stdout)).toMatchObject({ ok: true, hasChanges: false });
  });

  it('sets the has-changes output in Actions', async () => {
    world = await createDeployWorld();
    const d = echoDefinition('alpha', A);
    world.seed(d);
    await world.commit([d]);
    const changed = await world.run({ command: 'plan' });
    expect(changed.code, changed.stdout).toBe(0);
    expect(changed.outputs['has-changes']).toBe('true');
    expect((await world.deploy()).code).toBe(0);
    expect((await world.run({ command: 'plan' })).outputs['has-changes']).toBe('false');
  });
});
