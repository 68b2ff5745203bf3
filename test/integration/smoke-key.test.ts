// Smoke checks run with the newest key, never the oldest: a concurrent rotation revokes the oldest
// keys first, and losing the key mid-check would roll back a healthy deploy. Against the emulator.
import { afterEach, describe, expect, it } from 'vitest';
import { createDifyConsole } from '../../src/dify/index.js';
import type { LedgerEntry } from '../../src/rotation/ledger.js';
import { pickSmokeKey } from '../../src/rotation/smoke-key.js';
import { obtainApiKey } from '../../src/stages/smoke-check.js';
import type { Emulator } from '../emulator/server.js';
import { connectionFor, startDify, WORKFLOW_DSL } from './dify-support.js';

let emu: Emulator | undefined;
afterEach(async () => emu?.close());

const quiet = { log: () => {} };
const entry = (...created: Array<[string, string]>): LedgerEntry => ({ created: created.map(([id, at]) => ({ id, created_at: at })) });

async function appWithThreeKeys() {
  emu = await startDify();
  const app = emu.seedApp({ mode: 'workflow', name: 'echo', dsl: WORKFLOW_DSL, published: true });
  const dify = await createDifyConsole(connectionFor(emu, 'cookie'), quiet);
  for (let i = (await dify.listApiKeys(app.id)).length; i < 3; i++) await dify.createApiKey(app.id);
  const keys = await dify.listApiKeys(app.id);
  return { dify, appId: app.id, keys };
}

describe('the smoke-check key', () => {
  it('is the newest Dify lists, so revoking the oldest (a rotation) leaves the check working', async () => {
    const { dify, appId, keys } = await appWithThreeKeys();
    const token = await obtainApiKey(dify, appId);
    expect(token).toBe(keys[2].token);
    expect(token).not.toBe(keys[0].token);
    await dify.deleteApiKey(appId, keys[0].id); // what a concurrent rotate-keys does after its grace period
    expect((await dify.listApiKeys(appId)).map((k) => k.token)).toContain(token);
  });

  it('is the newest key the rotation ledger knows, when Dify still lists it', async () => {
    const { dify, appId, keys } = await appWithThreeKeys();
    const ledger = entry([keys[0].id, '2024-01-01T00:00:00Z'], [keys[1].id, '2024-06-01T00:00:00Z']);
    expect(await obtainApiKey(dify, appId, async () => ledger)).toBe(keys[1].token);
    // A ledger key Dify no longer lists is passed over; an unreadable ledger means "newest listed".
    const gone = entry(['deleted-key', '2025-01-01T00:00:00Z'], [keys[0].id, '2024-01-01T00:00:00Z']);
    expect(await obtainApiKey(dify, appId, async () => gone)).toBe(keys[0].token);
    const unreadable = async (): Promise<LedgerEntry> => {
      throw new Error('403: variables not readable with this token');
    };
    expect(await obtainApiKey(dify, appId, unreadable)).toBe(keys[2].token);
  });
});

describe('pickSmokeKey', () => {
  const key = (id: string, created_at: number) => ({ id, token: `app-${id}`, created_at });
  it.each([
    ['no keys', [], undefined, undefined],
    ['newest by time', [key('a', 3), key('b', 1), key('c', 2)], undefined, 'a'],
    ['the later of equal times', [key('a', 1), key('b', 1)], undefined, 'b'],
    ['the ledger over time', [key('a', 1), key('b', 9)], entry(['a', '2024-01-01T00:00:00Z']), 'a'],
    ['the newest in the ledger', [key('a', 1), key('b', 2)], entry(['b', '2024-01-01T00:00:00Z'], ['a', '2024-02-01T00:00:00Z']), 'a'],
    ['time when the ledger knows none listed', [key('a', 1), key('b', 2)], entry(['z', '2024-01-01T00:00:00Z']), 'b'],
  ])('%s', (_name, keys, ledger, expected) => {
    expect(pickSmokeKey(keys, ledger)?.id).toBe(expected);
  });
});
