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

describe('secrets map', () => {
  it.each(['ACTIONS_RUNTIME_TOKEN', 'GITHUB_TOKEN', 'RUNNER_TEMP', 'INPUT_DIFY_PASSWORD'])(
    'refuses to source a secret from the runner variable %s',
    async (source) => {
      const { parseDefinitionText } = await import('../../../src/definition/load.js');
      const { validateDefinitions } = await import('../../../src/definition/validate.js');
      const { echoDefinition } = await import('../../support/deploy-world.js');
      const { formatCanonical } = await import('../../../src/definition/canonical.js');
      const d = echoDefinition('leaky', '0b9e7c5a-3d1f-4f6b-8a2c-4e6f8a0b2c91');
      d.dsl.workflow!.environment_variables = [
        { id: '5b0d7c3e-1f2a-4b3c-8d4e-5f6a7b8c9d0e', name: 'KEY', value: '', value_type: 'secret', description: '' },
      ];
      d.secrets = { KEY: source };
      const text = formatCanonical(d);
      const report = validateDefinitions([parseDefinitionText('workflows/leaky.json', text)]);
      const error = report.files[0].errors.find((e) => e.path === '/secrets/KEY');
      expect(error?.message).toMatch(new RegExp(`maps "KEY" to ${source}, a variable of the GitHub runner itself`));
      expect(error?.line).toBe(text.split('\n').findIndex((l) => l.includes(`"KEY": "${source}"`)) + 1);
    },
  );
});
