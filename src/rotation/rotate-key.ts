// One app's key rotation: make room under Dify's cap → create → record → verify → hand over →
// promote. Every failure before the hand-over deletes the new key, so consumers keep the key they
// have; nothing here revokes a key this action created (revoke.ts does, once the whole run has
// succeeded). The only deletion before that is opt-in: prune-foreign-keys at the cap (key-cap.ts).
import type { Definition } from '../definition/types.js';
import type { ApiKey, DifyConsole, DifyService } from '../dify/types.js';
import type { Clock } from '../support/clock.js';
import { describeError, isUserError } from '../support/errors.js';
import { registerSecret } from '../support/redact.js';
import type { KeyHandoff } from './handoff.js';
import { planCapRelief, type CapRelief } from './key-cap.js';
import { forget, markUnused, promote, recordCreated, reconcile, unconfirmedKeys, type LedgerEntry } from './ledger.js';
import type { LedgerRef, LedgerStore } from './ledger-store.js';
import { verifyKey } from './verify-key.js';
import type { Cancellation } from '../support/cancellation.js';

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
  /** The job being cancelled: create no key; delete one not yet handed over; never revoke. */
  cancel?: Cancellation;
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
  /** Keys created elsewhere, deleted to make room under Dify's 10-key cap (prune-foreign-keys);
   *  unlike revokedKeyIds, deleted before the run succeeded. */
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
  const rotation: KeyRotation = {
    name: definition.name,
    environment,
    appId,
    result: 'failed',
    prunedKeyIds: [],
    revokedKeyIds: [],
    handedTo: [],
    notes: [],
  };
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
    for (const k of unconfirmedKeys(entry))
      rotation.notes.push(
        `key ${k.id} (created ${k.created_at}) was never confirmed as handed over; it is not revoked automatically: delete it in Dify once nothing uses it`,
      );
    rotation.replacedKeyId = entry.current;
    if (deps.cancel?.requested.aborted)
      return fail('not started: the job was cancelled before a key was created; consumers keep the current key');
    const relief = planCapRelief(keys, entry, clock.now(), deps.pruneForeignKeys);
    if (relief.foreign.length) await makeRoom(deps, target, relief, rotation);
    if (deps.cancel?.requested.aborted) throw new Error('the job was cancelled before a key was created; consumers keep the current key');
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

  const cancelled = () => cancelledBeforeHandoff(deps, target, entry, created.id, rotation, fail);
  if (deps.cancel?.requested.aborted) return cancelled();
  const check = await verifyKey(definition, deps.service(created.token), {
    retryBudget: deps.retryBudget,
    log,
    signal: deps.cancel?.requested,
  });
  // Handing over a key is a write consumers act on: a cancelled job hands over nothing.
  if (deps.cancel?.requested.aborted) return cancelled();
  if (!check.passed) {
    await discard(deps, target, entry, created.id, rotation);
    return fail(
      `the new key failed its check (${check.what}: ${check.failures.join('; ') || 'no detail'}); it was deleted and consumers keep the current key`,
    );
  }
  log(`✓ new key verified with ${check.what}`);

  try {
    rotation.handedTo = await deps.handoff.deliver(definition.name, created.token);
  } catch (error) {
    if (isUserError(error, 'keys.handoff') && error.details.reachedSome) {
      return fail(
        `${describeError(error)}\n  → key ${created.id} reached some consumers, so it was kept; it stays unconfirmed in the ledger and is never revoked automatically`,
      );
    }
    await discard(deps, target, entry, created.id, rotation);
    return fail(`${describeError(error)}\n  → the new key was not handed over and was deleted; consumers keep the current key`);
  }
  log(`handed to ${rotation.handedTo.join(' and ') || 'the api-key output'}`);

  const now = clock.now();
  try {
    await store.save(ref, promote(entry, created.id, now, deps.graceMs));
  } catch (error) {
    return fail(
      `key ${created.id} was handed over, but ${store.where(ref)} could not record it as current: ${describeError(error)}. It stays unconfirmed (never revoked automatically); the next successful run records its own key.`,
    );
  }
  if (entry.current) rotation.retireAfter = new Date(now + deps.graceMs).toISOString();
  return { rotation: Object.assign(rotation, { result: 'rotated' as const }), token: created.token };
}

/** Cancelled between creating a key and handing it over: delete it, and say so (or say it is left). */
async function cancelledBeforeHandoff(
  deps: RotationDeps,
  target: RotationTarget,
  entry: LedgerEntry,
  id: string,
  rotation: KeyRotation,
  fail: (message: string) => { rotation: KeyRotation },
): Promise<{ rotation: KeyRotation }> {
  await discard(deps, target, entry, id, rotation);
  const deleted = rotation.notes.includes(`new key ${id} deleted`);
  return fail(
    deleted
      ? `the job was cancelled before key ${id} was handed over; it was deleted and consumers keep the current key`
      : `the job was cancelled before key ${id} was handed over, and it could NOT be deleted: it was created but never handed to anyone (recorded as unused in the ledger; a later run deletes it, or delete it in Dify); consumers keep the current key`,
  );
}

/**
 * At the cap, with prune-foreign-keys: delete the least recently used keys created elsewhere. This
 * happens before the new key exists, so these stay deleted even if the run fails; the note says so.
 * They are not in the ledger, so it does not change.
 */
async function makeRoom(deps: RotationDeps, target: RotationTarget, relief: CapRelief, rotation: KeyRotation): Promise<void> {
  for (const id of relief.foreign) {
    await deps.dify.deleteApiKey(target.appId, id);
    rotation.prunedKeyIds.push(id);
    target.log(`at the 10-key limit: deleted key ${id}, created elsewhere (prune-foreign-keys)`);
  }
  rotation.notes.push(
    `at Dify's 10-key limit, deleted ${relief.foreign.length === 1 ? 'the least recently used key' : `the ${relief.foreign.length} least recently used keys`} created elsewhere (prune-foreign-keys: ${relief.foreign.join(', ')}) before creating the new one; such keys stay deleted even when the rest of the run fails`,
  );
}

/** Undo a key that never reached consumers. If Dify will not delete it, mark it free to revoke. */
async function discard(
  deps: RotationDeps,
  target: RotationTarget,
  entry: LedgerEntry,
  id: string,
  rotation: KeyRotation,
): Promise<LedgerEntry> {
  let next: LedgerEntry;
  try {
    await deps.dify.deleteApiKey(target.appId, id);
    next = forget(entry, [id]);
    rotation.notes.push(`new key ${id} deleted`);
  } catch (error) {
    next = markUnused(entry, id, deps.clock.now());
    rotation.notes.push(
      `new key ${id} could not be deleted (${describeError(error)}); it is recorded as unused and a later run deletes it`,
    );
  }
  try {
    await deps.store.save({ name: target.definition.name, environment: target.environment }, next);
  } catch (error) {
    rotation.notes.push(`the ledger could not be updated: ${describeError(error)}`);
  }
  return next;
}
