// A fleet spread across runners: a plan (or validate) job names the definitions to deploy in its
// `changed` output, and one deploy job per definition runs with `workflows` set to that name, each in
// its own checkout of the same origin, all at once. Every job's tag and GitHub release must land, and
// nothing outside a job's `workflows` may be touched or even block it.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runDeploy } from '../../src/commands/deploy.js';
import { runPlan } from '../../src/commands/plan.js';
import { runValidate } from '../../src/commands/validate.js';
import { runDrift } from '../../src/commands/drift.js';
import { runRender } from '../../src/commands/render.js';
import { createGit } from '../../src/git/git.js';
import { readActionSettings } from '../../src/settings.js';
import { createCaptureSink } from '../support/capture-sink.js';
import { createDeployWorld, EMAIL, echoDefinition, PASSWORD, type DeployWorld } from '../support/deploy-world.js';
import { runGit } from '../support/git-repo.js';
import { deploySettings, settingsFor } from '../support/settings.js';
import type { Definition } from '../../src/definition/types.js';

let world: DeployWorld | undefined;
const scratch: string[] = [];
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
  await Promise.all(scratch.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

const appId = (i: number) => `4${String(i).padStart(7, '0')}-1111-4111-8111-111111111111`;
const fleet = (n: number, version = '1.0.0') => Array.from({ length: n }, (_, i) => echoDefinition(`bot-${i + 1}`, appId(i + 1), version));

function inputs(w: DeployWorld, dir: string, command: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    GITHUB_WORKSPACE: dir,
    GITHUB_API_URL: w.github.url,
    GITHUB_REPOSITORY: 'acme/flows',
    GITHUB_SERVER_URL: 'https://github.example',
    GITHUB_RUN_ID: '7',
    INPUT_COMMAND: command,
    'INPUT_DIFY-URL': w.emulator.url,
    'INPUT_DIFY-EMAIL': EMAIL,
    'INPUT_DIFY-PASSWORD': PASSWORD,
    'INPUT_GITHUB-TOKEN': 'ghs_test_token',
    'INPUT_TIMEOUT-SECONDS': '10',
    'INPUT_BACKUP-DIR': path.join(dir, '..', 'backups'),
    ...extra,
  };
}

/** A runner's checkout: a fresh clone of origin (tags included), as actions/checkout with fetch-depth 0. */
async function checkout(w: DeployWorld): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'fleet-runner-'));
  scratch.push(root);
  const dir = path.join(root, 'work');
  await runGit(root, ['clone', '--quiet', w.repo.origin, dir]);
  for (const [key, value] of [
    ['user.name', 'Runner'],
    ['user.email', 'runner@example.com'],
    ['commit.gpgsign', 'false'],
    ['tag.gpgsign', 'false'],
  ])
    await runGit(dir, ['config', key, value]);
  return dir;
}

/** One matrix job: its own checkout, `workflows` set to its entry of the plan's `changed` output. */
async function deployJob(w: DeployWorld, name: string) {
  const dir = await checkout(w);
  const env = inputs(w, dir, 'deploy', { INPUT_WORKFLOWS: name });
  const sink = createCaptureSink();
  const settings = deploySettings(env);
  const result = await runDeploy(settings, settings.options, { git: createGit(dir), sink, env });
  return { name, result, sink };
}

async function plan(w: DeployWorld, extra: Record<string, string> = {}) {
  const sink = createCaptureSink();
  const settings = settingsFor(readActionSettings(inputs(w, w.repo.dir, 'plan', extra)), 'plan');
  const result = await runPlan(settings, settings.options, { git: createGit(w.repo.dir), sink });
  return { result, sink, changed: JSON.parse(sink.outputs.changed) as string[] };
}

/** The same definition with a workflow change (the start node's title): something a deploy must publish. */
function retitled(d: Definition): Definition {
  const changed = structuredClone(d);
  changed.dsl.workflow!.graph.nodes.find((n) => n.data.type === 'start')!.data.title = `Start ${d.version}`;
  return changed;
}

