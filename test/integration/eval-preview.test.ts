// Preview apps: `eval --preview` on a pull request runs the candidate in an app of its own (never in
// the environment app or its draft), and `cleanup-previews` deletes previews of closed pull requests
// only, never another repository's or a look-alike. Emulator over HTTP, real git, loopback GitHub.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCleanupPreviews } from '../../src/commands/cleanup-previews.js';
import { runEval } from '../../src/commands/eval.js';
import type { Definition } from '../../src/definition/types.js';
import { publishedWorkflowHash } from '../../src/definition/workflow-hash.js';
import { createGit } from '../../src/git/git.js';
import { readActionSettings } from '../../src/settings.js';
import { isUserError } from '../../src/support/errors.js';
import { createCaptureSink } from '../support/capture-sink.js';
import { createDeployWorld, type DeployWorld, EMAIL, echoDefinition, PASSWORD } from '../support/deploy-world.js';
import { settingsFor } from '../support/settings.js';

const A = '55555555-5555-4555-8555-555555555555';
let world: DeployWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

function version(v: string, marker: string): Definition {
  const d = echoDefinition('triage', A, v);
  d.dsl.workflow!.graph.nodes.find((n) => n.data.type === 'start')!.data.title = marker;
  d.evals = {
    gates: { max_pass_rate_drop: 0 },
    cases: ['billing', 'outage'].map((q) => ({ name: q, inputs: { query: q }, expect: { equals: { query: q } } })),
  };
  return d;
}

async function env(w: DeployWorld, command: string, pr?: { number: number; base: string }) {
  const vars: Record<string, string> = {
    GITHUB_WORKSPACE: w.repo.dir,
    GITHUB_API_URL: w.github.url,
    GITHUB_REPOSITORY: 'acme/flows',
    INPUT_COMMAND: command,
    INPUT_PREVIEW: 'true',
    'INPUT_DIFY-URL': w.emulator.url,
    'INPUT_DIFY-EMAIL': EMAIL,
    'INPUT_DIFY-PASSWORD': PASSWORD,
    'INPUT_TIMEOUT-SECONDS': '5',
    'INPUT_EVAL-REPORT': path.join(w.repo.dir, '..', 'eval.json'),
    'INPUT_GITHUB-TOKEN': 'ghs_test_token',
  };
  if (pr) {
    const event = path.join(w.repo.dir, '..', 'event.json');
    await writeFile(
      event,
      JSON.stringify({
        pull_request: {
          number: pr.number,
          base: { sha: pr.base, repo: { full_name: 'acme/flows' } },
          head: { repo: { full_name: 'acme/flows' } },
        },
      }),
    );
    Object.assign(vars, { GITHUB_EVENT_PATH: event, GITHUB_EVENT_NAME: 'pull_request' });
  } else {
    vars.INPUT_ALL = 'true';
  }
  return vars;
}

async function evalOn(w: DeployWorld, pr?: { number: number; base: string }) {
  const vars = await env(w, 'eval', pr);
  const settings = readActionSettings(vars);
  const sink = createCaptureSink();
  const result = await runEval(settings, settingsFor(settings, 'eval').options, { git: createGit(w.repo.dir), sink, env: vars });
  return { ...result, sink };
}

async function cleanup(w: DeployWorld) {
  const vars = await env(w, 'cleanup-previews');
  const settings = readActionSettings(vars);
  const sink = createCaptureSink();
  return { ...(await runCleanupPreviews(settings, settingsFor(settings, 'cleanup-previews').options, { sink })), sink };
}

