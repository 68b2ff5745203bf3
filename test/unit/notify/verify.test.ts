// The receiver's check (verify.ts, also the docs' snippet) against what the sender signs (sign.ts).
import crypto from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { signWebhook } from '../../../src/notify/sign.js';
import { verifyWebhookSignature } from '../../../src/notify/verify.js';

const SECRET = 'whsec-7c1f0e9a2b4d6f8e';
const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);
const TS = String(NOW / 1000);
const BODY = '{"event":"deploy","workflow":"faq-bot","version":"1.4.0","result":"deployed"}';

const check = (over: Partial<Parameters<typeof verifyWebhookSignature>[0]> = {}) =>
  verifyWebhookSignature({ body: BODY, timestamp: TS, signature: signWebhook(BODY, TS, SECRET), secret: SECRET, now: NOW, ...over });

afterEach(() => vi.restoreAllMocks());

describe('verifyWebhookSignature', () => {
  it('accepts what the sender signed, as a string or as raw bytes', () => {
    expect(signWebhook(BODY, TS, SECRET)).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(check()).toEqual({ valid: true });
    expect(check({ body: Buffer.from(BODY, 'utf8') })).toEqual({ valid: true });
  });

  it('signs exactly "<timestamp>.<body>" with HMAC-SHA256 (what docs/webhooks.md promises)', () => {
    const hex = crypto.createHmac('sha256', SECRET).update(`${TS}.${BODY}`).digest('hex');
    expect(signWebhook(BODY, TS, SECRET)).toBe(`sha256=${hex}`);
  });

  it('compares in constant time with crypto.timingSafeEqual', () => {
    const spy = vi.spyOn(crypto, 'timingSafeEqual');
    expect(check()).toEqual({ valid: true });
    expect(check({ body: `${BODY} ` })).toEqual({ valid: false, reason: 'signature-mismatch' });
    expect(spy).toHaveBeenCalledTimes(2);
    for (const [a, b] of spy.mock.calls) expect([(a as Buffer).length, (b as Buffer).length]).toEqual([32, 32]);
  });

  it.each([
    ['a tampered body', { body: BODY.replace('deployed', 'failed') }],
    ['a tampered timestamp (replay with a fresh time)', { timestamp: String(NOW / 1000 + 1) }],
    ['a wrong secret', { secret: `${SECRET}x` }],
    ['a signature for another body', { signature: signWebhook('{}', TS, SECRET) }],
  ])('rejects %s', (_label, over) => {
    expect(check(over)).toEqual({ valid: false, reason: 'signature-mismatch' });
  });

  it('rejects a timestamp older or newer than the tolerance, even when correctly signed', () => {
    const old = String(NOW / 1000 - 301);
    expect(check({ timestamp: old, signature: signWebhook(BODY, old, SECRET) })).toEqual({ valid: false, reason: 'stale-timestamp' });
    const future = String(NOW / 1000 + 301);
    expect(check({ timestamp: future, signature: signWebhook(BODY, future, SECRET) })).toEqual({ valid: false, reason: 'stale-timestamp' });
    const edge = String(NOW / 1000 - 300);
    expect(check({ timestamp: edge, signature: signWebhook(BODY, edge, SECRET) })).toEqual({ valid: true });
    expect(check({ timestamp: edge, signature: signWebhook(BODY, edge, SECRET), toleranceSeconds: 60 })).toEqual({
      valid: false,
      reason: 'stale-timestamp',
    });
  });

  it.each([
    [{ timestamp: undefined }, 'missing-header'],
    [{ signature: undefined }, 'missing-header'],
    [{ secret: '' }, 'missing-header'],
    [{ timestamp: '1717243200.5' }, 'malformed-timestamp'],
    [{ timestamp: '-5' }, 'malformed-timestamp'],
    [{ signature: 'sha1=abc' }, 'malformed-signature'],
    [{ signature: `sha256=${'0'.repeat(63)}` }, 'malformed-signature'],
    [{ signature: `sha256=${'z'.repeat(64)}` }, 'malformed-signature'],
  ])('rejects malformed input %j', (over, reason) => {
    expect(check(over)).toEqual({ valid: false, reason });
  });
});

describe('the snippet in docs/webhooks.md', () => {
  it('is runnable and decides every case as verify.ts does', async () => {
    const doc = await readFile(path.resolve(import.meta.dirname, '../../../docs/webhooks.md'), 'utf8');
    const snippet = /## Verifying a request[\s\S]*?```js\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(snippet).toContain('export function verifyWebhookSignature');
    const dir = await mkdtemp(path.join(tmpdir(), 'webhook-doc-'));
    try {
      await writeFile(path.join(dir, 'verify.mjs'), snippet!);
      const documented = (await import(pathToFileURL(path.join(dir, 'verify.mjs')).href))
        .verifyWebhookSignature as typeof verifyWebhookSignature;
      const old = String(NOW / 1000 - 301);
      const cases: Array<Partial<Parameters<typeof verifyWebhookSignature>[0]>> = [
        {},
        { body: Buffer.from(BODY) },
        { body: `${BODY} ` },
        { timestamp: String(NOW / 1000 + 1) },
        { secret: 'other' },
        { timestamp: old, signature: signWebhook(BODY, old, SECRET) },
        { signature: 'sha256=zz' },
        { timestamp: undefined },
      ];
      for (const over of cases) {
        const input = { body: BODY, timestamp: TS, signature: signWebhook(BODY, TS, SECRET), secret: SECRET, now: NOW, ...over };
        expect(documented(input), JSON.stringify(over)).toEqual(verifyWebhookSignature(input));
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
