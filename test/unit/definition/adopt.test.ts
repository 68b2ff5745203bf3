// adoptDsl: a Dify export becomes a definition. Every DSL fixture adopting and validating cleanly
// is checked in test/emulator/dsl-fixtures.test.ts (and over Dify's own in shared-fixtures.test.ts).
import { describe, expect, it } from 'vitest';
import { adoptDsl } from '../../../src/definition/adopt.js';
import { formatCanonical } from '../../../src/definition/canonical.js';
import { parseDefinitionText } from '../../../src/definition/load.js';
import { validateDefinitions } from '../../../src/definition/validate.js';
import { describeError, type UserError } from '../../../src/support/errors.js';
import { PASSTHROUGH, readDslFixture } from '../../support/dify-dsl.js';

describe('adoptDsl on an export', () => {
  it('takes the description from the DSL app, keeps the DSL version and validates', () => {
    const definition = adoptDsl(readDslFixture(PASSTHROUGH), {
      name: 'echo',
      app: { production: '00000000-0000-4000-8000-000000000000' },
      sourceFile: PASSTHROUGH,
    });
    expect(definition).toMatchObject({ version: '1.0.0', $schema: '../schema/definition.schema.json', smoke: [], secrets: {} });
    expect(definition.description).toBe('Echoes the "query" input back as the "query" output.');
    expect(definition.dsl.version).toBe('0.3.1');
    const report = validateDefinitions([parseDefinitionText('workflows/echo.json', formatCanonical(definition))]);
    expect(report.files[0].errors).toEqual([]);
    expect(report.files[0].warnings).toEqual([]);
  });
});

const SECRET_DSL = `app:
  mode: workflow
  name: with-secret
kind: app
version: 0.4
workflow:
  environment_variables:
    - {id: 1, name: API_KEY, value: live-value, value_type: secret}
    - {id: 2, name: REGION, value: eu, value_type: string}
  graph: {nodes: [], edges: []}
`;

describe('adoptDsl details', () => {
  it('blanks secret values, maps them in secrets, and keeps the DSL version text', () => {
    const definition = adoptDsl(SECRET_DSL, { name: 'with-secret', app: { production: '11111111-1111-4111-8111-111111111111' } });
    expect(definition.secrets).toEqual({ API_KEY: 'API_KEY' });
    expect(definition.dsl.workflow?.environment_variables).toEqual([
      { id: 1, name: 'API_KEY', value: '', value_type: 'secret' },
      { id: 2, name: 'REGION', value: 'eu', value_type: 'string' },
    ]);
    expect(definition.dsl.version).toBe('0.4');
  });

  it('refuses a YAML alias bomb', () => {
    const lines = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]'];
    for (let i = 1; i < 10; i++)
      lines.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(', ')}]`,
      );
    const bomb = `${lines.join('\n')}\napp: {mode: workflow, name: bomb, data: *j}\n`;
    const error = catchError(() => adoptDsl(bomb, { name: 'bomb', app: 'x', sourceFile: 'bomb.yml' }));
    expect(error).toMatchObject({ code: 'dsl.invalid', location: { file: 'bomb.yml' } });
    expect(describeError(error)).toMatch(/^bomb\.yml: YAML refused/);
  });

  it('names the file and YAML line of a syntax error', () => {
    const broken = 'app:\n  mode: workflow\n  name: [unclosed\nkind: app\n';
    const error = catchError(() => adoptDsl(broken, { name: 'x', app: 'x', sourceFile: 'export.yml' }));
    expect(error).toMatchObject({ code: 'dsl.invalid', location: { file: 'export.yml' } });
    expect(error.location?.line).toBeGreaterThanOrEqual(3);
    expect(describeError(error)).toMatch(/^export\.yml:\d+:\d+: invalid YAML/);
  });

  it('refuses duplicate keys, non-DSL YAML and oversized input', () => {
    const opts = { name: 'x', app: 'x', sourceFile: 'in.yml' };
    expect(describeError(catchError(() => adoptDsl('app: {mode: workflow}\napp: {mode: chat}\n', opts)))).toMatch(
      /^in\.yml:2:1: invalid YAML/,
    );
    expect(() => adoptDsl('- just\n- a list\n', opts)).toThrow(/not a Dify app DSL/);
    expect(() => adoptDsl('a'.repeat(5 * 1024 * 1024 + 1), opts)).toThrow(/larger than 5 MB/);
  });
});

function catchError(act: () => unknown): UserError {
  try {
    act();
  } catch (error) {
    return error as UserError;
  }
  throw new Error('expected an error');
}
