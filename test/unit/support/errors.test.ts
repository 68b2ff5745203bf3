// One UserError for every failure a user can fix: callers decide on its code, people read its line.
import { describe, expect, it } from 'vitest';
import { describeError, isUserError, UserError } from '../../../src/support/errors.js';

describe('describeError', () => {
  it.each([
    [new UserError('usage', 'Flag --to needs a value.'), 'Flag --to needs a value.'],
    [new UserError('keys.cap', 'The app has 10 API keys.', { hint: 'Delete one.' }), 'The app has 10 API keys.\n  → Delete one.'],
    [
      new UserError('dsl.invalid', 'invalid YAML: bad indentation', { location: { file: 'export.yml', line: 3, column: 7 } }),
      'export.yml:3:7: invalid YAML: bad indentation',
    ],
    [
      new UserError('definition.incomplete', 'No app for "qa".', { hint: 'Add it.', location: { file: 'workflows/a.json', path: '/app' } }),
      'workflows/a.json /app: No app for "qa".\n  → Add it.',
    ],
    // The outcome around it names the file; the pointer alone goes to the outcome, not the line.
    [new UserError('release.exists', 'a 1.0.0 is already released.', { location: { path: '/version' } }), 'a 1.0.0 is already released.'],
    [new Error('a bug'), 'a bug'],
    ['thrown text', 'thrown text'],
  ])('%s', (error, line) => {
    expect(describeError(error)).toBe(line);
  });
});

describe('isUserError', () => {
  const refused = new UserError('dify.auth', 'Dify refused the login', {
    details: { status: 401, difyCode: 'authentication_failed', method: 'POST', path: '/console/api/login', surface: 'login' },
  });

  it('narrows on the code, so callers read typed details and never the text', () => {
    expect(isUserError(refused)).toBe(true);
    expect(isUserError(refused, 'dify.auth', 'dify.locked')).toBe(true);
    expect(isUserError(refused, 'dify.http')).toBe(false);
    expect(isUserError(new Error('dify.auth'), 'dify.auth')).toBe(false);
    if (isUserError(refused, 'dify.auth')) expect(refused.details.difyCode).toBe('authentication_failed');
  });
});
