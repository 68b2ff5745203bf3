// The live conformance suite: every call the client makes, then every command end to end, against
// one Dify. `npm run test:live` points it at a real server (DIFY_LIVE_*); the normal suite points it
// at the bundled emulator in each auth era, so the checks cannot rot. The suite creates its own
// apps (prefix + run id), deletes them afterwards, and logs in with the right password only.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCanonical } from '../../src/definition/canonical.js';
import type { Definition } from '../../src/definition/types.js';
import { createDifyConsole, createDifyService } from '../../src/dify/client.js';
import { diffAppBlocks, stateFromDsl, stateFromLive } from '../../src/plan/app-state.js';
import type { DifyConsole } from '../../src/dify/types.js';
import { parsePyYaml, stringifyPyYaml } from '../../src/support/pyyaml.js';
import { CHATFLOW, readDslFixture } from '../support/dify-dsl.js';
import { createTempRepo, type TempRepo } from '../support/git-repo.js';
import { startGitHubApi } from '../support/github-api.js';
import { REPO_ROOT, spawnNode } from '../support/run-action.js';
import { createLiveAdmin, type LiveAdmin } from './admin.js';
import { describeEvalCases } from './conformance-evals.js';
import { describeReleaseCases } from './conformance-releases.js';
import { liveDefinition, NAME, SECRET } from './live-definition.js';
import { type LiveTarget, newRunId } from './target.js';

const quiet = { log: () => {} };

