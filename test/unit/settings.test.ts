// Inputs arrive as INPUT_* variables (action) or flags + DIFY_* variables (CLI); both become one Settings.
import { describe, expect, it } from 'vitest';
import { readActionSettings, readCliSettings } from '../../src/settings.js';

const action = (inputs: Record<string, string>) =>
  readActionSettings(Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])));

describe('action settings', () => {
  it('applies the documented defaults', () => {
    const s = action({});
    expect(s).toMatchObject({
      command: 'validate',
      surface: 'action',
      workflowsDir: 'workflows',
      environment: 'production',
      concurrency: 4,
      dryRun: false,
      all: false,
    });
    expect(s.dify).toBeUndefined();
    expect(Object.isFrozen(s)).toBe(true);
  });

  it('reads Dify credentials and trims the URL', () => {
    const s = action({ 'dify-url': 'https://dify.example.com/', 'dify-email': 'a@b.c', 'dify-password': 'pw', 'timeout-seconds': '5' });
    expect(s.dify).toEqual({
      url: 'https://dify.example.com',
      email: 'a@b.c',
      password: 'pw',
      token: undefined,
      timeoutMs: 5000,
      passwordEncoding: 'auto',
    });
  });

  it.each([
    [{ command: 'launch' }, /Input "command" is "launch"/],
    [{ command: 'fmt' }, /only the CLI runs/],
    [{ concurrency: '0' }, /"concurrency" is "0"/],
    [{ 'dry-run': 'maybe' }, /"dry-run" is "maybe"; use true or false/],
    [{ 'dify-url': 'dify.local', 'dify-token': 't' }, /must start with http/],
    [{ 'dify-url': 'http://d', 'dify-token': 't', 'dify-password': 'p' }, /either a Dify token or an email and password/],
    [{ 'dify-url': 'http://d', 'dify-email': 'a@b.c' }, /credentials are missing/],
    [
      { 'dify-url': 'http://d', 'dify-email': 'a@b.c', 'dify-password': 'p', 'dify-password-encoding': 'rot13' },
      /Input "dify-password-encoding" is "rot13"; use auto, base64/,
    ],
  ])('refuses %j before doing anything', (inputs, message) => {
    expect(() => action(inputs)).toThrow(message);
  });
});

describe('CLI settings', () => {
  it('reads flags and DIFY_* variables', () => {
    const s = readCliSettings(['validate', '--dir', 'defs', '--base=origin/main', '--json'], {
      DIFY_URL: 'http://127.0.0.1:5001',
      DIFY_TOKEN: 'dfoa_x',
    });
    expect(s).toMatchObject({ command: 'validate', surface: 'cli', workflowsDir: 'defs', baseRef: 'origin/main', json: true });
    expect(s.dify?.token).toBe('dfoa_x');
  });

  it('keeps positional arguments for adopt', () => {
    const s = readCliSettings(['adopt', 'export.yml', '--name', 'faq', '--app', 'u-1'], {});
    expect(s).toMatchObject({ args: ['export.yml'], name: 'faq', app: 'u-1' });
  });

  it('names an unknown flag', () => {
    expect(() => readCliSettings(['validate', '--dri', 'x'], {})).toThrow(/Unknown flag --dri/);
  });

  it('names a flag missing its value', () => {
    expect(() => readCliSettings(['validate', '--dir'], {})).toThrow(/--dir needs a value/);
  });
});
