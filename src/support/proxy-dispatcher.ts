// The one way our HTTP clients (Dify, GitHub, webhooks) get a dispatcher: undici's
// EnvHttpProxyAgent, which honours HTTPS_PROXY, HTTP_PROXY and NO_PROXY per request.
import { EnvHttpProxyAgent } from 'undici';

/**
 * undici 6 (the major @actions/http-client shares with us, so the bundle holds one copy) marks
 * EnvHttpProxyAgent experimental and prints a warning on stderr the first time one is made; in
 * undici 7 it is stable. The warning says nothing a user can act on, so it is silenced here only.
 */
export function createProxyDispatcher(): EnvHttpProxyAgent {
  const emitWarning = process.emitWarning;
  process.emitWarning = (() => {}) as typeof process.emitWarning;
  try {
    return new EnvHttpProxyAgent();
  } finally {
    process.emitWarning = emitWarning;
  }
}
