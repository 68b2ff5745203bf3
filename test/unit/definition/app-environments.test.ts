// A definition deploys only to the environments its "app" names, or to every one when it says "*".
// A bare id used to serve every environment silently: a staging job published the production app.
import { describe, expect, it } from 'vitest';
import { formatCanonical } from '../../../src/definition/canonical.js';
import { parseDefinitionText } from '../../../src/definition/load.js';
import { validateDefinitions } from '../../../src/definition/validate.js';
import type { Definition } from '../../../src/definition/types.js';
import { checkEnvironments, prepareTarget, resolveAppId, withCurrentApps } from '../../../src/stages/target.js';
import { describeError, type UserError } from '../../../src/support/errors.js';
import { echoDefinition } from '../../support/deploy-world.js';

const PROD = '8b2e3d4c-5f6a-4b70-9c8d-0e1f2a3b4c52';
const STAGING = '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a41';

const withApp = (app: unknown) => ({ ...echoDefinition('faq', PROD), app }) as Definition;
const validate = (definition: Definition) =>
  validateDefinitions([parseDefinitionText('workflows/faq.json', formatCanonical(definition))]).files[0];
const thrown = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error as UserError;
  }
  throw new Error('expected a throw');
};

describe('resolveAppId', () => {
  it('refuses a bare id in every environment, naming the file, /app and both explicit forms', () => {
    for (const environment of ['staging', 'production']) {
      const error = thrown(() => resolveAppId(withApp(PROD), environment, 'workflows/faq.json'));
      expect(error.code).toBe('definition.incomplete');
      expect(error.location?.path).toBe('/app');
      expect(error.message).toMatch(`not deployed to "${environment}"`);
      expect(error.hint).toContain(`In workflows/faq.json, at /app, write "app": {"${environment}": "${PROD}"}`);
      expect(error.hint).toContain(`{"*": "${PROD}"}`);
    }
  });

  it('refuses an environment the map does not name, and serves every one with "*"', () => {
    expect(() => resolveAppId(withApp({ production: PROD }), 'staging')).toThrow(/no app for environment "staging"/);
    expect(resolveAppId(withApp({ production: PROD }), 'production')).toBe(PROD);
    expect(resolveAppId(withApp({ '*': PROD }), 'staging')).toBe(PROD);
    expect(resolveAppId(withApp({ '*': PROD }), 'anything-else')).toBe(PROD);
  });

  it('prepareTarget refuses before building anything to import', () => {
    expect(() => prepareTarget(withApp(PROD), 'staging', {})).toThrow(/names no environment/);
  });
});

describe('checkEnvironments', () => {
  it('passes when every definition names the environment', () => {
    expect(() => checkEnvironments([{ file: 'workflows/a.json', definition: withApp({ staging: STAGING }) }], 'staging')).not.toThrow();
  });

  it('names every refused file at /app, with the fix', () => {
    const items = [
      { file: 'workflows/a.json', definition: withApp({ production: PROD }) },
      { file: 'workflows/b.json', definition: withApp(PROD) },
      { file: 'workflows/c.json', definition: withApp({ '*': STAGING }) },
    ];
    const one = thrown(() => checkEnvironments(items.slice(1), 'staging'));
    expect(describeError(one)).toMatch(/^workflows\/b\.json \/app: faq names no environment/);
    const both = describeError(thrown(() => checkEnvironments(items, 'staging')));
    expect(both).toMatch(/2 definitions do not name environment "staging": workflows\/a\.json, workflows\/b\.json\. Nothing was written\./);
    expect(both).toContain('workflows/a.json: In workflows/a.json, at /app, add "staging"');
  });
});

describe('withCurrentApps', () => {
  it("restores a release (even one with a bare id) into the current definition's apps", () => {
    const released = withApp(PROD);
    expect(resolveAppId(withCurrentApps(released, { app: { staging: STAGING } }), 'staging')).toBe(STAGING);
    expect(released.app).toBe(PROD);
  });
});

describe('validate', () => {
  it('errors on a bare id with the migration, at /app', () => {
    const report = validate(withApp(PROD));
    expect(report.ok).toBe(false);
    expect(report.errors).toEqual([
      expect.objectContaining({ path: '/app', message: expect.stringMatching(/"app" is a bare app id, which names no environment/) }),
    ]);
    expect(report.errors[0].message).toContain(`{"*": "${PROD}"}`);
  });

  it('accepts "*" alone and named environments, and refuses "*" next to named ones', () => {
    expect(validate(withApp({ '*': PROD })).errors).toEqual([]);
    expect(validate(withApp({ production: PROD, staging: STAGING })).errors).toEqual([]);
    const mixed = validate(withApp({ '*': PROD, staging: STAGING }));
    expect(mixed.errors).toEqual([
      expect.objectContaining({ path: '/app/*', message: expect.stringMatching(/next to named environments \(staging\)/) }),
    ]);
  });

  it('refuses other property names, with the hint that "*" is allowed', () => {
    const report = validate(withApp({ Prod: PROD }));
    expect(report.errors[0].message).toMatch(/property name "Prod" is not allowed here; use a lowercase environment name .* or "\*"/);
  });

  it('lets datasets use "*" (and any environment under an app for every environment)', () => {
    const d = withApp({ production: PROD });
    d.datasets = { faq: { '*': STAGING } };
    expect(validate(d).errors).toEqual([]);
    const every = withApp({ '*': PROD });
    every.datasets = { faq: { qa: STAGING } };
    expect(validate(every).errors).toEqual([]);
  });
});
