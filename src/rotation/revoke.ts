// The end of a fully successful run: revoke the keys this action created whose grace is over,
// but only after the current key has been proven to work once more, in this run.
import { isDifyError } from '../dify/errors.js';
import { describeError } from '../support/errors.js';
import { dueForRevocation, forget } from './ledger.js';
import type { RotationDeps, RotationTarget } from './rotate-key.js';
import { verifyKey } from './verify-key.js';

export interface Revocation {
  revoked: string[];
  /** Why some or all of the due keys were kept; the run fails when set. */
  error?: string;
}

/** `currentToken` is the key this run handed over (the ledger's current one). Never throws. */
export async function revokeRetired(deps: RotationDeps, target: RotationTarget, currentToken: string): Promise<Revocation> {
  try {
    return await revokeDue(deps, target, currentToken);
  } catch (error) {
    return { revoked: [], error: `revocation stopped: ${describeError(error)}` };
  }
}

async function revokeDue(deps: RotationDeps, target: RotationTarget, currentToken: string): Promise<Revocation> {
  const ref = { name: target.definition.name, environment: target.environment };
  const entry = await deps.store.load(ref);
  const due = dueForRevocation(entry, deps.clock.now());
  if (due.length === 0) {
    target.log('no replaced key is past its grace: nothing to revoke');
    return { revoked: [] };
  }

  const check = await verifyKey(target.definition, deps.service(currentToken), { retryBudget: deps.retryBudget, log: target.log });
  if (!check.passed) {
    return {
      revoked: [],
      error: `the current key failed its re-check (${check.what}: ${check.failures.join('; ') || 'no detail'}), so no key was revoked`,
    };
  }
  const revoked: string[] = [];
  const failures: string[] = [];
  for (const key of due) {
    try {
      await deps.dify.deleteApiKey(target.appId, key.id);
      target.log(`revoked key ${key.id} (grace ended ${key.retire_after})`);
      revoked.push(key.id);
    } catch (error) {
      // Already gone (deleted by hand): the goal is met.
      if (isDifyError(error) && error.details.status === 404) revoked.push(key.id);
      else failures.push(`${key.id}: ${describeError(error)}`);
    }
  }
  if (revoked.length) await deps.store.save(ref, forget(entry, revoked));
  return failures.length
    ? { revoked, error: `could not revoke ${failures.join('; ')}; they stay in the ledger for the next run` }
    : { revoked };
}
