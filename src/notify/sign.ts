// The sending side of the signature that src/notify/verify.ts checks (see there for what is signed).
import { createHmac } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Dify-Gitops-Signature';
export const TIMESTAMP_HEADER = 'X-Dify-Gitops-Timestamp';
export const EVENT_HEADER = 'X-Dify-Gitops-Event';
/** The same on every attempt of one delivery, so a receiver can drop the duplicates retries may cause. */
export const DELIVERY_HEADER = 'X-Dify-Gitops-Delivery';

/** `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`; `timestamp` is unix seconds as sent in the header. */
export function signWebhook(body: string, timestamp: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}
