// The two signals a cancelled job passes down: `requested` at the first signal, `expired` when the
// time left is needed for the report; a second signal shortens that time but never ends it at once.
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createCancellation } from '../../../src/support/cancellation.js';

describe('createCancellation', () => {
  it('requests at the first signal and expires after the grace period', async () => {
    const c = createCancellation({ graceMs: 150, lastWordMs: 50 });
    expect(c.requested.aborted).toBe(false);
    c.cancel('SIGINT');
    expect(c.requested.aborted).toBe(true);
    expect(c.expired.aborted).toBe(false);
    await sleep(400);
    expect(c.expired.aborted).toBe(true);
    expect(String(c.expired.reason)).toMatch(/cancelled \(SIGINT\) and its time is up/);
    c.dispose();
  });

  it('a second signal caps the time left, without expiring at once', async () => {
    const c = createCancellation({ graceMs: 60_000, lastWordMs: 150 });
    c.cancel('SIGINT');
    c.cancel('SIGTERM');
    expect(c.expired.aborted).toBe(false);
    await sleep(400);
    expect(c.expired.aborted).toBe(true);
    c.dispose();
  });

  it('a later signal never extends the time left', async () => {
    const c = createCancellation({ graceMs: 150, lastWordMs: 60_000 });
    c.cancel('SIGINT');
    c.cancel('SIGTERM');
    await sleep(400);
    expect(c.expired.aborted).toBe(true);
    c.dispose();
  });
});
