// Time as a dependency: retry backoff, Retry-After and elapsed-time measurements read this
// instead of Date/setTimeout, so tests can run a minute of backoff in no time at all.

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Waits `ms`, or less when `signal` aborts first (it resolves then, never rejects). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export function createSystemClock(): Clock {
  return {
    now: () => Date.now(),
    sleep: (ms, signal) =>
      new Promise((resolve) => {
        if (signal?.aborted) return resolve();
        const done = () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, Math.max(0, ms));
        signal?.addEventListener('abort', done, { once: true });
      }),
  };
}

export interface VirtualClock extends Clock {
  /** Every sleep requested so far, in order (ms). */
  readonly sleeps: number[];
  advance(ms: number): void;
}

/**
 * A clock whose sleeps return at once and move virtual time forward. For tests and dry runs:
 * the code under test still sees time pass (Retry-After dates, elapsed times) but waits for nothing.
 */
export function createVirtualClock(startMs = Date.UTC(2025, 0, 1)): VirtualClock {
  let now = startMs;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    advance: (ms) => {
      now += ms;
    },
    sleep: async (ms, signal) => {
      if (signal?.aborted) return;
      sleeps.push(ms);
      now += Math.max(0, ms);
    },
  };
}
