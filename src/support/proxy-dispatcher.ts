// The one way our HTTP clients (Dify, GitHub, webhooks) get undici and a dispatcher: undici's
// EnvHttpProxyAgent, which honours HTTPS_PROXY, HTTP_PROXY and NO_PROXY per request. Both are
// made on first use: undici's start-up is a third of the bundle's, and validate, fmt, adopt and
// render never send a request (bench: cold start).
import type { Dispatcher } from 'undici';

const importUndici = () => import('undici');
let undici: ReturnType<typeof importUndici> | undefined;

/** undici, evaluated once, when the first request is about to leave. "eager" keeps it in the one bundle file. */
export function loadUndici(): ReturnType<typeof importUndici> {
  undici ??= importUndici();
  return undici;
}

/** A client's dispatcher: the one a test passes, or our own, made on first use and closed only if made. */
export interface LazyDispatcher {
  get(): Promise<Dispatcher>;
  close(): Promise<void>;
}

export function createLazyDispatcher(given?: Dispatcher): LazyDispatcher {
  let own: Promise<Dispatcher> | undefined;
  return {
    get: async () => {
      if (given) return given;
      own ??= loadUndici().then(({ EnvHttpProxyAgent }) => silenceExperimentalWarning(() => new EnvHttpProxyAgent()));
      return own;
    },
    close: async () => {
      if (own) await (await own).close();
    },
  };
}

/**
 * undici 6 (the major @actions/http-client shares with us, so the bundle holds one copy) marks
 * EnvHttpProxyAgent experimental and prints a warning on stderr the first time one is made; in
 * undici 7 it is stable. The warning says nothing a user can act on, so it is silenced here only.
 */
function silenceExperimentalWarning<T>(make: () => T): T {
  const emitWarning = process.emitWarning;
  process.emitWarning = (() => {}) as typeof process.emitWarning;
  try {
    return make();
  } finally {
    process.emitWarning = emitWarning;
  }
}
