// command: rotate-keys, run from dist/ as the runner runs it, against the Dify emulator and the
// loopback GitHub API (which keeps its private key, so the sealed secret is opened and checked).
// After every run: no key value anywhere but the masked api-key output and the sealed secret.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { createDifyConsole } from '../../src/dify/client.js';
import { createDeployWorld, echoDefinition, EMAIL, PASSWORD, type DeployWorld } from '../support/deploy-world.js';
import { openStoredSecret } from '../support/open-sealed-secret.js';
import type { ActionRun } from '../support/run-action.js';
import type { Definition } from '../../src/definition/types.js';

let world: DeployWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

const A = '11111111-1111-4111-8111-111111111111';
const DAY = 86_400_000;

/** A world with `alpha` published in Dify (and one key made by hand), committed to the repo. */
async function publishedWorld(definition: Definition = echoDefinition('alpha', A)): Promise<DeployWorld> {
  const w = await createDeployWorld();
  w.emulator.seedApp({ id: A, mode: 'workflow', name: 'alpha', dsl: stringify(definition.dsl), published: true });
  await w.commit([definition]);
  return w;
}

/** Real time throughout: grace decisions are shown with 0s and 24h graces and the ledger's recorded times. */
function rotate(w: DeployWorld, inputs: Record<string, string> = {}, env: Record<string, string> = {}): Promise<ActionRun> {
  return w.run({ command: 'rotate-keys', workflow: 'alpha', 'secret-name': 'DIFY_KEY', ...inputs }, env);
}
/** `iso` is a time recorded during the run that started at `start` (plus `offset`). */
function expectDuring(iso: string, start: number, offset = 0) {
  expect(Date.parse(iso)).toBeGreaterThanOrEqual(start + offset);
  expect(Date.parse(iso)).toBeLessThanOrEqual(Date.now() + offset);
}

const app = (w: DeployWorld) => w.emulator.state().apps.find((a) => a.id === A)!;
const keyIds = (w: DeployWorld) => app(w).api_keys.map((k) => k.id);
const ledger = (w: DeployWorld) => JSON.parse(w.github.state.variables.get('/DIFY_GITOPS_KEYS')?.value ?? '{}');

