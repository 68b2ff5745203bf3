// The one place that sends HTTP to Dify: undici with one shared dispatcher per client, a timeout
// on every request, retries only where they are safe, and a redacted one-line log per attempt.
import * as core from '../support/actions-core.js';
import type { Dispatcher } from 'undici';
import { createLazyDispatcher, loadUndici } from '../support/proxy-dispatcher.js';
import type { Clock } from '../support/clock.js';
import { redact } from '../support/redact.js';
import { retry, parseRetryAfter, type BackoffOptions, type Outcome, type RetryVerdict } from '../support/retry.js';
import type { DifySurface } from './errors.js';
import { isUserError } from '../support/errors.js';
import { toUnreachable } from './net-errors.js';
import { RESERVED_HEADERS } from './extra-headers.js';

/**
 * How a request may be retried. This is the safety argument of the whole client:
 * - `read`  (GET, DELETE: idempotent) is retried on 429/502/503/504, resets, timeouts and refused connections.
 * - `write` (POST that changes Dify: import, confirm, publish, create key, runs) is retried only when
 *   the server certainly did not process it: 429 (Dify rejects before running the handler), 503 that
 *   carries Retry-After (an explicit "come back later" from Dify or its proxy), and connections that
 *   were never established. A reset or timeout mid-POST may have imported, published or created a
 *   key already, and a 502/504 only says the gateway gave up waiting, so those are NOT retried.
 * - `replace` (import into an existing app) is a POST whose effect does not depend on how often it is
 *   applied: the draft is replaced by the same YAML each time. It is retried like a read.
 * - `once`  (login, refresh-token) is never retried: every failed login counts toward Dify's lock
 *   after 5 attempts, and a refresh token is single-use.
 */
export type Safety = 'read' | 'replace' | 'write' | 'once';

export type Query = Record<string, string | number | boolean | undefined>;

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path from the origin, e.g. `/console/api/apps/1/export`. */
  path: string;
  query?: Query;
  headers?: Record<string, string>;
  /** JSON body; omitted means no body at all. */
  json?: unknown;
  safety: Safety;
  surface: DifySurface;
  /** Abandons this request (and its open stream) when aborted; never retried after that. */
  signal?: AbortSignal;
}

export type Headers = Record<string, string | string[] | undefined>;

export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
  /** Attempts it took (a retried DELETE that finds 404 most likely succeeded the first time). */
  attempts: number;
}

export interface HttpStream extends HttpResponse {
  /** Body chunks of a 2xx answer (then `text` is empty); throws a `dify.unreachable` UserError when no data arrives for `timeoutMs`. */
  chunks?: AsyncIterable<Uint8Array>;
}

export interface HttpClient {
  readonly origin: string;
  send(req: HttpRequest): Promise<HttpResponse>;
  /** For SSE: the timeout applies to the headers and then to each gap between chunks. */
  open(req: HttpRequest): Promise<HttpStream>;
  close(): Promise<void>;
  /** The version the server named in its last `X-Version` header (Dify's app_factory sets it on every answer). */
  serverVersion(): string | undefined;
}

export interface HttpOptions {
  /** Base URL; its path (if any) is kept as a prefix, e.g. a Dify served under /dify. */
  baseUrl: string;
  timeoutMs: number;
  maxAttempts: number;
  clock: Clock;
  log: (line: string) => void;
  backoff?: Partial<BackoffOptions>;
  maxRetryAfterMs?: number;
  /** Tests may pass their own; otherwise one EnvHttpProxyAgent per client. */
  dispatcher?: Dispatcher;
  /** /openapi requests per minute this client allows itself (Dify's per-token limit: 60). */
  openapiPerMinute?: number;
  /** Abandons every request of this client, in flight or later (the job's time is up). */
  signal?: AbortSignal;
  /**
   * dify-headers: sent with every request, for an access proxy in front of Dify (Cloudflare Access,
   * IAP, a gateway key). Checked by parseExtraHeaders; a reserved name is refused here too.
   */
  extraHeaders?: Readonly<Record<string, string>>;
  /** Shared by the clients of one run (console and service keys alike); one per client otherwise. */
  pacer?: Pacer;
}

/**
 * One pace for everything the clients sharing it send, so a fan-out of many definitions (and an
 * eval's two sides) shares it: a 429's Retry-After holds back every request, not only the one that
 * met it, and /openapi requests stay under the per-token limit instead of discovering it one 429 at a time.
 */
export interface Pacer {
  /** Waits until `req` may go (returns early once `abandon` fires). */
  pace(req: HttpRequest, abandon: AbortSignal | undefined, onWait: (waitMs: number) => void): Promise<void>;
  /** Reads a 429's Retry-After into the shared pause. */
  holdBack(res: HttpResponse): void;
}