/** Tags on origin and releases on GitHub for every definition; `live`: that version is what Dify serves, else among its versions. */
async function expectReleased(w: DeployWorld, defs: Definition[], commit: string, live = true): Promise<void> {
  for (const d of defs) {
    const tag = `${d.name}@v${d.version}`;
    // Annotated, on origin, pointing at the commit the jobs deployed.
    expect(await runGit(w.repo.origin, ['cat-file', '-t', tag]), tag).toBe('tag');
    expect(await runGit(w.repo.origin, ['rev-parse', `${tag}^{commit}`]), tag).toBe(commit);
    expect(await runGit(w.repo.origin, ['tag', '--list', '--format=%(contents:subject)', tag])).toBe(`${d.name} ${d.version} (production)`);
    const releases = w.github.state.releases.filter((r) => r.tag_name === tag);
    expect(releases, tag).toHaveLength(1);
    expect(releases[0].name).toBe(`${d.name} ${d.version}`);
    const app = w.emulator.state().apps.find((a) => a.id === (d.app as Record<string, string>)['*'])!;
    if (live) expect(app.published.find((p) => p.id === app.workflow_id)?.marked_name).toBe(d.version);
    else expect(app.published.map((p) => p.marked_name)).toContain(d.version);
  }
}

describe('a fleet fanned out across runners', () => {
  it('plan names the definitions to deploy; one job per name deploys them all at once; every tag and release lands', async () => {
    world = await createDeployWorld();
    const defs = fleet(6);
    for (const d of defs) world.seed(d);
    const commit = await world.commit(defs);

    const first = await plan(world);
    expect(first.result.exitCode, first.sink.text()).toBe(0);
    expect(first.changed).toEqual(defs.map((d) => d.name));
    expect(first.sink.outputs['has-changes']).toBe('true');

    const jobs = await Promise.all(first.changed.map((name) => deployJob(world!, name)));
    for (const job of jobs) {
      expect(job.result.exitCode, `${job.name}:\n${job.sink.text()}`).toBe(0);
      // Each job deployed its own definition and no other.
      expect(JSON.parse(job.sink.outputs.deployed)).toEqual([{ name: job.name, version: '1.0.0', tag: `${job.name}@v1.0.0` }]);
    }
    await expectReleased(world, defs, commit);
    expect(world.github.state.deployments).toHaveLength(defs.length);

    // The next release of every definition, in one commit, again all at once: old tags stay, new ones land.
    const next = fleet(6, '1.1.0').map(retitled);
    const second = await world.commit(next, 'release 1.1.0 of the fleet');
    const replan = await plan(world);
    expect(replan.changed).toEqual(next.map((d) => d.name));
    const again = await Promise.all(replan.changed.map((name) => deployJob(world!, name)));
    for (const job of again) expect(job.result.exitCode, `${job.name}:\n${job.sink.text()}`).toBe(0);
    await expectReleased(world, next, second);
    await expectReleased(world, defs, commit, false);
    expect(world.github.state.releases).toHaveLength(12);

    // Everything is live now: the plan names nothing, so the matrix has no job to run.
    const settled = await plan(world);
    expect(settled.changed).toEqual([]);
    expect(settled.sink.outputs['has-changes']).toBe('false');
  });

  it('workflows limits a run: only the named definition is deployed, and a broken one outside the limit does not block it', async () => {
    world = await createDeployWorld();
    const [a, b] = fleet(2);
    for (const d of [a, b]) world.seed(d);
    await world.commit([a, b]);
    await writeFile(path.join(world.repo.dir, 'workflows/broken.json'), '{"name": "broken", "version": ');
    await world.repo.git(['add', '--all']);
    await world.repo.git(['commit', '--quiet', '-m', 'a broken definition']);

    const sink = createCaptureSink();
    const env = inputs(world, world.repo.dir, 'deploy', { INPUT_WORKFLOWS: 'bot-2' });
    const settings = deploySettings(env);
    const result = await runDeploy(settings, settings.options, { git: createGit(world.repo.dir), sink, env });
    expect(result.exitCode, sink.text()).toBe(0);
    expect(JSON.parse(sink.outputs.deployed).map((d: { name: string }) => d.name)).toEqual(['bot-2']);
    const untouched = world.emulator.state().apps.find((app) => app.id === appId(1))!;
    expect(untouched.published).toEqual([]);
    expect(world.emulator.state().requests.some((r) => r.path.includes(appId(1)))).toBe(false);
  });

  it('an unknown name is refused before anything runs, with the nearest known name', async () => {
    world = await createDeployWorld();
    const defs = fleet(2);
    await world.commit(defs);
    const sink = createCaptureSink();
    const settings = settingsFor(
      readActionSettings(inputs(world, world.repo.dir, 'validate', { INPUT_WORKFLOWS: 'bot-1, bto-2' })),
      'validate',
    );
    const error = await runValidate(settings, { git: createGit(world.repo.dir), sink }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'usage' });
    expect((error as Error).message).toBe('"workflows" names a definition that does not exist: "bto-2" (did you mean "bot-2"?).');
    expect(world.emulator.state().requests).toEqual([]);
  });

  it('validate: `changed` lists what differs from base-ref, limited by workflows, as a matrix-ready list', async () => {
    world = await createDeployWorld();
    const defs = fleet(3);
    const base = await world.commit(defs);
    const bumped = [defs[0], retitled({ ...defs[1], version: '1.0.1' }), retitled({ ...defs[2], version: '1.0.1' })];
    await world.commit(bumped, 'edit two');
    const run = async (extra: Record<string, string>) => {
      const sink = createCaptureSink();
      const settings = settingsFor(readActionSettings(inputs(world!, world!.repo.dir, 'validate', extra)), 'validate');
      const result = await runValidate(settings, { git: createGit(world!.repo.dir), sink });
      // The output and the result --json prints say the same.
      expect(result.changed).toEqual(JSON.parse(sink.outputs.changed));
      return { exitCode: result.exitCode, sink, changed: result.changed };
    };
    expect((await run({ 'INPUT_BASE-REF': base })).changed).toEqual(['bot-2', 'bot-3']);
    const limited = await run({ 'INPUT_BASE-REF': base, INPUT_WORKFLOWS: '["bot-1","bot-3"]' });
    expect(limited.changed).toEqual(['bot-3']);
    expect(JSON.parse(limited.sink.outputs.definitions).map((d: { name: string }) => d.name)).toEqual(['bot-1', 'bot-3']);
    expect((await run({})).changed).toEqual(['bot-1', 'bot-2', 'bot-3']);
  });

  it('plan with workflows plans only those; the rest are not read from Dify', async () => {
    world = await createDeployWorld();
    const defs = fleet(3);
    for (const d of defs) world.seed(d);
    await world.commit(defs);
    const limited = await plan(world, { INPUT_WORKFLOWS: 'bot-3\nbot-1' });
    expect(limited.changed).toEqual(['bot-1', 'bot-3']);
    expect(world.emulator.state().requests.some((r) => r.path.includes(appId(2)))).toBe(false);
  });

  it('the other commands keep to the list too: drift reads only the named apps, render prints only them', async () => {
    world = await createDeployWorld();
    const defs = fleet(3);
    for (const d of defs) world.seed(d);
    await world.commit(defs);
    const deployed = await Promise.all(defs.map((d) => deployJob(world!, d.name)));
    for (const job of deployed) expect(job.result.exitCode, job.sink.text()).toBe(0);
    await world.repo.git(['fetch', '--quiet', '--tags', 'origin']);

    const since = world.emulator.state().requests.length;
    const sink = createCaptureSink();
    const settings = settingsFor(readActionSettings(inputs(world, world.repo.dir, 'drift', { INPUT_WORKFLOWS: 'bot-3' })), 'drift');
    expect(settings.options.workflow).toBe('all');
    const drift = await runDrift(settings, settings.options, { git: createGit(world.repo.dir), sink });
    expect(drift.exitCode, sink.text()).toBe(0);
    expect((drift.json as { results: Array<{ name: string }> }).results.map((r) => r.name)).toEqual(['bot-3']);
    const read = world.emulator.state().requests.slice(since);
    expect(read.some((r) => r.path.includes(appId(3)))).toBe(true);
    expect(read.some((r) => r.path.includes(appId(1)) || r.path.includes(appId(2)))).toBe(false);

    const printed: string[] = [];
    const common = { root: world.repo.dir, workflowsDir: 'workflows', environment: 'production', json: false };
    await runRender(
      { ...common, only: ['bot-1', 'bot-3'] },
      { names: [] },
      { sink: createCaptureSink(), write: (t) => void printed.push(t) },
    );
    const headers = printed.join('').match(/^# .*$/gm);
    expect(headers).toEqual([`# bot-1 → app ${appId(1)} (production)`, `# bot-3 → app ${appId(3)} (production)`]);
    await expect(runRender({ ...common, only: ['bot-1'] }, { names: ['bot-2'] }, { sink: createCaptureSink() })).rejects.toThrow(
      /"bot-2" is not among the definitions "workflows" limits this run to \(bot-1\)/,
    );
  });
});