/** Every token the app ever had must be absent from everything the run left, but the masked output. */
function expectNoKeyLeaks(w: DeployWorld, run: ActionRun, tokens: string[]) {
  const printed = (run.stdout + run.stderr)
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n');
  const { 'api-key': _masked, ...outputs } = run.outputs;
  const left = [
    printed,
    run.summary,
    JSON.stringify(outputs),
    JSON.stringify([...w.github.state.variables.values()]),
    JSON.stringify(w.github.requests.filter((r) => !/\/secrets\//.test(r.path))),
  ].join('\n');
  for (const token of tokens) expect(left).not.toContain(token);
  // Keys deleted during the run are gone from the emulator: no Dify key shape may appear at all.
  expect(left).not.toMatch(/app-[A-Za-z0-9]{24}/);
}
const allTokens = (w: DeployWorld) => app(w).api_keys.map((k) => k.token);

describe('command: rotate-keys', () => {
  it('creates, verifies and seals a new key into the secret, records it, and prints no key', async () => {
    world = await publishedWorld();
    const handMade = keyIds(world);
    const started = Date.now();
    const run = await rotate(world);
    expect(run.code, run.stdout).toBe(0);

    const fresh = app(world).api_keys.find((k) => !handMade.includes(k.id))!;
    expect(keyIds(world)).toEqual([...handMade, fresh.id]);
    expect(await openStoredSecret(world.github, 'DIFY_KEY')).toBe(fresh.token);
    expect(ledger(world)).toEqual({
      'alpha/production': { current: fresh.id, created: [{ id: fresh.id, created_at: expect.any(String) }] },
    });
    expectDuring(ledger(world)['alpha/production'].created[0].created_at, started);
    expect(JSON.parse(run.outputs.rotated)).toEqual([
      { name: 'alpha', environment: 'production', new_key_id: fresh.id, revoked_key_ids: [] },
    ]);
    expect(run.outputs['api-key']).toBe(fresh.token);
    expect(run.stdout).toContain(`::add-mask::${fresh.token}`);
    expect(run.stdout).toMatch(/new key verified with smoke check "echoes query"/);
    expect(run.summary).toMatch(/\| alpha \| production \| ✅ rotated \| `[0-9a-f-]{36}` \| secret DIFY_KEY \(repository\) \|/);
    expectNoKeyLeaks(world, run, allTokens(world));
  });

  it('a new key that fails its check is deleted; the old key, secret and ledger stay', async () => {
    world = await publishedWorld();
    const first = await rotate(world);
    expect(first.code, first.stdout).toBe(0);
    const before = { keys: keyIds(world), secret: await openStoredSecret(world.github, 'DIFY_KEY'), ledger: ledger(world) };
    world.emulator.injectFault({
      match: { method: 'POST', path: '/v1/workflows/run' },
      respond: { status: 500, body: { code: 'internal_server_error', message: 'model down', status: 500 } },
      times: 2,
    });

    const run = await rotate(world);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /the new key failed its check \(smoke check "echoes query": .*\); it was deleted and consumers keep the current key/,
    );
    expect(run.stdout).toMatch(/Nothing was revoked: the run did not fully succeed/);
    expect(keyIds(world)).toEqual(before.keys);
    expect(await openStoredSecret(world.github, 'DIFY_KEY')).toBe(before.secret);
    expect(ledger(world)).toEqual(before.ledger);
    expect(JSON.parse(run.outputs.rotated)).toEqual([]);
    expect(run.outputs['api-key']).toBeUndefined();
    expectNoKeyLeaks(world, run, allTokens(world));
  });

  it('when GitHub refuses the secret, the new key is deleted and never announced', async () => {
    world = await publishedWorld();
    const handMade = keyIds(world);
    world.github.failNext({ method: 'PUT', path: /\/actions\/secrets\/DIFY_KEY$/ }, 500);

    const run = await rotate(world);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/Could not update the repository secret DIFY_KEY: .*HTTP 500/);
    expect(run.stdout).toMatch(/the new key was not handed over and was deleted/);
    expect(keyIds(world)).toEqual(handMade);
    expect(world.github.state.secrets.size).toBe(0);
    expect(run.outputs['api-key']).toBeUndefined();
    expect(JSON.parse(run.outputs.rotated)).toEqual([]);
    expect(ledger(world)).toEqual({});
    expect(world.github.requests.filter((r) => r.method === 'PUT')).toHaveLength(1);
    expectNoKeyLeaks(world, run, allTokens(world));
  });

  it("at Dify's 10-key cap leaves foreign keys alone and says how to go on; with prune-foreign-keys it removes the least used one", async () => {
    world = await publishedWorld();
    const console = await createDifyConsole({
      baseUrl: world.emulator.url,
      email: EMAIL,
      password: PASSWORD,
      timeoutMs: 5000,
      maxAttempts: 1,
    });
    for (let i = 0; i < 9; i++) await console.createApiKey(A);
    await console.close?.();
    const foreign = keyIds(world);

    const refused = await rotate(world);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(
      /The app has 10 API keys, Dify's limit of 10: 0 created by dify-gitops .* and 10 created elsewhere\. No key may be removed to make room, so no new key was created/,
    );
    expect(refused.stdout).toMatch(/prune-foreign-keys: true/);
    expect(keyIds(world)).toEqual(foreign);

    const pruned = await rotate(world, { 'prune-foreign-keys': 'true' });
    expect(pruned.code, pruned.stdout).toBe(0);
    const [rotated] = JSON.parse(pruned.outputs.rotated);
    expect(rotated.revoked_key_ids).toHaveLength(1);
    expect(foreign).toContain(rotated.revoked_key_ids[0]);
    expect(keyIds(world)).toEqual([...foreign.filter((id) => id !== rotated.revoked_key_ids[0]), rotated.new_key_id]);
    expect(pruned.summary).toContain(
      `prune-foreign-keys: ${rotated.revoked_key_ids[0]}) before creating the new one; such keys stay deleted even when the rest of the run fails`,
    );
  });

  it('a failed run with prune-foreign-keys says which keys created elsewhere it deleted anyway', async () => {
    world = await publishedWorld();
    const console = await createDifyConsole({
      baseUrl: world.emulator.url,
      email: EMAIL,
      password: PASSWORD,
      timeoutMs: 5000,
      maxAttempts: 1,
    });
    for (let i = 0; i < 9; i++) await console.createApiKey(A);
    await console.close?.();
    const foreign = keyIds(world);
    world.emulator.injectFault({
      match: { method: 'POST', path: '/v1/workflows/run' },
      respond: { status: 500, body: { code: 'internal_server_error', message: 'model down', status: 500 } },
      times: 2,
    });

    const run = await rotate(world, { 'prune-foreign-keys': 'true' });
    expect(run.code).toBe(1);
    const gone = foreign.filter((id) => !keyIds(world!).includes(id));
    expect(gone).toEqual([foreign[0]]); // the oldest, never used
    expect(keyIds(world)).toHaveLength(9); // the new key failed its check and was deleted
    const said = `No replaced key was revoked: the run did not fully succeed. Keys created elsewhere were deleted before that, to make room under Dify's 10-key limit (prune-foreign-keys): ${gone[0]}.`;
    expect(run.stdout).toContain(said);
    expect(run.summary).toContain(said);
    expect(run.stdout).not.toMatch(/Nothing was revoked/);
  });

  it('a replaced key is revoked once its grace is over and the run succeeded; keys in grace and keys made by hand stay', async () => {
    world = await publishedWorld();
    const handMade = keyIds(world);
    const first = await rotate(world, { grace: '24h' });
    const k1 = JSON.parse(first.outputs.rotated)[0].new_key_id;

    // Inside the grace: k1 is replaced and kept, revocable a day after this run recorded it.
    const secondStarted = Date.now();
    const second = await rotate(world, { grace: '24h' });
    expect(second.code, second.stdout).toBe(0);
    const k2 = JSON.parse(second.outputs.rotated)[0];
    expect(k2.revoked_key_ids).toEqual([]);
    expect(keyIds(world)).toEqual([...handMade, k1, k2.new_key_id]);
    const k1RetireAfter = ledger(world)['alpha/production'].created.find((k: { id: string }) => k.id === k1).retire_after;
    expectDuring(k1RetireAfter, secondStarted, DAY);
    expect(second.summary).toContain(`\`${k1}\` (${k1RetireAfter})`);
    expect(second.stdout).toMatch(/no replaced key is past its grace: nothing to revoke/);

    // With no grace, k2's is over as soon as k3 is verified and handed over: k2 goes, k1 (still in grace) stays.
    // A DIFY_GITOPS_NOW left in the job's environment (once a test hook) must not move "now" and revoke k1 early.
    const third = await rotate(world, { grace: '0s' }, { DIFY_GITOPS_NOW: '2100-01-01T00:00:00Z' });
    expect(third.code, third.stdout).toBe(0);
    const k3 = JSON.parse(third.outputs.rotated)[0];
    expect(k3.revoked_key_ids).toEqual([k2.new_key_id]);
    expect(keyIds(world)).toEqual([...handMade, k1, k3.new_key_id]);
    expect(await openStoredSecret(world.github, 'DIFY_KEY')).toBe(app(world).api_keys.find((k) => k.id === k3.new_key_id)!.token);
    expect(ledger(world)['alpha/production']).toEqual({
      current: k3.new_key_id,
      created: [
        { id: k1, created_at: expect.any(String), retire_after: k1RetireAfter },
        { id: k3.new_key_id, created_at: expect.any(String) },
      ],
    });
    expectNoKeyLeaks(world, third, allTokens(world));
  });
});

