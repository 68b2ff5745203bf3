// The automatic rollback's own retries: three attempts spaced on the injected clock (no real
// waiting), and when Dify stays broken a restore-failed outcome whose hint is the command that
// finishes the job, never "re-run" (which would deploy the failing version again).
import { VERSION } from '../../src/version.js';
import { afterEach, expect, it } from 'vitest';
import { createDifyConsole, createDifyService } from '../../src/dify/client.js';
import { createGit } from '../../src/git/git.js';
import { deploySettings } from '../support/settings.js';
import { backupLiveApp } from '../../src/stages/backup.js';
import type { StageContext } from '../../src/stages/context.js';
import { rollbackDefinition } from '../../src/stages/rollback.js';
import { prepareTarget } from '../../src/stages/target.js';
import { createVirtualClock } from '../../src/support/clock.js';
import { createDeployWorld, echoDefinition, EMAIL, PASSWORD, type DeployWorld } from '../support/deploy-world.js';
import { createCaptureSink } from '../support/capture-sink.js';

const A = '11111111-1111-4111-8111-111111111111';
let world: DeployWorld | undefined;
let closeDify: (() => Promise<void>) | undefined;
afterEach(async () => {
  await closeDify?.();
  await world?.cleanup();
  world = closeDify = undefined;
});

async function stageContext(w: DeployWorld) {
  const env: Record<string, string> = {
    GITHUB_WORKSPACE: w.repo.dir,
    INPUT_COMMAND: 'deploy',
    'INPUT_DIFY-URL': w.emulator.url,
    'INPUT_DIFY-EMAIL': EMAIL,
    'INPUT_DIFY-PASSWORD': PASSWORD,
  };
  const settings = deploySettings(env).options;
  const dify = await createDifyConsole({ baseUrl: w.emulator.url, email: EMAIL, password: PASSWORD, timeoutMs: 5000, maxAttempts: 1 });
  closeDify = async () => dify.close?.();
  const clock = createVirtualClock();
  const sink = createCaptureSink();
  const ctx: StageContext = {
    environment: 'production',
    root: w.repo.dir,
    dify,
    service: (apiKey) => createDifyService({ serviceUrl: `${w.emulator.url}/v1`, apiKey, timeoutMs: 5000, maxAttempts: 1 }),
    git: createGit(w.repo.dir),
    sink,
    commit: await w.repo.git(['rev-parse', 'HEAD']),
    env,
    smokeRetryBudget: 0,
    clock,
  };
  return { ctx, clock, sink, settings };
}

it('a first deploy whose restore keeps failing: 3 attempts on the virtual clock, then the --from-backup command', async () => {
  world = await createDeployWorld();
  const d = echoDefinition('alpha', A);
  world.seed(d, { published: true });
  await world.commit([d]);
  const { ctx, clock, sink, settings } = await stageContext(world);
  const target = prepareTarget(d, 'production', ctx.env);
  const published = await ctx.dify.getPublished(A);
  const backup = await backupLiveApp(ctx.dify, { appId: A, name: 'alpha', environment: 'production', dir: settings.backupDir, published });
  world.emulator.injectFault({
    match: { method: 'POST', path: `^/console/api/apps/${A}/workflows/[^/]+/restore$` },
    respond: { status: 500, body: { code: 'unknown', message: 'Internal Server Error', status: 500 } },
    times: 99,
  });

  const started = performance.now();
  const outcome = await rollbackDefinition(ctx, {
    item: { file: 'workflows/alpha.json', definition: d },
    target,
    backup,
    published: true,
    log: (l) => sink.info(l),
  });
  expect(performance.now() - started).toBeLessThan(2000); // the 1 s + 3 s between attempts were virtual
  expect(clock.sleeps).toEqual([1000, 3000]);
  expect(outcome.result).toBe('restore-failed');
  const restoreCalls = world.emulator.state().requests.filter((q) => q.method === 'POST' && q.path.endsWith('/restore'));
  expect(restoreCalls).toHaveLength(3);
  const relative = backup.file.slice(world.repo.dir.length + 1);
  expect(relative).toMatch(/^\.dify-gitops\/backups\/alpha\.production\./);
  expect(outcome.manualCommand).toBe(
    `npx dify-gitops@${VERSION} rollback --workflow alpha --from-backup ${relative} --environment production`,
  );
  const note = outcome.notes!.find((n) => n.startsWith('rollback failed'))!;
  expect(note).toContain(`finish the restore with: ${outcome.manualCommand}`);
  expect(note).toContain(backup.file);
  expect(note).not.toMatch(/re-?run/i);
});

it('a restore that succeeds on its second attempt waits once, and the app is as before', async () => {
  world = await createDeployWorld();
  const d = echoDefinition('alpha', A);
  world.seed(d, { published: true });
  await world.commit([d]);
  const { ctx, clock, sink, settings } = await stageContext(world);
  const target = prepareTarget(d, 'production', ctx.env);
  const published = await ctx.dify.getPublished(A);
  const backup = await backupLiveApp(ctx.dify, { appId: A, name: 'alpha', environment: 'production', dir: settings.backupDir, published });
  world.emulator.injectFault({
    match: { method: 'POST', path: `^/console/api/apps/${A}/workflows/[^/]+/restore$` },
    respond: { status: 500, body: { code: 'unknown', message: 'Internal Server Error', status: 500 } },
    times: 1,
  });

  const outcome = await rollbackDefinition(ctx, {
    item: { file: 'workflows/alpha.json', definition: d },
    target,
    backup,
    published: true,
    log: (l) => sink.info(l),
  });
  expect(outcome.result, sink.text()).toBe('rolled-back');
  expect(clock.sleeps).toEqual([1000]);
  expect(sink.text()).toMatch(/restore attempt 1 failed \(.+\); trying again in 1 s/);
});
