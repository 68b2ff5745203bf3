// Issue 17's deploy gate, end to end in-process: real git, the emulator over HTTP answering the
// candidate (the imported draft) and live differently by run rules. A regressing candidate is
// refused with nothing published, the draft restored and the backup kept; a fixed one is released.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runDeploy } from '../../src/commands/deploy.js';
import type { Definition } from '../../src/definition/types.js';
import { publishedWorkflowHash, workflowHash } from '../../src/definition/workflow-hash.js';
import { createGit } from '../../src/git/git.js';
import type { DefinitionOutcome } from '../../src/outcomes.js';
import { createVirtualClock } from '../../src/support/clock.js';
import { createCaptureSink } from '../support/capture-sink.js';
import { createDeployWorld, type DeployWorld, EMAIL, echoDefinition, PASSWORD } from '../support/deploy-world.js';
import { deploySettings } from '../support/settings.js';

const A = '22222222-2222-4222-8222-222222222222';
let world: DeployWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

/** v<n> of a passthrough app with three eval cases; `marker` goes into the start node's title. */
function version(v: string, marker: string, gates: NonNullable<Definition['evals']>['gates']): Definition {
  const d = echoDefinition('support', A, v);
  d.dsl.workflow!.graph.nodes.find((n) => n.data.type === 'start')!.data.title = marker;
  d.evals = {
    gates,
    cases: ['refund', 'shipping', 'hello'].map((q) => ({
      name: `asks about ${q}`,
      inputs: { query: q },
      expect: { equals: { query: q } },
    })),
  };
  return d;
}

async function deploy(w: DeployWorld, extra: Record<string, string> = {}) {
  const sink = createCaptureSink();
  const env: Record<string, string> = {
    GITHUB_WORKSPACE: w.repo.dir,
    GITHUB_API_URL: w.github.url,
    GITHUB_REPOSITORY: 'acme/flows',
    INPUT_COMMAND: 'deploy',
    'INPUT_DIFY-URL': w.emulator.url,
    'INPUT_DIFY-EMAIL': EMAIL,
    'INPUT_DIFY-PASSWORD': PASSWORD,
    'INPUT_TIMEOUT-SECONDS': '5',
    'INPUT_SMOKE-RETRIES': '0',
    'INPUT_BACKUP-DIR': path.join(w.repo.dir, '..', 'backups'),
    'INPUT_GITHUB-TOKEN': 'ghs_test_token',
    ...extra,
  };
  const settings = deploySettings(env);
  const result = await runDeploy(settings, settings.options, { git: createGit(w.repo.dir), sink, env, clock: createVirtualClock() });
  const outcome = (result.json as { outcomes: DefinitionOutcome[] }).outcomes[0];
  return { exitCode: result.exitCode, outcome, sink };
}

function app(w: DeployWorld) {
  const state = w.emulator.state().apps.find((a) => a.id === A)!;
  const live = state.published.find((p) => p.id === state.workflow_id);
  return {
    liveHash: live ? publishedWorkflowHash(live.dsl.workflow) : 'none',
    draftHash: state.draft ? publishedWorkflowHash(state.draft.dsl.workflow) : 'none',
    versions: state.published.length,
  };
}