export function createPacer(clock: Clock, openapiPerMinute = OPENAPI_PER_MINUTE): Pacer {
  let pausedUntil = 0;
  const openapiSent: number[] = [];
  return {
    async pace(req, abandon, onWait) {
      for (;;) {
        const now = clock.now();
        let waitMs = pausedUntil - now;
        if (req.surface === 'openapi' && openapiPerMinute > 0) {
          while (openapiSent.length && now - openapiSent[0] >= 60_000) openapiSent.shift();
          if (openapiSent.length >= openapiPerMinute) waitMs = Math.max(waitMs, openapiSent[0] + 60_000 - now);
        }
        if (waitMs <= 0) break;
        onWait(waitMs);
        // Abandoned (the job's time is up): stop waiting; the attempt then fails at once as abandoned.
        await clock.sleep(waitMs, abandon);
        if (abandon?.aborted) return;
      }
      if (req.surface === 'openapi') openapiSent.push(clock.now());
    },
    holdBack(res) {
      if (res.status !== 429) return;
      const retryAfterMs = parseRetryAfter(res.headers['retry-after'], clock.now());
      if (retryAfterMs !== undefined) pausedUntil = Math.max(pausedUntil, clock.now() + retryAfterMs);
    },
  };
}

/** Dify's OPENAPI_RATE_LIMIT_PER_TOKEN default. */
export const OPENAPI_PER_MINUTE = 60;

const USER_AGENT = 'dify-gitops/0.1';

/** Debug lines go to the Actions debug log, or to stderr when DIFY_GITOPS_DEBUG is set; else nowhere. */
export function createDefaultLog(): (line: string) => void {
  if (process.env.GITHUB_ACTIONS === 'true') return (line) => core.debug(line);
  if (process.env.DIFY_GITOPS_DEBUG) return (line) => process.stderr.write(`debug: ${line}\n`);
  return () => {};
}

/** A reserved name would be replaced by (or replace) what the client sets: a programming error past settings. */
function checkedExtraHeaders(headers: Readonly<Record<string, string>> | undefined): Record<string, string> {
  for (const name of Object.keys(headers ?? {})) {
    if ((RESERVED_HEADERS as readonly string[]).includes(name.toLowerCase()))
      throw new Error(`Header ${name} is set by the Dify client itself; it cannot be an extra header.`);
  }
  return { ...headers };
}

function reasonOf(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  return reason instanceof Error && reason.name !== 'AbortError' ? reason.message : 'the request was abandoned';
}

