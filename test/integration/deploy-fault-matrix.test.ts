// Issue 5's fault matrix: for each step of a deploy and each fault the emulator can inject, the run
// ends deployed-and-healthy, restored-and-healthy, or failed loudly with the backup kept, and the
// live app never differs from both the new and the previous release without the job saying so.
// The live state is read from the emulator, not from what the command printed.
import { existsSync } from 'node:fs';
import { writeFile, chmod, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runDeploy } from '../../src/commands/deploy.js';
import { createGit } from '../../src/git/git.js';
import { deploySettings } from '../support/settings.js';
import { publishedWorkflowHash, workflowHash } from '../../src/definition/workflow-hash.js';
import type { EmulatorOptions, Fault } from '../emulator/server.js';
import type { Definition } from '../../src/definition/types.js';
import { createDeployWorld, echoDefinition, EMAIL, PASSWORD, runCli, type DeployWorld } from '../support/deploy-world.js';
import { type CancelMoments, cancelAt, seen } from '../support/cancel.js';
import { createCaptureSink } from '../support/capture-sink.js';
import { createVirtualClock } from '../../src/support/clock.js';
import type { DefinitionOutcome } from '../../src/outcomes.js';
import { formatCanonical } from '../../src/definition/canonical.js';
import { runGit } from '../support/git-repo.js';

/** The recovery an action run prints: a dispatch of the rollback workflow (examples/rollback.yml). */
const DISPATCH = 'gh workflow run rollback.yml -f workflow=alpha -f to=1.0.0 -f environment=production';

const A = '11111111-1111-4111-8111-111111111111';
type Respond = Fault['respond'];

const FAULTS: Array<[string, Respond, number]> = [
  ['500', { status: 500, body: { code: 'unknown', message: 'Internal Server Error', status: 500 } }, 1],
  ['503 twice', { status: 503, body: { code: 'unavailable', message: 'busy', status: 503 } }, 2],
  [
    '429 + Retry-After',
    { status: 429, body: { code: 'too_many_requests', message: 'slow down', status: 429 }, headers: { 'Retry-After': '1' } },
    1,
  ],
  ['hang', 'hang', 1],
  ['reset', 'reset', 1],
  ['garbage', 'garbage', 1],
];

const STEPS: Array<[string, string | null, string]> = [
  ['login', 'POST', '/console/api/login'],
  ['export', 'GET', `/console/api/apps/${A}/export`],
  ['import', 'POST', '/console/api/apps/imports'],
  ['confirm', 'POST', '^/console/api/apps/imports/[^/]+/confirm$'],
  ['publish', 'POST', `/console/api/apps/${A}/workflows/publish`],
  ['key lookup', 'GET', `/console/api/apps/${A}/api-keys`],
  ['smoke run', 'POST', '/v1/workflows/run'],
];

/**
 * v1 deployed and released, v2 committed: a real change, and a DSL version the server holds as pending
 * (so confirm is exercised): 0.6.0 on a server at 0.5.0, as Dify 1.12.1 is (SERVER_DSL).
 */
/** Dify 1.12.1's DSL version (api/services/app_dsl_service.py CURRENT_DSL_VERSION). */
const SERVER_DSL = { dslVersion: '0.5.0' };

async function releasedV1(world: DeployWorld, tweak: (d: Definition) => void = () => {}) {
  const v1 = echoDefinition('alpha', A, '1.0.0');
  tweak(v1);
  world.seed(v1);
  await world.commit([v1], 'v1');
  const first = await world.deploy({ all: 'true' });
  expect(first.code, first.stdout).toBe(0);
  const v2 = echoDefinition('alpha', A, '1.1.0');
  tweak(v2);
  v2.dsl.version = '0.6.0';
  v2.dsl.workflow!.graph.nodes.find((n) => n.data.type === 'start')!.data.title = 'Start v2';
  await world.commit([v2], 'v2');
  return { v1, v2 };
}

