// The webhook boundary: POST one signed JSON event, retry what a receiver may accept later, and
// never throw. A webhook is a courtesy to another system; it must not decide a deploy's fate.
import { randomUUID } from 'node:crypto';
import * as core from '../support/actions-core.js';
import type { Dispatcher } from 'undici';
import { createLazyDispatcher, loadUndici } from '../support/proxy-dispatcher.js';
import { createSystemClock, type Clock } from '../support/clock.js';
import { parseRetryAfter, retry, type BackoffOptions, type Outcome, type RetryVerdict } from '../support/retry.js';
import type { NotifyEvent } from './payload.js';
import { redactDeep } from '../support/redact.js';
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signWebhook, TIMESTAMP_HEADER } from './sign.js';

export interface Delivery {
  delivered: boolean;
  /** Requests sent (0 for the no-op notifier). */
  attempts: number;
  /** HTTP status of the last answer, when there was one. */
  status?: number;
  /** Why it was not delivered: "HTTP 500", "timeout after 10000 ms", "ECONNREFUSED"… */
  reason?: string;
}

export interface Notifier {
  /** True when a URL is configured (the no-op notifier is not). */
  readonly enabled: boolean;
  send(event: NotifyEvent): Promise<Delivery>;
  close(): Promise<void>;
}

export interface NotifierOptions {
  /** No URL → a notifier that sends nothing. */
  url?: string;
  secret?: string;
  /** Per attempt: connect, send and receive the answer's headers and body. */
  timeoutMs?: number;
  /** Attempts in total, the first included. */
  maxAttempts?: number;
  clock?: Clock;
  backoff?: Partial<BackoffOptions>;
  /** One line per attempt, without the URL's path or query (those often carry a token). */
  log?: (line: string) => void;
  dispatcher?: Dispatcher;
}

export const DEFAULT_NOTIFY_TIMEOUT_MS = 10_000;
export const DEFAULT_NOTIFY_ATTEMPTS = 3;
/** A receiver asking us to wait longer than this gets a warning instead: a deploy should not idle. */
const MAX_RETRY_AFTER_MS = 30_000;

export function createNoopNotifier(): Notifier {
  return {
    enabled: false,
    send: async () => ({ delivered: false, attempts: 0, reason: 'no notify-url configured' }),
    close: async () => {},
  };
}

export function createNotifier(options: NotifierOptions): Notifier {
  if (!options.url) return createNoopNotifier();
  const url = options.url;
  const secret = options.secret ?? '';
  const origin = new URL(url).origin;
  const timeoutMs = options.timeoutMs ?? DEFAULT_NOTIFY_TIMEOUT_MS;
  const clock = options.clock ?? createSystemClock();
  const log = options.log ?? createDebugLog();
  const dispatcher = createLazyDispatcher(options.dispatcher);

  /** One POST; resolves with any answer, rejects only when no answer came. */
  async function post(body: string, event: NotifyEvent, delivery: string, attempt: number): Promise<Answer> {
    // A fresh timestamp per attempt: a retry after backoff must not arrive already stale.
    const timestamp = String(Math.floor(clock.now() / 1000));
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new NotifyTimeout(timeoutMs)), timeoutMs);
    const started = performance.now();
    try {
      const { request } = await loadUndici();
      const res = await request(url, {
        method: 'POST',
        dispatcher: await dispatcher.get(),
        signal: controller.signal,
        body,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'dify-gitops/0.1',
          [EVENT_HEADER]: event.event,
          [DELIVERY_HEADER]: delivery,
          [TIMESTAMP_HEADER]: timestamp,
          [SIGNATURE_HEADER]: signWebhook(body, timestamp, secret),
        },
      });
      // Read the body under the same timer so a receiver that stalls mid-answer is cut off too.
      // undici 6 honours `signal` in dump() (lib/api/readable.js) though its types omit it.
      const dumpOptions = { limit: 64 * 1024, signal: controller.signal };
      await res.body.dump(dumpOptions);
      log(`webhook POST ${origin} → ${res.statusCode} (attempt ${attempt}, ${Math.round(performance.now() - started)} ms)`);
      return { status: res.statusCode, retryAfter: res.headers['retry-after'] };
    } catch (error) {
      const failure = controller.signal.aborted ? new NotifyTimeout(timeoutMs) : error;
      log(`webhook POST ${origin} → ${reasonOf(failure)} (attempt ${attempt}, ${Math.round(performance.now() - started)} ms)`);
      throw failure;
    } finally {
      clearTimeout(timer);
    }
  }

  function classify(outcome: Outcome<Answer>): RetryVerdict {
    if (!outcome.ok) return { retry: true, reason: reasonOf(outcome.error) };
    const { status } = outcome.value;
    if (status >= 200 && status < 300) return { retry: false };
    // 408, 429 and 5xx mean "not now"; any other answer is the receiver's considered refusal
    // (a 401 for a wrong secret does not improve with repetition).
    const transient = status === 408 || status === 429 || status >= 500;
    return { retry: transient, reason: `HTTP ${status}`, retryAfterMs: parseRetryAfter(outcome.value.retryAfter, clock.now()) };
  }

  return {
    enabled: true,
    async send(event) {
      // Signed as sent: redacted first (an error Dify echoed may carry a secret).
      const body = JSON.stringify(redactDeep(event));
      const delivery = randomUUID();
      let attempts = 0;
      try {
        const { status } = await retry(
          async (n) => {
            attempts = n;
            return post(body, event, delivery, n);
          },
          {
            maxAttempts: options.maxAttempts ?? DEFAULT_NOTIFY_ATTEMPTS,
            clock,
            classify,
            backoff: { baseDelayMs: 1_000, maxDelayMs: 10_000, ...options.backoff },
            maxRetryAfterMs: MAX_RETRY_AFTER_MS,
          },
        );
        const delivered = status >= 200 && status < 300;
        return delivered ? { delivered, attempts, status } : { delivered, attempts, status, reason: `HTTP ${status}` };
      } catch (error) {
        return { delivered: false, attempts, reason: reasonOf(error) };
      }
    },
    async close() {
      await dispatcher.close().catch(() => {});
    },
  };
}

/** Actions debug log on a runner, stderr with DIFY_GITOPS_DEBUG, else nowhere (as the Dify client does). */
function createDebugLog(): (line: string) => void {
  if (process.env.GITHUB_ACTIONS === 'true') return (line) => core.debug(line);
  if (process.env.DIFY_GITOPS_DEBUG) return (line) => process.stderr.write(`debug: ${line}\n`);
  return () => {};
}

interface Answer {
  status: number;
  retryAfter?: string | string[];
}

class NotifyTimeout extends Error {
  constructor(readonly timeoutMs: number) {
    super(`timeout after ${timeoutMs} ms`);
  }
}

/** A short, secret-free reason: the error code when there is one, never a URL. */
function reasonOf(error: unknown): string {
  if (error instanceof NotifyTimeout) return error.message;
  for (let e: unknown = error, depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return error instanceof Error ? error.name : 'network error';
}
