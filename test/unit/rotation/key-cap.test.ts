// Dify's 10-key cap: which keys may go to make room (only foreign ones, by opt-in), and the
// refusal when none may.
import { describe, expect, it } from 'vitest';
import type { ApiKey } from '../../../src/dify/types.js';
import { planCapRelief } from '../../../src/rotation/key-cap.js';
import type { UserError } from '../../../src/support/errors.js';
import type { LedgerEntry } from '../../../src/rotation/ledger.js';

const NOW = Date.UTC(2025, 6, 1);
const iso = (ms: number) => new Date(ms).toISOString();
const key = (id: string, created: number, lastUsed: number | null = null): ApiKey => ({
  id,
  token: `app-${id}`,
  created_at: created,
  last_used_at: lastUsed,
});
/** f0…f(n-1): keys made elsewhere, f0 the oldest. */
const foreign = (n: number) => Array.from({ length: n }, (_, i) => key(`f${i}`, 100 + i));

function refusal(keys: ApiKey[], entry: LedgerEntry, prune = false): UserError {
  try {
    planCapRelief(keys, entry, NOW, prune);
  } catch (error) {
    return error as UserError;
  }
  throw new Error('expected a refusal');
}

describe('planCapRelief', () => {
  it('removes nothing below the cap', () => {
    expect(planCapRelief(foreign(9), { created: [] }, NOW, true)).toEqual({ foreign: [] });
  });

  it('never removes our keys before the run succeeded, even past their grace: it refuses and names them', () => {
    const entry: LedgerEntry = {
      current: 'ours-current',
      created: [
        { id: 'ours-old', created_at: iso(0), retire_after: iso(NOW - 1) },
        { id: 'ours-grace', created_at: iso(0), retire_after: iso(NOW + 1) },
        { id: 'ours-current', created_at: iso(0) },
      ],
    };
    const keys = [...foreign(7), key('ours-old', 1, NOW / 1000 - 86_400), key('ours-grace', 2), key('ours-current', 3)];
    const error = refusal(keys, entry);
    expect(error.message).toMatch(/3 created by dify-gitops \(1 past their grace, 1 still in grace, 1 current\) and 7 created elsewhere/);
    expect(error.message).toMatch(/revoked only at the end of a run that fully succeeded/);
    expect(error.hint).toContain(
      `Delete the keys past their grace in Dify (the app's API Access page): ours-old (last used ${iso(NOW - 86_400_000)})`,
    );
    expect(error.hint).not.toMatch(/Keep at most/);
  });

  it('with prune-foreign-keys removes a key created elsewhere, never our due one', () => {
    const entry: LedgerEntry = {
      current: 'cur',
      created: [
        { id: 'cur', created_at: iso(0) },
        { id: 'due', created_at: iso(0), retire_after: iso(NOW - 1) },
      ],
    };
    expect(planCapRelief([...foreign(8), key('due', 1), key('cur', 2)], entry, NOW, true)).toEqual({ foreign: ['f0'] });
  });

  it('refuses when only foreign keys could go, naming the counts and the way out', () => {
    const entry: LedgerEntry = {
      current: 'mine',
      created: [
        { id: 'mine', created_at: iso(0) },
        { id: 'waiting', created_at: iso(0), retire_after: iso(NOW + 3600_000) },
      ],
    };
    const error = refusal([...foreign(8), key('mine', 1), key('waiting', 2)], entry);
    expect(error.code).toBe('keys.cap');
    expect(error.message).toMatch(
      /has 10 API keys, Dify's limit of 10: 2 created by dify-gitops \(0 past their grace, 1 still in grace, 1 current\) and 8 created elsewhere/,
    );
    expect(error.message).toMatch(/no new key was created/);
    expect(error.hint).toContain('prune-foreign-keys: true');
    expect(error.hint).toContain(`wait until ${iso(NOW + 3600_000)}`);
    expect(error.hint).toContain('Keep at most 7 keys created elsewhere');
  });

  it('with prune-foreign-keys takes the least recently used foreign keys, never-used and oldest first', () => {
    const keys = [
      key('recent', 1, NOW - 10),
      key('stale', 2, NOW - 1e9),
      key('never-new', 50),
      key('never-old', 3),
      ...foreign(6).map((k) => ({ ...k, last_used_at: NOW })),
    ];
    expect(planCapRelief(keys, { created: [] }, NOW, true)).toEqual({ foreign: ['never-old'] });
    const eleven = [...keys, key('extra', 60, NOW)];
    expect(planCapRelief(eleven, { created: [] }, NOW, true).foreign).toEqual(['never-old', 'never-new']);
  });

  it('refuses even with prune-foreign-keys when every key is ours and in grace', () => {
    const created = Array.from({ length: 10 }, (_, i) => ({ id: `o${i}`, created_at: iso(0), retire_after: iso(NOW + 1000) }));
    const error = refusal(
      created.map((c, i) => key(c.id, i)),
      { created },
      true,
    );
    expect(error.message).toMatch(/10 created by dify-gitops \(0 past their grace, 10 still in grace\) and 0 created elsewhere/);
    expect(error.hint).not.toContain('prune-foreign-keys');
  });
});