/** The live version as the emulator holds it: content hash and marks. */
function liveOf(world: DeployWorld) {
  const app = world.emulator.state().apps.find((a) => a.id === A)!;
  const live = app.published.find((p) => p.id === app.workflow_id);
  return {
    hash: live ? publishedWorkflowHash(live.dsl.workflow) : 'none',
    name: live?.marked_name,
    verified: live?.marked_comment.startsWith('✓ ') ?? false,
  };
}

async function scenario(
  inject: (world: DeployWorld) => Promise<void> | void,
  options: { emulator?: EmulatorOptions; tweak?: (d: Definition) => void } = {},
) {
  const world = await createDeployWorld({ ...SERVER_DSL, ...options.emulator });
  try {
    const { v1, v2 } = await releasedV1(world, options.tweak);
    await inject(world);

    const sink = createCaptureSink();
    const env: Record<string, string> = {
      GITHUB_WORKSPACE: world.repo.dir,
      GITHUB_API_URL: world.github.url,
      GITHUB_REPOSITORY: 'acme/flows',
      INPUT_COMMAND: 'deploy',
      INPUT_ALL: 'true',
      'INPUT_DIFY-URL': world.emulator.url,
      'INPUT_DIFY-EMAIL': EMAIL,
      'INPUT_DIFY-PASSWORD': PASSWORD,
      'INPUT_TIMEOUT-SECONDS': '1',
      'INPUT_ALLOW-DSL-VERSION-CHANGE': 'true',
      'INPUT_SMOKE-RETRIES': '0',
      'INPUT_BACKUP-DIR': path.join(world.repo.dir, '..', 'backups'),
      'INPUT_GITHUB-TOKEN': 'ghs_test_token',
    };
    const settings = deploySettings(env);
    let exitCode: number;
    let outcomes: Array<{ result: string; backupFile?: string; manualCommand?: string; error?: string; notes: string[] }> = [];
    try {
      // Restore attempts wait on the clock: a virtual one keeps the matrix fast.
      const deps = { git: createGit(world.repo.dir), sink, env, clock: createVirtualClock() };
      const result = await runDeploy(settings, settings.options, deps);
      exitCode = result.exitCode;
      outcomes = (result.json as { outcomes: typeof outcomes }).outcomes;
    } catch (error) {
      exitCode = 1;
      sink.lines.push(`thrown: ${(error as Error).message}`);
    }
    const live = liveOf(world);
    // Read before cleanup removes the world's folders.
    const backupKept = outcomes[0]?.backupFile ? existsSync(outcomes[0].backupFile) : undefined;
    return {
      exitCode,
      outcomes,
      sink,
      liveHash: live.hash,
      live,
      backupKept,
      v1Hash: workflowHash(v1.dsl),
      v2Hash: workflowHash(v2.dsl),
      world,
    };
  } finally {
    await world.cleanup();
  }
}

/**
 * What each cell must end in. Reads and draft imports are retried (the same request twice changes
 * nothing more); 429 means Dify never ran the handler, so every call retries it; any other failure
 * of a write ends in a verified rollback. Login is never retried (Dify locks accounts).
 */
function expected(step: string, fault: string): string {
  if (step === 'login') return 'nothing written';
  const permanent = fault === '500' || fault === 'garbage';
  if (step === 'export') return permanent ? 'failed' : 'deployed';
  if (step === 'import' || step === 'key lookup') return permanent ? 'rolled-back' : 'deployed';
  return fault === '429 + Retry-After' ? 'deployed' : 'rolled-back';
}

function assertConverged(r: Awaited<ReturnType<typeof scenario>>) {
  const said = r.sink.text();
  expect([r.v1Hash, r.v2Hash], `live app matches neither release:\n${said}`).toContain(r.liveHash);
  const outcome = r.outcomes[0];
  if (!outcome) {
    // Failed before any per-definition work (e.g. login): nothing may have changed.
    expect(r.exitCode).toBe(1);
    expect(r.liveHash).toBe(r.v1Hash);
    return;
  }
  if (outcome.result === 'deployed') expect(r.liveHash).toBe(r.v2Hash);
  if (outcome.result === 'rolled-back') {
    expect(r.liveHash).toBe(r.v1Hash);
    expect(r.exitCode).toBe(1);
  }
  if (outcome.result === 'restore-failed' || outcome.result === 'failed') {
    expect(r.exitCode).toBe(1);
    if (outcome.backupFile) expect(r.backupKept).toBe(true);
    if (outcome.result === 'restore-failed') expect(said).toContain('gh workflow run rollback.yml -f workflow=alpha -f to=');
  }
  if (r.exitCode === 0) expect(outcome.result).toBe('deployed');
}

