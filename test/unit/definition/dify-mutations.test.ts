// Validation against Dify's real DSL fixtures: each fixture adopts and validates cleanly, and every
// case of the mutation table (test/support/dsl-mutations.ts) breaks it so that validation rejects it
// with the file, the JSON path, and the line and column of the offending value. Runs over the
// project's fixtures always, and over Dify's own beside the repository (../shared) when present.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { adoptDsl } from '../../../src/definition/adopt.js';
import { formatCanonical } from '../../../src/definition/canonical.js';
import { parseDefinitionText } from '../../../src/definition/load.js';
import { validateDefinitions } from '../../../src/definition/validate.js';
import type { Definition } from '../../../src/definition/types.js';
import { DSL_FIXTURES_DIR, dslFixtureFiles, SHARED_DSL_FIXTURES_DIR } from '../../support/dify-dsl.js';
import { FAMILIES, MUTATIONS } from '../../support/dsl-mutations.js';

function adopt(dir: string, file: string): Definition {
  const name = file.replace(/\.ya?ml$/, '').replace(/_/g, '-');
  return adoptDsl(readFileSync(path.join(dir, file), 'utf8'), {
    name,
    app: { production: '00000000-0000-4000-8000-000000000001' },
    sourceFile: file,
  });
}

function validate(definition: Definition) {
  const file = `workflows/${definition.name}.json`;
  const text = formatCanonical(definition);
  return { file, text, report: validateDefinitions([parseDefinitionText(file, text)]).files[0] };
}

/** The JSON value at `pointer` in `value`. */
function valueAt(value: unknown, pointer: string): unknown {
  return pointer
    .split('/')
    .slice(1)
    .map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce<unknown>((v, token) => (v as Record<string, unknown>)?.[token], value);
}

/** The text at 1-based line and column. */
function textAt(text: string, line: number, column: number): string {
  return text.split('\n')[line - 1]?.slice(column - 1) ?? '';
}

function describeTable(label: string, dir: string, files: string[]): void {
  describe(`${label}: fixtures as they are`, () => {
    it.each(files)('%s validates with no errors', (file) => {
      expect(validate(adopt(dir, file)).report.errors).toEqual([]);
    });
  });

  describe(`${label}: mutations`, () => {
    const applied = MUTATIONS.flatMap((m) =>
      files.flatMap((file) => {
        const definition = adopt(dir, file);
        const pointer = m.mutate(definition.dsl);
        return pointer ? [{ m, file, definition, pointer }] : [];
      }),
    );
    it.each(applied.map((a) => [a.m.family, a.m.name, a.file, a] as const))('%s: %s (%s)', (_f, _n, _file, { m, definition, pointer }) => {
      const { file, text, report } = validate(definition);
      expect(report.ok).toBe(false);
      const error = report.errors.find((e) => e.path === pointer && m.message.test(e.message));
      expect(
        error,
        `no error at ${pointer} matching ${m.message}; got:\n${report.errors.map((e) => `${e.path}: ${e.message}`).join('\n')}`,
      ).toBeDefined();
      expect(error!.file).toBe(file);
      // The line and column point at the value itself in the file's text (or its opening bracket).
      const value = valueAt(JSON.parse(text), pointer);
      const expected = typeof value === 'object' && value !== null ? (Array.isArray(value) ? '[' : '{') : JSON.stringify(value);
      expect(textAt(text, error!.line, error!.column).startsWith(expected)).toBe(true);
    });
    if (label === 'project fixtures') {
      it('covers every family with at least one fixture', () => {
        expect(new Set(applied.map((a) => a.m.family))).toEqual(new Set(FAMILIES));
        expect(new Set(applied.map((a) => a.m.name)).size).toBe(MUTATIONS.length);
      });
    }
  });
}

describeTable('project fixtures', DSL_FIXTURES_DIR, dslFixtureFiles(DSL_FIXTURES_DIR));

const SHARED = dslFixtureFiles(SHARED_DSL_FIXTURES_DIR);
// Without them, test/emulator/shared-fixtures.test.ts prints the one line that says they were skipped.
if (SHARED.length > 0) describeTable("Dify's fixtures", SHARED_DSL_FIXTURES_DIR, SHARED);
