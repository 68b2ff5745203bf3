// The YAML form against the emulator, in a real repository with a bare origin: adopt writes the
// export byte for byte beside the definition, deploy imports it, pull keeps the form (a UI edit
// rewrites only the .dify.yml, with the export as Dify gives it), and the plan after is empty.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { runAdopt } from '../../src/commands/adopt.js';
import { runDeploy } from '../../src/commands/deploy.js';
import { runPlan } from '../../src/commands/plan.js';
import { runPull } from '../../src/commands/pull.js';
import { runFmt } from '../../src/commands/fmt.js';
import { runRollback } from '../../src/commands/rollback.js';
import { runValidate } from '../../src/commands/validate.js';
import { createDifyConsole } from '../../src/dify/client.js';
import type { DifyConsole } from '../../src/dify/types.js';
import { createGit } from '../../src/git/git.js';
import { readActionSettings, readCliSettings, type Settings } from '../../src/settings.js';
import { stringifyPyYaml, parsePyYaml } from '../../src/support/pyyaml.js';
import type { Command } from '../../src/inputs.js';
import { createCaptureSink } from '../support/capture-sink.js';
import { createDeployWorld, EMAIL, PASSWORD, type DeployWorld } from '../support/deploy-world.js';
import { settingsFor } from '../support/settings.js';
import { PASSTHROUGH, readDslFixture } from '../support/dify-dsl.js';

const A = '11111111-1111-4111-8111-111111111111';
let world: DeployWorld | undefined;
let dify: DifyConsole | undefined;
afterEach(async () => {
  await dify?.close?.();
  await world?.cleanup();
  world = dify = undefined;
});

/** A CLI command run in-process in the world's repository, as `dify-gitops <argv>` would be. */
function cli<C extends Command>(w: DeployWorld, command: C, argv: string[] = []): Settings<C> {
  const env = { DIFY_URL: w.emulator.url, DIFY_EMAIL: EMAIL, DIFY_PASSWORD: PASSWORD, DIFY_TIMEOUT_SECONDS: '5' };
  return { ...settingsFor(readCliSettings([command, ...argv], env), command), root: w.repo.dir };
}

async function deploy(w: DeployWorld) {
  const env = {
    GITHUB_WORKSPACE: w.repo.dir,
    INPUT_COMMAND: 'deploy',
    'INPUT_DIFY-URL': w.emulator.url,
    'INPUT_DIFY-EMAIL': EMAIL,
    'INPUT_DIFY-PASSWORD': PASSWORD,
    'INPUT_BACKUP-DIR': `${w.repo.dir}/../backups`,
  };
  const settings = settingsFor(readActionSettings(env), 'deploy');
  const sink = createCaptureSink();
  const result = await runDeploy({ ...settings, root: w.repo.dir }, settings.options, { git: createGit(w.repo.dir), sink, env });
  return { ...result, sink };
}

async function emptyPlan(w: DeployWorld): Promise<unknown> {
  const settings = cli(w, 'plan', ['--json']);
  const sink = createCaptureSink();
  const plan = await runPlan(settings, settings.options, { git: createGit(w.repo.dir), sink });
  expect(plan.exitCode, sink.text()).toBe(0);
  return plan.json;
}