describe.concurrent('deploy fault matrix', () => {
  for (const [step, method, p] of STEPS) {
    for (const [fault, respond, times] of FAULTS) {
      it(`${step} × ${fault}`, async () => {
        const r = await scenario((w) => w.emulator.injectFault({ match: { method: method ?? undefined, path: p }, respond, times }));
        assertConverged(r);
        expect(r.outcomes[0]?.result ?? 'nothing written', r.sink.text()).toBe(expected(step, fault));
      });
    }
  }

  it('tag push rejected by the remote: deployed and healthy, job fails, app not rolled back', async () => {
    const r = await scenario(async (w) => {
      const hook = path.join(w.repo.origin, 'hooks', 'pre-receive');
      await writeFile(hook, '#!/bin/sh\necho "tags are frozen" >&2\nexit 1\n');
      await chmod(hook, 0o755);
    });
    assertConverged(r);
    expect(r.outcomes[0].result).toBe('deployed');
    expect(r.liveHash).toBe(r.v2Hash);
    expect(r.exitCode).toBe(1);
    expect(r.outcomes[0].error).toMatch(/release could not be recorded/);
  });

  // Dify stays broken: every attempt of the rollback fails too. The job must say so, keep the
  // backup, and print the one command that finishes the restore (the matrix world has alpha@v1.0.0).
  const PERSISTENT: Array<[string, string]> = [
    ['import', '/console/api/apps/imports'],
    ['publish', `/console/api/apps/${A}/workflows/publish`],
  ];
  for (const [step, p] of PERSISTENT) {
    it(`${step} × 500 for good: NOT restored, backup kept, the manual command goes to 1.0.0`, async () => {
      const r = await scenario((w) => w.emulator.injectFault({ match: { method: 'POST', path: p }, respond: FAULTS[0][1], times: 99 }));
      assertConverged(r);
      const outcome = r.outcomes[0];
      expect(outcome.result, r.sink.text()).toBe('restore-failed');
      expect(r.exitCode).toBe(1);
      expect(r.backupKept).toBe(true);
      expect(r.liveHash).toBe(r.v1Hash); // neither publish went through
      const command = DISPATCH;
      expect(outcome.manualCommand).toBe(command);
      expect(r.sink.text()).toContain(`Finish by hand: ${command}`);
      // The restore's own hint: the command and the backup, never "re-run" (that would deploy 1.1.0 again).
      const restoreNote = outcome.notes.find((n) => n.startsWith('rollback failed'))!;
      expect(restoreNote).toContain(`finish the restore with: ${command}`);
      expect(restoreNote).toContain(outcome.backupFile!);
      expect(restoreNote).not.toMatch(/re-?run/i);
      expect(r.sink.text()).toMatch(/restore attempt 2 failed/);
    });
  }

  for (const status of [500, 403]) {
    it(`release creation × ${status}: deployed and healthy, job fails, re-run is safe`, async () => {
      const r = await scenario((w) => w.github.failNext({ method: 'POST', path: /\/releases$/ }, status, 3));
      assertConverged(r);
      expect(r.outcomes[0].result).toBe('deployed');
      expect(r.exitCode).toBe(1);
    });
  }
});

