// The webhook notifier against a real HTTP receiver on loopback: signing as a receiver checks it,
// retries on a virtual clock, and never throwing when the receiver is down or hangs.
import { afterEach, describe, expect, it } from 'vitest';
import { createNotifier } from '../../src/notify/notifier.js';
import { notifyOutcomes } from '../../src/notify/outcomes.js';
import { createEvent, type NotifyEvent } from '../../src/notify/payload.js';
import { verifyWebhookSignature } from '../../src/notify/verify.js';
import { createCaptureSink } from '../support/capture-sink.js';
import { deploySettings } from '../support/settings.js';
import type { DefinitionOutcome } from '../../src/outcomes.js';
import { createVirtualClock } from '../../src/support/clock.js';
import { findClosedUrl, startReceiver, type ReceivedRequest, type Receiver } from './notify-receiver.js';

const SECRET = 'whsec-3f9a1c7e5b2d8a4c6e0f';
const START = Date.UTC(2025, 5, 1, 12, 0, 0);
const EVENT: NotifyEvent = createEvent(
  { event: 'deploy', workflow: 'faq-bot', version: '1.4.0', environment: 'production', result: 'deployed', tag: 'faq-bot@v1.4.0' },
  { runUrl: 'https://github.com/acme/flows/actions/runs/42', now: START },
);

let receiver: Receiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

const header = (r: ReceivedRequest, name: string) => r.headers[name.toLowerCase()] as string | undefined;
const verify = (r: ReceivedRequest, now: number, secret = SECRET) =>
  verifyWebhookSignature({
    body: r.body,
    timestamp: header(r, 'X-Dify-Gitops-Timestamp'),
    signature: header(r, 'X-Dify-Gitops-Signature'),
    secret,
    now,
  });

describe('createNotifier', () => {
  it('POSTs the event as JSON, signed over "<timestamp>.<raw body>"', async () => {
    receiver = await startReceiver();
    const clock = createVirtualClock(START);
    const notifier = createNotifier({ url: receiver.url, secret: SECRET, timeoutMs: 2_000, clock });
    expect(await notifier.send(EVENT)).toEqual({ delivered: true, attempts: 1, status: 200 });
    await notifier.close();

    const [req] = receiver.requests;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/hooks/dify');
    expect(header(req, 'content-type')).toBe('application/json');
    expect(header(req, 'X-Dify-Gitops-Event')).toBe('deploy');
    expect(header(req, 'X-Dify-Gitops-Timestamp')).toBe(String(START / 1000));
    expect(JSON.parse(req.body)).toEqual(EVENT);
    expect(verify(req, START)).toEqual({ valid: true });
    expect(verify(req, START, 'another-secret')).toEqual({ valid: false, reason: 'signature-mismatch' });
    // Replays: the same delivery ten minutes later, or with a fresh timestamp header, is refused.
    expect(verify(req, START + 600_000)).toEqual({ valid: false, reason: 'stale-timestamp' });
    const replay = { ...req, headers: { ...req.headers, 'x-dify-gitops-timestamp': String(START / 1000 + 600) } };
    expect(verify(replay, START + 600_000)).toEqual({ valid: false, reason: 'signature-mismatch' });
    const tampered = { ...req, body: req.body.replace('"deployed"', '"failed"') };
    expect(verify(tampered, START)).toEqual({ valid: false, reason: 'signature-mismatch' });
  });

  it('500 twice then 200: delivered after 3 attempts, one delivery id, a fresh signed timestamp each time', async () => {
    receiver = await startReceiver([500, 500, 200]);
    const clock = createVirtualClock(START);
    const notifier = createNotifier({ url: receiver.url, secret: SECRET, timeoutMs: 2_000, clock, backoff: { random: () => 0 } });
    expect(await notifier.send(EVENT)).toEqual({ delivered: true, attempts: 3, status: 200 });
    await notifier.close();

    expect(clock.sleeps).toEqual([500, 1_000]);
    const reqs = receiver.requests;
    expect(reqs).toHaveLength(3);
    expect(new Set(reqs.map((r) => header(r, 'X-Dify-Gitops-Delivery'))).size).toBe(1);
    expect(reqs.map((r) => Number(header(r, 'X-Dify-Gitops-Timestamp')))).toEqual(
      [START / 1000, START / 1000 + 0.5, START / 1000 + 1.5].map(Math.floor),
    );
    expect(verify(reqs[2], clock.now())).toEqual({ valid: true });
  });

  it('does not retry a refusal (4xx other than 408/429)', async () => {
    receiver = await startReceiver([], 401);
    const notifier = createNotifier({ url: receiver.url, secret: SECRET, clock: createVirtualClock(START) });
    expect(await notifier.send(EVENT)).toEqual({ delivered: false, attempts: 1, status: 401, reason: 'HTTP 401' });
    await notifier.close();
  });

  it('waits as long as Retry-After asks on 429', async () => {
    receiver = await startReceiver([{ status: 429, headers: { 'retry-after': '7' } }, 200]);
    const clock = createVirtualClock(START);
    const notifier = createNotifier({ url: receiver.url, secret: SECRET, clock });
    expect(await notifier.send(EVENT)).toMatchObject({ delivered: true, attempts: 2 });
    expect(clock.sleeps).toEqual([7_000]);
    await notifier.close();
  });

  it('a receiver that is down: delivered false after every attempt, no throw', async () => {
    const clock = createVirtualClock(START);
    const notifier = createNotifier({ url: await findClosedUrl(), secret: SECRET, timeoutMs: 2_000, clock });
    const started = performance.now();
    expect(await notifier.send(EVENT)).toEqual({ delivered: false, attempts: 3, reason: 'ECONNREFUSED' });
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(clock.sleeps).toHaveLength(2);
    await notifier.close();
  });

  it('a receiver that hangs: each attempt is cut at the timeout, delivered false, no throw', async () => {
    receiver = await startReceiver([], 'hang');
    const notifier = createNotifier({
      url: receiver.url,
      secret: SECRET,
      timeoutMs: 150,
      maxAttempts: 2,
      clock: createVirtualClock(START),
    });
    const started = performance.now();
    expect(await notifier.send(EVENT)).toEqual({ delivered: false, attempts: 2, reason: 'timeout after 150 ms' });
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(1_500);
    expect(receiver.requests).toHaveLength(2);
    await notifier.close();
  });

  it('without a URL is a no-op', async () => {
    const notifier = createNotifier({ url: undefined, secret: SECRET });
    expect(notifier.enabled).toBe(false);
    expect(await notifier.send(EVENT)).toMatchObject({ delivered: false, attempts: 0 });
  });
});

