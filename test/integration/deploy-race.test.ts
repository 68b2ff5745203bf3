// Two deploys racing on one app: the run that loses must notice the live version moved under it
// and refuse to publish over it (users prevent the race with a `concurrency:` group).
import { afterEach, expect, it } from 'vitest';
import { runDeploy } from '../../src/commands/deploy.js';
import { createDifyConsole } from '../../src/dify/client.js';
import { createGit } from '../../src/git/git.js';
import { deploySettings } from '../support/settings.js';
import { createDeployWorld, echoDefinition, EMAIL, PASSWORD, type DeployWorld } from '../support/deploy-world.js';
import { createCaptureSink } from '../support/capture-sink.js';

const A = '11111111-1111-4111-8111-111111111111';
let world: DeployWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

it('a deploy whose app was published by someone else mid-run stops without publishing', async () => {
  world = await createDeployWorld();
  const v1 = echoDefinition('alpha', A);
  world.seed(v1, { draft: true });
  await world.commit([v1]);
  // Hold our import for a moment, and publish from "another run" meanwhile.
  world.emulator.injectFault({ match: { method: 'POST', path: '/console/api/apps/imports' }, respond: 'delay', latency_ms: 3000 });
  const env: Record<string, string> = {
    GITHUB_WORKSPACE: world.repo.dir,
    INPUT_COMMAND: 'deploy',
    INPUT_ALL: 'true',
    'INPUT_DIFY-URL': world.emulator.url,
    'INPUT_DIFY-EMAIL': EMAIL,
    'INPUT_DIFY-PASSWORD': PASSWORD,
    'INPUT_BACKUP-DIR': `${world.repo.dir}/../backups`,
  };
  const sink = createCaptureSink();
  const settings = deploySettings(env);
  const deploying = runDeploy(settings, settings.options, { git: createGit(world.repo.dir), sink, env });
  // Publish from "another run" while our import is held (it is logged as soon as it arrives).
  while (!world.emulator.state().requests.some((r) => r.method === 'POST' && r.path === '/console/api/apps/imports')) {
    await new Promise((r) => setTimeout(r, 20));
  }
  const other = await createDifyConsole({ baseUrl: world.emulator.url, email: EMAIL, password: PASSWORD, timeoutMs: 5000, maxAttempts: 1 });
  await other.publish(A, { markedName: 'hotfix', markedComment: 'published by hand' });

  const result = await deploying;
  expect(result.exitCode).toBe(1);
  const app = world.emulator.state().apps.find((a) => a.id === A)!;
  expect(app.published.map((p) => p.marked_name)).toEqual(['hotfix']);
  expect(sink.text()).toMatch(/live version of app .* changed during this deploy/);
  expect(sink.text()).toMatch(/concurrency:/);
});