/** A deploy run in-process (the current source) from `dir`, with the matrix's inputs. */
async function deployFrom(world: DeployWorld, dir = world.repo.dir) {
  const sink = createCaptureSink();
  const env: Record<string, string> = {
    GITHUB_WORKSPACE: dir,
    GITHUB_API_URL: world.github.url,
    GITHUB_REPOSITORY: 'acme/flows',
    INPUT_COMMAND: 'deploy',
    INPUT_ALL: 'true',
    'INPUT_DIFY-URL': world.emulator.url,
    'INPUT_DIFY-EMAIL': EMAIL,
    'INPUT_DIFY-PASSWORD': PASSWORD,
    'INPUT_SMOKE-RETRIES': '0',
    'INPUT_BACKUP-DIR': path.join(dir, '..', `backups-${path.basename(dir)}`),
    'INPUT_GITHUB-TOKEN': 'ghs_test_token',
  };
  const settings = deploySettings(env);
  const result = await runDeploy(settings, settings.options, { git: createGit(dir), sink, env, clock: createVirtualClock() });
  const outcome = (result.json as { outcomes: DefinitionOutcome[] }).outcomes[0];
  return { exitCode: result.exitCode, outcome, sink };
}

function liveHashOf(world: DeployWorld) {
  const app = world.emulator.state().apps.find((a) => a.id === A)!;
  const live = app.published.find((p) => p.id === app.workflow_id)!;
  return { hash: publishedWorkflowHash(live.dsl.workflow), live };
}

function titledVersion(version: string, title: string) {
  const d = echoDefinition('alpha', A, version);
  d.dsl.workflow!.graph.nodes.find((n) => n.data.type === 'start')!.data.title = title;
  return d;
}

async function rejectPushes(world: DeployWorld) {
  const hook = path.join(world.repo.origin, 'hooks', 'pre-receive');
  await writeFile(hook, '#!/bin/sh\necho "tags are frozen" >&2\nexit 1\n');
  await chmod(hook, 0o755);
  return () => rm(hook);
}

const originTags = (world: DeployWorld) => runGit(world.repo.origin, ['tag', '--list']).then((t) => t.split('\n').filter(Boolean));