const outcome = (name: string, result: DefinitionOutcome['result'], extra: Partial<DefinitionOutcome> = {}): DefinitionOutcome => ({
  name,
  version: '2.0.0',
  file: `workflows/${name}.json`,
  environment: 'production',
  result,
  durationMs: 5,
  notes: [],
  ...extra,
});
const settingsFor = (url: string, extra: Record<string, string> = {}) => {
  const settings = deploySettings({
    'INPUT_NOTIFY-URL': url,
    'INPUT_NOTIFY-SECRET': SECRET,
    GITHUB_REPOSITORY: 'acme/flows',
    GITHUB_RUN_ID: '42',
    GITHUB_SHA: 'f00d',
    ...extra,
  });
  return { ...settings.options, github: settings.github };
};

describe('notifyOutcomes', () => {
  it('sends one signed event per definition outcome (none for dry-run outcomes)', async () => {
    receiver = await startReceiver();
    const sink = createCaptureSink();
    const { lines, warnings } = sink;
    const clock = createVirtualClock(START);
    const outcomes = [
      outcome('alpha', 'deployed', { tag: 'alpha@v2.0.0' }),
      outcome('beta', 'rolled-back', { restoredTo: 'beta@v1.0.0', error: 'smoke check failed' }),
      outcome('gamma', 'would-deploy'),
    ];
    const deliveries = await notifyOutcomes(settingsFor(receiver.url), outcomes, 'deploy', sink, { clock });
    expect(deliveries.map((d) => d.delivered)).toEqual([true, true]);
    expect(warnings).toEqual([]);
    expect(lines).toContain('Webhook: delivered 2 of 2 event(s).');
    const bodies = receiver.requests.map((r) => JSON.parse(r.body)).sort((a, b) => a.workflow.localeCompare(b.workflow));
    expect(bodies).toEqual([
      {
        event: 'deploy',
        workflow: 'alpha',
        version: '2.0.0',
        environment: 'production',
        result: 'deployed',
        tag: 'alpha@v2.0.0',
        runUrl: 'https://github.com/acme/flows/actions/runs/42',
        timestamp: '2025-06-01T12:00:00.000Z',
        repository: 'acme/flows',
        commit: 'f00d',
      },
      expect.objectContaining({ workflow: 'beta', result: 'rolled-back', tag: 'beta@v1.0.0', error: 'smoke check failed' }),
    ]);
    for (const r of receiver.requests) expect(verify(r, START)).toEqual({ valid: true });
  });

  it('a failing receiver only warns, and the secret appears in nothing that is logged', async () => {
    receiver = await startReceiver([], 500);
    const sink = createCaptureSink();
    const { warnings } = sink;
    const debug: string[] = [];
    const deliveries = await notifyOutcomes(settingsFor(receiver.url), [outcome('alpha', 'rolled-back')], 'rollback', sink, {
      clock: createVirtualClock(START),
      log: (l) => debug.push(l),
    });
    expect(deliveries).toEqual([{ delivered: false, attempts: 3, status: 500, reason: 'HTTP 500' }]);
    expect(warnings).toEqual([
      expect.stringMatching(
        /^Webhook for rollback of alpha \(rolled-back\) not delivered after 3 attempt\(s\): HTTP 500\. The rollback itself is not affected/,
      ),
    ]);
    expect(debug).toHaveLength(3);
    expect(debug[0]).toMatch(/^webhook POST http:\/\/127\.0\.0\.1:\d+ → 500 \(attempt 1, \d+ ms\)$/);
    const logged = [sink.text(), ...debug].join('\n');
    expect(logged).not.toContain(SECRET);
    // Nor the URL's path, where hosted receivers tend to put their own token.
    expect(logged).not.toContain('/hooks/dify');
  });

  it('sends nothing in a dry run or when no URL is configured', async () => {
    receiver = await startReceiver();
    const sink = createCaptureSink();
    const { lines } = sink;
    expect(
      await notifyOutcomes(settingsFor(receiver.url, { 'INPUT_DRY-RUN': 'true' }), [outcome('alpha', 'deployed')], 'deploy', sink),
    ).toEqual([]);
    expect(lines).toContain('Dry run: 1 webhook event(s) not sent.');
    expect(await notifyOutcomes({ ...deploySettings({}).options, github: {} }, [outcome('alpha', 'deployed')], 'deploy', sink)).toEqual([]);
    expect(receiver.requests).toEqual([]);
  });
});
