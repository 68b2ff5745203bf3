// Turning undici/Node network failures into one of a few reasons, because the reason decides
// both the retry (a refused connection never reached Dify; a reset might have) and the hint.
import { type DifyUnreachableError, difyUnreachable, type UnreachableReason } from './errors.js';
import { isUserError } from '../support/errors.js';

const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ERR_STREAM_PREMATURE_CLOSE']);
/** The TCP connection was never made, so the request cannot have reached Dify. */
const REFUSED_CODES = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH']);
const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL']);
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

function codesOf(error: unknown): string[] {
  const codes: string[] = [];
  for (let e: unknown = error, depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    e = (e as { cause?: unknown }).cause;
  }
  return codes;
}

export function classifyNetworkError(error: unknown): UnreachableReason {
  const codes = codesOf(error);
  if (codes.some((c) => REFUSED_CODES.has(c))) return 'refused';
  if (codes.some((c) => DNS_CODES.has(c))) return 'dns';
  if (codes.some((c) => TIMEOUT_CODES.has(c))) return 'timeout';
  if (codes.some((c) => RESET_CODES.has(c))) return 'reset';
  if (codes.some((c) => c.startsWith('ERR_TLS') || c.includes('CERT') || c.includes('SELF_SIGNED') || c.startsWith('UNABLE_TO')))
    return 'tls';
  return 'network';
}

/** Wrap any transport failure; our own abort is a timeout (the timer) or `aborted` (a caller's signal). */
export function toUnreachable(
  error: unknown,
  ctx: { url: string; method: string; timedOut?: string; aborted?: string },
): DifyUnreachableError {
  if (isUserError(error, 'dify.unreachable')) return error;
  const { url, method } = ctx;
  if (ctx.aborted) return difyUnreachable({ url, method, reason: 'aborted', detail: ctx.aborted, cause: error });
  if (ctx.timedOut) return difyUnreachable({ url, method, reason: 'timeout', detail: ctx.timedOut, cause: error });
  const reason = classifyNetworkError(error);
  const codes = codesOf(error);
  const message = error instanceof Error ? error.message : String(error);
  const detail = codes.length > 0 ? `${message} (${codes[0]})` : message;
  return difyUnreachable({ url, method, reason, detail, cause: error });
}