describe('deploy fault matrix: races and release records', () => {
  let world: DeployWorld | undefined;
  afterEach(async () => {
    await world?.cleanup();
    world = undefined;
  });

  it('a race with a second deploy: each run ends deployed or failed loudly, and only the content live is tagged', async () => {
    world = await createDeployWorld();
    const v1 = titledVersion('1.0.0', 'Start v1');
    world.seed(v1);
    await world.commit([v1], 'v1');
    expect((await deployFrom(world)).exitCode).toBe(0);
    const a = titledVersion('1.1.0', 'Start A');
    await world.commit([a], 'A');
    // B deploys another version from a second checkout of the same repository.
    const dirB = path.join(world.repo.dir, '..', 'work-b');
    await world.repo.git(['worktree', 'add', '--quiet', '--detach', dirB, 'HEAD']);
    const b = titledVersion('1.2.0', 'Start B');
    await writeFile(path.join(dirB, 'workflows', 'alpha.json'), formatCanonical(b));
    await runGit(dirB, ['commit', '--quiet', '--all', '--message', 'B']);

    // A's publish is held; B imports, publishes and checks meanwhile; then A's publish lands.
    world.emulator.injectFault({
      match: { method: 'POST', path: `/console/api/apps/${A}/workflows/publish` },
      respond: 'delay',
      latency_ms: 1500,
    });
    const runA = deployFrom(world);
    const publishes = () => world!.emulator.state().requests.filter((r) => r.method === 'POST' && r.path.endsWith('/workflows/publish'));
    const before = publishes().length;
    while (publishes().length === before) await new Promise((r) => setTimeout(r, 20));
    const runB = await deployFrom(world, dirB);
    const runAResult = await runA;

    const { hash, live } = liveHashOf(world);
    const tags = await originTags(world);
    const byRun = [
      { run: runAResult, def: a },
      { run: runB, def: b },
    ];
    // The live content is one of the two, never a third thing, and no run claims content it does not hold.
    expect([workflowHash(a.dsl), workflowHash(b.dsl)]).toContain(hash);
    for (const { run, def } of byRun) {
      const tag = `alpha@v${def.version}`;
      if (run.outcome.result === 'deployed') {
        expect(run.exitCode).toBe(0);
        expect(tags).toContain(tag);
      } else {
        expect(run.exitCode, run.sink.text()).toBe(1);
        expect(tags).not.toContain(tag);
        expect(run.outcome.manualCommand ?? run.outcome.error).toBeTruthy();
      }
    }
    // A's publish took B's draft: A must have failed, and the version it published claims no release.
    expect(runAResult.outcome.result, runAResult.sink.text()).toBe('failed');
    expect(hash).toBe(workflowHash(b.dsl));
    expect(live.marked_comment ?? '').not.toMatch(/^✓/);
    expect(live.marked_name).not.toBe(a.version);
    expect((world.github.state.releases as Array<{ tag_name: string }>).map((r) => r.tag_name)).not.toContain('alpha@v1.1.0');
  });

  it('a rejected tag push followed by a re-run: the re-run records the missing tag and release, writing nothing to Dify', async () => {
    world = await createDeployWorld();
    const v1 = titledVersion('1.0.0', 'Start v1');
    world.seed(v1);
    await world.commit([v1], 'v1');
    const allow = await rejectPushes(world);
    const first = await deployFrom(world);
    expect(first.outcome.result).toBe('deployed');
    expect(first.exitCode).toBe(1);
    expect(await originTags(world)).toEqual([]);
    await allow();
    // A fresh checkout has no local tags.
    await world.repo.git(['tag', '-d', 'alpha@v1.0.0']);

    const before = world.emulator.state().requests.length;
    const again = await deployFrom(world);
    expect(again.exitCode, again.sink.text()).toBe(0);
    expect(world.writes(before)).toEqual([]);
    expect(await originTags(world)).toEqual(['alpha@v1.0.0']);
    expect((world.github.state.releases as Array<{ tag_name: string }>).map((r) => r.tag_name)).toEqual(['alpha@v1.0.0']);
    // A third run finds everything recorded: nothing more on GitHub.
    const releases = world.github.state.releases.length;
    const deployments = world.github.state.deployments.length;
    expect((await deployFrom(world)).exitCode).toBe(0);
    expect([world.github.state.releases.length, world.github.state.deployments.length]).toEqual([releases, deployments]);
  });

  it('a rejected tag push, then a failed deploy: the rollback goes to the version that was live, not the highest tag', async () => {
    world = await createDeployWorld();
    const v1 = titledVersion('1.0.0', 'Start v1');
    world.seed(v1);
    await world.commit([v1], 'v1');
    expect((await deployFrom(world)).exitCode).toBe(0);
    const v2 = titledVersion('1.1.0', 'Start v2');
    await world.commit([v2], 'v2');
    const allow = await rejectPushes(world);
    expect((await deployFrom(world)).outcome.result).toBe('deployed');
    await allow();
    await world.repo.git(['tag', '-d', 'alpha@v1.1.0']); // as a fresh checkout sees it: only origin's tags
    const v3 = titledVersion('1.2.0', 'Start v3');
    v3.smoke = [
      {
        name: 'wants a number',
        inputs: { query: 'hello' },
        expect: { outputs: { type: 'object', required: ['query'], properties: { query: { type: 'number' } } } },
      },
    ];
    await world.commit([v3], 'v3');

    const failed = await deployFrom(world);
    expect(failed.outcome.result, failed.sink.text()).toBe('rolled-back');
    expect(failed.exitCode).toBe(1);
    const { hash, live } = liveHashOf(world);
    expect(hash).toBe(workflowHash(v2.dsl));
    expect(hash).not.toBe(workflowHash(v1.dsl));
    // Its marks still say 1.1.0, verified: a re-run of 1.1.0 would record the missing release.
    expect(live.marked_name).toBe('1.1.0');
    expect(live.marked_comment).toMatch(/^✓ sha256:/);
  });
});

