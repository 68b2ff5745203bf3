// Checks across files: duplicate names and app ids, and version bumps against the base ref.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatCanonical } from '../../../src/definition/canonical.js';
import { parseDefinitionText } from '../../../src/definition/load.js';
import { validateDefinitions } from '../../../src/definition/validate.js';
import type { Definition } from '../../../src/definition/types.js';

const PASSTHROUGH = readFileSync(new URL('../../../workflows/passthrough.json', import.meta.url), 'utf8');
const LOOP = readFileSync(new URL('../../../workflows/loop-counter.json', import.meta.url), 'utf8');
const BASE = JSON.parse(PASSTHROUGH) as Definition;
const STAGING = '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a41';

/** 1-based line of the first occurrence of `needle`; a leading "\n" anchors it at a line start. */
function lineOf(text: string, needle: string): number {
  const index = text.indexOf(needle);
  expect(index).toBeGreaterThanOrEqual(0);
  return text.slice(0, needle.startsWith('\n') ? index + 1 : index).split('\n').length;
}

function write(definition: Definition): string {
  return formatCanonical(definition);
}

describe('duplicates across files', () => {
  it('reports a duplicate name on each file involved', () => {
    const report = validateDefinitions([
      parseDefinitionText('workflows/passthrough.json', PASSTHROUGH),
      parseDefinitionText('other/passthrough.json', write({ ...BASE, app: { '*': '99999999-9999-4999-8999-999999999999' } })),
    ]);
    const [a, b] = report.files;
    expect(a.errors).toEqual([
      expect.objectContaining({
        path: '/name',
        line: lineOf(PASSTHROUGH, '\n  "name"'),
        column: 11,
        message: expect.stringMatching(/name "passthrough" is also used by other\/passthrough\.json/),
      }),
    ]);
    expect(b.errors).toEqual([
      expect.objectContaining({ path: '/name', message: expect.stringMatching(/also used by workflows\/passthrough\.json/) }),
    ]);
  });

  it('reports an app id shared between two files at each occurrence, even inside an environment map', () => {
    const loop = JSON.parse(LOOP) as Definition;
    const clash = write({ ...loop, app: { '*': STAGING.toUpperCase() } });
    const report = validateDefinitions([
      parseDefinitionText('workflows/passthrough.json', PASSTHROUGH),
      parseDefinitionText('workflows/loop-counter.json', clash),
    ]);
    const [a, b] = report.files;
    expect(a.errors).toEqual([
      expect.objectContaining({
        path: '/app/staging',
        line: lineOf(PASSTHROUGH, `"${STAGING}"`),
        column: 16,
        message: expect.stringMatching(/also the target of workflows\/loop-counter\.json/),
      }),
    ]);
    expect(b.errors).toEqual([
      expect.objectContaining({
        path: '/app/*',
        line: lineOf(clash, '\n    "*"'),
        column: 10,
        message: expect.stringMatching(/workflows\/passthrough\.json \(\/app\/staging\)/),
      }),
    ]);
  });
});

describe('version bumps against the base ref', () => {
  const changed = (version: string) => {
    const definition = structuredClone(BASE);
    definition.version = version;
    definition.description = 'Changed description.';
    return write(definition);
  };
  const run = (text: string, base: string | undefined) =>
    validateDefinitions([parseDefinitionText('workflows/passthrough.json', text)], {
      base: new Map([['workflows/passthrough.json', base]]),
    }).files[0];

  it('requires a higher version when the content changed', () => {
    const text = changed('1.0.0');
    const report = run(text, PASSTHROUGH);
    expect(report.errors).toEqual([
      expect.objectContaining({
        path: '/version',
        line: lineOf(text, '\n  "version"'),
        column: 14,
        message: expect.stringMatching(/still "1\.0\.0"; bump it \(e\.g\. to "1\.0\.1"\)/),
      }),
    ]);
  });

  it('refuses a lower version', () => {
    const report = run(changed('0.9.0'), PASSTHROUGH);
    expect(report.errors[0].message).toMatch(/"0\.9\.0" is lower than "1\.0\.0"/);
  });

  it('accepts a bump, an unchanged file, a reformatted file, and a new file', () => {
    expect(run(changed('1.1.0'), PASSTHROUGH).errors).toEqual([]);
    expect(run(PASSTHROUGH, PASSTHROUGH).errors).toEqual([]);
    expect(run(PASSTHROUGH, JSON.stringify(JSON.parse(PASSTHROUGH))).errors).toEqual([]);
    expect(run(changed('1.0.0'), undefined).errors).toEqual([]);
  });

  it('ignores a base that does not parse', () => {
    expect(run(changed('1.0.0'), '{ not json').errors).toEqual([]);
  });
});