it('adopt --form yaml, deploy, pull, then an empty plan; a UI edit pulls into the .dify.yml as Dify exports it', async () => {
  const w = await createDeployWorld();
  world = w;
  // The app as it is in Dify before it is put under git: its draft is the passthrough workflow.
  w.emulator.seedApp({ id: A, mode: 'workflow', name: 'echo', dsl: readDslFixture(PASSTHROUGH) });
  dify = await createDifyConsole({ baseUrl: w.emulator.url, email: EMAIL, password: PASSWORD, timeoutMs: 5000, maxAttempts: 1 });
  const exported = await dify.exportDsl(A);
  await writeFile(path.join(w.repo.dir, 'export.yml'), exported);

  const adoptSink = createCaptureSink();
  const adopt = cli(w, 'adopt', ['export.yml', '--name', 'echo', '--app', A, '--form', 'yaml']);
  expect(await runAdopt(adopt, adopt.options, { sink: adoptSink })).toMatchObject({ exitCode: 0, dslFile: 'workflows/echo.dify.yml' });
  const read = (file: string) => readFile(path.join(w.repo.dir, 'workflows', file), 'utf8');
  expect(await read('echo.dify.yml')).toBe(exported); // byte for byte
  const envelope = JSON.parse(await read('echo.json'));
  expect(envelope).toMatchObject({ name: 'echo', dsl_file: 'echo.dify.yml', app: { production: A } });
  expect(envelope).not.toHaveProperty('dsl');

  const schema = await readFile(path.resolve(import.meta.dirname, '../../schema/definition.schema.json'), 'utf8');
  await w.repo.commit(
    { 'schema/definition.schema.json': schema, 'workflows/echo.json': await read('echo.json'), 'workflows/echo.dify.yml': exported },
    'adopt echo',
  );
  const first = await deploy(w);
  expect(first.exitCode, first.sink.text()).toBe(0);
  expect(
    w.emulator
      .state()
      .apps.find((a) => a.id === A)
      ?.published.map((p) => p.marked_name),
  ).toEqual(['1.0.0']);

  // Right after the deploy, pull finds nothing to rewrite, fmt leaves both files alone, and the plan is empty.
  const pullSink = createCaptureSink();
  const pull = cli(w, 'pull', ['echo']);
  expect((await runPull(pull, pull.options, { git: createGit(w.repo.dir), sink: pullSink })).exitCode, pullSink.text()).toBe(0);
  expect(pullSink.text()).toContain('echo: unchanged');
  const fmt = cli(w, 'fmt');
  expect(await runFmt(fmt, fmt.options, { sink: createCaptureSink() })).toEqual({ exitCode: 0, changed: [] });
  expect(await w.repo.git(['status', '--porcelain', 'workflows'])).toBe('');
  expect(await emptyPlan(w)).toMatchObject({ ok: true, hasChanges: false, changes: [{ name: 'echo', status: 'noop' }] });

  // Someone edits the app in Dify's UI: pull rewrites the .dify.yml with the export as Dify gives it.
  const edited = parsePyYaml(exported) as { workflow: { graph: { nodes: Array<{ data: { type: string; title: string } }> } } };
  edited.workflow.graph.nodes.find((n) => n.data.type === 'start')!.data.title = 'Edited in the UI';
  expect((await dify.importDsl(A, stringifyPyYaml(edited))).status).toBe('completed');
  const live = await dify.exportDsl(A);
  const again = createCaptureSink();
  expect((await runPull(pull, pull.options, { git: createGit(w.repo.dir), sink: again })).exitCode, again.text()).toBe(0);
  expect(await read('echo.dify.yml')).toBe(live);
  expect(again.text()).toContain('echo: rewrote workflows/echo.dify.yml from the live draft');
  expect(await w.repo.git(['status', '--porcelain', 'workflows'])).toBe('M workflows/echo.dify.yml');
  // The reviewer bumps the version, deploys, and the plan is empty again.
  await w.repo.commit(
    { 'workflows/echo.json': (await read('echo.json')).replace('"1.0.0"', '"1.0.1"'), 'workflows/echo.dify.yml': live },
    'pull echo',
  );
  const second = await deploy(w);
  expect(second.exitCode, second.sink.text()).toBe(0);
  expect(await emptyPlan(w)).toMatchObject({ ok: true, hasChanges: false, changes: [{ name: 'echo', status: 'noop' }] });

  // A release of the YAML form is its definition and its .dify.yml at the tag: rollback restores that DSL.
  const rollback = cli(w, 'rollback', ['--workflow', 'echo', '--to', '1.0.0', '--environment', 'production']);
  const rolled = createCaptureSink();
  expect(
    (await runRollback(rollback, rollback.options, { git: createGit(w.repo.dir), sink: rolled, env: {} })).exitCode,
    rolled.text(),
  ).toBe(0);
  const restored = parsePyYaml(await dify.exportDsl(A)) as typeof edited;
  expect(restored.workflow.graph.nodes.find((n) => n.data.type === 'start')?.data.title).toBe('Start');
});

