// One app's key rotation: make room under Dify's cap → create → record → verify → hand over →
// promote. Every failure before the hand-over deletes the new key, so consumers keep the key they
// have; nothing here revokes an old key (revoke.ts does, once the whole run has succeeded).
import type { Definition } from '../definition/types.js';
import type { ApiKey, DifyConsole, DifyService } from '../dify/types.js';
import type { Clock } from '../support/clock.js';
import { describeError } from '../support/errors.js';
import { registerSecret } from '../support/redact.js';
import { HandoffError, type KeyHandoff } from './handoff.js';
import { KeyCapError, planCapRelief, type CapRelief } from './key-cap.js';
import { forget, markUnused, promote, recordCreated, reconcile, unconfirmedKeys, type LedgerEntry } from './ledger.js';
import type { LedgerRef, LedgerStore } from './ledger-store.js';
import { verifyKey } from './verify-key.js';

export interface RotationDeps {
  dify: DifyConsole;
  service(apiKey: string): DifyService;
  store: LedgerStore;
  handoff: KeyHandoff;
  clock: Clock;
  graceMs: number;
  pruneForeignKeys: boolean;
  /** Re-runs allowed when the verifying run fails (smoke-retries). */
  retryBudget: number;
}

export interface RotationTarget {
  definition: Definition;
  environment: string;
  appId: string;
  log: (line: string) => void;
}

export interface KeyRotation {
  name: string;
  environment: string;
  appId: string;
  result: 'rotated' | 'failed';
  newKeyId?: string;
  /** The key the new one replaced, and from when it may be revoked. */
  replacedKeyId?: string;
  retireAfter?: string;
  /** Deleted to make room under Dify's 10-key cap. */
  prunedKeyIds: string[];
  /** Revoked after their grace (filled in by the revocation pass). */
  revokedKeyIds: string[];
  handedTo: string[];
  error?: string;
  notes: string[];
}

/** Never throws. The token is returned beside the record, never inside it (records get printed). */
export async function rotateAppKey(deps: RotationDeps, target: RotationTarget): Promise<{ rotation: KeyRotation; token?: string }> {
  const { dify, store, clock } = deps;
  const { definition, environment, appId, log } = target;
  const ref: LedgerRef = { name: definition.name, environment };
  const rotation: KeyRotation = { name: definition.name, environment, appId, result: 'failed', prunedKeyIds: [], revokedKeyIds: [], handedTo: [], notes: [] };
  const fail = (message: string) => {
    log(`✗ ${message}`);
    return { rotation: Object.assign(rotation, { error: message }) };
  };

  let entry: LedgerEntry;
  let created: ApiKey | undefined;
  try {
    const keys = await dify.listApiKeys(appId);
    const reconciled = reconcile(await store.load(ref), new Set(keys.map((k) => k.id)));
    entry = reconciled.entry;
    if (reconciled.vanished.length) rotation.notes.push(`no longer in Dify, dropped from the ledger: ${reconciled.vanished.join(', ')}`);
    for (const k of unconfirmedKeys(entry)) rotation.notes.push(`key ${k.id} (created ${k.created_at}) was never confirmed as handed over; it is not revoked automatically: delete it in Dify once nothing uses it`);
    rotation.replacedKeyId = entry.current;
    const relief = planCapRelief(keys, entry, clock.now(), deps.pruneForeignKeys);
    if (relief.retired.length || relief.foreign.length) entry = await makeRoom(deps, target, { keys, entry, relief, rotation });
    created = await dify.createApiKey(appId);
    registerSecret(created.token);
    rotation.newKeyId = created.id;
    log(`created key ${created.id}`);
    entry = recordCreated(entry, created.id, clock.now());
    await store.save(ref, entry);
  } catch (error) {
    if (created) entry = await discard(deps, target, entry!, created.id, rotation);
    return fail(describeError(error));
  }

  const check = await verifyKey(definition, deps.service(created.token), { retryBudget: deps.retryBudget, log });
  if (!check.passed) {
    await discard(deps, target, entry, created.id, rotation);
    return fail(`the new key failed its check (${check.what}: ${check.failures.join('; ') || 'no detail'}); it was deleted and consumers keep the current key`);
  }
  log(`✓ new key verified with ${check.what}`);

  try {
    rotation.handedTo = await deps.handoff.deliver(definition.name, created.token);
  } catch (error) {
    if (error instanceof HandoffError && error.reachedSome) {
      return fail(`${describeError(error)}\n  → key ${created.id} reached some consumers, so it was kept; it stays unconfirmed in the ledger and is never revoked automatically`);
    }
    await discard(deps, target, entry, created.id, rotation);
    return fail(`${describeError(error)}\n  → the new key was not handed over and was deleted; consumers keep the current key`);
  }
  log(`handed to ${rotation.handedTo.join(' and ') || 'the api-key output'}`);

  const now = clock.now();
  try {
    await store.save(ref, promote(entry, created.id, now, deps.graceMs));
  } catch (error) {
    return fail(`key ${created.id} was handed over, but ${store.where(ref)} could not record it as current: ${describeError(error)}. It stays unconfirmed (never revoked automatically); the next successful run records its own key.`);
  }
  if (entry.current) rotation.retireAfter = new Date(now + deps.graceMs).toISOString();
  return { rotation: Object.assign(rotation, { result: 'rotated' as const }), token: created.token };
}

