// A first deploy (no release tag yet) that fails its smoke check on an app someone had already
// published by hand: the rollback has only the pre-deploy backup and the published version it
// recorded. Whatever the server offers (restore endpoint or not), the version live before must be
// live again, proven from the emulator's state, and the draft must be the one found.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runDeploy } from '../../src/commands/deploy.js';
import { createGit } from '../../src/git/git.js';
import { deploySettings } from '../support/settings.js';
import { createDifyConsole } from '../../src/dify/client.js';
import { stringifyPyYaml } from '../../src/support/pyyaml.js';
import { createVirtualClock } from '../../src/support/clock.js';
import { publishedWorkflowHash, workflowHash } from '../../src/definition/workflow-hash.js';
import type { Definition } from '../../src/definition/types.js';
import type { DefinitionOutcome } from '../../src/outcomes.js';
import { createDeployWorld, echoDefinition, EMAIL, PASSWORD, type DeployWorld } from '../support/deploy-world.js';
import { createCaptureSink } from '../support/capture-sink.js';

const A = '11111111-1111-4111-8111-111111111111';
let world: DeployWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

function titled(def: Definition, title: string): Definition {
  const copy = structuredClone(def);
  copy.dsl.workflow!.graph.nodes.find((n) => n.data.type === 'start')!.data.title = title;
  return copy;
}

/** The definition the first deploy brings: new content, and a smoke check it cannot pass. */
function failingNewVersion(): Definition {
  const next = titled(echoDefinition('alpha', A, '1.0.0'), 'Start (from git)');
  next.smoke = [
    {
      name: 'wants a number',
      inputs: { query: 'hello' },
      expect: { outputs: { type: 'object', required: ['query'], properties: { query: { type: 'number' } } } },
    },
  ];
  return next;
}

async function deployInProcess(w: DeployWorld) {
  const sink = createCaptureSink();
  const env: Record<string, string> = {
    GITHUB_WORKSPACE: w.repo.dir,
    GITHUB_API_URL: w.github.url,
    GITHUB_REPOSITORY: 'acme/flows',
    INPUT_COMMAND: 'deploy',
    INPUT_ALL: 'true',
    'INPUT_DIFY-URL': w.emulator.url,
    'INPUT_DIFY-EMAIL': EMAIL,
    'INPUT_DIFY-PASSWORD': PASSWORD,
    'INPUT_SMOKE-RETRIES': '0',
    'INPUT_GITHUB-TOKEN': 'ghs_test_token',
  };
  const deps = { git: createGit(w.repo.dir), sink, env, clock: createVirtualClock() };
  const settings = deploySettings(env);
  const result = await runDeploy(settings, settings.options, deps);
  const outcome = (result.json as { outcomes: DefinitionOutcome[] }).outcomes[0];
  const app = w.emulator.state().apps.find((a) => a.id === A)!;
  const live = app.published.find((p) => p.id === app.workflow_id)!;
  return {
    exitCode: result.exitCode,
    outcome,
    sink,
    app,
    liveHash: publishedWorkflowHash(live.dsl.workflow),
    draftHash: workflowHash(app.draft!.dsl),
  };
}

describe('rollback of a failed first deploy (no release tag)', () => {
  for (const restoreEndpoint of [true, false]) {
    for (const editedDraft of [false, true]) {
      const server = restoreEndpoint ? 'restore endpoint' : 'no restore endpoint';
      it(`${server}, draft ${editedDraft ? 'edited after publishing' : 'as published'}: the version live before is live again, verified`, async () => {
        world = await createDeployWorld({ restoreEndpoint });
        const old = titled(echoDefinition('alpha', A, '1.0.0'), 'Start (published by hand)');
        world.seed(old, { published: true });
        let draftBefore = old;
        if (editedDraft) {
          // Someone kept editing in the UI after publishing: the backup (the draft) is not what was live.
          draftBefore = titled(old, 'Start (unpublished edit)');
          const dify = await createDifyConsole({
            baseUrl: world.emulator.url,
            email: EMAIL,
            password: PASSWORD,
            timeoutMs: 5000,
            maxAttempts: 1,
          });
          expect((await dify.importDsl(A, stringifyPyYaml(draftBefore.dsl))).status).toMatch(/^completed/);
          await dify.close?.();
        }
        const next = failingNewVersion();
        await world.commit([next]);

        const r = await deployInProcess(world);
        expect(r.outcome.result, r.sink.text()).toBe('rolled-back');
        expect(r.exitCode).toBe(1);
        expect(r.outcome.restoredTo).toMatch(/^backup [0-9a-f]{12}$/);
        expect(r.liveHash).toBe(workflowHash(old.dsl));
        expect(r.liveHash).not.toBe(workflowHash(next.dsl));
        expect(r.outcome.verifiedHash).toBe(r.liveHash);
        expect(r.draftHash).toBe(workflowHash(draftBefore.dsl));
        // Published: by hand, the failed deploy, the restore. Nothing deleted.
        expect(r.app.published).toHaveLength(3);
        const restoreCalls = world.emulator
          .state()
          .requests.filter((q) => q.method === 'POST' && /\/workflows\/[^/]+\/restore$/.test(q.path));
        expect(restoreCalls.map((q) => q.status)).toEqual([restoreEndpoint ? 200 : 404]);
        expect(r.sink.text()).toContain(restoreEndpoint ? '(restore endpoint), verified' : '(export of that version, imported), verified');
        expect(await world.repo.git(['tag', '--list', 'alpha@v*'])).toBe('');
      });
    }
  }

  it('an app never published before stays published (Dify cannot unpublish): said at once, no retries', async () => {
    world = await createDeployWorld();
    world.seed(echoDefinition('alpha', A)); // no draft, never published: the backup is empty
    await world.commit([failingNewVersion()]);

    const r = await deployInProcess(world);
    expect(r.outcome.result, r.sink.text()).toBe('restore-failed');
    expect(r.exitCode).toBe(1);
    expect(r.outcome.notes.join('\n')).toMatch(
      /failing version stays published: the app had never been published before, and Dify cannot unpublish/,
    );
    expect(r.sink.text()).not.toMatch(/restore attempt/);
    expect(r.outcome.manualCommand).toMatch(
      /^npx dify-gitops@\d+\.\d+\.\d+ rollback --workflow alpha --from-backup \.dify-gitops\/backups\/alpha\.production\.[\w-]+\.yml --environment production$/,
    );
    expect(path.isAbsolute(r.outcome.backupFile!)).toBe(true);
  });

  it('re-running that failed first deploy does not say "rolled back" while the failing version is live', async () => {
    world = await createDeployWorld();
    world.seed(echoDefinition('alpha', A));
    const next = failingNewVersion();
    await world.commit([next]);
    expect((await deployInProcess(world)).outcome.result).toBe('restore-failed');

    const again = await deployInProcess(world);
    expect(again.liveHash).toBe(workflowHash(next.dsl)); // the emulator's state: still the failing version
    expect(again.outcome.result, again.sink.text()).toBe('restore-failed');
    expect(again.exitCode).toBe(1);
    expect(again.outcome.notes.join('\n')).toMatch(/failing version 1\.0\.0 is still live: it was already live before this run/);
  });
});