it('a change to the .dify.yml alone is a change to its definition: it needs a version bump, and plan and deploy select it', async () => {
  const w = await createDeployWorld();
  world = w;
  w.emulator.seedApp({ id: A, mode: 'workflow', name: 'echo' });
  const yaml = readDslFixture(PASSTHROUGH);
  const envelope = (version: string) =>
    `${JSON.stringify({ app: { '*': A }, dsl_file: 'echo.dify.yml', name: 'echo', version }, null, 2)}\n`;
  const base = await w.repo.commit({ 'workflows/echo.json': envelope('1.0.0'), 'workflows/echo.dify.yml': yaml }, 'echo in the YAML form');
  expect((await deploy(w)).exitCode).toBe(0);

  const edited = yaml.replace('title: Start', 'title: Begin');
  expect(edited).not.toBe(yaml);
  await w.repo.commit({ 'workflows/echo.dify.yml': edited }, 'edit the prompt file only');
  const plan = cli(w, 'plan', ['--base', base, '--json']);
  const planned = await runPlan(plan, plan.options, { git: createGit(w.repo.dir), sink: createCaptureSink() });
  // Selected although echo.json did not change (and invalid until its version is bumped).
  expect(planned.json).toMatchObject({ ok: false, changes: [{ name: 'echo', status: 'invalid' }] });
  const sink = createCaptureSink();
  const validate = cli(w, 'validate', ['--base', base]);
  expect((await runValidate(validate, { git: createGit(w.repo.dir), sink })).exitCode).toBe(1);
  expect(sink.text()).toMatch(
    /workflows\/echo\.json:\d+:\d+: error: the definition changed since the base ref but its version is still "1\.0\.0"/,
  );

  await w.repo.commit({ 'workflows/echo.json': envelope('1.0.1') }, 'bump');
  const deployed = await deploy(w);
  expect(deployed.exitCode, deployed.sink.text()).toBe(0);
  expect(deployed.sink.text()).toMatch(/Selected 1 of 1 definition\(s\)/);
  expect(
    w.emulator
      .state()
      .apps.find((a) => a.id === A)
      ?.published.map((p) => p.marked_name),
  ).toEqual(['1.0.0', '1.0.1']);
});

it('pull with pull-request: true commits the rewritten .dify.yml on the branch and names it in the pull request', async () => {
  const w = await createDeployWorld();
  world = w;
  w.emulator.seedApp({ id: A, mode: 'workflow', name: 'echo', dsl: readDslFixture(PASSTHROUGH) });
  const envelope = `${JSON.stringify({ app: { '*': A }, dsl_file: 'echo.dify.yml', name: 'echo', version: '1.0.0' }, null, 2)}\n`;
  const head = await w.repo.commit({ 'workflows/echo.json': envelope, 'workflows/echo.dify.yml': readDslFixture(PASSTHROUGH) }, 'echo');
  dify = await createDifyConsole({ baseUrl: w.emulator.url, email: EMAIL, password: PASSWORD, timeoutMs: 5000, maxAttempts: 1 });
  const edited = readDslFixture(PASSTHROUGH).replace('title: Start', 'title: Begin');
  expect((await dify.importDsl(A, edited)).status).toMatch(/^completed/);

  const env = {
    GITHUB_WORKSPACE: w.repo.dir,
    INPUT_COMMAND: 'pull',
    INPUT_WORKFLOW: 'echo',
    'INPUT_PULL-REQUEST': 'true',
    'INPUT_GITHUB-TOKEN': 'ghs_test_token',
    'INPUT_DIFY-URL': w.emulator.url,
    'INPUT_DIFY-EMAIL': EMAIL,
    'INPUT_DIFY-PASSWORD': PASSWORD,
    GITHUB_API_URL: w.github.url,
    GITHUB_REPOSITORY: 'acme/flows',
  };
  const settings = settingsFor(readActionSettings(env), 'pull');
  const sink = createCaptureSink();
  expect((await runPull(settings, settings.options, { git: createGit(w.repo.dir), sink })).exitCode, sink.text()).toBe(0);
  const branch = (await w.repo.git(['ls-remote', 'origin', 'refs/heads/dify-gitops/pull-production'])).split('\t')[0];
  await w.repo.git(['fetch', '--quiet', 'origin', 'dify-gitops/pull-production']);
  expect(await w.repo.git(['diff', '--name-only', head, branch])).toBe('workflows/echo.dify.yml');
  expect(await w.repo.git(['show', `${branch}:workflows/echo.dify.yml`])).toBe((await dify.exportDsl(A)).trimEnd());
  expect(w.github.state.pulls[0].body).toContain('- `echo` (`workflows/echo.json`, its DSL in `workflows/echo.dify.yml`)');
});