/**
 * At the cap: delete what the plan allows. Our retired keys go only once the current key is
 * proven to work, so consumers are never left without a working key.
 */
async function makeRoom(deps: RotationDeps, target: RotationTarget, at: { keys: ApiKey[]; entry: LedgerEntry; relief: CapRelief; rotation: KeyRotation }): Promise<LedgerEntry> {
  const { relief, entry } = at;
  if (relief.retired.length) {
    const current = at.keys.find((k) => k.id === entry.current);
    const hint = 'Check the app in Dify; delete unused keys by hand, then re-run.';
    if (!current) throw new KeyCapError(`The app is at Dify's 10-key limit and the ledger has no current key to prove working, so no key was removed.`, hint);
    const check = await verifyKey(target.definition, deps.service(current.token), { retryBudget: deps.retryBudget, log: target.log });
    if (!check.passed) throw new KeyCapError(`The app is at Dify's 10-key limit and its current key ${current.id} fails ${check.what}, so no key was removed.`, hint);
  }
  for (const id of [...relief.retired, ...relief.foreign]) {
    await deps.dify.deleteApiKey(target.appId, id);
    at.rotation.prunedKeyIds.push(id);
    target.log(`at the 10-key limit: deleted ${relief.retired.includes(id) ? 'retired' : 'foreign'} key ${id}`);
  }
  const next = forget(entry, relief.retired);
  await deps.store.save({ name: target.definition.name, environment: target.environment }, next);
  return next;
}

/** Undo a key that never reached consumers. If Dify will not delete it, mark it free to revoke. */
async function discard(deps: RotationDeps, target: RotationTarget, entry: LedgerEntry, id: string, rotation: KeyRotation): Promise<LedgerEntry> {
  let next: LedgerEntry;
  try {
    await deps.dify.deleteApiKey(target.appId, id);
    next = forget(entry, [id]);
    rotation.notes.push(`new key ${id} deleted`);
  } catch (error) {
    next = markUnused(entry, id, deps.clock.now());
    rotation.notes.push(`new key ${id} could not be deleted (${describeError(error)}); it is recorded as unused and a later run deletes it`);
  }
  try {
    await deps.store.save({ name: target.definition.name, environment: target.environment }, next);
  } catch (error) {
    rotation.notes.push(`the ledger could not be updated: ${describeError(error)}`);
  }
  return next;
}
