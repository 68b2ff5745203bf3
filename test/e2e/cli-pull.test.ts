// pull, plan and drift from a terminal (bin/dify-gitops.js → dist/), and `command: pull` in the
// action: a UI edit comes back as a reviewable diff, and pull then plan shows no change.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDeployWorld, echoDefinition, type DeployWorld, runCli } from '../support/deploy-world.js';
import { editLiveApp } from './live-edit.js';
import type { Definition } from '../../src/definition/types.js';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
let world: DeployWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

const cli = runCli;
const readDefinition = async (w: DeployWorld, name: string) =>
  JSON.parse(await readFile(path.join(w.repo.dir, `workflows/${name}.json`), 'utf8')) as Definition;

async function releasedWorld(): Promise<DeployWorld> {
  const w = await createDeployWorld();
  const defs = [echoDefinition('alpha', A), echoDefinition('beta', B)];
  defs.forEach((d) => w.seed(d));
  await w.commit(defs);
  expect((await w.deploy({ all: 'true' })).code).toBe(0);
  return w;
}

describe('CLI pull', () => {
  it('rewrites the definition from the live draft; pull then plan shows no change', async () => {
    world = await releasedWorld();
    const edited = echoDefinition('alpha', A);
    edited.dsl.workflow!.graph.nodes.find((n) => n.data.type === 'start')!.data.title = 'Edited in the UI';
    await editLiveApp(world, edited, { publish: true });
    const pulledFrom = await world.repo.git(['rev-parse', 'HEAD']);

    const pull = await cli(world, ['pull', 'alpha']);
    expect(pull.code, pull.stdout + pull.stderr).toBe(0);
    expect(pull.stdout).toContain('alpha: rewrote workflows/alpha.json from the live draft');
    const alpha = await readDefinition(world, 'alpha');
    expect(alpha).toMatchObject({ name: 'alpha', version: '1.0.0', app: { '*': A } });
    expect(alpha.dsl.workflow!.graph.nodes.find((n) => n.data.type === 'start')!.data.title).toBe('Edited in the UI');
    expect(await world.repo.git(['diff', '--name-only'])).toBe('workflows/alpha.json'); // beta untouched
    // A reviewable diff: the UI edit only (the definition keeps its DSL version, not the server's).
    const changed = (await world.repo.git(['diff', '-U0'])).split('\n').filter((l) => /^[-+] /.test(l));
    expect(changed).toEqual(['-              "title": "Start",', '+              "title": "Edited in the UI",']);

    // The reviewer bumps the version; the result validates, and the plan against live is empty.
    await world.commit([{ ...alpha, version: '1.0.1' }, echoDefinition('beta', B)], 'pull alpha from production');
    expect((await cli(world, ['validate'])).code).toBe(0);
    const plan = await cli(world, ['plan', '--base', pulledFrom, '--json']);
    expect(plan.code, plan.stderr).toBe(0);
    const [change] = JSON.parse(plan.stdout).changes;
    expect(change).toMatchObject({
      name: 'alpha',
      status: 'republish',
      nodes: { added: [], removed: [], changed: [] },
      variables: [],
      features_changed: false,
      drift: { tag: 'alpha@v1.0.0', adopted: true },
    });

    // Pulling again changes nothing.
    const again = await cli(world, ['pull', '--all']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('alpha: unchanged');
  });

  it('right after a deploy, pull leaves every file untouched and the plan is a no-op', async () => {
    const w = await createDeployWorld();
    world = w;
    // Variables are where the export adds fields (selector) the repo does not write.
    const alpha = echoDefinition('alpha', A);
    alpha.dsl.workflow!.environment_variables = [{ id: 'e1', name: 'TONE', value: 'friendly', value_type: 'string', description: '' }];
    const defs = [alpha, echoDefinition('beta', B)];
    defs.forEach((d) => w.seed(d));
    await w.commit(defs);
    expect((await w.deploy({ all: 'true' })).code).toBe(0);

    const pull = await w.run({ command: 'pull', workflow: 'all' });
    expect(pull.code, pull.stdout).toBe(0);
    expect(JSON.parse(pull.outputs.pulled)).toEqual([
      { name: 'alpha', file: 'workflows/alpha.json', changed: false },
      { name: 'beta', file: 'workflows/beta.json', changed: false },
    ]);
    expect(pull.stdout).toContain('All 2 definitions already match their live drafts.');
    expect(await w.repo.git(['status', '--porcelain', '--', 'workflows'])).toBe('');
    expect(await w.repo.git(['diff'])).toBe('');

    const plan = await cli(w, ['plan', '--json']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(
      JSON.parse(plan.stdout).changes.map((c: { name: string; status: string; draft: unknown }) => [c.name, c.status, c.draft]),
    ).toEqual([
      ['alpha', 'noop', null],
      ['beta', 'noop', null],
    ]);
  });

  it('a pull that failed says so, and does not claim everything matches (exit 1)', async () => {
    const w = await createDeployWorld();
    world = w;
    const defs = [echoDefinition('alpha', A), echoDefinition('beta', B)];
    w.seed(defs[0], { draft: true }); // beta's app does not exist in Dify
    await w.commit(defs);
    const pull = await cli(w, ['pull', '--all']);
    expect(pull.code).toBe(1);
    expect(pull.stdout).toContain('1 of 2 definition(s) could not be pulled: see the warnings above.');
    expect(pull.stdout).not.toMatch(/already match/);
    expect(pull.stderr).toMatch(/warning: beta: /);
  });

  it('refuses an unknown name and a missing name (exit 1)', async () => {
    world = await releasedWorld();
    const unknown = await cli(world, ['pull', 'nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/No definition named "nope" in workflows\/\. Known: alpha, beta\./);
    const none = await cli(world, ['pull']);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/Usage: dify-gitops pull NAME/);
  });

  it('command: pull in the action writes the files and lists them', async () => {
    world = await releasedWorld();
    await editLiveApp(world, { ...echoDefinition('beta', B), description: 'x' }, { publish: false });
    const run = await world.run({ command: 'pull', workflow: 'all' });
    expect(run.code, run.stdout).toBe(0);
    const pulled = JSON.parse(run.outputs.pulled) as Array<{ name: string; changed: boolean }>;
    expect(pulled.map((p) => p.name)).toEqual(['alpha', 'beta']);
    expect(run.summary).toContain('## dify-gitops pull: production');
  });
});

describe('command: pull with pull-request: true', () => {
  it('commits the rewritten files on a branch, opens one pull request, and leaves the checkout alone', async () => {
    world = await releasedWorld();
    const edited = echoDefinition('beta', B);
    edited.dsl.workflow!.graph.nodes.find((n) => n.data.type === 'end')!.data.title = 'Finish';
    await editLiveApp(world, edited, { publish: false });
    const head = await world.repo.git(['rev-parse', 'HEAD']);

    const run = await world.run({ command: 'pull', workflow: 'beta', 'pull-request': 'true' });
    expect(run.code, run.stdout).toBe(0);
    expect(await world.repo.git(['rev-parse', 'HEAD'])).toBe(head);
    expect(await world.repo.git(['symbolic-ref', '--short', 'HEAD'])).toBe('main');
    const branch = await world.repo.git(['ls-remote', 'origin', 'refs/heads/dify-gitops/pull-production']);
    const commit = branch.split('\t')[0];
    expect(await world.repo.git(['fetch', '--quiet', 'origin', 'dify-gitops/pull-production'])).toBe('');
    expect(await world.repo.git(['rev-parse', `${commit}^`])).toBe(head);
    expect(await world.repo.git(['diff', '--name-only', head, commit])).toBe('workflows/beta.json');
    expect(await world.repo.git(['show', `${commit}:workflows/beta.json`])).toContain('"title": "Finish"');
    expect(world.github.state.pulls).toHaveLength(1);
    expect(world.github.state.pulls[0]).toMatchObject({
      title: 'Pull live edits from Dify (production)',
      base: { ref: 'main' },
      head: { ref: 'dify-gitops/pull-production' },
    });
    expect(world.github.state.pulls[0].body).toContain('- `beta` (`workflows/beta.json`)');

    // The next run (a fresh checkout) updates the same pull request.
    await world.repo.git(['checkout', '--', 'workflows']);
    const again = await world.run({ command: 'pull', workflow: 'beta', 'pull-request': 'true' });
    expect(again.code, again.stdout).toBe(0);
    expect(again.stdout).toMatch(/Updated pull request #\d+/);
    expect(world.github.state.pulls).toHaveLength(1);
  });
});

describe('CLI drift', () => {
  it('exits 0 without drift and 3 with it, JSON on stdout', async () => {
    world = await releasedWorld();
    const clean = await cli(world, ['drift', '--json']);
    expect(clean.code, clean.stderr).toBe(0);
    expect(JSON.parse(clean.stdout)).toMatchObject({ ok: true, drifted: [] });

    const edited = echoDefinition('beta', B);
    edited.dsl.workflow!.graph.nodes.find((n) => n.data.type === 'end')!.data.title = 'Finish';
    await editLiveApp(world, edited, { publish: false });
    const drift = await cli(world, ['drift']);
    expect(drift.code).toBe(3);
    expect(drift.stdout).toContain('## dify-gitops drift: production');
    expect(drift.stdout).toContain('- `title`: `"End"` → `"Finish"`');
    expect(drift.stderr).toContain('the diff is below.');

    // --json has no job summary: the diff travels in the JSON, and the warning says so.
    const json = await cli(world, ['drift', '--json']);
    expect(json.code).toBe(3);
    expect(json.stderr).not.toContain('job summary');
    expect(json.stderr).toContain('the diff is in the JSON output ("summary").');
    expect(JSON.parse(json.stdout).summary).toContain('- `title`: `"End"` → `"Finish"`');
  });

  it('exits 1 when Dify cannot be reached, and when a definition cannot be read', async () => {
    world = await releasedWorld();
    const down = await cli(world, ['drift'], { DIFY_URL: 'http://127.0.0.1:9' });
    expect(down.code, down.stderr).toBe(1);

    await world.repo.commit({ 'workflows/gamma.json': '{ "name": "gamma", ' }, 'break gamma');
    const broken = await cli(world, ['drift', '--json']);
    expect(broken.code, broken.stderr).toBe(1);
    const report = JSON.parse(broken.stdout);
    expect(report.ok).toBe(false);
    expect(report.results.find((r: { name: string }) => r.name === 'gamma')).toMatchObject({
      file: 'workflows/gamma.json',
      status: 'error',
      error: expect.stringMatching(/^workflows\/gamma\.json:1:\d+: invalid JSON/),
    });
  });
});
