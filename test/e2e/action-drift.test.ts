// command: drift (scheduled), from dist/: live published versions and drafts edited behind the
// repo's back are found, reported, optionally filed as issues, and fail the job unless told not to.
import { afterEach, describe, expect, it } from 'vitest';
import { createDeployWorld, echoDefinition, type DeployWorld } from '../support/deploy-world.js';
import { editLiveApp } from './live-edit.js';
import type { Definition } from '../../src/definition/types.js';

let world: DeployWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
const C = '33333333-3333-4333-8333-333333333333';
const retitled = (d: Definition, title: string) => {
  d.dsl.workflow!.graph.nodes.find((n) => n.data.type === 'start')!.data.title = title;
  return d;
};

async function releasedWorld(): Promise<DeployWorld> {
  const w = await createDeployWorld();
  const defs = [echoDefinition('alpha', A), echoDefinition('beta', B), echoDefinition('gamma', C)];
  defs.forEach((d) => w.seed(d));
  await w.commit(defs);
  const deployed = await w.deploy({ all: 'true' });
  expect(deployed.code, deployed.stdout).toBe(0);
  return w;
}

describe('command: drift', () => {
  it('reports nothing and passes while every live app matches its release', async () => {
    world = await releasedWorld();
    const before = world.emulator.state().requests.length;
    const run = await world.run({ command: 'drift' });
    expect(run.code, run.stdout).toBe(0);
    expect(JSON.parse(run.outputs.drifted)).toEqual([]);
    expect(run.summary).toContain('All 3 workflow(s) match their last release.');
    expect(world.writes(before)).toEqual([]);
  });

  it('finds an edited draft and an edited published version, fails, and files one issue per workflow', async () => {
    world = await releasedWorld();
    await editLiveApp(world, retitled(echoDefinition('alpha', A), 'Draft edit'), { publish: false });
    await editLiveApp(world, retitled(echoDefinition('beta', B), 'Published edit'), { publish: true });

    const run = await world.run({ command: 'drift', 'drift-issues': 'true' });
    expect(run.code).toBe(1);
    expect(JSON.parse(run.outputs.drifted)).toEqual([
      {
        name: 'alpha',
        file: 'workflows/alpha.json',
        environment: 'production',
        app_id: A,
        tag: 'alpha@v1.0.0',
        published: false,
        draft: true,
      },
      { name: 'beta', file: 'workflows/beta.json', environment: 'production', app_id: B, tag: 'beta@v1.0.0', published: true, draft: true },
    ]);
    expect(run.summary).toContain('2 of 3 workflow(s) differ from their last release.');
    expect(run.summary).toContain('| `alpha` | `alpha@v1.0.0` | ✅ matches | ⚠️ differs | ⚠️ drifted |');
    expect(run.summary).toContain('| `gamma` | `gamma@v1.0.0` | ✅ matches | ✅ matches | ✅ in sync |');
    expect(run.summary).toContain('- `title`: `"Start"` → `"Draft edit"`');
    expect(run.summary).toContain('**Draft:** holds the same edits as the published version.');
    expect(run.stdout).toMatch(/::warning::alpha: drifted \(against alpha@v1\.0\.0\)/);

    const issues = () => world!.github.state.issues.filter((i) => !i.pull_request);
    expect(
      issues()
        .map((i) => i.title)
        .sort(),
    ).toEqual(['Drift: alpha (production) differs from alpha@v1.0.0', 'Drift: beta (production) differs from beta@v1.0.0']);
    expect(issues().find((i) => i.title.includes('beta'))!.body).toContain('<!-- dify-gitops:drift:beta:production -->');

    // The next scheduled run updates the same issues; fail-on-drift: false reports without failing.
    const again = await world.run({ command: 'drift', 'drift-issues': 'true', 'fail-on-drift': 'false' });
    expect(again.code, again.stdout).toBe(0);
    expect(issues()).toHaveLength(2);
    expect(JSON.parse(again.outputs.drifted)).toHaveLength(2);
  });

  it('fails (exit 1) and names every definition it could not read, instead of skipping it', async () => {
    world = await releasedWorld();
    await world.repo.commit(
      { 'workflows/delta.json': '{ "name": "delta", "version": ', 'workflows/epsilon.json': '{ "name": "epsilon", "version": "1.0.0" }' },
      'break two files',
    );

    const run = await world.run({ command: 'drift' });
    expect(run.code, run.stdout).toBe(1);
    expect(run.summary).not.toContain('All 5 workflow(s) match');
    expect(run.summary).toContain('2 of 5 workflow(s) could not be checked.');
    expect(run.summary).toContain('| `delta` | – | – | – | ❌ not checked |');
    expect(run.summary).toMatch(/### ❌ `delta`\n\nworkflows\/delta\.json:1:\d+: invalid JSON/);
    expect(run.summary).toContain('workflows/epsilon.json: not a definition (no "app", "dsl")');
    expect(run.summary).toContain('| `gamma` | `gamma@v1.0.0` | ✅ matches | ✅ matches | ✅ in sync |');
    expect(run.stdout).toMatch(/::warning::epsilon: not checked: workflows\/epsilon\.json: not a definition/);
  });

  it('an app dify-gitops rolled back is not drift: its marks name the release it holds', async () => {
    world = await releasedWorld();
    await world.commit(
      [retitled(echoDefinition('alpha', A, '1.1.0'), 'Second'), echoDefinition('beta', B), echoDefinition('gamma', C)],
      'alpha 1.1.0',
    );
    expect((await world.deploy()).code).toBe(0);
    expect((await world.run({ command: 'rollback', workflow: 'alpha', to: '1.0.0' })).code).toBe(0);

    const run = await world.run({ command: 'drift', 'drift-issues': 'true' });
    expect(run.code, run.stdout).toBe(0);
    expect(JSON.parse(run.outputs.drifted)).toEqual([]);
    expect(run.stdout).toContain('alpha: in-sync (live is alpha@v1.0.0, rolled back from alpha@v1.1.0)');
    expect(world.github.state.issues).toEqual([]);
  });
});
