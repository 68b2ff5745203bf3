// The plan comment as GitHub receives it: the plan command in-process against the Dify emulator
// (live) or from a fork (offline), posting through the loopback GitHub API, which refuses bodies
// over 65,536 characters as GitHub does.
import { afterEach, describe, expect, it } from 'vitest';
import { runCommand } from '../../src/main.js';
import { readActionSettings } from '../../src/settings.js';
import type { Definition, DslNode } from '../../src/definition/types.js';
import { createCaptureSink } from '../support/capture-sink.js';
import { createDeployWorld, EMAIL, exampleDefinition, PASSWORD, type DeployWorld } from '../support/deploy-world.js';
import { writePullRequestEvent } from '../e2e/live-edit.js';

const RUN_URL = 'https://github.example/acme/flows/actions/runs/42';
let world: DeployWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

/** iteration-format (a template node inside an iteration, a code node) with a ~2,000-character template. */
function templated(name: string, appId: string, version: string, language: string): Definition {
  const d = structuredClone(exampleDefinition('iteration-format.json'));
  const node = (type: string): DslNode => d.dsl.workflow!.graph.nodes.find((n) => n.data.type === type)!;
  const rules = Array.from({ length: 40 }, (_, i) => `Rule ${i + 1}: keep every item exactly as it was given.`).join(' ');
  node('template-transform').data.template = `${rules} Write the output in ${language}: {{ arg1 }}`;
  return { ...d, name, version, app: { '*': appId }, dsl: { ...d.dsl, app: { ...d.dsl.app, name } } };
}

async function plan(w: DeployWorld, event: string, inputs: Record<string, string> = {}) {
  const env: Record<string, string> = {
    GITHUB_WORKSPACE: w.repo.dir,
    GITHUB_API_URL: w.github.url,
    GITHUB_REPOSITORY: 'acme/flows',
    GITHUB_SERVER_URL: 'https://github.example',
    GITHUB_RUN_ID: '42',
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: event,
  };
  const all = {
    command: 'plan',
    'dify-url': w.emulator.url,
    'dify-email': EMAIL,
    'dify-password': PASSWORD,
    'github-token': 'ghs_test_token',
    ...inputs,
  };
  for (const [k, v] of Object.entries(all)) env[`INPUT_${k.toUpperCase()}`] = v;
  const sink = createCaptureSink();
  const outcome = await runCommand(readActionSettings(env), sink);
  return { ...outcome, sink };
}

describe('the plan comment on a pull request', () => {
  it('shows a one-word change at the end of a 2,000-character template, highlighted, in a folded section', async () => {
    world = await createDeployWorld();
    const id = '4c6e8a0b-2d3f-4b5c-9e7a-9c1d3e5f7a46';
    const before = templated('formatter', id, '1.0.0', 'English');
    world.seed(before, { published: true });
    const base = await world.commit([before], 'formatter 1.0.0');
    const after = templated('formatter', id, '1.1.0', 'French');
    await world.commit([after], 'formatter: answer in French');
    const pr = world.github.addIssue({ title: 'French output', pull: true });

    const run = await plan(world, await writePullRequestEvent(world, { number: pr, base }));
    expect(run.exitCode, run.sink.lines.join('\n')).toBe(0);
    expect(run.sink.outputs['has-changes']).toBe('true');
    const comments = world.github.state.comments.filter((c) => c.issue_number === pr);
    expect(comments).toHaveLength(1);
    const body = String(comments[0].body);
    const section = body.slice(body.indexOf('<details open>'), body.indexOf('</details>'));
    expect(section).toContain('<summary>✏️ <code>formatter</code>: unnamed version → 1.1.0 · 1 node changed</summary>');
    expect(section).toContain('`template` (1 change, word by word):');
    expect(section).toContain(
      '<pre>…item exactly as it was given. Write the output in <del>English</del><ins><b>French</b></ins>: {{ arg1 }}</pre>',
    );
    expect(section).toContain('```mermaid\nflowchart LR\n');
    expect(body).toContain(`[workflow run](${RUN_URL})`);
    // The job summary renders the same sections.
    expect(run.sink.summaries.join('\n')).toContain(section);
  });

  it('for 300 changed definitions, posts a comment under 65,536 characters that points at the job summary', async () => {
    world = await createDeployWorld();
    const ids = Array.from({ length: 300 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    const name = (i: number) => `formatter-${String(i).padStart(3, '0')}`;
    const base = await world.commit(
      ids.map((id, i) => templated(name(i), id, '1.0.0', 'English')),
      '300 formatters',
    );
    await world.commit(
      ids.map((id, i) => templated(name(i), id, '1.1.0', 'French')),
      'every formatter answers in French',
    );
    const pr = world.github.addIssue({ title: 'French everywhere', pull: true });
    // From a fork: no secrets, so the plan compares with the base branch instead of live Dify.
    const run = await plan(world, await writePullRequestEvent(world, { number: pr, base, fork: true }));
    expect(run.exitCode, run.sink.lines.join('\n')).toBe(0);

    const comments = world.github.state.comments.filter((c) => c.issue_number === pr);
    expect(comments).toHaveLength(1);
    const body = String(comments[0].body);
    expect([...body].length).toBeLessThan(65_536);
    expect(body).toContain('**This plan is too long for a pull request comment**');
    expect(body).toContain(`Every diff is in the [job summary](${RUN_URL})`);
    expect(body.match(/^\| `formatter-\d{3}` \| 1\.0\.0 → 1\.1\.0 \| ✏️ 1 node changed \|$/gm)).toHaveLength(300);
    const summary = run.sink.summaries.join('\n');
    expect(Buffer.byteLength(summary)).toBeLessThan(1024 * 1024);
    expect(summary.match(/<del>English<\/del><ins><b>French<\/b><\/ins>/g)).toHaveLength(300);
  }, 60_000);
});
