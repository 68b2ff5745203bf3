// The example definitions in workflows/ and the published schema file.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { loadDefinitionFiles } from '../../../src/definition/load.js';
import { validateDefinitions } from '../../../src/definition/validate.js';
import { formatCanonical } from '../../../src/definition/canonical.js';
import { envelopeSchema } from '../../../src/definition/envelope-schema.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SCHEMA_FILE = new URL('../../../schema/definition.schema.json', import.meta.url);

describe('workflows/', () => {
  it('has at least four examples that validate with zero errors and zero warnings', async () => {
    const files = await loadDefinitionFiles(`${ROOT}workflows`, ROOT);
    expect(files.length).toBeGreaterThanOrEqual(4);
    const report = validateDefinitions(files);
    for (const file of report.files) {
      expect({ file: file.file, errors: file.errors, warnings: file.warnings }).toEqual({ file: file.file, errors: [], warnings: [] });
    }
    expect(report.ok).toBe(true);
  });

  it('includes an app with a secret, an environment map and smoke checks', async () => {
    const files = await loadDefinitionFiles(`${ROOT}workflows`, ROOT);
    const values = files.map((f) => f.value as { secrets?: object; app: unknown; smoke?: unknown[] });
    expect(values.some((v) => Object.keys(v.secrets ?? {}).length > 0)).toBe(true);
    expect(values.some((v) => typeof v.app === 'object')).toBe(true);
    expect(values.every((v) => (v.smoke ?? []).length > 0)).toBe(true);
  });
});

describe('schema/definition.schema.json', () => {
  it('is the canonical form of the schema in code', () => {
    // To regenerate: npx tsx -e "import('./src/definition/envelope-schema.js').then(async ({envelopeSchema}) => { const {formatCanonical} = await import('./src/definition/canonical.js'); (await import('node:fs')).writeFileSync('schema/definition.schema.json', formatCanonical(envelopeSchema)); })"
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(formatCanonical(envelopeSchema));
  });

  it('compiles in strict ajv and is a valid draft-07 schema', () => {
    const ajv = new Ajv({ strict: true, strictRequired: false, allowUnionTypes: true });
    expect(ajv.validateSchema(envelopeSchema)).toBe(true);
    expect(() => ajv.compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')))).not.toThrow();
  });
});