export function describeConformance(label: string, getTarget: () => LiveTarget): void {
  describe.sequential(`Dify conformance: ${label}`, () => {
    let target: LiveTarget;
    let admin: LiveAdmin;
    let dify: DifyConsole;
    beforeAll(async () => {
      target = getTarget();
      admin = await createLiveAdmin(target, newRunId());
      dify = await createDifyConsole(
        {
          baseUrl: target.url,
          email: target.email,
          password: target.password,
          token: target.token,
          passwordEncoding: target.passwordEncoding,
          timeoutMs: 30_000,
          maxAttempts: 2,
        },
        quiet,
      );
    });
    afterAll(async () => {
      await dify?.close?.();
      if (admin) {
        await admin.cleanup();
        await admin.close();
      }
    });

    describe.sequential('every client call', () => {
      let app: { id: string; name: string };
      let appId: string;
      it('reads a new app: mode, no published workflow', async () => {
        app = await admin.createApp('calls', 'workflow');
        appId = app.id;
        const info = await dify.getApp(appId);
        expect(info).toMatchObject({ id: appId, mode: 'workflow', name: app.name });
        expect(info.workflow_id ?? null).toBeNull();
        expect(await dify.getPublished(appId)).toBeNull();
      });

      it('imports a DSL into the draft and exports it back', async () => {
        const d = liveDefinition(app, '1.0.0');
        const result = await dify.importDsl(appId, stringifyPyYaml(d.dsl));
        expect(['completed', 'completed-with-warnings']).toContain(result.status);
        expect(result.app_id).toBe(appId);
        const exported = await dify.exportDsl(appId);
        expect(exported).toContain('1754154034161');
        expect(await dify.checkDependencies(appId)).toEqual([]);
      });

      it('an import leaves the app block as plan predicts it (icon left out, null, of an unknown type)', async () => {
        const d = liveDefinition(app, '1.0.0');
        const variants: Array<Record<string, unknown>> = [{ icon: undefined }, { icon: null }, { icon_type: 'bogus', icon: '🚀' }];
        for (const variant of variants) {
          const dsl = { ...d.dsl, app: { ...d.dsl.app, ...variant } };
          await dify.importDsl(appId, stringifyPyYaml(dsl));
          const live = stateFromLive({ app: await dify.getApp(appId), workflow: null });
          expect(diffAppBlocks(live.app, stateFromDsl(dsl).app), JSON.stringify(variant)).toEqual([]);
        }
        await dify.importDsl(appId, stringifyPyYaml(d.dsl));
      });

      it('finds a plugin the DSL needs and the workspace lacks', async () => {
        const absent = { type: 'marketplace', value: { marketplace_plugin_unique_identifier: 'dify-gitops/missing-plugin:0.0.1@0' } };
        const d = liveDefinition(app, '1.0.0');
        const result = await dify.importDsl(appId, stringifyPyYaml({ ...d.dsl, dependencies: [absent] }));
        expect(['completed', 'completed-with-warnings']).toContain(result.status);
        expect(await dify.missingPlugins(appId, [absent])).toEqual([expect.objectContaining(absent)]);
        expect(await dify.missingPlugins(appId, [])).toEqual([]);
        await dify.importDsl(appId, stringifyPyYaml(d.dsl));
      });

      it('publishes with marks, lists versions, re-marks, exports the published version', async () => {
        await dify.publish(appId, { markedName: '1.0.0', markedComment: 'dify-gitops conformance' });
        const published = await dify.getPublished(appId);
        expect(published?.marked_name).toBe('1.0.0');
        const versions = await dify.listVersions(appId);
        expect(versions.map((v) => v.id)).toContain(published!.id);
        // /openapi has no route to re-mark a version; the console has.
        const remarked = await dify.markVersion(appId, published!.id, { markedName: '1.0.0 ✓', markedComment: 'verified' });
        expect(remarked).toBe(dify.authMode !== 'openapi');
        if (remarked) expect((await dify.getPublished(appId))?.marked_name).toBe('1.0.0 ✓');
        const yaml = await dify.exportDsl(appId, { workflowId: published!.id });
        expect(yaml).toContain('1754154034161');
        // Servers before 1.13 have no restore route: the client says so instead of failing.
        expect(typeof (await dify.restoreVersion(appId, published!.id))).toBe('boolean');
      });

      it('holds a newer DSL as pending, and confirms it', async () => {
        const d = liveDefinition(app, '1.0.0');
        const pending = await dify.importDsl(appId, stringifyPyYaml({ ...d.dsl, version: '9.0.0' }));
        expect(pending.status).toBe('pending');
        const confirmed = await dify.confirmImport(pending.id);
        expect(confirmed).toMatchObject({ status: 'completed', app_id: appId });
        await dify.importDsl(appId, stringifyPyYaml(d.dsl));
      });

      it('runs a chatflow through the chat API, blocking and streaming, and reads its info', async () => {
        const chat = await admin.createApp('chat', 'advanced-chat');
        const dsl = parsePyYaml(readDslFixture(CHATFLOW)) as { app: { name: string } };
        dsl.app.name = chat.name;
        const imported = await dify.importDsl(chat.id, stringifyPyYaml(dsl));
        expect(['completed', 'completed-with-warnings']).toContain(imported.status);
        await dify.publish(chat.id, { markedName: '1.0.0', markedComment: 'conformance' });
        const key = await dify.createApiKey(chat.id);
        const service = createDifyService({ serviceUrl: `${target.url}/v1`, apiKey: key.token, timeoutMs: 30_000, maxAttempts: 2 }, quiet);
        try {
          expect(await service.info()).toMatchObject({ name: chat.name, mode: 'advanced-chat' });
          for (const stream of [false, true]) {
            const run = await service.sendChat('hello there', {}, { stream });
            expect(run.status, JSON.stringify(run)).toBe('succeeded');
            expect(run.answer).toContain('hello there');
          }
        } finally {
          await service.close?.();
        }
      });

      it('a wrong password is refused after one attempt, as a credentials error', async () => {
        if (!target.email || !target.password) return;
        const error = await createDifyConsole(
          { baseUrl: target.url, email: target.email, password: `${target.password}-wrong`, timeoutMs: 30_000, maxAttempts: 1 },
          quiet,
        ).catch((e: unknown) => e);
        expect(error).toMatchObject({ code: 'dify.auth' });
        expect(String((error as Error).message)).not.toMatch(/, then /); // one form sent, not two
      });

      it('creates an API key, runs the workflow blocking and streaming with it, deletes the key', async () => {
        const key = await dify.createApiKey(appId);
        expect(key.token).toMatch(/^app-/);
        expect((await dify.listApiKeys(appId)).map((k) => k.id)).toContain(key.id);
        const service = createDifyService({ serviceUrl: `${target.url}/v1`, apiKey: key.token, timeoutMs: 30_000, maxAttempts: 2 }, quiet);
        try {
          for (const stream of [false, true]) {
            const run = await service.runWorkflow({ query: 'hello' }, { stream });
            expect(run.status, JSON.stringify(run)).toBe('succeeded');
            expect(run.outputs.query).toBe('hello');
          }
          expect((await service.parameters()).user_input_form).toBeDefined();
        } finally {
          await service.close?.();
        }
        await dify.deleteApiKey(appId, key.id);
        expect((await dify.listApiKeys(appId)).map((k) => k.id)).not.toContain(key.id);
      });
    });

    describe.sequential('every command, end to end', () => {
      let app: { id: string; name: string };
      let appId: string;
      let repo: TempRepo;
      let github: Awaited<ReturnType<typeof startGitHubApi>>;
      let secretValue = 'live-secret-one';
      const cli = (args: string[]) =>
        spawnNode(
          [path.join(REPO_ROOT, 'bin/dify-gitops.js'), ...args],
          repo.dir,
          {
            PATH: process.env.PATH ?? '',
            HOME: process.env.HOME ?? '/tmp',
            DIFY_URL: target.url,
            DIFY_EMAIL: target.email ?? '',
            DIFY_PASSWORD: target.password ?? '',
            DIFY_TOKEN: target.token ?? '',
            DIFY_PASSWORD_ENCODING: target.passwordEncoding ?? '',
            DIFY_TIMEOUT_SECONDS: '30',
            GITHUB_TOKEN: 'ghs_live_suite',
            GITHUB_REPOSITORY: 'acme/flows',
            GITHUB_API_URL: github.url,
            [SECRET.env]: secretValue,
          },
          180_000,
        );
      const commit = (d: Definition) => repo.commit({ [`workflows/${d.name}.json`]: formatCanonical(d) }, `${d.name} ${d.version}`);
      const liveMark = async () => (await dify.getPublished(appId))?.marked_name;

      beforeAll(async () => {
        app = await admin.createApp('commands', 'workflow');
        appId = app.id;
        repo = await createTempRepo();
        github = await startGitHubApi({ token: 'ghs_live_suite', repository: 'acme/flows' });
      });
      afterAll(async () => {
        await Promise.all([repo?.cleanup(), github?.close()]);
      });

      it('validate and plan a new definition', async () => {
        await commit(liveDefinition(app, '1.0.0'));
        const validate = await cli(['validate']);
        expect(validate.code, validate.stdout + validate.stderr).toBe(0);
        const plan = await cli(['plan', '--json']);
        expect(plan.code, plan.stderr).toBe(0);
        expect(plan.stdout).toContain(NAME);
      });

      it('deploys: published, verified, tagged and released', async () => {
        const run = await cli(['deploy', '--all']);
        expect(run.code, run.stdout + run.stderr).toBe(0);
        expect(await liveMark()).toMatch(/^1\.0\.0/);
        expect(await repo.git(['ls-remote', '--tags', 'origin'])).toContain(`refs/tags/${NAME}@v1.0.0`);
      });

      it('a deploy whose smoke check fails rolls back to the release that was live', async () => {
        await commit(liveDefinition(app, '1.1.0', { title: 'End v1.1', expect: 'never-this' }));
        const run = await cli(['deploy', '--all']);
        expect(run.code, run.stdout + run.stderr).toBe(1);
        expect(await liveMark()).toMatch(/^1\.0\.0/);
      });

      it('rolls back by hand to a named release', async () => {
        await commit(liveDefinition(app, '1.2.0', { title: 'End v1.2' }));
        expect((await cli(['deploy', '--all'])).code).toBe(0);
        expect(await liveMark()).toMatch(/^1\.2\.0/);
        const run = await cli(['rollback', '--workflow', NAME, '--to', '1.0.0']);
        expect(run.code, run.stdout + run.stderr).toBe(0);
        expect(await liveMark()).toMatch(/^1\.0\.0/);
      });

      it('drift sees an edit made in the editor, and pull brings it into git', async () => {
        await admin.editDraftAsUi(appId, (graph) => {
          const end = graph.nodes.find((n) => n.data.type === 'end')!;
          end.data.title = 'Edited in the UI';
        });
        const drift = await cli(['drift', '--json']);
        expect(drift.code, drift.stdout + drift.stderr).toBe(3);
        const pull = await cli(['pull', NAME]);
        expect(pull.code, pull.stdout + pull.stderr).toBe(0);
        expect(await readFile(path.join(repo.dir, 'workflows', `${NAME}.json`), 'utf8')).toContain('Edited in the UI');
      });

      it('render prints what a deploy imports, and doctor passes the workspace', async () => {
        const render = await cli(['render', NAME]);
        expect(render.code, render.stderr).toBe(0);
        expect(render.stdout).toContain(`app ${appId} (production)`);
        const doctor = await cli(['doctor', '--json']);
        const report = JSON.parse(doctor.stdout) as { ok: boolean; server: { version?: string }; checks: Array<{ status: string }> };
        expect(report.ok, doctor.stdout).toBe(true);
        expect(doctor.code).toBe(0);
        expect(report.checks.some((c) => c.status === 'fail')).toBe(false);
      });

      it('redeploys a changed secret value, and the live app uses it', async () => {
        // What pull wrote, released as 1.3.0, so the live app is the repository's again.
        const pulled = JSON.parse(await readFile(path.join(repo.dir, 'workflows', `${NAME}.json`), 'utf8')) as Definition;
        await commit({ ...pulled, version: '1.3.0' });
        const deploy = await cli(['deploy', '--all']);
        expect(deploy.code, deploy.stdout + deploy.stderr).toBe(0);
        secretValue = 'live-secret-two';
        const keyFile = path.join(repo.dir, '..', 'redeploy.key');
        const run = await cli(['rotate-keys', '--workflow', NAME, '--key-file', keyFile, '--grace', '0s', '--redeploy-secrets']);
        expect(run.code, run.stdout + run.stderr).toBe(0);
        expect(run.stdout + run.stderr).not.toContain(secretValue);
        const key = (await readFile(keyFile, 'utf8')).trim();
        const service = createDifyService({ serviceUrl: `${target.url}/v1`, apiKey: key, timeoutMs: 30_000, maxAttempts: 2 }, quiet);
        try {
          expect((await service.runWorkflow({ query: 'hello' }, { stream: false })).outputs.secret).toBe('live-secret-two');
        } finally {
          await service.close?.();
        }
      });

      it('rotates the app key into a key file, and the new key runs the app', async () => {
        const keyFile = path.join(repo.dir, '..', 'live.key');
        const run = await cli(['rotate-keys', '--workflow', NAME, '--key-file', keyFile, '--grace', '0s']);
        expect(run.code, run.stdout + run.stderr).toBe(0);
        const key = (await readFile(keyFile, 'utf8')).trim();
        expect(key).toMatch(/^app-/);
        expect(run.stdout + run.stderr).not.toContain(key);
        const service = createDifyService({ serviceUrl: `${target.url}/v1`, apiKey: key, timeoutMs: 30_000, maxAttempts: 2 }, quiet);
        try {
          expect((await service.runWorkflow({ query: 'hello' }, { stream: false })).outputs.query).toBe('hello');
        } finally {
          await service.close?.();
        }
      });

      describeReleaseCases(() => ({ name: NAME, app, dify, admin, repo, cli }));
      describeEvalCases(() => ({ name: NAME, app, dify, admin, repo, cli }));
    });
  });
}
