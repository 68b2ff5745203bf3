// Cancellation of the other commands that write: a manual rollback of several definitions, a key
// rotation (with and without redeploy-secrets), and a pull that opens a pull request. The built
// action runs as a child process and gets real signals (SIGINT, then SIGTERM) while the emulator
// holds one of its requests ('delay' faults, or a run that hangs with pings). End states are read from the emulator and the loopback GitHub API, not from the log.
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { publishedWorkflowHash, workflowHash } from '../../src/definition/workflow-hash.js';
import { createDeployWorld, echoDefinition, runCli, type DeployWorld } from '../support/deploy-world.js';
import { openStoredSecret } from '../support/open-sealed-secret.js';
import { editLiveApp } from '../e2e/live-edit.js';
import type { ActionRun } from '../support/run-action.js';
import { cancelAt, seen } from '../support/cancel.js';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
const RUN = '/v1/workflows/run';
const HUNG = { latency_ms: 600_000 };
// Each case deploys or rotates first, then runs the action and sometimes the CLI: two cores under load need minutes, not 30 s.
const SLOW = 180_000;

function liveOf(world: DeployWorld, id: string) {
  const app = world.emulator.state().apps.find((a) => a.id === id)!;
  const live = app.published.find((p) => p.id === app.workflow_id);
  return {
    hash: live ? publishedWorkflowHash(live.dsl.workflow) : 'none',
    name: live?.marked_name,
    verified: live?.marked_comment.startsWith('✓ ') ?? false,
  };
}

function assertReported(run: ActionRun) {
  const log = `${run.stdout}\n${run.stderr}`;
  expect(run.code, log).not.toBe(0);
  expect(run.signal, 'the process was killed instead of finishing').toBeUndefined();
  expect(log).toMatch(/Received SIGINT: cancelling/);
  expect(run.summary).toMatch(/cancelled/);
}

