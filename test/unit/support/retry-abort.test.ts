// A cancelled job out of time waits out no backoff: the clock's sleep ends at the abort and
// retry() stops with the last outcome instead of trying again.
import { describe, expect, it } from 'vitest';
import { createSystemClock } from '../../../src/support/clock.js';
import { retry } from '../../../src/support/retry.js';

describe('sleep and retry under an abort signal', () => {
  it('the system clock wakes when the signal aborts', async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 50);
    await createSystemClock().sleep(30_000, controller.signal);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('an aborted retry stops waiting and rethrows the last error', async () => {
    const controller = new AbortController();
    let attempts = 0;
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    await expect(
      retry(
        async () => {
          attempts++;
          throw new Error(`attempt ${attempts} failed`);
        },
        {
          maxAttempts: 5,
          clock: createSystemClock(),
          classify: () => ({ retry: true, retryAfterMs: 30_000 }),
          signal: controller.signal,
        },
      ),
    ).rejects.toThrow('attempt 1 failed');
    expect(attempts).toBe(1);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
