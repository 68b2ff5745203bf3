// command: deploy, run from dist/ as the runner runs it, against the Dify emulator,
// a real repository with a bare origin and a loopback GitHub API.
import { afterEach, describe, expect, it } from 'vitest';
import { createDeployWorld, echoDefinition, type DeployWorld } from '../support/deploy-world.js';

let world: DeployWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
const C = '33333333-3333-4333-8333-333333333333';

describe('command: deploy', () => {
  it('first deploy: imports, publishes, smoke-checks and tags every definition', async () => {
    world = await createDeployWorld();
    const defs = [echoDefinition('alpha', A), echoDefinition('beta', B), echoDefinition('gamma', C)];
    defs.forEach((d) => world!.seed(d));
    await world.commit(defs);

    const run = await world.deploy({ all: 'true', concurrency: '3' });
    expect(run.stderr).toBe('');
    expect(run.code, run.stdout).toBe(0);
    const state = world.emulator.state();
    for (const d of defs) {
      const app = state.apps.find((a) => a.id === (d.app as Record<string, string>)['*'])!;
      expect(app.published).toHaveLength(1);
      expect(app.published[0].marked_name).toBe('1.0.0');
      expect(app.published[0].marked_comment).toMatch(/^✓ sha256:[0-9a-f]{16} commit [0-9a-f]{12} dify-gitops /);
    }
    const remoteTags = await world.repo.git(['ls-remote', '--tags', 'origin']);
    for (const d of defs) expect(remoteTags).toContain(`refs/tags/${d.name}@v1.0.0`);
    expect(
      JSON.parse(run.outputs.deployed)
        .map((x: { name: string }) => x.name)
        .sort(),
    ).toEqual(['alpha', 'beta', 'gamma']);
    expect(JSON.parse(run.outputs.tags)).toHaveLength(3);
    expect(run.summary).toMatch(/\| alpha \| 1\.0\.0 \| production \| ✅ deployed \| 1\/1 \|/);
    expect((world.github.state.releases as Array<{ tag_name: string }>).map((r) => r.tag_name).sort()).toEqual([
      'alpha@v1.0.0',
      'beta@v1.0.0',
      'gamma@v1.0.0',
    ]);
    expect(world.github.state.deployments).toHaveLength(3);
  });

  it('an unchanged re-run writes nothing to Dify (proven from the request log)', async () => {
    world = await createDeployWorld();
    const defs = [echoDefinition('alpha', A), echoDefinition('beta', B)];
    defs.forEach((d) => world!.seed(d));
    await world.commit(defs);
    expect((await world.deploy({ all: 'true' })).code).toBe(0);
    const before = world.emulator.state().requests.length;

    const again = await world.deploy({ all: 'true' });
    expect(again.code, again.stdout).toBe(0);
    expect(world.writes(before)).toEqual([]);
    expect(JSON.parse(again.outputs.skipped)).toHaveLength(2);
    expect(again.stdout).toMatch(/already live/);
  });

  it('refuses to deploy a definition whose secret has no value, touching nothing', async () => {
    world = await createDeployWorld();
    const d = echoDefinition('secretive', A);
    d.dsl.workflow!.environment_variables = [
      { id: '5b0d7c3e-1f2a-4b3c-8d4e-5f6a7b8c9d0e', name: 'SEARCH_API_KEY', value: '', value_type: 'secret', description: '' },
    ];
    d.secrets = { SEARCH_API_KEY: 'SEARCH_API_KEY' };
    world.seed(d);
    await world.commit([d]);
    const before = world.emulator.state().requests.length;

    const run = await world.deploy({ all: 'true' });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/Secret SEARCH_API_KEY of secretive has no value: environment variable SEARCH_API_KEY is not set/);
    expect(world.writes(before)).toEqual([]);
  });

  it('injects secret values from the environment and never prints them', async () => {
    world = await createDeployWorld();
    const d = echoDefinition('secretive', A);
    d.dsl.workflow!.environment_variables = [
      { id: '5b0d7c3e-1f2a-4b3c-8d4e-5f6a7b8c9d0e', name: 'SEARCH_API_KEY', value: '', value_type: 'secret', description: '' },
    ];
    d.secrets = { SEARCH_API_KEY: 'SEARCH_KEY_ENV' };
    world.seed(d);
    await world.commit([d]);
    const secret = 'sk-live-4f8a1c9e7b2d6f0a3e5c8b1d';

    const run = await world.deploy({ all: 'true' }, { SEARCH_KEY_ENV: secret });
    expect(run.code, run.stdout).toBe(0);
    const app = world.emulator.state().apps.find((a) => a.id === A)!;
    expect(JSON.stringify(app.draft)).toContain(secret);
    // ::add-mask:: lines are how a secret is handed to the runner to hide; nothing else may carry it.
    const printed = (run.stdout + run.stderr).split('\n').filter((l) => !l.startsWith('::add-mask::'));
    expect(printed.join('\n') + run.summary + JSON.stringify(run.outputs)).not.toContain(secret);
    expect(run.stdout).toContain(`::add-mask::${secret}`);
  });

  it('a smoke check failing on its schema rolls back to the previous release, verified', async () => {
    world = await createDeployWorld();
    const v1 = echoDefinition('alpha', A);
    world.seed(v1);
    await world.commit([v1]);
    expect((await world.deploy({ all: 'true' })).code).toBe(0);

    const v2 = echoDefinition('alpha', A, '1.1.0');
    v2.dsl.workflow!.graph.nodes.find((n) => n.data.type === 'start')!.data.title = 'Start (renamed)';
    v2.smoke = [
      {
        name: 'wants a number',
        inputs: { query: 'hello' },
        expect: { outputs: { type: 'object', required: ['query'], properties: { query: { type: 'number' } } } },
      },
    ];
    await world.commit([v2], 'break the smoke check');

    const run = await world.deploy({ all: 'true', 'smoke-retries': '0' });
    expect(run.code).toBe(1);
    const app = world.emulator.state().apps.find((a) => a.id === A)!;
    // Published: v1, v2 (failed), v1 again (the rollback). Nothing deleted.
    expect(app.published.map((p) => p.marked_name)).toEqual(['1.0.0', '1.1.0', '1.0.0']);
    const live = app.published.find((p) => p.id === app.workflow_id)!;
    expect(live.marked_name).toBe('1.0.0');
    expect(JSON.stringify(live.dsl)).not.toContain('Start (renamed)');
    expect(run.summary).toContain('↩️ rolled back');
    expect(run.summary).toMatch(/Restored to `alpha@v1\.0\.0`; live content sha256 `[0-9a-f]{16}` verified equal to it/);
    expect(JSON.parse(run.outputs.failed)[0]).toMatchObject({ name: 'alpha', result: 'rolled-back' });
    expect(await world.repo.git(['tag', '--list', 'alpha@v1.1.0'])).toBe('');
  });

  it('a DSL newer than the server takes is refused before any write unless allowed', async () => {
    // Dify 1.12.1 takes DSL 0.5.0 (api/services/app_dsl_service.py); 0.6.0 is Dify main's.
    world = await createDeployWorld({ dslVersion: '0.5.0' });
    const d = echoDefinition('future', A);
    d.dsl.version = '0.6.0';
    world.seed(d);
    await world.commit([d]);

    const since = world.emulator.state().requests.length;
    const refused = await world.deploy({ all: 'true', 'rollback-on-failure': 'false' });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/DSL version 0\.6\.0 is newer than Dify 1\.12\.1 takes \(0\.5\.0 at most\); nothing was written/);
    expect(world.writes(since)).toEqual([]);
    expect(refused.stdout).toMatch(/allow-dsl-version-change: true/);
    expect(world.emulator.state().apps.find((a) => a.id === A)!.published).toHaveLength(0);

    const allowed = await world.deploy({ all: 'true', 'allow-dsl-version-change': 'true' });
    expect(allowed.code, allowed.stdout).toBe(0);
    expect(world.emulator.state().apps.find((a) => a.id === A)!.published).toHaveLength(1);
  });

  it('deploys only the definitions the push changed', async () => {
    world = await createDeployWorld();
    const defs = [echoDefinition('alpha', A), echoDefinition('beta', B)];
    defs.forEach((d) => world!.seed(d));
    const first = await world.commit(defs);
    expect((await world.deploy({ all: 'true' })).code).toBe(0);
    const beta2 = echoDefinition('beta', B, '1.0.1');
    beta2.dsl.workflow!.graph.nodes.find((n) => n.data.type === 'start')!.data.title = 'Begin';
    await world.commit([defs[0], beta2], 'bump beta');
    const { writeFile } = await import('node:fs/promises');
    const event = `${world.repo.dir}/../event.json`;
    await writeFile(event, JSON.stringify({ before: first }));

    const run = await world.deploy({}, { GITHUB_EVENT_PATH: event });
    expect(run.code, run.stdout).toBe(0);
    expect(JSON.parse(run.outputs.deployed)).toEqual([{ name: 'beta', version: '1.0.1', tag: 'beta@v1.0.1' }]);
    expect(run.stdout).toMatch(/Selected 1 of 2 definition\(s\)/);
  });

  it('without a usable push range (all-zero before), compares each definition with its latest tag', async () => {
    world = await createDeployWorld();
    const defs = [echoDefinition('alpha', A), echoDefinition('beta', B)];
    defs.forEach((d) => world!.seed(d));
    await world.commit(defs);
    expect((await world.deploy({ all: 'true' })).code).toBe(0);
    // A fresh clone without tags, as actions/checkout makes it: the action must fetch them itself.
    for (const d of defs) await world.repo.git(['tag', '-d', `${d.name}@v1.0.0`]);
    const alpha2 = echoDefinition('alpha', A, '1.1.0');
    alpha2.dsl.workflow!.graph.nodes.find((n) => n.data.type === 'start')!.data.title = 'Begin';
    await world.commit([alpha2, defs[1]], 'alpha 1.1.0');
    const { writeFile } = await import('node:fs/promises');
    const event = `${world.repo.dir}/../event.json`;
    await writeFile(event, JSON.stringify({ before: '0000000000000000000000000000000000000000' }));

    const run = await world.deploy({}, { GITHUB_EVENT_PATH: event });
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toMatch(/each definition against its latest release tag/);
    expect(JSON.parse(run.outputs.deployed)).toEqual([{ name: 'alpha', version: '1.1.0', tag: 'alpha@v1.1.0' }]);
  });

  it('refuses a content change released under an existing version, before any write, on the version line', async () => {
    world = await createDeployWorld();
    const v1 = echoDefinition('alpha', A);
    world.seed(v1);
    await world.commit([v1]);
    expect((await world.deploy({ all: 'true' })).code).toBe(0);
    const sneaky = echoDefinition('alpha', A); // still 1.0.0
    sneaky.dsl.workflow!.graph.nodes.find((n) => n.data.type === 'start')!.data.title = 'Changed without a bump';
    await world.commit([sneaky], 'change without bump');
    const before = world.emulator.state().requests.length;

    const run = await world.deploy({ all: 'true' });
    expect(run.code).toBe(1);
    expect(world.writes(before)).toEqual([]);
    const text = (await import('node:fs')).readFileSync(`${world.repo.dir}/workflows/alpha.json`, 'utf8');
    const line = text.split('\n').findIndex((l) => l.startsWith('  "version"')) + 1;
    const annotation = run.stdout.split('\n').find((l) => l.startsWith('::error') && l.includes('file=workflows/alpha.json'));
    expect(annotation).toContain(`line=${line},`);
    expect(annotation).toMatch(/alpha 1\.0\.0 is already released \(alpha@v1\.0\.0\) with different content/);
    expect(run.stdout).toMatch(/::error::dify-gitops deploy: alpha failed\./);
  });

  it('a plugin the workspace lacks fails the deploy and restores the previous release', async () => {
    world = await createDeployWorld();
    const v1 = echoDefinition('alpha', A);
    world.seed(v1);
    await world.commit([v1]);
    expect((await world.deploy({ all: 'true' })).code).toBe(0);
    const v2 = echoDefinition('alpha', A, '1.1.0');
    v2.dsl.dependencies = [{ type: 'marketplace', value: { marketplace_plugin_unique_identifier: 'acme/missing-search:0.1.0@abc' } }];
    v2.dsl.workflow!.graph.nodes.find((n) => n.data.type === 'start')!.data.title = 'Needs a plugin';
    await world.commit([v2]);

    const run = await world.deploy({ all: 'true' });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/The workspace lacks plugins alpha needs: .*acme\/missing-search/);
    expect(run.stdout).toMatch(/Install these plugins in the target Dify workspace/);
    const app = world.emulator.state().apps.find((a) => a.id === A)!;
    // Never published: the dependency check comes before publish, and the draft went back to 1.0.0.
    expect(app.published.map((p) => p.marked_name)).toEqual(['1.0.0', '1.0.0']);
    expect(JSON.stringify(app.draft)).not.toContain('Needs a plugin');
  });

  it('a version a failed run left published is not "already live": a re-run deploys and checks it again', async () => {
    world = await createDeployWorld();
    const d = echoDefinition('alpha', A);
    world.seed(d);
    await world.commit([d]);
    // The first smoke run fails (a flaky model, say); the first deploy has nothing to go back to.
    world.emulator.scriptRuns(A, [{ status: 'failed', error: 'model timeout' }]);
    const first = await world.deploy({ all: 'true', 'smoke-retries': '0' });
    expect(first.code).toBe(1);
    const app = () => world!.emulator.state().apps.find((a) => a.id === A)!;
    const left = app().published.find((p) => p.id === app().workflow_id)!;
    expect(left.marked_comment).toMatch(/^sha256:/); // published, never verified

    const again = await world.deploy({ all: 'true' });
    expect(again.code, again.stdout).toBe(0);
    expect(again.stdout).not.toMatch(/already live/);
    expect(JSON.parse(again.outputs.deployed)).toEqual([{ name: 'alpha', version: '1.0.0', tag: 'alpha@v1.0.0' }]);
    expect(app().published.find((p) => p.id === app().workflow_id)!.marked_comment).toMatch(/^✓ sha256:/);
  });
});
