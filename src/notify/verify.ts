// Checking a dify-gitops webhook on the receiving side. This file depends on node:crypto alone so
// it can be copied into a receiver as is; docs/webhooks.md shows the same code.
//
// What is signed: the bytes of `<X-Dify-Gitops-Timestamp>.<raw request body>`, with HMAC-SHA256
// keyed by the shared secret; the header carries `sha256=<lowercase hex digest>`. Signing the
// timestamp with the body lets a receiver refuse replays of an old delivery: changing the
// timestamp breaks the signature, and keeping it makes the delivery stale after the tolerance.
import crypto from 'node:crypto';

export interface VerifyWebhookInput {
  /** The raw request body exactly as received (do not re-serialise parsed JSON: bytes would differ). */
  body: string | Buffer;
  /** The X-Dify-Gitops-Timestamp header: unix seconds. */
  timestamp: string | undefined;
  /** The X-Dify-Gitops-Signature header: `sha256=<hex>`. */
  signature: string | undefined;
  secret: string;
  /** How far the timestamp may be from now, either way, in seconds. */
  toleranceSeconds?: number;
  /** Milliseconds since the epoch; defaults to Date.now(). */
  now?: number;
}

export type VerifyFailure = 'missing-header' | 'malformed-timestamp' | 'stale-timestamp' | 'malformed-signature' | 'signature-mismatch';

export type VerifyResult = { valid: true } | { valid: false; reason: VerifyFailure };

export function verifyWebhookSignature(input: VerifyWebhookInput): VerifyResult {
  const { body, timestamp, signature, secret, toleranceSeconds = 300, now = Date.now() } = input;
  if (!timestamp || !signature || !secret) return { valid: false, reason: 'missing-header' };
  if (!/^\d{1,12}$/.test(timestamp)) return { valid: false, reason: 'malformed-timestamp' };
  if (Math.abs(now / 1000 - Number(timestamp)) > toleranceSeconds) return { valid: false, reason: 'stale-timestamp' };

  const match = /^sha256=([0-9a-f]{64})$/i.exec(signature.trim());
  if (!match) return { valid: false, reason: 'malformed-signature' };
  const received = Buffer.from(match[1], 'hex');
  const expected = crypto.createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest();
  // Constant time: comparing with === would return at the first differing byte and so leak,
  // one request at a time, how much of a forged signature is right.
  return crypto.timingSafeEqual(received, expected) ? { valid: true } : { valid: false, reason: 'signature-mismatch' };
}
