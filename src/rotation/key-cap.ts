// Dify allows at most 10 API keys per app. Making room for a new one may remove only keys this
// action created whose grace is over, and keys it did not create only when the user said so.
import type { ApiKey } from '../dify/types.js';
import { dueForRevocation, isOurs, unconfirmedKeys, type LedgerEntry } from './ledger.js';

export const DIFY_KEY_LIMIT = 10;

export class KeyCapError extends Error {
  override name = 'KeyCapError';
  constructor(message: string, readonly hint: string) {
    super(message);
  }
}

export interface CapRelief {
  /** Our keys past their grace: they would be revoked at the end of a successful run anyway. */
  retired: string[];
  /** Keys we did not create, least recently used first (only with prune-foreign-keys). */
  foreign: string[];
}

/** Which keys to delete so one more fits, or a KeyCapError saying why none may go. */
export function planCapRelief(keys: readonly ApiKey[], entry: LedgerEntry, nowMs: number, pruneForeign: boolean): CapRelief {
  const excess = keys.length - (DIFY_KEY_LIMIT - 1);
  if (excess <= 0) return { retired: [], foreign: [] };
  const live = new Set(keys.map((k) => k.id));
  const retired = dueForRevocation(entry, nowMs).map((k) => k.id).filter((id) => live.has(id));
  const missing = excess - retired.length;
  if (missing <= 0) return { retired, foreign: [] };
  const foreignKeys = keys.filter((k) => !isOurs(entry, k.id));
  if (pruneForeign && foreignKeys.length >= missing) {
    return { retired, foreign: [...foreignKeys].sort(leastRecentlyUsed).slice(0, missing).map((k) => k.id) };
  }
  const ours = keys.length - foreignKeys.length;
  const inGrace = entry.created.filter((k) => k.retire_after && Date.parse(k.retire_after) > nowMs && live.has(k.id));
  const nextFree = inGrace.map((k) => k.retire_after!).sort()[0];
  const unconfirmed = unconfirmedKeys(entry).filter((k) => live.has(k.id)).length;
  const parts = [
    `${ours} created by dify-gitops (${retired.length} past their grace, ${inGrace.length} still in grace${unconfirmed ? `, ${unconfirmed} never confirmed as handed over` : ''}${entry.current ? ', 1 current' : ''})`,
    `${foreignKeys.length} created elsewhere`,
  ];
  return refuse(keys.length, parts.join(' and '), pruneForeign, nextFree);
}

function refuse(count: number, breakdown: string, pruneForeign: boolean, nextFree: string | undefined): never {
  const when = nextFree ? ` or wait until ${nextFree}, when a replaced key's grace ends,` : '';
  throw new KeyCapError(
    `The app has ${count} API keys, Dify's limit of ${DIFY_KEY_LIMIT}: ${breakdown}. No key may be removed to make room, so no new key was created.`,
    pruneForeign
      ? `Delete unused keys in Dify (the app's API Access page)${when} and re-run.`
      : `Delete unused keys in Dify (the app's API Access page)${when} and re-run; or set prune-foreign-keys: true to let dify-gitops delete the least recently used keys it did not create.`,
  );
}

/** Never used first, then by last use, then by age: the keys least likely to have live callers. */
function leastRecentlyUsed(a: ApiKey, b: ApiKey): number {
  const used = (k: ApiKey) => k.last_used_at ?? -Infinity;
  return used(a) - used(b) || a.created_at - b.created_at;
}
