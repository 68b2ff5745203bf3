import { describe, expect, it } from 'vitest';
import { findCredential } from '../../../src/definition/secrets.js';

describe('findCredential', () => {
  it.each([
    ['sk-proj-AbCdEfGhIjKlMnOpQrStUvWx', 'OpenAI-style API key', 'sk-proj********'],
    ['token: app-AbCdEfGhIjKlMnOpQrStUvWx end', 'Dify app API key', 'app-AbCd********'],
    ['dfoa_0123456789abcdefXYZ', 'Dify account token', 'dfoa_0123********'],
    ['aws AKIAIOSFODNN7EXAMPLE', 'AWS access key id', 'AKIAIOSF********'],
    ['ghp_0123456789abcdefghijklmnopqrstuvwxyz', 'GitHub token', 'ghp_0123********'],
    ['Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig', 'bearer token', 'Bearer eyJh********'],
  ])('finds %j', (text, kind, masked) => {
    expect(findCredential(text)).toEqual({ kind, masked });
  });

  it.each([
    'Authorization: Bearer {{#env.SEARCH_API_KEY#}}',
    'uses Bearer authentication everywhere in this API',
    'task-abcdefghijklmnopqrstuvwxyz0123',
    'sk-short',
    'app-mode is workflow, see the app-settings page',
    'a-very-long-description-without-any-secret-in-it',
    '1754827949615start-source-1754827988715-target',
  ])('does not flag %j', (text) => {
    expect(findCredential(text)).toBeUndefined();
  });
});
