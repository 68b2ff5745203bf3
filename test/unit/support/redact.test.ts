// Credential-shaped text is scrubbed from what we print; advice that merely names a secret is not.
import { describe, expect, it } from 'vitest';
import { redact, registerSecret } from '../../../src/support/redact.js';

describe('redact', () => {
  it.each([
    ['Cookie: access_token=eyJhbGciOiJIUzI1NiJ9.eyJ1IjoxfQ.sig; csrf_token=abc', /access_token=\*\*\*/],
    ['{"password": "hunter2-and-more"}', /"password": "\*\*\*"/],
    ['Authorization: Bearer app-AbCdEfGhIjKlMnOpQrStUvWx', /Bearer \*\*\*/],
    ['key app-AbCdEfGhIjKlMnOpQrStUvWx was created', /app-\*\*\*/],
    ['https://user:pa55word@dify.example.com/', /\/\/\*\*\*@dify/],
  ])('scrubs %j', (text, expected) => {
    expect(redact(text)).toMatch(expected);
  });

  it('keeps advice that names a secret variable intact', () => {
    const advice = "Set SEARCH_API_KEY in the job's env (e.g. SEARCH_API_KEY: ${{ secrets.SEARCH_API_KEY }}).";
    expect(redact(advice)).toBe(advice);
    expect(redact('GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}')).toBe('GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}');
    // The auth mode's name is not a token.
    expect(redact('Signed in to https://dify.example.com (bearer auth).')).toBe('Signed in to https://dify.example.com (bearer auth).');
    expect(redact('credentials: sign in — bearer auth, plain password')).toBe('credentials: sign in — bearer auth, plain password');
  });

  it('scrubs every registered secret wherever it appears', () => {
    registerSecret('plain-words-secret-42');
    expect(redact('the value plain-words-secret-42 leaked')).toBe('the value *** leaked');
  });
});
