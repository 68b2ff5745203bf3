// Two deploys racing on one app: the run that loses must notice the live version moved under it
// and refuse to publish over it (users prevent the race with a `concurrency:` group).
import { afterEach, expect, it } from 'vitest';
import { runDeploy } from '../../src/commands/deploy.js';
import { createDifyConsole } from '../../src/dify/client.js';
import { createGit } from '../../src/git/git.js';
import { deploySettings } from '../support/settings.js';
import { createDeployWorld, echoDefinition, EMAIL, PASSWORD, type DeployWorld } from '../support/deploy-world.js';
import { createCaptureSink } from '../support/capture-sink.js';
import { existsSync } from 'node:fs';
import { runGit } from '../support/git-repo.js';
import { stringifyPyYaml } from '../../src/support/pyyaml.js';
import { publishedWorkflowHash, workflowHash } from '../../src/definition/workflow-hash.js';
import type { DefinitionOutcome } from '../../src/outcomes.js';

const A = '11111111-1111-4111-8111-111111111111';

/** Our deploy, in-process, started now: the test interleaves another run's writes while one of ours is held. */
function startDeploy(w: DeployWorld, extra: Record<string, string> = {}) {
  const env: Record<string, string> = {
    GITHUB_WORKSPACE: w.repo.dir,
    INPUT_COMMAND: 'deploy',
    INPUT_ALL: 'true',
    'INPUT_DIFY-URL': w.emulator.url,
    'INPUT_DIFY-EMAIL': EMAIL,
    'INPUT_DIFY-PASSWORD': PASSWORD,
    'INPUT_BACKUP-DIR': `${w.repo.dir}/../backups`,
    ...extra,
  };
  const sink = createCaptureSink();
  const settings = deploySettings(env);
  return { sink, deploying: runDeploy(settings, settings.options, { git: createGit(w.repo.dir), sink, env }) };
}
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
  const { sink, deploying } = startDeploy(world);
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

it('a second import into the draft before our publish: live is not ours, so nothing is marked, tagged or released', async () => {
  world = await createDeployWorld();
  const ours = echoDefinition('alpha', A);
  world.seed(ours);
  await world.commit([ours]);
  const theirs = structuredClone(ours);
  theirs.dsl.workflow!.graph.nodes.find((n) => n.data.type === 'start')!.data.title = 'Start (the other run)';
  // Hold our publish; meanwhile "run B" imports its content into the same draft.
  world.emulator.injectFault({
    match: { method: 'POST', path: `/console/api/apps/${A}/workflows/publish` },
    respond: 'delay',
    latency_ms: 1500,
  });
  const { sink, deploying } = startDeploy(world, {
    GITHUB_API_URL: world.github.url,
    GITHUB_REPOSITORY: 'acme/flows',
    'INPUT_GITHUB-TOKEN': 'ghs_test_token',
  });
  while (!world.emulator.state().requests.some((r) => r.method === 'POST' && r.path.endsWith('/workflows/publish'))) {
    await new Promise((r) => setTimeout(r, 20));
  }
  const other = await createDifyConsole({ baseUrl: world.emulator.url, email: EMAIL, password: PASSWORD, timeoutMs: 5000, maxAttempts: 1 });
  expect((await other.importDsl(A, stringifyPyYaml(theirs.dsl))).status).toMatch(/^completed/);

  const result = await deploying;
  const outcome = (result.json as { outcomes: DefinitionOutcome[] }).outcomes[0];
  expect(result.exitCode).toBe(1);
  expect(outcome.result, sink.text()).toBe('failed');
  // The emulator's state: their content is live, and its marks claim neither our release nor a ✓.
  const app = world.emulator.state().apps.find((a) => a.id === A)!;
  const live = app.published.find((p) => p.id === app.workflow_id)!;
  expect(publishedWorkflowHash(live.dsl.workflow)).toBe(workflowHash(theirs.dsl));
  expect(live.marked_name).not.toBe(ours.version);
  expect(live.marked_comment).not.toMatch(/^✓|sha256:/);
  // git and GitHub: no tag, no release, no deployment record.
  expect(await world.repo.git(['tag', '--list', 'alpha@v*'])).toBe('');
  expect(await runGit(world.repo.origin, ['tag', '--list'])).toBe('');
  expect(world.github.state.releases).toEqual([]);
  expect(world.github.state.deployments).toEqual([]);
  expect(outcome.error).toMatch(/is not what this run imported/);
  expect(outcome.manualCommand).toMatch(/^npx dify-gitops@\d+\.\d+\.\d+ rollback --workflow alpha --from-backup /);
  expect(outcome.backupFile && existsSync(outcome.backupFile)).toBe(true);
});

it('a version published by another run during our smoke checks is not marked verified by them', async () => {
  world = await createDeployWorld();
  const v1 = echoDefinition('alpha', A);
  world.seed(v1);
  await world.commit([v1]);
  // Hold our smoke run, and publish "another run's" version meanwhile.
  world.emulator.injectFault({ match: { method: 'POST', path: '/v1/workflows/run' }, respond: 'delay', latency_ms: 2000 });
  const { sink, deploying } = startDeploy(world);
  while (!world.emulator.state().requests.some((r) => r.path === '/v1/workflows/run')) await new Promise((r) => setTimeout(r, 20));
  const other = await createDifyConsole({ baseUrl: world.emulator.url, email: EMAIL, password: PASSWORD, timeoutMs: 5000, maxAttempts: 1 });
  await other.publish(A, { markedName: 'hotfix', markedComment: 'published by hand' });
  await other.close?.();

  await deploying;
  const app = world.emulator.state().apps.find((a) => a.id === A)!;
  // Neither version carries the ✓: ours is no longer live, and theirs was never checked.
  expect(app.published.map((p) => p.marked_name)).toEqual(['1.0.0', 'hotfix']);
  expect(sink.text()).toMatch(/not marked as verified: another version was published during the smoke checks/);
});

it('a deploy exports the draft once when it is what was published, and still keeps the published backup', async () => {
  world = await createDeployWorld();
  const v1 = echoDefinition('alpha', A);
  world.seed(v1, { published: true });
  const v2 = echoDefinition('alpha', A, '1.1.0');
  v2.dsl.workflow!.graph.nodes[0].data.title = 'v2';
  await world.commit([v2]);
  const before = world.emulator.state().requests.length;
  const run = await world.deploy({ 'backup-dir': `${world.repo.dir}/../backups` });
  expect(run.code, run.stdout).toBe(0);
  const exports = world.emulator
    .state()
    .requests.slice(before)
    .filter((r) => r.path.endsWith('/export'));
  expect(exports).toHaveLength(1);
  const { readdir, readFile } = await import('node:fs/promises');
  const files = await readdir(`${world.repo.dir}/../backups`);
  const published = files.find((f) => f.endsWith('.published.yml'));
  expect(published).toBeDefined();
  expect(await readFile(`${world.repo.dir}/../backups/${published}`, 'utf8')).toMatch(/title: Start/);
});
