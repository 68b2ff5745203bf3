// Retry with jittered exponential backoff and Retry-After, on an injectable clock.
// Deciding WHAT is safe to retry is the caller's job (see src/dify/http.ts); this module only
// decides WHEN, and never waits longer than the server asked or the cap allows.
import type { Clock } from './clock.js';

export interface BackoffOptions {
  /** Delay before the first retry, before jitter. */
  baseDelayMs: number;
  /** Upper bound of any backoff delay. */
  maxDelayMs: number;
  /** [0, 1) source for jitter; injectable so tests can pin it. */
  random: () => number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseDelayMs: 500, maxDelayMs: 8_000, random: Math.random };

/** Longest Retry-After we honour; a server asking for more is treated as "give up now". */
export const DEFAULT_MAX_RETRY_AFTER_MS = 60_000;

/**
 * "Equal jitter": half of the exponential step is fixed, half random. Unlike full jitter it
 * never retries instantly, and unlike no jitter it spreads parallel deployers apart.
 */
export function computeBackoffMs(retryNumber: number, options: BackoffOptions = DEFAULT_BACKOFF): number {
  const step = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, retryNumber - 1));
  return Math.round(step / 2 + options.random() * (step / 2));
}

/** Retry-After as delta-seconds or an HTTP date, in ms from `nowMs`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined | null, nowMs: number): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined || raw === null) return undefined;
  const text = raw.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

export interface RetryVerdict {
  retry: boolean;
  /** The server's Retry-After, in ms, when it sent one. */
  retryAfterMs?: number;
  /** Short reason for the log ("503", "ECONNRESET"). */
  reason?: string;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

export interface RetryOptions<T> {
  /** Attempts in total, the first one included (1 = no retry). */
  maxAttempts: number;
  clock: Clock;
  /** Whether this outcome (a value such as a 503 response, or a thrown error) should be tried again. */
  classify: (outcome: Outcome<T>, attempt: number) => RetryVerdict;
  backoff?: Partial<BackoffOptions>;
  maxRetryAfterMs?: number;
  /** Once aborted, no backoff is waited out and nothing is retried: the last outcome stands. */
  signal?: AbortSignal;
  onRetry?: (info: { attempt: number; delayMs: number; reason?: string }) => void;
}

/**
 * Run `attempt` until it succeeds, `classify` says stop, or attempts run out. When the last
 * outcome is a value (say a 503 response) that value is returned, so the caller can turn it into
 * its own typed error; a thrown error is re-thrown unchanged.
 */
export async function retry<T>(attempt: (attemptNumber: number) => Promise<T>, options: RetryOptions<T>): Promise<T> {
  const backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
  const maxRetryAfterMs = options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS;
  const maxAttempts = Math.max(1, Math.floor(options.maxAttempts));
  for (let n = 1; ; n++) {
    let outcome: Outcome<T>;
    try {
      outcome = { ok: true, value: await attempt(n) };
    } catch (error) {
      outcome = { ok: false, error };
    }
    const verdict = options.classify(outcome, n);
    // A Retry-After beyond the cap means "not any time soon": failing now with the server's
    // answer is more useful than waiting a capped minute and hitting the same wall again.
    const tooLong = verdict.retryAfterMs !== undefined && verdict.retryAfterMs > maxRetryAfterMs;
    if (!verdict.retry || n >= maxAttempts || tooLong || options.signal?.aborted) {
      if (outcome.ok) return outcome.value;
      throw outcome.error;
    }
    // The server's Retry-After wins over our own schedule: it knows when it will be ready.
    const delayMs = verdict.retryAfterMs ?? computeBackoffMs(n, backoff);
    options.onRetry?.({ attempt: n, delayMs, reason: verdict.reason });
    await options.clock.sleep(delayMs, options.signal);
    if (options.signal?.aborted) {
      if (outcome.ok) return outcome.value;
      throw outcome.error;
    }
  }
}
