// Which app key a smoke check runs with. A rotation revokes the oldest keys once their grace ends,
// so a deploy holding the oldest one could see it vanish mid-check and roll back a healthy app.
import type { ApiKey } from '../dify/types.js';
import type { LedgerEntry } from './ledger.js';

/** The newest key the ledger knows that Dify still lists, else the newest Dify lists; none when the app has no key. */
export function pickSmokeKey(keys: readonly ApiKey[], known?: LedgerEntry): ApiKey | undefined {
  const byId = new Map(keys.map((k) => [k.id, k]));
  const ours = [...(known?.created ?? [])]
    .filter((k) => byId.has(k.id))
    .sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at));
  if (ours.length) return byId.get(ours[0].id);
  // Newest first; on a tie, the later in Dify's list (it lists in creation order).
  return keys.reduce<ApiKey | undefined>((best, k) => (!best || k.created_at >= best.created_at ? k : best), undefined);
}