describe('preview apps', () => {
  it('evaluates a pull request in its own app, reused on the next push, leaving the environment app alone', async () => {
    world = await createDeployWorld();
    const w = world;
    const v1 = version('1.0.0', 'Start');
    w.seed(v1, { published: true, draft: true });
    const base = await w.commit([v1], 'v1');
    // "*": every app, the preview the eval is about to create included: the candidate answers by its content.
    w.emulator.scriptRules('*', [{ when: { workflow_contains: 'Start v2', inputs: { query: 'outage' } }, outputs: { query: 'all fine' } }]);
    await w.commit([version('1.1.0', 'Start v2')], 'v2');
    const pr = w.github.addIssue({ title: 'v2', pull: true });
    const appA = () => w.emulator.state().apps.find((a) => a.id === A)!;
    const draftBefore = publishedWorkflowHash(appA().draft!.dsl.workflow);
    const since = w.emulator.state().requests.length;

    const first = await evalOn(w, { number: pr, base });
    expect(first.exitCode, first.sink.text()).toBe(1);
    const previews = () => w.emulator.state().apps.filter((a) => a.name === `triage (PR #${pr})`);
    expect(previews()).toHaveLength(1);
    const preview = previews()[0];
    expect(preview.description).toBe(`dify-gitops preview of acme/flows#${pr}: triage`);
    expect(preview.api_keys, first.sink.text()).toHaveLength(1);
    // The candidate never touched the environment app: no import into it, no draft run on it, its draft as it was.
    const requests = w.emulator.state().requests.slice(since);
    expect(requests.some((r) => r.path === `/console/api/apps/${A}/workflows/draft/run`)).toBe(false);
    expect(requests.filter((r) => r.path === `/console/api/apps/${preview.id}/workflows/draft/run`)).toHaveLength(2);
    expect(publishedWorkflowHash(appA().draft!.dsl.workflow)).toBe(draftBefore);
    expect(appA().published).toHaveLength(1);
    const comment = String(w.github.state.comments.find((c) => c.issue_number === pr)?.body);
    expect(comment).toContain(`](${w.emulator.url}/app/${preview.id}/workflow)`);
    expect(comment).toContain('🔻 outage');
    for (const key of preview.api_keys) expect(first.sink.text()).not.toContain(key.token);

    const again = await evalOn(w, { number: pr, base });
    expect(again.exitCode).toBe(1);
    expect(previews()).toHaveLength(1);
  });

  it('refuses preview without a pull request before writing anything', async () => {
    world = await createDeployWorld();
    const w = world;
    w.seed(version('1.0.0', 'Start'), { published: true });
    await w.commit([version('1.0.0', 'Start')], 'v1');
    const since = w.emulator.state().requests.length;
    const error = await evalOn(w).catch((e: unknown) => e);
    expect(isUserError(error, 'usage') && error.message).toMatch(/preview: true runs on a pull request/);
    expect(w.writes(since)).toEqual([]);
  });

  it('deletes previews of closed pull requests only', async () => {
    world = await createDeployWorld();
    const w = world;
    const open = w.github.addIssue({ title: 'open', pull: true });
    const closed = w.github.addIssue({ title: 'closed', pull: true });
    w.github.state.issues.find((i) => i.number === closed)!.state = 'closed';
    const seed = (name: string, description: string) => ({ id: w.emulator.seedApp({ mode: 'workflow', name }).id, description });
    const apps = [
      seed(`triage (PR #${open})`, `dify-gitops preview of acme/flows#${open}: triage`),
      seed(`triage (PR #${closed})`, `dify-gitops preview of acme/flows#${closed}: triage`),
      seed(`triage (PR #${closed})`, `dify-gitops preview of other/repo#${closed}: triage`),
      seed(`support (PR #${closed})`, 'a team app that only looks like a preview'),
    ];
    // Descriptions are what a preview's import wrote: set them the same way.
    await setDescriptions(w, apps);
    const result = await cleanup(w);
    expect(result.exitCode, result.sink.text()).toBe(0);
    const left = w.emulator.state().apps.map((a) => a.id);
    expect(left).toEqual(expect.arrayContaining([apps[0].id, apps[2].id, apps[3].id]));
    expect(left).not.toContain(apps[1].id);
    expect((result.json as { previews: Array<{ result: string }> }).previews.map((p) => p.result).sort()).toEqual(['deleted', 'kept']);
  });
});

/** Imports a minimal DSL whose app block carries the description, as a preview's import does. */
async function setDescriptions(w: DeployWorld, apps: Array<{ id: string; description: string }>) {
  const { createDifyConsole } = await import('../../src/dify/index.js');
  const { stringifyPyYaml } = await import('../../src/support/pyyaml.js');
  const dify = await createDifyConsole(
    { baseUrl: w.emulator.url, email: EMAIL, password: PASSWORD, timeoutMs: 5000, maxAttempts: 1 },
    { log: () => {} },
  );
  const d = echoDefinition('x', A);
  for (const app of apps) {
    const name = w.emulator.state().apps.find((a) => a.id === app.id)!.name;
    const dsl = { ...d.dsl, app: { ...d.dsl.app, name, description: app.description } };
    await dify.importDsl(app.id, stringifyPyYaml(dsl));
  }
  await dify.close?.();
}