// A hang in the middle of a run: Dify accepted the run, streams pings (as it does every 10 s while a
// model call waits) and never finishes. Only the run's deadline (max_latency_ms) ends it.
describe.concurrent('deploy fault matrix: a run that hangs with pings', () => {
  const HUNG = { latency_ms: 600_000 };
  const options = {
    emulator: { pingIntervalMs: 100 },
    tweak: (d: Definition) => {
      d.smoke![0].expect.max_latency_ms = 1500;
    },
  };

  it('smoke run × hang: abandoned at its deadline, Dify asked to stop it, rolled back to 1.0.0 and verified', async () => {
    const r = await scenario((w) => w.emulator.scriptRuns(A, [HUNG]), options);
    assertConverged(r);
    expect(r.outcomes[0].result, r.sink.text()).toBe('rolled-back');
    expect(r.live).toMatchObject({ hash: r.v1Hash, name: '1.0.0', verified: true });
    expect(r.world.emulator.state().requests.some((q) => /^\/v1\/workflows\/tasks\/[^/]+\/stop$/.test(q.path))).toBe(true);
    expect(r.sink.text()).toMatch(/no result within its deadline of 1500 ms/);
  });

  it('smoke run × hang, and every run of the rollback hangs too: NOT restored, loudly, with the command', async () => {
    const r = await scenario((w) => w.emulator.scriptRuns(A, [HUNG, HUNG, HUNG, HUNG]), options);
    assertConverged(r);
    expect(r.outcomes[0].result, r.sink.text()).toBe('restore-failed');
    expect(r.exitCode).toBe(1);
    expect(r.backupKept).toBe(true);
    // 1.0.0 is back in place but never proved healthy: it is not marked verified, so nothing treats it as done.
    expect(r.live).toMatchObject({ hash: r.v1Hash, verified: false });
    expect(r.sink.text()).toContain(`Finish by hand: ${DISPATCH}`);
  });
});

