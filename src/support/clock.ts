// Time as a dependency: retry backoff, Retry-After and elapsed-time measurements read this
// instead of Date/setTimeout, so tests can run a minute of backoff in no time at all.

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export function createSystemClock(): Clock {
  return {
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
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
    sleep: async (ms) => {
      sleeps.push(ms);
      now += Math.max(0, ms);
    },
  };
}
