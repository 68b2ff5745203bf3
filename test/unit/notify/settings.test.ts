// notify-url / notify-secret (action) and DIFY_NOTIFY_* (CLI) become settings.notify; the
// payload built from a definition outcome.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readActionSettings, readCliSettings } from '../../../src/settings.js';
import { settingsFor } from '../../support/settings.js';
import { createEvent, describeOutcome } from '../../../src/notify/payload.js';
import { redact } from '../../../src/support/redact.js';
import type { DefinitionOutcome } from '../../../src/outcomes.js';

/** A deploy's notify settings. */
const action = (inputs: Record<string, string>) =>
  settingsFor(
    readActionSettings(
      Object.fromEntries(Object.entries({ command: 'deploy', ...inputs }).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
    ),
    'deploy',
  ).options;

const SECRET = 'whsec-0d9c8b7a6f5e4d3c';
const URL_WITH_TOKEN = 'https://hooks.example.com/services/T0/B0/tok3n-in-path';

// core.setSecret writes `::add-mask::` lines to stdout: capture them (and keep the test log clean).
let writes: string[] = [];
beforeEach(() => {
  writes = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (writes.push(String(chunk)), true));
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe('notify settings', () => {
  it('is off without a URL', () => {
    expect(action({}).notify).toBeUndefined();
    expect(action({ 'notify-secret': SECRET }).notify).toBeUndefined();
  });

  it('reads the URL and the secret, masks the secret in the Actions log and redacts it everywhere', () => {
    vi.stubEnv('GITHUB_ACTIONS', 'true');
    const secret = 'whsec-masked-on-the-runner-1f2e';
    const s = action({ 'notify-url': URL_WITH_TOKEN, 'notify-secret': secret });
    expect(s.notify).toEqual({ url: URL_WITH_TOKEN, secret });
    expect(writes.join('')).toContain(`::add-mask::${secret}`);
    expect(redact(`signed with ${secret}`)).toBe('signed with ***');
  });

  it('refuses a URL without a secret, naming both inputs and not echoing the URL', () => {
    expect(() => action({ 'notify-url': URL_WITH_TOKEN })).toThrow(/Input "notify-url" is set but input "notify-secret" is empty/);
    try {
      action({ 'notify-url': URL_WITH_TOKEN });
    } catch (error) {
      expect(String(error)).not.toContain('tok3n');
    }
  });

  it('refuses a URL that is not http(s)', () => {
    expect(() => action({ 'notify-url': 'hooks.example.com/x', 'notify-secret': SECRET })).toThrow(
      /"notify-url" must be an http:\/\/ or https:\/\/ URL/,
    );
  });

  it('reads DIFY_NOTIFY_URL and DIFY_NOTIFY_SECRET on the CLI without printing a mask command', () => {
    const s = settingsFor(readCliSettings(['deploy'], { DIFY_NOTIFY_URL: URL_WITH_TOKEN, DIFY_NOTIFY_SECRET: SECRET }), 'deploy');
    expect(s.options.notify).toEqual({ url: URL_WITH_TOKEN, secret: SECRET });
    expect(writes.join('')).not.toContain(SECRET);
    expect(() => readCliSettings(['deploy'], { DIFY_NOTIFY_URL: URL_WITH_TOKEN })).toThrow(
      /DIFY_NOTIFY_URL is set but DIFY_NOTIFY_SECRET is empty/,
    );
  });
});

describe('webhook payload', () => {
  const outcome: DefinitionOutcome = {
    name: 'faq-bot',
    version: '1.4.0',
    file: 'workflows/faq-bot.json',
    environment: 'staging',
    result: 'deployed',
    tag: 'faq-bot@v1.4.0',
    durationMs: 12,
    notes: [],
  };
  const run = {
    runUrl: 'https://github.com/acme/flows/actions/runs/42',
    repository: 'acme/flows',
    commit: 'abc123',
    now: Date.UTC(2025, 0, 2, 3, 4, 5),
  };

  it('carries event, workflow, version, environment, result, tag, run URL and timestamp', () => {
    expect(createEvent(describeOutcome(outcome, 'deploy'), run)).toEqual({
      event: 'deploy',
      workflow: 'faq-bot',
      version: '1.4.0',
      environment: 'staging',
      result: 'deployed',
      tag: 'faq-bot@v1.4.0',
      runUrl: run.runUrl,
      timestamp: '2025-01-02T03:04:05.000Z',
      repository: 'acme/flows',
      commit: 'abc123',
    });
  });

  it('after an automatic rollback, names the tag that is live again and the error', () => {
    const rolled = {
      ...outcome,
      result: 'rolled-back' as const,
      tag: undefined,
      restoredTo: 'faq-bot@v1.3.0',
      error: 'smoke check "greets" failed',
    };
    const event = createEvent(describeOutcome(rolled, 'deploy'), { now: run.now });
    expect(event).toMatchObject({ result: 'rolled-back', tag: 'faq-bot@v1.3.0', error: 'smoke check "greets" failed' });
    expect(Object.keys(event)).not.toContain('runUrl');
  });
});
