// rotate-keys inputs and flags become its options' rotation; bad values are refused before any work.
import { describe, expect, it } from 'vitest';
import { readActionSettings, readCliSettings } from '../../../src/settings.js';
import { USAGE } from '../../../src/cli.js';
import { settingsFor } from '../../support/settings.js';

const action = (inputs: Record<string, string>, env: Record<string, string> = {}) =>
  settingsFor(
    readActionSettings({ ...env, ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])) }),
    'rotate-keys',
  );

describe('rotate-keys settings', () => {
  it('applies the documented defaults', () => {
    const s = action({ command: 'rotate-keys', workflow: 'bot' });
    expect(s.command).toBe('rotate-keys');
    expect(s.options.rotation).toEqual({
      secretName: undefined,
      secretEnvironment: undefined,
      stateVariable: 'DIFY_GITOPS_KEYS',
      graceMs: 86_400_000,
      pruneForeignKeys: false,
      redeploySecrets: false,
      keyFile: undefined,
    });
  });

  // "Now" for grace decisions is never taken from the environment: a stray variable must not make
  // keys look past their grace in production.
  it('reads every action input, and ignores a DIFY_GITOPS_NOW in the job environment', () => {
    const s = action(
      {
        command: 'rotate-keys',
        'secret-name': 'DIFY_KEY_{name}',
        'secret-environment': 'production',
        'state-variable': 'MY_LEDGER',
        grace: '30m',
        'prune-foreign-keys': 'true',
        'redeploy-secrets': 'true',
      },
      { DIFY_GITOPS_NOW: '2025-03-01T06:00:00Z' },
    );
    expect(s.options.rotation).toEqual({
      secretName: 'DIFY_KEY_{name}',
      secretEnvironment: 'production',
      stateVariable: 'MY_LEDGER',
      graceMs: 1_800_000,
      pruneForeignKeys: true,
      redeploySecrets: true,
      keyFile: undefined,
    });
  });

  it('tells users of no way to move "now"', () => {
    expect(USAGE).toContain('rotate-keys --workflow NAME');
    expect(USAGE).not.toMatch(/DIFY_GITOPS_NOW|test hook/i);
  });

  it('reads the CLI flags', () => {
    const s = settingsFor(
      readCliSettings(['rotate-keys', '--all', '--grace', '7d', '--key-file', 'keys/{name}.key', '--prune-foreign-keys'], {
        DIFY_GITOPS_NOW: '1700000000000',
      }),
      'rotate-keys',
    );
    expect(s.options.all).toBe(true);
    expect(s.options.rotation).toEqual({
      secretName: undefined,
      secretEnvironment: undefined,
      stateVariable: 'DIFY_GITOPS_KEYS',
      graceMs: 7 * 86_400_000,
      keyFile: 'keys/{name}.key',
      pruneForeignKeys: true,
      redeploySecrets: false,
    });
  });

  it.each([
    [{ grace: '1 day' }, /Input "grace" is "1 day"; use a whole number and a unit: 30m, 24h or 7d/],
    [{ grace: '12' }, /Input "grace" is "12"/],
    [{ 'secret-name': 'GITHUB_KEY' }, /Input "secret-name" is "GITHUB_KEY"/],
    [{ 'secret-name': 'dify-key' }, /Input "secret-name" is "dify-key"; a secret name uses letters, digits and _/],
    [{ 'state-variable': '1LEDGER' }, /Input "state-variable" is "1LEDGER"/],
    [{ 'prune-foreign-keys': 'sure' }, /"prune-foreign-keys" is "sure"; use true or false/],
  ])('refuses %j', (inputs, message) => {
    expect(() => action({ command: 'rotate-keys', ...inputs })).toThrow(message);
  });

  it('refuses a bad --grace', () => {
    expect(() => readCliSettings(['rotate-keys', '--grace', 'forever'], {})).toThrow(/--grace is "forever"/);
  });
});