export function createHttpClient(options: HttpOptions): HttpClient {
  const base = new URL(options.baseUrl);
  const prefix = base.pathname.replace(/\/+$/, '');
  // One dispatcher per client. EnvHttpProxyAgent reads HTTP_PROXY/HTTPS_PROXY/NO_PROXY (either case)
  // and acts as a plain Agent without them. Custom CAs come from NODE_EXTRA_CA_CERTS, which Node
  // loads into its default CA store at startup; undici's TLS connector uses that store whenever no
  // `ca` is passed (verified in test/integration/dify-network.test.ts), so we pass none: an
  // explicit `ca` would replace the public roots instead of adding to them.
  const dispatcher = createLazyDispatcher(options.dispatcher);
  const log = (line: string) => options.log(redact(line));
  let serverVersion: string | undefined;
  const extra = checkedExtraHeaders(options.extraHeaders);

  function urlOf(req: HttpRequest): string {
    const url = new URL(base.origin + prefix + req.path);
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    return url.toString();
  }

  function headersOf(req: HttpRequest, accept: string): Record<string, string> {
    // The proxy's headers first: ours (session, token, content type) are never replaced by them.
    const headers: Record<string, string> = { ...extra, 'user-agent': USER_AGENT, accept, ...req.headers };
    if (req.json !== undefined) headers['content-type'] = 'application/json';
    return headers;
  }

  /** One attempt; `keepOpen` hands the body back unread (SSE) under an idle timeout. */
  async function attempt(req: HttpRequest, keepOpen: boolean): Promise<HttpStream> {
    const url = urlOf(req);
    const label = `${req.method} ${prefix}${req.path}`;
    const started = performance.now();
    const controller = new AbortController();
    let timedOut: string | undefined;
    const timer = setTimeout(() => {
      timedOut = `no response within ${options.timeoutMs} ms`;
      controller.abort();
    }, options.timeoutMs);
    // A caller's signal ends the request at any point, the stream included.
    const abandon = abandonSignal(req);
    let aborted = abandon?.aborted ? reasonOf(abandon) : undefined;
    let openBody: { destroy(e?: Error): unknown } | undefined;
    const onAbandon = () => {
      aborted ??= reasonOf(abandon!);
      controller.abort();
      openBody?.destroy(new Error(aborted));
    };
    abandon?.addEventListener('abort', onAbandon, { once: true });
    let handedOver = false;
    try {
      if (aborted) throw new Error(aborted);
      const { request } = await loadUndici();
      const res = await request(url, {
        method: req.method,
        headers: headersOf(req, keepOpen ? 'text/event-stream' : 'application/json'),
        body: req.json === undefined ? undefined : JSON.stringify(req.json),
        dispatcher: await dispatcher.get(),
        signal: controller.signal,
      });
      const headers = res.headers as Headers;
      const named = headers['x-version'];
      if (typeof named === 'string' && named.trim() !== '') serverVersion = named.trim();
      if (keepOpen && res.statusCode >= 200 && res.statusCode < 300) {
        clearTimeout(timer);
        log(`dify ${label} → ${res.statusCode} stream (${Math.round(performance.now() - started)} ms to headers)`);
        openBody = res.body;
        handedOver = true;
        return { status: res.statusCode, headers, text: '', attempts: 1, chunks: idleGuarded(res.body, url, req.method) };
      }
      const text = await res.body.text();
      log(`dify ${label} → ${res.statusCode} (${Math.round(performance.now() - started)} ms)`);
      return { status: res.statusCode, headers, text, attempts: 1 };
    } catch (error) {
      const failure = toUnreachable(error, { url, method: req.method, timedOut, aborted });
      log(`dify ${label} → ${failure.details.reason} (${Math.round(performance.now() - started)} ms)`);
      throw failure;
    } finally {
      clearTimeout(timer);
      if (!handedOver) abandon?.removeEventListener('abort', onAbandon);
    }

    // Streams stay open for as long as the run takes; what must not happen is silence. Dify
    // pings every few seconds, so a gap longer than the timeout means the server is stuck.
    async function* idleGuarded(body: AsyncIterable<Uint8Array> & { destroy(e?: Error): unknown }, url: string, method: string) {
      let idle: string | undefined;
      const arm = () =>
        setTimeout(() => {
          idle = `stream sent nothing for ${options.timeoutMs} ms`;
          body.destroy(new Error(idle));
        }, options.timeoutMs);
      let idleTimer = arm();
      try {
        for await (const chunk of body) {
          clearTimeout(idleTimer);
          yield chunk;
          idleTimer = arm();
        }
      } catch (error) {
        throw toUnreachable(error, { url, method, timedOut: idle, aborted });
      } finally {
        clearTimeout(idleTimer);
        abandon?.removeEventListener('abort', onAbandon);
        body.destroy();
      }
    }
  }

  function abandonSignal(req: HttpRequest): AbortSignal | undefined {
    const signals = [options.signal, req.signal].filter((s): s is AbortSignal => s !== undefined);
    return signals.length > 1 ? AbortSignal.any(signals) : signals[0];
  }

  function classify(req: HttpRequest, outcome: Outcome<HttpResponse>): RetryVerdict {
    if (req.safety === 'once') return { retry: false };
    if (req.safety === 'replace') return classify({ ...req, safety: 'read' }, outcome);
    if (outcome.ok) {
      const { status, headers } = outcome.value;
      const retryAfterMs = parseRetryAfter(headers['retry-after'], options.clock.now());
      const reason = String(status);
      if (status === 429) return { retry: true, retryAfterMs, reason };
      if (status === 503) return { retry: req.safety === 'read' || retryAfterMs !== undefined, retryAfterMs, reason };
      if (status === 502 || status === 504) return { retry: req.safety === 'read', retryAfterMs, reason };
      return { retry: false };
    }
    const error = outcome.error;
    if (!isUserError(error, 'dify.unreachable')) return { retry: false };
    const { reason } = error.details;
    if (reason === 'refused') return { retry: true, reason };
    if (reason === 'reset' || reason === 'timeout' || reason === 'network') return { retry: req.safety === 'read', reason };
    return { retry: false };
  }

  const pacer = options.pacer ?? createPacer(options.clock, options.openapiPerMinute);

  async function run(req: HttpRequest, keepOpen: boolean) {
    let attempts = 0;
    const result = await retry(
      async () => {
        attempts++;
        await pacer.pace(req, abandonSignal(req), (waitMs) =>
          log(`dify ${req.method} ${prefix}${req.path}: pacing, waiting ${Math.ceil(waitMs)} ms`),
        );
        const res = await attempt(req, keepOpen);
        pacer.holdBack(res);
        return res;
      },
      {
        maxAttempts: options.maxAttempts,
        clock: options.clock,
        backoff: options.backoff,
        maxRetryAfterMs: options.maxRetryAfterMs,
        signal: abandonSignal(req),
        classify: (outcome) => classify(req, outcome),
        onRetry: ({ attempt: n, delayMs, reason }) =>
          log(`dify ${req.method} ${prefix}${req.path}: ${reason}, retrying in ${delayMs} ms (attempt ${n + 1} of ${options.maxAttempts})`),
      },
    );
    return { ...result, attempts };
  }

  return {
    origin: base.origin + prefix,
    send: (req) => run(req, false),
    open: (req) => run(req, true),
    close: async () => {
      await dispatcher.close();
    },
    serverVersion: () => serverVersion,
  };
}