describe('deploy gated on evals', () => {
  it('refuses a regressing candidate with nothing published, then releases the fixed one', async () => {
    world = await createDeployWorld();
    const gates = { min_pass_rate: 1, max_pass_rate_drop: 0 };
    const v1 = version('1.0.0', 'Start', gates);
    world.seed(v1);
    await world.commit([v1], 'v1');
    const first = await deploy(world);
    expect(first.exitCode, first.sink.text()).toBe(0);
    expect(first.outcome.evaluation).toMatchObject({ passed: true, live: undefined, candidate: { passed: 3, cases: 3 } });
    const released = app(world);

    // The candidate answers one case wrong wherever it runs (its graph carries the marker).
    world.emulator.scriptRules(A, [
      { when: { workflow_contains: 'Start v2', inputs: { query: 'refund' } }, outputs: { query: 'no refunds' }, tokens: 90 },
    ]);
    const v2 = version('1.1.0', 'Start v2', gates);
    await world.commit([v2], 'v2: a worse prompt');
    const since = world.emulator.state().requests.length;
    const refused = await deploy(world);
    expect(refused.exitCode).toBe(1);
    expect(refused.outcome.result).toBe('failed');
    expect(refused.outcome.notes).toContain('refused by its eval gates: nothing was published, the draft was restored from the backup');
    expect(refused.outcome.error).toMatch(
      /eval gate failed: pass rate 66\.7% < the minimum 100\.0%; pass rate 100\.0% live → 66\.7% candidate.*regressed: asks about refund/,
    );
    expect(refused.outcome.evaluation?.regressions).toEqual(['asks about refund']);
    // Nothing published: the same live version, no new one; the draft holds v1 again; the backup is kept.
    expect(app(world)).toEqual(released);
    expect(world.writes(since).filter((w) => w.path.endsWith('/workflows/publish'))).toEqual([]);
    expect(existsSync(refused.outcome.backupFile!)).toBe(true);
    const summary = refused.sink.summaries.join('\n');
    expect(summary).toContain('🔻 asks about refund');
    expect(summary).toContain('❌ a gate failed');
    // Both sides ran every case: the candidate by draft run, live by the service API.
    const runs = world.emulator.state().requests.slice(since);
    expect(runs.filter((r) => r.path === `/console/api/apps/${A}/workflows/draft/run`)).toHaveLength(3);
    expect(runs.filter((r) => r.path === '/v1/workflows/run')).toHaveLength(3);

    const v3 = version('1.2.0', 'Start v3', gates);
    await world.commit([v3], 'v3: fixed');
    const fixed = await deploy(world);
    expect(fixed.exitCode, fixed.sink.text()).toBe(0);
    expect(fixed.outcome).toMatchObject({ result: 'deployed', checks: { passed: 1, total: 1 } });
    expect(fixed.outcome.evaluation).toMatchObject({ passed: true, regressions: [], live: { passed: 3 } });
    expect(app(world).liveHash).toBe(workflowHash(v3.dsl));
  });

  it('refuses a candidate that passes every case but costs too many tokens or takes too long', async () => {
    world = await createDeployWorld();
    const v1 = version('1.0.0', 'Start', {});
    world.seed(v1, { published: true });
    world.emulator.scriptRules(A, [
      { when: { version: 'draft' }, tokens: 130, latency_ms: 40 },
      { when: { version: 'published' }, tokens: 100 },
    ]);
    const v2 = version('1.1.0', 'Start v2', { max_token_increase_pct: 20 });
    await world.commit([v2], 'v2');
    const dry = await deploy(world, { 'INPUT_DRY-RUN': 'true' });
    expect(dry.sink.text()).toContain('run 3 eval case(s) against the draft and live (publishing only if every gate passes)');
    expect(world.emulator.state().requests.some((r) => r.path.endsWith('/draft/run'))).toBe(false);
    const tokens = await deploy(world);
    expect(tokens.exitCode).toBe(1);
    expect(tokens.outcome.error).toContain('tokens 300 live → 390 candidate (+30.0%, allowed +20%)');
    expect(tokens.outcome.evaluation?.regressions).toEqual([]);

    const v3 = version('1.1.0', 'Start v2', { max_p95_latency_ms: 20 });
    await world.commit([v3], 'v2, latency gate');
    const slow = await deploy(world);
    expect(slow.exitCode).toBe(1);
    expect(slow.outcome.error).toMatch(/p95 latency \d+ ms > the maximum 20 ms/);
    expect(app(world).versions).toBe(1);
  });

  it('fails loudly with the backup and the exact command when the draft cannot be put back', async () => {
    world = await createDeployWorld();
    const v1 = version('1.0.0', 'Start', {});
    world.seed(v1, { published: true, draft: true });
    const w = world;
    // Slow candidate runs give the test time to break imports after the candidate's own import.
    w.emulator.scriptRules(A, [{ when: { version: 'draft' }, outputs: { query: 'wrong' }, latency_ms: 300 }]);
    await w.commit([version('1.1.0', 'Start v2', { min_pass_rate: 1 })], 'v2');
    const breakImports = (async () => {
      while (!w.emulator.state().requests.some((r) => r.path.endsWith('/workflows/draft/run'))) await new Promise((r) => setTimeout(r, 5));
      w.emulator.injectFault({ match: { method: 'POST', path: '/console/api/apps/imports' }, respond: { status: 500 }, times: 10 });
    })();
    const run = await deploy(w);
    await breakImports;
    expect(run.exitCode).toBe(1);
    expect(run.outcome.result).toBe('restore-failed');
    expect(run.outcome.manualCommand).toMatch(/rollback/);
    expect(existsSync(run.outcome.backupFile!)).toBe(true);
    expect(app(w).versions).toBe(1);
  });

  it('refuses, before writing anything, to deploy eval cases with a token that cannot run a draft', async () => {
    world = await createDeployWorld({ openapi: true });
    const w = world;
    const v1 = version('1.0.0', 'Start', { min_pass_rate: 1 });
    v1.service_key = { '*': 'SUPPORT_KEY' };
    const { api_key } = w.emulator.seedApp({ id: A, mode: 'workflow', name: 'support' });
    await w.commit([v1], 'v1');
    const since = w.emulator.state().requests.length;
    const sink = createCaptureSink();
    const env: Record<string, string> = {
      GITHUB_WORKSPACE: w.repo.dir,
      INPUT_COMMAND: 'deploy',
      INPUT_ALL: 'true',
      'INPUT_DIFY-URL': w.emulator.url,
      'INPUT_DIFY-TOKEN': 'dfoa_emulator_token_0123456789',
      'INPUT_BACKUP-DIR': path.join(w.repo.dir, '..', 'backups'),
      SUPPORT_KEY: api_key,
    };
    const settings = deploySettings(env);
    const result = await runDeploy(settings, settings.options, { git: createGit(w.repo.dir), sink, env, clock: createVirtualClock() });
    const outcome = (result.json as { outcomes: DefinitionOutcome[] }).outcomes[0];
    expect(result.exitCode).toBe(1);
    expect(outcome).toMatchObject({ result: 'failed', pointer: '/evals' });
    expect(outcome.error).toContain('cannot run a draft');
    expect(w.writes(since)).toEqual([]);
  });
});
