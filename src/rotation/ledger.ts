// The key ledger: Dify keys have no names and GitHub secrets cannot be read back, so this is the
// only record of which app keys dify-gitops created, which one consumers hold now (current), and
// when each replaced one may be revoked. Key ids only: a token value never enters it.
// Every function here is pure; ledger-store.ts loads and saves.
import { UserError } from '../support/errors.js';

export interface LedgerKey {
  id: string;
  /** ISO time the key was created. */
  created_at: string;
  /** ISO time from which a later run may revoke it. Absent on the current key, and on a key
   *  whose hand-over to consumers was never confirmed (see `unconfirmedKeys`). */
  retire_after?: string;
}

export interface LedgerEntry {
  /** The key consumers were last given. */
  current?: string;
  created: LedgerKey[];
}

/** Keyed `<name>/<environment>`. */
export type Ledger = Record<string, LedgerEntry>;

export function ledgerKey(name: string, environment: string): string {
  return `${name}/${environment}`;
}

export function emptyEntry(): LedgerEntry {
  return { created: [] };
}

/**
 * Reads a stored ledger. A damaged one is refused rather than replaced: starting over would make
 * every key we created look foreign, so none would ever be revoked.
 */
export function parseLedger(text: string | null, where: string): Ledger {
  if (text === null || text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw damaged(where, `it is not JSON (${(error as Error).message})`);
  }
  if (!isRecord(value)) throw damaged(where, 'it is not a JSON object');
  const ledger: Ledger = {};
  for (const [key, raw] of Object.entries(value)) {
    if (!isRecord(raw) || !Array.isArray(raw.created)) throw damaged(where, `"${key}" has no "created" list`);
    if (raw.current !== undefined && typeof raw.current !== 'string') throw damaged(where, `"${key}".current is not a key id`);
    const created = raw.created.map((k, i) => {
      if (!isRecord(k) || typeof k.id !== 'string' || typeof k.created_at !== 'string')
        throw damaged(where, `"${key}".created[${i}] needs id and created_at`);
      if (k.retire_after !== undefined && (typeof k.retire_after !== 'string' || Number.isNaN(Date.parse(k.retire_after)))) {
        throw damaged(where, `"${key}".created[${i}].retire_after is not a time`);
      }
      return { id: k.id, created_at: k.created_at, ...(k.retire_after ? { retire_after: k.retire_after } : {}) };
    });
    ledger[key] = { ...(raw.current ? { current: raw.current } : {}), created };
  }
  return ledger;
}

export function serializeLedger(ledger: Ledger): string {
  const sorted = Object.fromEntries(
    Object.keys(ledger)
      .sort()
      .map((k) => [k, ledger[k]]),
  );
  return JSON.stringify(sorted);
}

/** A key just created, not yet handed to anyone. */
export function recordCreated(entry: LedgerEntry, id: string, nowMs: number): LedgerEntry {
  return { ...entry, created: [...entry.created.filter((k) => k.id !== id), { id, created_at: iso(nowMs) }] };
}

/** A created key that never reached consumers (its check or its hand-over failed) but could not
 *  be deleted: nothing depends on it, so any later run may revoke it at once. */
export function markUnused(entry: LedgerEntry, id: string, nowMs: number): LedgerEntry {
  return { ...entry, created: entry.created.map((k) => (k.id === id ? { ...k, retire_after: iso(nowMs) } : k)) };
}

/** `id` is now what consumers hold; the key it replaces keeps working for `graceMs` more. */
export function promote(entry: LedgerEntry, id: string, nowMs: number, graceMs: number): LedgerEntry {
  const retireAt = iso(nowMs + graceMs);
  const created = entry.created.map((k) => {
    if (k.id === id) return { id: k.id, created_at: k.created_at };
    if (k.id === entry.current) return { ...k, retire_after: retireAt };
    return k;
  });
  return { current: id, created };
}

export function forget(entry: LedgerEntry, ids: readonly string[]): LedgerEntry {
  const gone = new Set(ids);
  return {
    ...(entry.current && !gone.has(entry.current) ? { current: entry.current } : {}),
    created: entry.created.filter((k) => !gone.has(k.id)),
  };
}

/** Keys we created whose grace has run out; never the current one. */
export function dueForRevocation(entry: LedgerEntry, nowMs: number): LedgerKey[] {
  return entry.created.filter((k) => k.id !== entry.current && k.retire_after !== undefined && Date.parse(k.retire_after) <= nowMs);
}

/** Keys created by a run that stopped between handing a key over and recording it: consumers may
 *  hold them, so they are never revoked automatically. */
export function unconfirmedKeys(entry: LedgerEntry): LedgerKey[] {
  return entry.created.filter((k) => k.id !== entry.current && k.retire_after === undefined);
}

/** Drops the ids Dify no longer has (deleted by hand); returns which ones vanished. */
export function reconcile(entry: LedgerEntry, liveIds: ReadonlySet<string>): { entry: LedgerEntry; vanished: string[] } {
  const vanished = entry.created.filter((k) => !liveIds.has(k.id)).map((k) => k.id);
  if (entry.current && !liveIds.has(entry.current) && !vanished.includes(entry.current)) vanished.push(entry.current);
  return { entry: forget(entry, vanished), vanished };
}

export function isOurs(entry: LedgerEntry, id: string): boolean {
  return entry.created.some((k) => k.id === id);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function damaged(where: string, why: string): UserError<'keys.ledger'> {
  return new UserError('keys.ledger', `The key ledger in ${where} is damaged: ${why}.`, {
    hint: `Fix or restore it (it holds only key ids: {"<name>/<environment>": {"current": "<key id>", "created": [{"id", "created_at", "retire_after"}]}}); deleting it makes every existing key count as not created by dify-gitops.`,
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
