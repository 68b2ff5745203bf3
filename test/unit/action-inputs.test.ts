// The option table (src/settings/options.ts) is the single source of truth for inputs; action.yml
// declares exactly its inputs (`npm run docs` rewrites them) and src/inputs.ts names the outputs.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { Outputs } from '../../src/inputs.js';
import { OPTIONS, type OptionSpec } from '../../src/settings/options.js';
import { renderActionYml, tableInputs } from '../../scripts/action-docs.js';

const root = path.resolve(import.meta.dirname, '../..');
const text = readFileSync(path.join(root, 'action.yml'), 'utf8');
const action = parse(text);

describe('action.yml', () => {
  it('runs on node24 from the committed bundle', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
  });

  it('declares exactly the inputs of the option table: names, descriptions and defaults (run "npm run docs" when this fails)', () => {
    expect(action.inputs).toEqual(tableInputs());
    expect(renderActionYml(text)).toBe(text);
  });

  it('declares exactly the outputs the code sets', () => {
    expect(Object.keys(action.outputs).sort()).toEqual(Object.values(Outputs).sort());
  });
});

describe('option table', () => {
  const specs = Object.entries(OPTIONS) as Array<[string, OptionSpec<unknown>]>;

  it('gives every option a way in, a description and a default that parses', () => {
    for (const [key, spec] of specs) {
      expect(spec.input || spec.flag || spec.env, key).toBeTruthy();
      expect(spec.description, key).toBeTruthy();
      expect(() => spec.parse(spec.default, key), key).not.toThrow();
    }
  });

  it('names every input, flag and variable once', () => {
    for (const field of ['input', 'flag', 'env'] as const) {
      const names = specs.flatMap(([, spec]) => (spec[field] ? [spec[field]] : []));
      expect(new Set(names).size, field).toBe(names.length);
    }
  });

  it('keeps secrets out of flags (shell history) and marks credentials secret', () => {
    for (const [key, spec] of specs) {
      if (spec.secret) expect(spec.flag, key).toBeUndefined();
    }
    for (const key of ['difyPassword', 'difyToken', 'difyHeaders', 'notifySecret', 'githubToken'] as const)
      expect(OPTIONS[key]).toMatchObject({ secret: true });
  });
});