describe('command: rotate-keys, several workflows', () => {
  const B = '22222222-2222-4222-8222-222222222222';

  it('"all" writes one secret per workflow through {name}, and refuses a name without it before touching Dify', async () => {
    world = await createDeployWorld();
    const defs = [echoDefinition('alpha', A), echoDefinition('order-bot', B)];
    for (const d of defs)
      world.emulator.seedApp({
        id: typeof d.app === 'string' ? d.app : d.app['*'],
        mode: 'workflow',
        name: d.name,
        dsl: stringify(d.dsl),
        published: true,
      });
    await world.commit(defs);

    const before = world.emulator.state().requests.length;
    const refused = await rotate(world, { workflow: 'all' });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/2 workflows are selected but secret-name "DIFY_KEY" has no \{name\}/);
    expect(world.emulator.state().requests.length).toBe(before);

    const run = await rotate(world, { workflow: 'all', 'secret-name': 'DIFY_KEY_{name}' });
    expect(run.code, run.stdout).toBe(0);
    const rotated = JSON.parse(run.outputs.rotated);
    expect(rotated.map((r: { name: string }) => r.name)).toEqual(['alpha', 'order-bot']);
    for (const [name, appId, secret] of [
      ['alpha', A, 'DIFY_KEY_ALPHA'],
      ['order-bot', B, 'DIFY_KEY_ORDER_BOT'],
    ]) {
      const id = rotated.find((r: { name: string }) => r.name === name).new_key_id;
      const token = world.emulator
        .state()
        .apps.find((a) => a.id === appId)!
        .api_keys.find((k) => k.id === id)!.token;
      expect(await openStoredSecret(world.github, secret)).toBe(token);
    }
    expect(Object.keys(ledger(world))).toEqual(['alpha/production', 'order-bot/production']);
    expect(run.outputs['api-key']).toBeUndefined();
  });
});

