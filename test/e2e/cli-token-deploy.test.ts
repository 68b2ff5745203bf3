// A dfoa_ token alone speaks /openapi, which has no API-key routes: smoke checks then run with the key
// the definition names (`service_key`, e.g. the secret rotate-keys hands it to), and no console login
// happens at all.
import { afterEach, describe, expect, it } from 'vitest';
import { createDeployWorld, type DeployWorld, echoDefinition, runCli } from '../support/deploy-world.js';

const A = '11111111-1111-4111-8111-111111111111';
const TOKEN = 'dfoa_emulator_token_0123456789';
let world: DeployWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

const tokenOnly = (extra: Record<string, string> = {}) => ({ DIFY_TOKEN: TOKEN, DIFY_EMAIL: '', DIFY_PASSWORD: '', ...extra });

describe('deploy with a dfoa_ token only', () => {
  it('runs the smoke checks with the key the definition names, and never logs in to the console', async () => {
    world = await createDeployWorld({ openapi: true, openapiToken: TOKEN });
    const d = { ...echoDefinition('alpha', A), service_key: { production: 'ALPHA_SERVICE_KEY' } };
    world.seed(d);
    await world.commit([d]);
    const key = world.emulator.state().apps.find((a) => a.id === A)!.api_keys[0].token;
    const run = await runCli(world, ['deploy', '--all'], tokenOnly({ ALPHA_SERVICE_KEY: key }));
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/\(openapi auth\)/);
    const requests = world.emulator.state().requests;
    expect(requests.filter((r) => r.path === '/console/api/login' || r.path.endsWith('/api-keys'))).toEqual([]);
    expect(requests.filter((r) => r.path === '/v1/workflows/run').length).toBeGreaterThan(0);
    expect(run.stdout + run.stderr).not.toContain(key);
  });

  it('names the unset variable before anything is written', async () => {
    world = await createDeployWorld({ openapi: true, openapiToken: TOKEN });
    const d = { ...echoDefinition('alpha', A), service_key: { '*': 'ALPHA_SERVICE_KEY' } };
    world.seed(d);
    await world.commit([d]);
    const run = await runCli(world, ['deploy', '--all'], tokenOnly());
    expect(run.code).toBe(1);
    expect(run.stdout + run.stderr).toMatch(/alpha names its service API key in ALPHA_SERVICE_KEY, which is not set/);
    expect(world.writes()).toEqual([]);
  });
});
