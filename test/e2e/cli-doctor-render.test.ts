// doctor, the preflight before a first deploy, and render, the YAML a deploy would import: both from a
// terminal against the emulator, as a user runs them.
import { afterEach, describe, expect, it } from 'vitest';
import { parsePyYaml } from '../../src/support/pyyaml.js';
import type { Definition } from '../../src/definition/types.js';
import { createDifyConsole } from '../../src/dify/index.js';
import {
  createDeployWorld,
  type DeployWorld,
  EMAIL,
  echoDefinition,
  exampleDefinition,
  PASSWORD,
  runCli,
} from '../support/deploy-world.js';

let world: DeployWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
const C = '33333333-3333-4333-8333-333333333333';
const D = '44444444-4444-4444-8444-444444444444';

/** Writes doctor must never make (POST …/workspaces/current is Dify 1.12's way to read the workspace). */
const changes = (w: DeployWorld, since = 0) => w.writes(since).filter((r) => r.path !== '/console/api/workspaces/current');

interface Check {
  subject: string;
  check: string;
  status: 'ok' | 'warn' | 'fail';
  detail: string;
}

describe('doctor', () => {
  it('passes a ready workspace with one login and no writes', async () => {
    world = await createDeployWorld();
    const d = echoDefinition('alpha', A);
    world.seed(d);
    await world.commit([d]);
    const run = await runCli(world, ['doctor', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as { ok: boolean; server: { version: string; console: string }; checks: Check[] };
    expect(report.ok).toBe(true);
    expect(report.server).toMatchObject({ version: '1.12.1', console: 'cookie', openapi: false });
    expect(report.checks.map((c) => `${c.subject}/${c.check}/${c.status}`)).toEqual([
      'server/reachable/ok',
      'credentials/sign in/ok',
      'account/role/ok',
      'alpha/app exists/ok',
      'alpha/mode/ok',
      'alpha/service API/ok',
      'alpha/API-key headroom/ok',
    ]);
    expect(changes(world)).toEqual([]);
    expect(world.emulator.state().requests.filter((r) => r.path === '/console/api/login')).toHaveLength(1);
  });

  it('names each problem, on its definition, and exits 1', async () => {
    world = await createDeployWorld();
    const missingApp = echoDefinition('ghost', B);
    const wrongMode = echoDefinition('chatty', C);
    const needsPlugin: Definition = { ...echoDefinition('plugged', D) };
    needsPlugin.dsl = {
      ...needsPlugin.dsl,
      dependencies: [{ type: 'marketplace', value: { marketplace_plugin_unique_identifier: 'acme/missing-tool:1.0.0@x' } }],
    };
    world.emulator.seedApp({ id: C, mode: 'advanced-chat', name: 'chatty' });
    world.seed(needsPlugin);
    const full = world.seed(echoDefinition('full', A));
    const dify = await createDifyConsole(
      { baseUrl: world.emulator.url, email: EMAIL, password: PASSWORD, timeoutMs: 5000, maxAttempts: 1 },
      { log: () => {} },
    );
    for (let i = 0; i < 9; i++) await dify.createApiKey(full);
    await dify.close?.();
    await world.commit([missingApp, wrongMode, needsPlugin, echoDefinition('full', A)]);
    const before = world.emulator.state().requests.length;
    const run = await runCli(world, ['doctor', '--json']);
    expect(run.code, run.stderr).toBe(1);
    const { checks } = JSON.parse(run.stdout) as { checks: Check[] };
    const status = (subject: string, check: string) => checks.find((c) => c.subject === subject && c.check === check);
    expect(status('ghost', 'app exists')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/no app 22222222-.* in this workspace/),
    });
    expect(status('chatty', 'mode')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/the app is advanced-chat, the definition is workflow/),
    });
    expect(status('plugged', 'plugins')).toMatchObject({ status: 'fail', detail: expect.stringContaining('acme/missing-tool') });
    expect(status('full', 'API-key headroom')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/^10 of 10 keys in use/) });
    expect(changes(world, before)).toEqual([]);
  });

  it('in Actions: a summary table, annotations on the definition, the healthy output', async () => {
    world = await createDeployWorld();
    const wrongMode = echoDefinition('chatty', C);
    world.emulator.seedApp({ id: C, mode: 'advanced-chat', name: 'chatty' });
    await world.commit([wrongMode]);
    const run = await world.run({ command: 'doctor' });
    expect(run.code).toBe(1);
    expect(run.outputs.healthy).toBe('false');
    expect(run.summary).toMatch(/## dify-gitops doctor · production: 1 check\(s\) failed/);
    expect(run.summary).toMatch(/\| ❌ \| chatty \| mode \|/);
    expect(run.stdout).toMatch(/::error .*file=workflows\/chatty\.json,line=\d+/);
  });

  it('a wrong password: one attempt, reported as the failed check', async () => {
    world = await createDeployWorld();
    await world.commit([echoDefinition('alpha', A)]);
    const run = await runCli(world, ['doctor', '--json'], { DIFY_PASSWORD: 'not-the-password' });
    expect(run.code).toBe(1);
    const { checks } = JSON.parse(run.stdout) as { checks: Check[] };
    expect(checks.find((c) => c.subject === 'credentials')).toMatchObject({ status: 'fail' });
    expect(world.emulator.state().loginFailures).toBe(1);
    expect(run.stdout + run.stderr).not.toContain('not-the-password');
  });
});

describe('render', () => {
  it('prints the YAML a deploy would import: PyYAML-readable, secrets blank, the app named', async () => {
    world = await createDeployWorld();
    const search = exampleDefinition('http-search.json');
    await world.commit([search]);
    const run = await runCli(world, ['render', search.name, '--environment', 'staging']);
    expect(run.code, run.stderr).toBe(0);
    const app = typeof search.app === 'string' ? search.app : search.app.staging;
    expect(run.stdout).toMatch(new RegExp(`^# ${search.name} → app ${app} \\(staging\\)\\n`));
    const dsl = parsePyYaml(run.stdout) as Definition['dsl'];
    expect(dsl.workflow?.graph).toEqual(search.dsl.workflow?.graph);
    const secret = dsl.workflow?.environment_variables?.find((v) => v.value_type === 'secret');
    expect(secret?.value).toBe('');
    expect(world.emulator.state().requests).toEqual([]);
  });

  it('refuses an unknown name and says which exist', async () => {
    world = await createDeployWorld();
    await world.commit([echoDefinition('alpha', A)]);
    const run = await runCli(world, ['render', 'nope']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/No definition named "nope".*Known: alpha/);
  });
});
