// command: plan on a pull request, from dist/ against the emulator, a real repository and the
// loopback GitHub API: one sticky comment per environment, exact and stable plans, fork fallback.
import { afterEach, describe, expect, it } from 'vitest';
import { createDeployWorld, echoDefinition, type DeployWorld } from '../support/deploy-world.js';
import { editLiveApp, writePullRequestEvent } from './live-edit.js';
import type { Definition } from '../../src/definition/types.js';

let world: DeployWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
const startOf = (d: Definition) => d.dsl.workflow!.graph.nodes.find((n) => n.data.type === 'start')!;

/** alpha and beta released as 1.0.0 and live; returns the release commit (the PR's base). */
async function releasedWorld(): Promise<{ w: DeployWorld; base: string; pr: number }> {
  const w = await createDeployWorld();
  const defs = [echoDefinition('alpha', A), echoDefinition('beta', B)];
  defs.forEach((d) => w.seed(d));
  const base = await w.commit(defs);
  const deployed = await w.deploy({ all: 'true' });
  expect(deployed.code, deployed.stdout).toBe(0);
  const pr = w.github.addIssue({ title: 'Rename the start node', pull: true });
  return { w, base, pr };
}

describe('command: plan', () => {
  it('comments the exact plan once per environment, updates it on the next run, writes nothing to Dify', async () => {
    const { w, base, pr } = await releasedWorld();
    world = w;
    const alpha = echoDefinition('alpha', A, '1.1.0');
    startOf(alpha).data.title = 'Begin';
    await w.commit([alpha, echoDefinition('beta', B)], 'rename start');
    // acme/flows is itself a fork of an upstream project: its own branches are still not fork PRs.
    const event = await writePullRequestEvent(w, { number: pr, base, projectIsFork: true });
    const before = w.emulator.state().requests.length;

    const first = await w.run({ command: 'plan' }, { GITHUB_EVENT_PATH: event, GITHUB_EVENT_NAME: 'pull_request' });
    expect(first.code, first.stdout).toBe(0);
    expect(w.writes(before)).toEqual([]);
    expect(JSON.parse(first.outputs.changes)[0].mode).toBe('live');
    const plan = first.outputs.plan;
    expect(plan).toContain('## dify-gitops plan: production');
    expect(plan).toContain('| `alpha` | 1.0.0 → 1.1.0 | ✏️ 1 node changed |');
    expect(plan).not.toContain('`beta`'); // unchanged in this pull request
    expect(plan).toContain('- `title`: `"Start"` → `"Begin"`');
    expect(plan).toContain('**Deploy:** imports and publishes 1.1.0: 1 node changed.');
    const changes = JSON.parse(first.outputs.changes);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({
      name: 'alpha',
      file: 'workflows/alpha.json',
      version_from: '1.0.0',
      version_to: '1.1.0',
      noop: false,
      drift: null,
    });
    expect(changes[0].nodes.changed).toEqual([{ id: expect.any(String), type: 'start', title: 'Begin', fields: ['title'] }]);
    expect(first.summary).toContain(plan.trimEnd());

    const comments = () => w.github.state.comments.filter((c) => c.issue_number === pr);
    expect(comments()).toHaveLength(1);
    expect(comments()[0].body).toBe(`<!-- dify-gitops:plan:production -->\n${plan}`);

    // The next push: the same comment is updated, never a second one; same inputs, same bytes.
    const second = await w.run({ command: 'plan' }, { GITHUB_EVENT_PATH: event, GITHUB_EVENT_NAME: 'pull_request' });
    expect(second.code, second.stdout).toBe(0);
    expect(second.outputs.plan).toBe(plan);
    expect(comments()).toHaveLength(1);
    expect(second.stdout).toMatch(/Updated the plan comment on pull request #1/);

    // Another environment gets its own comment.
    const other = await w.run({ command: 'plan', environment: 'staging' }, { GITHUB_EVENT_PATH: event });
    expect(other.code, other.stdout).toBe(0);
    expect(
      comments()
        .map((c) => c.body.split('\n')[0])
        .sort(),
    ).toEqual(['<!-- dify-gitops:plan:production -->', '<!-- dify-gitops:plan:staging -->']);
  });

  it('a change of layout only (positions, viewport, selection) plans no content change: a release without an import', async () => {
    const { w, base, pr } = await releasedWorld();
    world = w;
    const moved = echoDefinition('alpha', A, '1.0.1');
    moved.dsl.workflow!.graph.viewport = { x: 10, y: 20, zoom: 0.5 };
    for (const n of moved.dsl.workflow!.graph.nodes) Object.assign(n, { position: { x: 5, y: 5 }, selected: true });
    await w.commit([moved, echoDefinition('beta', B)], 'tidy the canvas');
    const run = await w.run({ command: 'plan' }, { GITHUB_EVENT_PATH: await writePullRequestEvent(w, { number: pr, base }) });
    expect(run.code, run.stdout).toBe(0);
    // The version was bumped, so the deploy releases it: smoke checks, marks and a tag, but no import.
    expect(JSON.parse(run.outputs.changes)[0]).toMatchObject({
      status: 'release',
      noop: false,
      nodes: { added: [], removed: [], changed: [] },
    });
    expect(run.outputs.plan).toContain(
      '**Deploy:** no content change, and the live version is verified with it: the deploy imports nothing',
    );
    expect(run.outputs.plan).not.toContain('####');
  });

  it('warns that merging overwrites edits made in the UI since the last release', async () => {
    const { w, base, pr } = await releasedWorld();
    world = w;
    const edited = echoDefinition('alpha', A);
    startOf(edited).data.title = 'Start (edited in the UI)';
    await editLiveApp(w, edited, { publish: true });
    const next = echoDefinition('alpha', A, '1.1.0');
    next.description = 'A new description only';
    await w.commit([next, echoDefinition('beta', B)], 'describe alpha');

    const run = await w.run({ command: 'plan' }, { GITHUB_EVENT_PATH: await writePullRequestEvent(w, { number: pr, base }) });
    expect(run.code, run.stdout).toBe(0);
    const plan = run.outputs.plan;
    expect(plan).toContain('| `alpha` | – → 1.1.0 | ✏️ 1 node changed · ⚠️ live drifted |');
    expect(plan).toContain('> **Drift:** the live app differs from the last release `alpha@v1.0.0`');
    expect(plan).toContain('- `title`: `"Start"` → `"Start (edited in the UI)"`'); // release → live
    expect(plan).toContain('- `title`: `"Start (edited in the UI)"` → `"Start"`'); // what the merge does
    expect(JSON.parse(run.outputs.changes)[0].drift).toEqual({ tag: 'alpha@v1.0.0', adopted: false, nodes_changed: 1 });
  });

  it('warns that merging overwrites unpublished edits in the draft, with the edits', async () => {
    const { w, base, pr } = await releasedWorld();
    world = w;
    const drafted = echoDefinition('alpha', A);
    startOf(drafted).data.title = 'Start (draft only)';
    await editLiveApp(w, drafted, { publish: false });
    const next = echoDefinition('alpha', A, '1.1.0');
    next.dsl.workflow!.graph.nodes.find((n) => n.data.type === 'end')!.data.title = 'Finish';
    await w.commit([next, echoDefinition('beta', B)], 'rename the end node');
    const event = await writePullRequestEvent(w, { number: pr, base });

    const run = await w.run({ command: 'plan' }, { GITHUB_EVENT_PATH: event });
    expect(run.code, run.stdout).toBe(0);
    const plan = run.outputs.plan;
    expect(plan).toContain('| `alpha` | 1.0.0 → 1.1.0 | ✏️ 1 node changed · ⚠️ unpublished draft edits |');
    expect(plan).toContain(
      "> **Unpublished edits:** the draft in Dify's editor differs from the published version `1.0.0`. Unpublished edits in Dify's editor would be overwritten by this merge",
    );
    expect(plan).toContain('- `title`: `"Start"` → `"Start (draft only)"`'); // published → draft
    expect(plan).not.toContain('**Drift:**'); // the published version is still the release
    expect(JSON.parse(run.outputs.changes)[0].draft).toEqual({
      against: 'published',
      against_name: '1.0.0',
      adopted: false,
      nodes_changed: 1,
    });
    const again = await w.run({ command: 'plan' }, { GITHUB_EVENT_PATH: event });
    expect(again.outputs.plan).toBe(plan);
  });

  it("posts its own comment instead of editing a person's comment that quotes the marker", async () => {
    const { w, base, pr } = await releasedWorld();
    world = w;
    const alpha = echoDefinition('alpha', A, '1.1.0');
    startOf(alpha).data.title = 'Begin';
    await w.commit([alpha, echoDefinition('beta', B)], 'rename start');
    const quoted = w.github.addComment(pr, '<!-- dify-gitops:plan:production -->\nCopied from the bot: why is alpha changing?');
    w.github.state.comments.find((c) => c.id === quoted)!.user = { login: 'reviewer', type: 'User' };

    const run = await w.run({ command: 'plan' }, { GITHUB_EVENT_PATH: await writePullRequestEvent(w, { number: pr, base }) });
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toContain('Posted the plan comment on pull request #1.');
    const comments = w.github.state.comments.filter((c) => c.issue_number === pr);
    expect(comments).toHaveLength(2);
    expect(comments.find((c) => c.id === quoted)!.body).toBe(
      '<!-- dify-gitops:plan:production -->\nCopied from the bot: why is alpha changing?',
    );
    expect(comments.find((c) => c.id !== quoted)!.body).toBe(`<!-- dify-gitops:plan:production -->\n${run.outputs.plan}`);
  });

  it('from a fork (no Dify credentials): validates offline and diffs against the base', async () => {
    const { w, base, pr } = await releasedWorld();
    world = w;
    const alpha = echoDefinition('alpha', A, '1.1.0');
    startOf(alpha).data.title = 'Begin';
    await w.commit([alpha, echoDefinition('beta', B)], 'rename start');
    const before = w.emulator.state().requests.length;

    const run = await w.run(
      { command: 'plan', 'dify-email': '', 'dify-password': '', 'base-ref': base },
      { GITHUB_EVENT_PATH: await writePullRequestEvent(w, { number: pr, base, fork: true }) },
    );
    expect(run.code, run.stdout).toBe(0);
    expect(w.emulator.state().requests.length).toBe(before); // Dify was not even contacted
    expect(run.outputs.plan).toContain(
      '> **Offline plan.** This pull request comes from a fork, so it gets no secrets and Dify cannot be read.',
    );
    expect(run.outputs.plan).toContain(`compared with the base \`${base}\``);
    expect(run.outputs.plan).toContain('- `title`: `"Start"` → `"Begin"`');
    expect(JSON.parse(run.outputs.changes)[0]).toMatchObject({ mode: 'offline', version_from: '1.0.0', version_to: '1.1.0', noop: null });
  });

  it('an invalid changed definition fails the plan and says why', async () => {
    const { w, base, pr } = await releasedWorld();
    world = w;
    const broken = echoDefinition('alpha', A, '1.1.0');
    broken.dsl.workflow!.graph.edges.push({ id: 'dangling', source: 'nowhere', target: 'also-nowhere' });
    await w.commit([broken, echoDefinition('beta', B)], 'break alpha');
    const run = await w.run({ command: 'plan' }, { GITHUB_EVENT_PATH: await writePullRequestEvent(w, { number: pr, base }) });
    expect(run.code).toBe(1);
    expect(run.outputs.plan).toContain('| `alpha` | – → 1.1.0 | ❌ invalid |');
    expect(w.github.state.comments.filter((c) => c.issue_number === pr)).toHaveLength(1);
  });
});
