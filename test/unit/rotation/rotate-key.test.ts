// One app's rotation against the Dify emulator with the real client, a file ledger and a virtual
// clock: grace periods of days pass in no time. The emulator's state is the witness.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDifyConsole, createDifyService } from '../../../src/dify/client.js';
import type { DifyConsole } from '../../../src/dify/types.js';
import { createVirtualClock, type VirtualClock } from '../../../src/support/clock.js';
import { createKeyHandoff } from '../../../src/rotation/handoff.js';
import { createFileLedgerStore } from '../../../src/rotation/ledger-store.js';
import { rotateAppKey, type RotationDeps, type RotationTarget } from '../../../src/rotation/rotate-key.js';
import { revokeRetired } from '../../../src/rotation/revoke.js';
import { startEmulator, type Emulator } from '../../emulator/server.js';
import { echoDefinition, EMAIL, PASSWORD } from '../../support/deploy-world.js';

const APP = '11111111-1111-4111-8111-111111111111';
const HOUR = 3_600_000;
let emulator: Emulator;
let dify: DifyConsole;
let dir: string;
let clock: VirtualClock;
let seedKey: string;
const lines: string[] = [];

beforeEach(async () => {
  emulator = await startEmulator({ email: EMAIL, password: PASSWORD });
  const definition = echoDefinition('alpha', APP);
  seedKey = emulator.seedApp({ id: APP, mode: 'workflow', name: 'alpha', dsl: stringify(definition.dsl), published: true }).api_key;
  dify = await createDifyConsole({ baseUrl: emulator.url, email: EMAIL, password: PASSWORD, timeoutMs: 5000, maxAttempts: 2 });
  dir = await mkdtemp(path.join(tmpdir(), 'rotate-'));
  clock = createVirtualClock();
  lines.length = 0;
});
afterEach(async () => {
  await dify.close?.();
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

function deps(patch: Partial<RotationDeps> = {}): RotationDeps {
  const keyFile = path.join(dir, '{name}.key');
  return {
    dify,
    service: (apiKey) => createDifyService({ serviceUrl: `${emulator.url}/v1`, apiKey, timeoutMs: 5000, maxAttempts: 1 }),
    store: createFileLedgerStore((name) => path.join(dir, `${name}.key.state.json`)),
    handoff: createKeyHandoff({ keyFile }),
    clock,
    graceMs: 24 * HOUR,
    pruneForeignKeys: false,
    retryBudget: 0,
    ...patch,
  };
}
const target = (): RotationTarget => ({
  definition: echoDefinition('alpha', APP),
  environment: 'production',
  appId: APP,
  log: (l) => void lines.push(l),
});
const keyIds = () =>
  emulator
    .state()
    .apps.find((a) => a.id === APP)!
    .api_keys.map((k) => k.id);
const seedId = () =>
  emulator
    .state()
    .apps.find((a) => a.id === APP)!
    .api_keys.find((k) => k.token === seedKey)!.id;
const ledger = async () => JSON.parse(await readFile(path.join(dir, 'alpha.key.state.json'), 'utf8'))['alpha/production'];

/** Rotate, then (as the command does after a fully successful run) revoke what is due. */
async function rotateAndRevoke(d = deps()) {
  const { rotation, token } = await rotateAppKey(d, target());
  expect(rotation.result, rotation.error).toBe('rotated');
  const revocation = await revokeRetired(d, target(), token!);
  expect(revocation.error).toBeUndefined();
  return { id: rotation.newKeyId!, token: token!, revoked: revocation.revoked, rotation };
}

describe('rotateAppKey + revokeRetired', () => {
  it('keeps replaced keys through the grace, then revokes exactly the ones it created', async () => {
    const k1 = await rotateAndRevoke();
    expect(await readFile(path.join(dir, 'alpha.key'), 'utf8')).toBe(`${k1.token}\n`);
    expect(await ledger()).toEqual({ current: k1.id, created: [{ id: k1.id, created_at: new Date(clock.now()).toISOString() }] });

    clock.advance(HOUR);
    const k2 = await rotateAndRevoke();
    expect(k2.revoked).toEqual([]);
    expect(k2.rotation).toMatchObject({ replacedKeyId: k1.id, retireAfter: new Date(clock.now() + 24 * HOUR).toISOString() });
    expect(keyIds().sort()).toEqual([seedId(), k1.id, k2.id].sort());

    clock.advance(24 * HOUR - 1);
    expect((await rotateAndRevoke()).revoked).toEqual([]);
    clock.advance(1);
    const k4 = await rotateAndRevoke();
    expect(k4.revoked).toEqual([k1.id]);
    expect(keyIds()).toContain(seedId());
    expect(keyIds()).not.toContain(k1.id);
    expect((await ledger()).created.map((k: { id: string }) => k.id)).not.toContain(k1.id);
  });

  it('a new key that fails its check is deleted and the current key stays current', async () => {
    const k1 = await rotateAndRevoke();
    emulator.injectFault({
      match: { method: 'POST', path: '/v1/workflows/run' },
      respond: { status: 401, body: { code: 'unauthorized', message: 'Access token is invalid', status: 401 } },
    });
    const { rotation, token } = await rotateAppKey(deps(), target());
    expect(rotation.result).toBe('failed');
    expect(token).toBeUndefined();
    expect(rotation.error).toMatch(
      /the new key failed its check \(smoke check "echoes query": .*401.*\); it was deleted and consumers keep the current key/,
    );
    expect(keyIds().sort()).toEqual([seedId(), k1.id].sort());
    expect((await ledger()).current).toBe(k1.id);
    expect((await ledger()).created).toHaveLength(1);
    expect(await readFile(path.join(dir, 'alpha.key'), 'utf8')).toBe(`${k1.token}\n`);
  });

  it('a new key Dify will not delete is recorded as unused and revoked by the next good run', async () => {
    const k1 = await rotateAndRevoke();
    emulator.injectFault({
      match: { method: 'POST', path: '/v1/workflows/run' },
      respond: { status: 500, body: { code: 'unknown', message: 'boom', status: 500 } },
    });
    emulator.injectFault({
      match: { method: 'DELETE', path: `^/console/api/apps/${APP}/api-keys/` },
      respond: { status: 403, body: { code: 'forbidden', message: 'no', status: 403 } },
    });
    const failed = await rotateAppKey(deps(), target());
    expect(failed.rotation.notes.join(' ')).toMatch(/could not be deleted .*HTTP 403.* recorded as unused/s);
    const orphan = failed.rotation.newKeyId!;
    expect(keyIds()).toContain(orphan);

    const next = await rotateAndRevoke();
    expect(next.revoked).toEqual([orphan]);
    expect(keyIds().sort()).toEqual([seedId(), k1.id, next.id].sort());
  });

  it('at the 10-key cap deletes none of its own keys before the run succeeded, even past their grace, and names them', async () => {
    const d = deps({ graceMs: 0 });
    // Every rotation with no grace leaves the replaced key due at once; skip revocation to pile them up.
    const ours: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { rotation } = await rotateAppKey(d, target());
      expect(rotation.result).toBe('rotated');
      ours.push(rotation.newKeyId!);
    }
    for (let i = 0; i < 6; i++) await dify.createApiKey(APP);
    const before = keyIds();
    const ledgerBefore = await ledger();
    expect(before).toHaveLength(10);

    const refused = await rotateAppKey(d, target());
    expect(refused.rotation.result).toBe('failed');
    expect(refused.rotation.error).toMatch(
      /3 created by dify-gitops \(2 past their grace, 0 still in grace, 1 current\) and 7 created elsewhere\. No key may be removed to make room, so no new key was created\. Keys past their grace are revoked only at the end of a run that fully succeeded/,
    );
    expect(refused.rotation.error).toMatch(
      new RegExp(`API Access page\\): ${ours[0]} \\(last used [0-9T:.-]+Z\\), ${ours[1]} \\(last used`),
    );
    expect(refused.rotation.prunedKeyIds).toEqual([]);
    expect(keyIds()).toEqual(before);
    expect(await ledger()).toEqual(ledgerBefore);

    // The way out the message names: delete the due keys by hand; the next run drops them from the ledger.
    for (const id of ours.slice(0, 2)) await dify.deleteApiKey(APP, id);
    const { rotation } = await rotateAppKey(d, target());
    expect(rotation.result, rotation.error).toBe('rotated');
    expect(rotation.notes).toContain(`no longer in Dify, dropped from the ledger: ${ours[0]}, ${ours[1]}`);
    expect(keyIds()).toHaveLength(9);
    for (const id of before.filter((k) => !ours.slice(0, 2).includes(k))) expect(keyIds()).toContain(id);
  });

  it('with prune-foreign-keys deletes the least recently used foreign key, and says it stays deleted when the run fails', async () => {
    for (let i = 0; i < 9; i++) await dify.createApiKey(APP);
    const oldest = seedId();
    emulator.injectFault({
      match: { method: 'POST', path: '/v1/workflows/run' },
      respond: { status: 500, body: { code: 'unknown', message: 'boom', status: 500 } },
    });
    const { rotation } = await rotateAppKey(deps({ pruneForeignKeys: true }), target());
    expect(rotation.result).toBe('failed');
    expect(rotation.prunedKeyIds).toEqual([oldest]);
    expect(keyIds()).not.toContain(oldest);
    expect(keyIds()).toHaveLength(9); // the new key failed its check and was deleted
    expect(rotation.notes.join('\n')).toMatch(
      new RegExp(
        `deleted the least recently used key created elsewhere \\(prune-foreign-keys: ${oldest}\\) before creating the new one; such keys stay deleted even when the rest of the run fails`,
      ),
    );
  });

  it('at the cap with only foreign keys it refuses, creates nothing, and names the way out', async () => {
    for (let i = 0; i < 9; i++) await dify.createApiKey(APP);
    const before = keyIds();
    const { rotation } = await rotateAppKey(deps(), target());
    expect(rotation.result).toBe('failed');
    expect(rotation.error).toMatch(/10 API keys, Dify's limit of 10: 0 created by dify-gitops .* and 10 created elsewhere/);
    expect(rotation.error).toMatch(/prune-foreign-keys: true/);
    expect(keyIds()).toEqual(before);
  });
});
