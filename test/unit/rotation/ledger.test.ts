// The key ledger's rules, as pure functions over data: what is current, what may be revoked when.
import { describe, expect, it } from 'vitest';
import type { UserError } from '../../../src/support/errors.js';
import {
  dueForRevocation,
  forget,
  ledgerKey,
  markUnused,
  parseLedger,
  promote,
  recordCreated,
  reconcile,
  serializeLedger,
  unconfirmedKeys,
  type LedgerEntry,
} from '../../../src/rotation/ledger.js';
import { formatDuration, parseDuration } from '../../../src/rotation/duration.js';

const T0 = Date.UTC(2025, 0, 1);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** K1 current; K2 created an hour later and promoted with a 24h grace. */
function twoRotations(): LedgerEntry {
  let entry: LedgerEntry = { created: [] };
  entry = promote(recordCreated(entry, 'k1', T0), 'k1', T0, DAY);
  entry = promote(recordCreated(entry, 'k2', T0 + HOUR), 'k2', T0 + HOUR, DAY);
  return entry;
}

describe('grace', () => {
  it.each([
    ['30m', 30 * 60_000],
    ['24h', DAY],
    ['7d', 7 * DAY],
    ['0s', 0],
    ['90s', 90_000],
  ])('parses %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '24', 'h', '1.5h', '-1h', '2w', '1 day'])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeNull();
  });

  it('formats with the largest whole unit', () => {
    expect([DAY, 90 * 60_000, 0, 1500].map(formatDuration)).toEqual(['1d', '90m', '0s', '2s']);
  });
});

describe('ledger transitions', () => {
  it('the first key becomes current with nothing to retire', () => {
    const entry = promote(recordCreated({ created: [] }, 'k1', T0), 'k1', T0, DAY);
    expect(entry).toEqual({ current: 'k1', created: [{ id: 'k1', created_at: '2025-01-01T00:00:00.000Z' }] });
    expect(dueForRevocation(entry, T0 + 365 * DAY)).toEqual([]);
  });

  it('a replaced key may be revoked only once its grace is over, and the current one never', () => {
    const entry = twoRotations();
    expect(entry.current).toBe('k2');
    expect(entry.created.find((k) => k.id === 'k1')!.retire_after).toBe(new Date(T0 + HOUR + DAY).toISOString());
    expect(dueForRevocation(entry, T0 + HOUR + DAY - 1)).toEqual([]);
    expect(dueForRevocation(entry, T0 + HOUR + DAY).map((k) => k.id)).toEqual(['k1']);
    expect(dueForRevocation(entry, T0 + 100 * DAY).map((k) => k.id)).toEqual(['k1']);
  });

  it('with a zero grace the replaced key is due at once', () => {
    let entry = promote(recordCreated({ created: [] }, 'k1', T0), 'k1', T0, 0);
    entry = promote(recordCreated(entry, 'k2', T0), 'k2', T0, 0);
    expect(dueForRevocation(entry, T0).map((k) => k.id)).toEqual(['k1']);
  });

  it('a key whose hand-over was never confirmed is never due; one known unused is due at once', () => {
    const pending = recordCreated(twoRotations(), 'k3', T0 + 2 * HOUR);
    expect(unconfirmedKeys(pending).map((k) => k.id)).toEqual(['k3']);
    expect(dueForRevocation(pending, T0 + 100 * DAY).map((k) => k.id)).toEqual(['k1']);
    const unused = markUnused(pending, 'k3', T0 + 2 * HOUR);
    expect(dueForRevocation(unused, T0 + 2 * HOUR).map((k) => k.id)).toEqual(['k3']);
    expect(unconfirmedKeys(unused)).toEqual([]);
  });

  it('reconcile drops keys deleted in Dify, the current one included', () => {
    const { entry, vanished } = reconcile(twoRotations(), new Set(['k1']));
    expect(vanished).toEqual(['k2']);
    expect(entry).toEqual({ created: [expect.objectContaining({ id: 'k1' })] });
    expect(forget(twoRotations(), ['k1']).created.map((k) => k.id)).toEqual(['k2']);
  });
});

describe('stored form', () => {
  it('round-trips, keyed <name>/<environment>, with ids only', () => {
    const ledger = { [ledgerKey('bot', 'production')]: twoRotations() };
    const text = serializeLedger(ledger);
    expect(parseLedger(text, 'x')).toEqual(ledger);
    expect(Object.keys(JSON.parse(text))).toEqual(['bot/production']);
    expect(parseLedger(null, 'x')).toEqual({});
    expect(parseLedger('', 'x')).toEqual({});
  });

  it.each([
    ['not json', /is not JSON/],
    ['[]', /not a JSON object/],
    ['{"a/b": {}}', /"a\/b" has no "created" list/],
    ['{"a/b": {"created": [{"id": 1}]}}', /created\[0\] needs id and created_at/],
    ['{"a/b": {"created": [{"id": "k", "created_at": "t", "retire_after": "soon"}]}}', /retire_after is not a time/],
  ])('refuses a damaged ledger %j instead of starting over', (text, message) => {
    const error = (() => {
      try {
        parseLedger(text, 'the variable X');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toMatchObject({ code: 'keys.ledger' });
    expect((error as UserError).message).toMatch(message);
    expect((error as UserError).message).toContain('the variable X');
    expect((error as UserError).hint).toMatch(/deleting it makes every existing key count as not created by dify-gitops/);
  });
});
