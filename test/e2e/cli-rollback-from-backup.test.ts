// `dify-gitops rollback --from-backup`: the command a failed first deploy prints when its own
// restore failed. Run exactly as printed, from a terminal (dist/), against the emulator.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runDeploy } from '../../src/commands/deploy.js';
import { createGit } from '../../src/git/git.js';
import { deploySettings } from '../support/settings.js';
import { readBackupFile } from '../../src/stages/backup.js';
import type { DefinitionOutcome } from '../../src/outcomes.js';
import { createVirtualClock } from '../../src/support/clock.js';
import { publishedWorkflowHash, workflowHash } from '../../src/definition/workflow-hash.js';
import type { Definition } from '../../src/definition/types.js';
import { createDeployWorld, echoDefinition, EMAIL, PASSWORD, type DeployWorld, runCli } from '../support/deploy-world.js';
import { createCaptureSink } from '../support/capture-sink.js';
import { createDifyConsole } from '../../src/dify/client.js';
import { stringifyPyYaml } from '../../src/support/pyyaml.js';

const A = '11111111-1111-4111-8111-111111111111';
let world: DeployWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

const cli = runCli;

function titled(def: Definition, title: string): Definition {
  const copy = structuredClone(def);
  copy.dsl.workflow!.graph.nodes.find((n) => n.data.type === 'start')!.data.title = title;
  return copy;
}

/**
 * An app published by hand, then a first deploy whose smoke check fails while Dify's restore
 * endpoint keeps failing: the deploy cannot put the old version back and prints the command.
 */
async function failedFirstDeploy(w: DeployWorld, wip?: Definition) {
  const old = titled(echoDefinition('alpha', A), 'Start (published by hand)');
  w.seed(old, { published: true });
  if (wip) {
    // Unpublished work in progress in the editor: the draft is not what is live.
    const dify = await createDifyConsole({ baseUrl: w.emulator.url, email: EMAIL, password: PASSWORD, timeoutMs: 5000, maxAttempts: 1 });
    expect((await dify.importDsl(A, stringifyPyYaml(wip.dsl))).status).toMatch(/^completed/);
  }
  const next = titled(echoDefinition('alpha', A), 'Start (from git)');
  next.smoke = [
    {
      name: 'wants a number',
      inputs: { query: 'hello' },
      expect: { outputs: { type: 'object', required: ['query'], properties: { query: { type: 'number' } } } },
    },
  ];
  await w.commit([next]);
  w.emulator.injectFault({
    match: { method: 'POST', path: `^/console/api/apps/${A}/workflows/[^/]+/restore$` },
    respond: { status: 500, body: { code: 'unknown', message: 'Internal Server Error', status: 500 } },
    times: 99,
  });
  const env: Record<string, string> = {
    GITHUB_WORKSPACE: w.repo.dir,
    INPUT_COMMAND: 'deploy',
    INPUT_ALL: 'true',
    'INPUT_DIFY-URL': w.emulator.url,
    'INPUT_DIFY-EMAIL': EMAIL,
    'INPUT_DIFY-PASSWORD': PASSWORD,
    'INPUT_SMOKE-RETRIES': '0',
  };
  const deps = { git: createGit(w.repo.dir), sink: createCaptureSink(), env, clock: createVirtualClock() };
  const settings = deploySettings(env);
  const result = await runDeploy(settings, settings.options, deps);
  const outcome = (result.json as { outcomes: DefinitionOutcome[] }).outcomes[0];
  expect(outcome.result, deps.sink.text()).toBe('restore-failed');
  return { old, next, outcome };
}

function liveOf(w: DeployWorld) {
  const app = w.emulator.state().apps.find((a) => a.id === A)!;
  return app.published.find((p) => p.id === app.workflow_id)!;
}

