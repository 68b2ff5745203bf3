// Inputs arrive as INPUT_* variables (action) or flags + DIFY_* variables (CLI); both become the common
// settings plus the options of the command being run.
import { describe, expect, it } from 'vitest';
import { readActionSettings, readCliSettings } from '../../src/settings.js';

const action = (inputs: Record<string, string>) =>
  readActionSettings(Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])));

describe('action settings', () => {
  it('applies the documented defaults', () => {
    const s = action({});
    expect(s).toMatchObject({ command: 'validate', surface: 'action', workflowsDir: 'workflows', environment: 'production', options: {} });
    expect(s.dify).toBeUndefined();
    expect(Object.isFrozen(s)).toBe(true);
    expect(action({ command: 'deploy' }).options).toMatchObject({
      concurrency: 4,
      dryRun: false,
      all: false,
      rollbackOnFailure: true,
      smokeRetries: 1,
      allowDslVersionChange: false,
    });
  });

  it('gives each command only its own options', () => {
    expect(Object.keys(action({ command: 'plan' }).options)).toEqual(['concurrency', 'detailedExitcode', 'changesOnly']);
    expect(action({ command: 'rollback', workflow: 'faq', to: 'previous' }).options).toMatchObject({ workflow: 'faq', to: 'previous' });
    expect(action({ command: 'rollback' }).options).not.toHaveProperty('concurrency');
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
    [{ concurrency: '0' }, /Input "concurrency" is "0"; use a whole number of 1 or more/],
    [{ 'smoke-retries': '-1' }, /Input "smoke-retries" is "-1"; use a whole number of 0 or more/],
    [{ 'dify-url': 'http://d', 'dify-token': 't', 'timeout-seconds': 'soon' }, /Input "timeout-seconds" is "soon"/],
    [{ to: '1.0.0', 'from-backup': 'b.json' }, /Give either "to" \(a release\) or "from-backup"/],
    [{ 'dry-run': 'maybe' }, /"dry-run" is "maybe"; use true or false/],
    [{ 'dify-url': 'dify.local', 'dify-token': 't' }, /must start with http/],
    [{ 'dify-url': 'http://d', 'dify-token': 't', 'dify-password': 'p' }, /either a console token or an email and password/],
    [{ 'dify-url': 'http://d', 'dify-token': 'dfoa_t', 'dify-password': 'p' }, /needs both the email and the password/],
    [{ 'dify-url': 'http://d', 'dify-email': 'a@b.c' }, /credentials are missing/],
    [
      { 'dify-url': 'http://d', 'dify-email': 'a@b.c', 'dify-password': 'p', 'dify-password-encoding': 'rot13' },
      /Input "dify-password-encoding" is "rot13"; use auto, base64/,
    ],
  ])('refuses %j before doing anything', (inputs, message) => {
    expect(() => action(inputs)).toThrow(message);
  });
});

describe('a dfoa_ token with an email and password', () => {
  it('is accepted: the token speaks /openapi, the password serves the API-key operations', () => {
    const s = readCliSettings(['deploy'], {
      DIFY_URL: 'http://127.0.0.1:5001',
      DIFY_TOKEN: 'dfoa_x',
      DIFY_EMAIL: 'a@b.c',
      DIFY_PASSWORD: 'p',
    });
    expect(s.dify).toMatchObject({ token: 'dfoa_x', email: 'a@b.c', password: 'p' });
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
    expect(s.options).toEqual({ file: 'export.yml', name: 'faq', app: 'u-1', form: 'json' });
    expect(readCliSettings(['adopt', 'export.yml', '--form', 'yaml'], {}).options).toMatchObject({ form: 'yaml' });
    expect(() => readCliSettings(['adopt', 'export.yml', '--form', 'xml'], {})).toThrow(/--form.*"xml".*use json .* or yaml/);
  });

  it('reads switches, the negated --no-rollback, and names flags and variables in refusals', () => {
    expect(readCliSettings(['deploy', '--all', '--no-rollback', '--concurrency=2'], {}).options).toMatchObject({
      all: true,
      rollbackOnFailure: false,
      concurrency: 2,
    });
    expect(() => readCliSettings(['deploy', '--concurrency', 'many'], {})).toThrow(
      /--concurrency is "many"; use a whole number of 1 or more/,
    );
    expect(() => readCliSettings(['deploy'], { DIFY_URL: 'http://d', DIFY_TOKEN: 't', DIFY_TIMEOUT_SECONDS: '0' })).toThrow(
      /DIFY_TIMEOUT_SECONDS is "0"/,
    );
    expect(() => readCliSettings(['launch'], {})).toThrow(/The command is "launch", which is not known/);
  });

  it('names an unknown flag', () => {
    expect(() => readCliSettings(['validate', '--dri', 'x'], {})).toThrow(/Unknown flag --dri/);
  });

  it('names a flag missing its value', () => {
    expect(() => readCliSettings(['validate', '--dir'], {})).toThrow(/--dir needs a value/);
  });
});