// Cancellation: the runner sends SIGINT, then SIGTERM (7.5 s later on GitHub), then SIGKILL. The
// built action runs as a child process and gets real signals at the moment the emulator sees a
// step's request (held there by a 'delay' fault, or a run that hangs with pings). Each case ends
// deployed, restored and verified, or failed loudly with the restore command; the live app says which.
describe.concurrent('deploy fault matrix: cancellation (SIGINT, then SIGTERM), the built action', () => {
  const HUNG = { latency_ms: 600_000 };
  const hold = (method: string, p: string) => (w: DeployWorld) =>
    w.emulator.injectFault({ match: { method, path: p }, respond: 'delay', latency_ms: 2500, times: 1 });
  const RUN = '/v1/workflows/run';
  const IMPORTS = '/console/api/apps/imports';

  async function cancelled(c: CancelMoments & { hold: (w: DeployWorld) => void; after?: (w: DeployWorld) => Promise<void> }) {
    const world = await createDeployWorld({ ...SERVER_DSL, pingIntervalMs: 100 });
    try {
      const { v1, v2 } = await releasedV1(world, (d) => {
        d.smoke![0].expect.max_latency_ms = 60_000;
      });
      c.hold(world);
      const { run, since } = await cancelAt(
        world,
        () =>
          world.start({
            command: 'deploy',
            all: 'true',
            'allow-dsl-version-change': 'true',
            'smoke-retries': '0',
            'timeout-seconds': '30',
          }),
        c,
      );
      const writes = world.writes(since);
      const result = {
        run,
        writes,
        live: liveOf(world),
        v1Hash: workflowHash(v1.dsl),
        v2Hash: workflowHash(v2.dsl),
        world,
        requests: world.emulator.state().requests.slice(since),
      };
      await c.after?.(world);
      return result;
    } finally {
      await world.cleanup();
    }
  }

  type Cancelled = Awaited<ReturnType<typeof cancelled>>;

  function assertReported(r: Cancelled) {
    const log = `${r.run.stdout}\n${r.run.stderr}`;
    expect(r.run.code, log).not.toBe(0);
    expect(r.run.signal, 'the process was killed instead of finishing').toBeUndefined();
    expect(log).toMatch(/Received SIGINT: cancelling/);
    expect(r.run.summary).toMatch(/cancelled/);
  }

  /** Nothing was written: 1.0.0 is live and verified as before, and the job failed. */
  function assertNothingWritten(r: Cancelled) {
    assertReported(r);
    expect(r.writes, 'no write may follow a cancel before the first write').toEqual([]);
    expect(r.live).toEqual({ hash: r.v1Hash, name: '1.0.0', verified: true });
    expect(r.run.summary).toMatch(/❌ failed/);
  }

  /** Restored and verified: 1.0.0 live again, marked ✓ after its own smoke check passed. */
  function assertRestored(r: Cancelled) {
    assertReported(r);
    expect(r.live, `${r.run.stdout}`).toEqual({ hash: r.v1Hash, name: '1.0.0', verified: true });
    expect(r.run.summary).toMatch(/↩️ rolled back/);
  }

  it('login × cancel: nothing is started, nothing written', async () => {
    const r = await cancelled({ hold: hold('POST', '/console/api/login'), at: seen('POST', '/console/api/login') });
    assertNothingWritten(r);
  });

  it('export (backup) × cancel: stops before the first write', async () => {
    const path = `/console/api/apps/${A}/export`;
    const r = await cancelled({ hold: hold('GET', path), at: seen('GET', path) });
    assertNothingWritten(r);
  });

  const AFTER_A_WRITE: Array<[string, string, string]> = [
    ['import', 'POST', IMPORTS],
    ['confirm', 'POST', '^/console/api/apps/imports/[^/]+/confirm$'],
    ['publish', 'POST', `/console/api/apps/${A}/workflows/publish`],
    ['key lookup', 'GET', `/console/api/apps/${A}/api-keys`],
  ];
  for (const [step, method, p] of AFTER_A_WRITE) {
    it(`${step} × cancel: the step finishes, nothing new starts, 1.0.0 is restored and verified`, async () => {
      const r = await cancelled({ hold: hold(method, p), at: seen(method, p.startsWith('^') ? new RegExp(p) : p) });
      assertRestored(r);
      // The failing version never ran: no smoke run of 1.1.0, only 1.0.0's own check after the restore.
      expect(r.requests.filter((q) => q.path === RUN)).toHaveLength(1);
    });
  }

  it('smoke run hanging with pings × cancel: the run is abandoned and stopped, 1.0.0 restored and verified', async () => {
    const r = await cancelled({ hold: (w) => w.emulator.scriptRuns(A, [HUNG]), at: seen('POST', RUN) });
    assertRestored(r);
    expect(r.requests.some((q) => /^\/v1\/workflows\/tasks\/[^/]+\/stop$/.test(q.path))).toBe(true);
  });

  it('SIGTERM during the rollback does not cut it short while time is left: restored and verified', async () => {
    const r = await cancelled({
      hold: (w) => w.emulator.scriptRuns(A, [HUNG]),
      at: seen('POST', RUN),
      // The rollback's import is the deploy's second.
      term: seen('POST', IMPORTS, 2),
    });
    assertRestored(r);
    expect(r.run.stdout, 'SIGTERM must reach the rollback in progress').toMatch(/Received SIGTERM again: finishing the rollback/);
  });

  it('rollback out of time (SIGINT, SIGTERM, its publish hangs): NOT restored, loudly, and the printed command finishes it', async () => {
    const command = DISPATCH;
    const r = await cancelled({
      hold: (w) => w.emulator.scriptRuns(A, [HUNG]),
      at: seen('POST', RUN),
      onInterrupt: (w) =>
        w.emulator.injectFault({ match: { method: 'POST', path: `/console/api/apps/${A}/workflows/publish` }, respond: 'hang' }),
      term: seen('POST', `/console/api/apps/${A}/workflows/publish`, 2),
      after: async (w) => {
        // What the printed dispatch runs (the rollback workflow: the action with these inputs), from a terminal once Dify answers again.
        const ran = await runCli(w, ['rollback', '--workflow', 'alpha', '--to', '1.0.0', '--environment', 'production']);
        expect(ran.code, ran.stdout + ran.stderr).toBe(0);
        expect(liveOf(w)).toEqual({ hash: workflowHash(echoDefinition('alpha', A).dsl), name: '1.0.0', verified: true });
      },
    });
    assertReported(r);
    expect(r.run.stdout).toMatch(/Received SIGTERM again/);
    expect(r.run.stdout + r.run.stderr).toContain(`Finish by hand: ${command}`);
    expect(r.run.summary).toMatch(/🚨 NOT restored/);
    expect(r.run.summary).toContain(command);
    // The failing version is still live and was never marked verified: no run treats it as done.
    expect(r.live).toEqual({ hash: r.v2Hash, name: '1.1.0', verified: false });
  });
});