describe.concurrent('rollback × cancel (SIGINT, then SIGTERM), the built action', { timeout: SLOW }, () => {
  /** alpha and beta: 1.0.0 then 1.1.0 deployed and released; a rollback of both to 1.0.0 is asked for. */
  async function twoReleased() {
    const world = await createDeployWorld({ pingIntervalMs: 100 });
    const v1 = [echoDefinition('alpha', A, '1.0.0'), echoDefinition('beta', B, '1.0.0')];
    for (const d of v1) {
      d.smoke![0].expect.max_latency_ms = 60_000;
      world.seed(d);
    }
    await world.commit(v1, 'v1');
    const first = await world.deploy({ all: 'true' });
    expect(first.code, first.stdout).toBe(0);
    const v2 = [echoDefinition('alpha', A, '1.1.0'), echoDefinition('beta', B, '1.1.0')];
    for (const d of v2) {
      d.smoke![0].expect.max_latency_ms = 60_000;
      d.dsl.workflow!.graph.nodes.find((n) => n.data.type === 'start')!.data.title = 'Start v2';
    }
    await world.commit(v2, 'v2');
    const second = await world.deploy({ all: 'true' });
    expect(second.code, second.stdout).toBe(0);
    return {
      world,
      v1Hash: workflowHash(v1[0].dsl),
      v2Hash: workflowHash(v2[0].dsl),
      v1bHash: workflowHash(v1[1].dsl),
      v2bHash: workflowHash(v2[1].dsl),
    };
  }
  const rollbackAll = (w: DeployWorld) => () =>
    w.start({ command: 'rollback', workflow: 'all', to: '1.0.0', 'smoke-retries': '0', 'timeout-seconds': '30' });

  it('SIGINT at the held publish of the first: it finishes and is verified; the second is not started and its command printed', async () => {
    const { world, v1Hash, v2bHash } = await twoReleased();
    try {
      const publishA = `/console/api/apps/${A}/workflows/publish`;
      world.emulator.injectFault({ match: { method: 'POST', path: publishA }, respond: 'delay', latency_ms: 2500, times: 1 });
      const { run, since } = await cancelAt(world, rollbackAll(world), { at: seen('POST', publishA) });
      assertReported(run);
      expect(run.stdout).toMatch(/Received SIGINT: cancelling\. No further restore starts/);
      // alpha: restored to 1.0.0 and verified (its own smoke check ran and it was marked ✓).
      expect(liveOf(world, A), run.stdout).toEqual({ hash: v1Hash, name: '1.0.0', verified: true });
      // beta: nothing written, still 1.1.0 as verified before; the command that finishes it is printed.
      expect(liveOf(world, B)).toEqual({ hash: v2bHash, name: '1.1.0', verified: true });
      expect(world.writes(since).filter((q) => q.path.includes(B))).toEqual([]);
      // In Actions, the printed command dispatches the rollback workflow.
      const betaCommand = 'gh workflow run rollback.yml -f workflow=beta -f to=1.0.0 -f environment=production';
      expect(run.stdout).toContain(`Finish by hand: ${betaCommand}`);
      expect(run.summary).toMatch(/↩️ rolled back/);
      expect(run.summary).toContain(betaCommand);
      expect(run.summary).toMatch(/no further restore was started/);
    } finally {
      await world.cleanup();
    }
  });

  it('SIGINT, then SIGTERM while the smoke run of the restore hangs: NOT verified, loudly, and the printed command finishes it', async () => {
    const { world, v1Hash, v2bHash } = await twoReleased();
    try {
      const command = 'gh workflow run rollback.yml -f workflow=alpha -f to=1.0.0 -f environment=production';
      world.emulator.scriptRuns(A, [HUNG]);
      const { run } = await cancelAt(world, rollbackAll(world), {
        at: seen('POST', RUN),
        term: () => true, // right after SIGINT: 1.5 s left
      });
      assertReported(run);
      expect(run.stdout).toMatch(/Received SIGTERM again: finishing the restore in progress/);
      expect(run.stdout + run.stderr).toContain(`Finish by hand: ${command}`);
      expect(run.stdout).toMatch(/NOT verified: the job's time ran out during its smoke check/);
      expect(run.summary).toMatch(/🚨 NOT restored/);
      expect(run.summary).toContain(command);
      // 1.0.0 is live again but never proved healthy: not marked verified, so nothing treats it as done.
      expect(liveOf(world, A)).toEqual({ hash: v1Hash, name: '1.0.0', verified: false });
      expect(liveOf(world, B)).toEqual({ hash: v2bHash, name: '1.1.0', verified: true });
      // What the printed dispatch runs (the rollback workflow: the action with these inputs), from a terminal once Dify answers.
      const ran = await runCli(world, ['rollback', '--workflow', 'alpha', '--to', '1.0.0', '--environment', 'production']);
      expect(ran.code, ran.stdout + ran.stderr).toBe(0);
      expect(liveOf(world, A)).toEqual({ hash: v1Hash, name: '1.0.0', verified: true });
    } finally {
      await world.cleanup();
    }
  });
});

describe.concurrent('rotate-keys × cancel (SIGINT, then SIGTERM), the built action', { timeout: SLOW }, () => {
  const KEYS = `/console/api/apps/${A}/api-keys`;
  const DELETE_KEY = new RegExp(`^/console/api/apps/${A}/api-keys/[^/]+$`);
  const app = (w: DeployWorld) => w.emulator.state().apps.find((a) => a.id === A)!;
  const keyIds = (w: DeployWorld) => app(w).api_keys.map((k) => k.id);
  const ledger = (w: DeployWorld) => JSON.parse(w.github.state.variables.get('/DIFY_GITOPS_KEYS')?.value ?? '{}');

  /** alpha published, one rotation done (key k1 current, handed to DIFY_KEY). */
  async function rotatedOnce() {
    const world = await createDeployWorld({ pingIntervalMs: 100 });
    const definition = echoDefinition('alpha', A);
    world.emulator.seedApp({ id: A, mode: 'workflow', name: 'alpha', dsl: stringify(definition.dsl), published: true });
    await world.commit([definition]);
    const first = await world.run({ command: 'rotate-keys', workflow: 'alpha', 'secret-name': 'DIFY_KEY' });
    expect(first.code, first.stdout).toBe(0);
    return { world, before: { keys: keyIds(world), secret: await openStoredSecret(world.github, 'DIFY_KEY'), ledger: ledger(world) } };
  }
  // A zero grace: a successful run would revoke the replaced key at its end. A cancelled one must not.
  const rotate = (w: DeployWorld) => () =>
    w.start({ command: 'rotate-keys', workflow: 'alpha', 'secret-name': 'DIFY_KEY', grace: '0s', 'smoke-retries': '0' });

  it('SIGINT at the held key creation: the new key is deleted, never handed over; nothing is revoked; ledger unchanged', async () => {
    const { world, before } = await rotatedOnce();
    try {
      world.emulator.injectFault({ match: { method: 'POST', path: KEYS }, respond: 'delay', latency_ms: 2500, times: 1 });
      const { run } = await cancelAt(world, rotate(world), { at: seen('POST', KEYS) });
      assertReported(run);
      expect(run.stdout).toMatch(/the job was cancelled before key \S+ was handed over; it was deleted and consumers keep the current key/);
      expect(run.summary).toMatch(/Nothing was revoked/);
      expect(keyIds(world)).toEqual(before.keys);
      expect(ledger(world)).toEqual(before.ledger);
      expect(await openStoredSecret(world.github, 'DIFY_KEY')).toBe(before.secret);
      expect(run.outputs['api-key']).toBeUndefined();
    } finally {
      await world.cleanup();
    }
  });

  it('SIGINT at the held creation, SIGTERM while its deletion hangs: the unhanded key is reported and recorded unused; nothing revoked', async () => {
    const { world, before } = await rotatedOnce();
    try {
      world.emulator.injectFault({ match: { method: 'POST', path: KEYS }, respond: 'delay', latency_ms: 2500, times: 1 });
      const { run } = await cancelAt(world, rotate(world), {
        at: seen('POST', KEYS),
        onInterrupt: (w) => w.emulator.injectFault({ match: { method: 'DELETE', path: DELETE_KEY.source }, respond: 'hang' }),
        term: seen('DELETE', DELETE_KEY),
      });
      assertReported(run);
      expect(run.stdout).toMatch(/Received SIGTERM again/);
      const created = keyIds(world).filter((id) => !before.keys.includes(id));
      // Every key there was is still there (k1 was not revoked), plus the one created and never handed over.
      expect(keyIds(world)).toEqual([...before.keys, ...created]);
      expect(created).toHaveLength(1);
      expect(run.stdout).toContain(`the job was cancelled before key ${created[0]} was handed over, and it could NOT be deleted`);
      expect(run.summary).toContain(created[0]);
      // The ledger knows it: recorded as unused (a later run deletes it), and k1 stays current.
      const entry = ledger(world)['alpha/production'];
      expect(entry.current).toBe(before.ledger['alpha/production'].current);
      expect(JSON.stringify(entry)).toContain(created[0]);
      expect(await openStoredSecret(world.github, 'DIFY_KEY')).toBe(before.secret);
    } finally {
      await world.cleanup();
    }
  });

  it('--redeploy-secrets, SIGINT while the re-published version is being smoke-checked: it is restored and verified; nothing revoked', async () => {
    const OLD = 'sk-old-7f3a9c1e5b2d4f6a8c0e';
    const NEW = 'sk-new-2b4d6f8a0c1e3a5c7e9f';
    const world = await createDeployWorld({ pingIntervalMs: 100 });
    try {
      const d = echoDefinition('alpha', A);
      d.smoke![0].expect.max_latency_ms = 60_000;
      d.dsl.workflow!.environment_variables = [
        { id: '5b0d7c3e-1f2a-4b3c-8d4e-5f6a7b8c9d0e', name: 'SEARCH_API_KEY', value: '', value_type: 'secret', description: '' },
      ];
      d.secrets = { SEARCH_API_KEY: 'SEARCH_KEY' };
      world.seed(d);
      await world.commit([d]);
      const deployed = await world.deploy({ all: 'true' }, { SEARCH_KEY: OLD });
      expect(deployed.code, deployed.stdout).toBe(0);
      const first = await world.run({ command: 'rotate-keys', workflow: 'alpha', 'secret-name': 'DIFY_KEY', grace: '0s' });
      expect(first.code, first.stdout).toBe(0);
      const keysBefore = keyIds(world);
      const liveSecret = () => {
        const a = app(world);
        const live = a.published.find((p) => p.id === a.workflow_id)!;
        return (live.dsl.workflow as { environment_variables: Array<Record<string, unknown>> }).environment_variables[0].value;
      };
      // The new key's own check passes; the smoke run after the redeploy hangs (with pings) until abandoned.
      world.emulator.scriptRuns(A, [{ status: 'succeeded' }, HUNG]);
      const { run } = await cancelAt(
        world,
        () =>
          world.start(
            {
              command: 'rotate-keys',
              workflow: 'alpha',
              'secret-name': 'DIFY_KEY',
              grace: '0s',
              'redeploy-secrets': 'true',
              'smoke-retries': '0',
            },
            { SEARCH_KEY: NEW },
          ),
        { at: seen('POST', RUN, 2) },
      );
      assertReported(run);
      expect(run.stdout).toMatch(/the job was cancelled after 1\.0\.0 was re-published with fresh secret values, before it was verified/);
      expect(run.stdout).toMatch(/restored the version published before \(1\.0\.0\), verified/);
      expect(run.summary).toMatch(/\| alpha \| ↩️ rolled back \|/);
      expect(liveSecret()).toBe(OLD);
      expect(liveOf(world, A)).toMatchObject({ name: '1.0.0', verified: true });
      // The abandoned run was stopped in Dify, and the replaced key (due at once with grace 0s) was kept.
      expect(world.emulator.state().requests.some((q) => /^\/v1\/workflows\/tasks\/[^/]+\/stop$/.test(q.path))).toBe(true);
      expect(run.summary).toMatch(/Nothing was revoked|No replaced key was revoked/);
      for (const id of keysBefore) expect(keyIds(world)).toContain(id);
    } finally {
      await world.cleanup();
    }
  });
});

describe('pull with pull-request × cancel (SIGINT), the built action', { timeout: SLOW }, () => {
  it('SIGINT at the held export of the second: it finishes, but no branch is pushed and no pull request opened', async () => {
    const world = await createDeployWorld();
    try {
      const defs = [echoDefinition('alpha', A), echoDefinition('beta', B)];
      for (const d of defs) world.seed(d);
      await world.commit(defs);
      expect((await world.deploy({ all: 'true' })).code).toBe(0);
      const edited = echoDefinition('beta', B);
      edited.dsl.workflow!.graph.nodes.find((n) => n.data.type === 'end')!.data.title = 'Finish';
      await editLiveApp(world, edited, { publish: false });
      const exportB = `/console/api/apps/${B}/export`;
      world.emulator.injectFault({ match: { method: 'GET', path: exportB }, respond: 'delay', latency_ms: 2500, times: 1 });
      const { run } = await cancelAt(world, () => world.start({ command: 'pull', workflow: 'all', 'pull-request': 'true' }), {
        at: seen('GET', exportB),
      });
      assertReported(run);
      expect(run.stdout).toMatch(/no branch is pushed and no pull request opened/);
      expect(run.summary).toMatch(/no branch was pushed and no pull request opened/);
      expect(await world.repo.git(['ls-remote', 'origin', 'refs/heads/dify-gitops/pull-production'])).toBe('');
      expect(world.github.state.pulls).toHaveLength(0);
    } finally {
      await world.cleanup();
    }
  });
});