describe('CLI rollback --from-backup', () => {
  it('the command a failed first deploy prints restores the backup: published, verified, probed', async () => {
    world = await createDeployWorld();
    const { old, next, outcome } = await failedFirstDeploy(world);
    expect(publishedWorkflowHash(liveOf(world).dsl.workflow)).toBe(workflowHash(next.dsl)); // still the failing version
    const command = outcome.manualCommand!;
    expect(command).toMatch(
      /^npx dify-gitops@\d+\.\d+\.\d+ rollback --workflow alpha --from-backup \.dify-gitops\/backups\/alpha\.production\.[\w-]+\.yml --environment production$/,
    );

    const run = await cli(world, command.split(' ').slice(2));
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const live = liveOf(world);
    expect(publishedWorkflowHash(live.dsl.workflow)).toBe(workflowHash(old.dsl));
    const backup = await readBackupFile(outcome.backupFile!);
    expect(live.marked_name).toBe('restored');
    expect(live.marked_comment).toContain(`backup sha256 ${backup.sha256.slice(0, 16)}`);
    expect(run.stdout).toMatch(/live version verified: sha256 [0-9a-f]{12} = the version published before the deploy/);
    expect(run.stdout).toMatch(/✓ the restored app answers GET \/v1\/parameters/);
    expect(
      world.emulator
        .state()
        .requests.filter((q) => q.method === 'GET' && q.path === '/v1/parameters')
        .map((q) => q.status),
    ).toEqual([200]);
  });

  it('with unpublished work in the draft, the printed command publishes what was live and puts the work back in the draft', async () => {
    world = await createDeployWorld();
    const wip = titled(echoDefinition('alpha', A), 'Start (work in progress)');
    const { old, outcome } = await failedFirstDeploy(world, wip);
    const run = await cli(world, outcome.manualCommand!.split(' ').slice(2));
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(publishedWorkflowHash(liveOf(world).dsl.workflow)).toBe(workflowHash(old.dsl));
    expect(publishedWorkflowHash(liveOf(world).dsl.workflow)).not.toBe(workflowHash(wip.dsl));
    const app = world.emulator.state().apps.find((a) => a.id === A)!;
    expect(workflowHash(app.draft!.dsl)).toBe(workflowHash(wip.dsl));
  });

  it('an old backup (draft only, no published version recorded) still restores its draft', async () => {
    world = await createDeployWorld();
    const d = titled(echoDefinition('alpha', A), 'Start (old backup)');
    world.seed(echoDefinition('alpha', A), { published: true });
    await world.commit([echoDefinition('alpha', A)]);
    const { writeFile } = await import('node:fs/promises');
    await writeFile(
      path.join(world.repo.dir, 'old.yml'),
      `# dify-gitops backup of app ${A} (alpha, production), draft exported before any write\n${stringifyPyYaml(d.dsl)}`,
    );
    expect((await readBackupFile(path.join(world.repo.dir, 'old.yml'))).published).toBeUndefined();
    const run = await cli(world, ['rollback', '--workflow', 'alpha', '--from-backup', 'old.yml']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(publishedWorkflowHash(liveOf(world).dsl.workflow)).toBe(workflowHash(d.dsl));
  });

  it('refuses --to together with --from-backup, touching nothing', async () => {
    world = await createDeployWorld();
    const d = echoDefinition('alpha', A);
    world.seed(d, { published: true });
    await world.commit([d]);
    const before = world.emulator.state().requests.length;
    const run = await cli(world, ['rollback', '--workflow', 'alpha', '--to', '1.0.0', '--from-backup', 'backup.yml']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Give either --to \(a release\) or --from-backup \(a backup file\), not both/);
    expect(world.emulator.state().requests.length).toBe(before);
  });

  it('refuses a backup of another app before any write', async () => {
    world = await createDeployWorld();
    const d = echoDefinition('alpha', A);
    world.seed(d, { published: true });
    await world.commit([d]);
    const { writeFile } = await import('node:fs/promises');
    await writeFile(
      path.join(world.repo.dir, 'other.yml'),
      '# dify-gitops backup of app 99999999-9999-4999-8999-999999999999 (beta, production), draft exported before any write\nversion: 0.6.0\n',
    );
    const before = world.emulator.state().requests.length;
    const run = await cli(world, ['rollback', '--workflow', 'alpha', '--from-backup', 'other.yml']);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stderr).toMatch(/other\.yml is a backup of app 99999999-.*, but alpha deploys to app 11111111-/);
    expect(world.emulator.state().requests.length).toBe(before); // refused before connecting
  });
});