describe('command: rotate-keys --redeploy-secrets', () => {
  function secretive(): Definition {
    const d = echoDefinition('alpha', A);
    d.dsl.workflow!.environment_variables = [
      { id: '5b0d7c3e-1f2a-4b3c-8d4e-5f6a7b8c9d0e', name: 'SEARCH_API_KEY', value: '', value_type: 'secret', description: '' },
    ];
    d.secrets = { SEARCH_API_KEY: 'SEARCH_KEY' };
    return d;
  }
  const OLD = 'sk-old-7f3a9c1e5b2d4f6a8c0e';
  const NEW = 'sk-new-2b4d6f8a0c1e3a5c7e9f';
  const liveSecret = (w: DeployWorld) => {
    const a = app(w);
    const live = a.published.find((p) => p.id === a.workflow_id)!;
    return (live.dsl.workflow as { environment_variables: Array<Record<string, unknown>> }).environment_variables[0].value;
  };

  async function deployedWorld() {
    const w = await createDeployWorld();
    const d = secretive();
    w.seed(d);
    await w.commit([d]);
    const deployed = await w.deploy({ all: 'true' }, { SEARCH_KEY: OLD });
    expect(deployed.code, deployed.stdout).toBe(0);
    return w;
  }

  it('republishes the live definition with fresh secret values', async () => {
    world = await deployedWorld();
    const run = await rotate(world, { 'redeploy-secrets': 'true' }, { SEARCH_KEY: NEW });
    expect(run.code, run.stdout).toBe(0);
    expect(liveSecret(world)).toBe(NEW);
    expect(app(world).published).toHaveLength(2);
    expect(run.summary).toMatch(/\| alpha \| ✅ redeployed \| 1\/1 \|/);
    const printed = (run.stdout + run.stderr)
      .split('\n')
      .filter((l) => !l.startsWith('::add-mask::'))
      .join('\n');
    expect(printed + run.summary).not.toContain(NEW);
    expectNoKeyLeaks(world, run, allTokens(world));
    // The backup taken before the redeploy is an artifact: no secret value, no key in it.
    const backups = path.join(world.repo.dir, '.dify-gitops/backups');
    const texts = await Promise.all((await readdir(backups)).map((f) => readFile(path.join(backups, f), 'utf8')));
    expect(texts.length).toBeGreaterThan(0);
    for (const text of texts) {
      expect(text).not.toContain(NEW);
      expect(text).not.toMatch(/app-[A-Za-z0-9]{24}/);
    }
  });

  it('a failing smoke check after the redeploy restores the previous published version and revokes nothing', async () => {
    world = await deployedWorld();
    const first = await rotate(world, { grace: '0s' });
    expect(first.code, first.stdout).toBe(0);
    const keysBefore = keyIds(world);
    // The new key's own check passes; the smoke check after the redeploy fails; the restored version passes.
    world.emulator.scriptRuns(A, [{ status: 'succeeded' }, { status: 'failed', error: 'search provider rejected the key' }]);

    const run = await rotate(world, { grace: '0s', 'redeploy-secrets': 'true', 'smoke-retries': '0' }, { SEARCH_KEY: NEW });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/smoke check failed after the secret redeploy/);
    expect(run.stdout).toMatch(/restored the version published before \(1\.0\.0\), verified/);
    expect(run.summary).toMatch(/\| alpha \| ↩️ rolled back \|/);
    const a = app(world);
    expect(a.published.map((p) => p.marked_name)).toEqual(['1.0.0', '1.0.0', '1.0.0']);
    expect(liveSecret(world)).toBe(OLD);
    // The key rotation itself succeeded, but with grace 0s the replaced key would be due: the failed run keeps it.
    expect(run.stdout).toMatch(/Nothing was revoked/);
    for (const id of keysBefore) expect(keyIds(world)).toContain(id);
  });
});
