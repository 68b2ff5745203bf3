// Dify allows at most 10 API keys per app. Making room for a new key happens before the run has
// succeeded, so it may never touch a key this action created: those are revoked only at the end of
// a run that fully succeeded (revoke.ts), even when their grace is over. The one exception is an
// explicit opt-in: with prune-foreign-keys, keys dify-gitops did not create may go, least recently
// used first, and they stay deleted even if the rest of the run fails.
import type { ApiKey } from '../dify/types.js';
import { dueForRevocation, isOurs, unconfirmedKeys, type LedgerEntry } from './ledger.js';
import { UserError } from '../support/errors.js';

export const DIFY_KEY_LIMIT = 10;

export interface CapRelief {
  /** Keys we did not create, least recently used first (only with prune-foreign-keys). */
  foreign: string[];
}

/** Which keys to delete so one more fits, or a KeyCapError saying why none may go. */
export function planCapRelief(keys: readonly ApiKey[], entry: LedgerEntry, nowMs: number, pruneForeign: boolean): CapRelief {
  const excess = keys.length - (DIFY_KEY_LIMIT - 1);
  if (excess <= 0) return { foreign: [] };
  const foreignKeys = keys.filter((k) => !isOurs(entry, k.id));
  if (pruneForeign && foreignKeys.length >= excess) {
    return {
      foreign: [...foreignKeys]
        .sort(leastRecentlyUsed)
        .slice(0, excess)
        .map((k) => k.id),
    };
  }
  const live = new Map(keys.map((k) => [k.id, k]));
  const due = dueForRevocation(entry, nowMs).flatMap((k) => live.get(k.id) ?? []);
  const inGrace = entry.created.filter((k) => k.retire_after && Date.parse(k.retire_after) > nowMs && live.has(k.id));
  const unconfirmed = unconfirmedKeys(entry).filter((k) => live.has(k.id)).length;
  const ours = keys.length - foreignKeys.length;
  const breakdown = [
    `${ours} created by dify-gitops (${due.length} past their grace, ${inGrace.length} still in grace${unconfirmed ? `, ${unconfirmed} never confirmed as handed over` : ''}${entry.current ? ', 1 current' : ''})`,
    `${foreignKeys.length} created elsewhere`,
  ].join(' and ');
  return refuse({
    count: keys.length,
    breakdown,
    due,
    foreign: foreignKeys.length,
    pruneForeign,
    nextFree: inGrace.map((k) => k.retire_after!).sort()[0],
  });
}

function refuse(at: { count: number; breakdown: string; due: ApiKey[]; foreign: number; pruneForeign: boolean; nextFree?: string }): never {
  const dueIds = at.due.map((k) => `${k.id} (${lastUse(k)})`).join(', ');
  const why = at.due.length
    ? ` Keys past their grace are revoked only at the end of a run that fully succeeded, and this run would have to create its new key first.`
    : '';
  const steps = [
    at.due.length
      ? `Delete the keys past their grace in Dify (the app's API Access page): ${dueIds}; consumers were given their replacement, check that nothing still uses them. Then re-run.`
      : `Delete unused keys in Dify (the app's API Access page)${at.nextFree ? ` or wait until ${at.nextFree}, when a replaced key's grace ends,` : ''} and re-run.`,
    // foreign + current + the key replaced last time + the new one must fit.
    ...(at.foreign > DIFY_KEY_LIMIT - 3
      ? [
          `Keep at most ${DIFY_KEY_LIMIT - 3} keys created elsewhere, so every rotation has room for the current key, the one it replaced last time and a new one.`,
        ]
      : []),
    ...(at.pruneForeign
      ? []
      : ['Or set prune-foreign-keys: true to let dify-gitops delete the least recently used keys it did not create.']),
  ];
  throw new UserError(
    'keys.cap',
    `The app has ${at.count} API keys, Dify's limit of ${DIFY_KEY_LIMIT}: ${at.breakdown}. No key may be removed to make room, so no new key was created.${why}`,
    { hint: steps.join(' ') },
  );
}

/** Dify's times are epoch seconds. */
function lastUse(k: ApiKey): string {
  return k.last_used_at ? `last used ${new Date(k.last_used_at * 1000).toISOString()}` : 'never used';
}

/** Never used first, then by last use, then by age: the keys least likely to have live callers. */
function leastRecentlyUsed(a: ApiKey, b: ApiKey): number {
  const used = (k: ApiKey) => k.last_used_at ?? -Infinity;
  return used(a) - used(b) || a.created_at - b.created_at;
}
