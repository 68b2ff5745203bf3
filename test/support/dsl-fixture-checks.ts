// The checks every Dify DSL fixture must pass, for the project's own and for Dify's real ones.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adoptDsl } from '../../src/definition/adopt.js';
import { formatCanonical } from '../../src/definition/canonical.js';
import { parseDefinitionText } from '../../src/definition/load.js';
import { validateDefinitions } from '../../src/definition/validate.js';
import { parsePyYaml, stringifyPyYaml } from '../../src/support/pyyaml.js';
import { consoleApi, consoleSession } from '../emulator/helpers.js';
import { startEmulator, type Emulator } from '../emulator/server.js';

// One python3 run per fixture: loads each text of a JSON list of texts.
const LOAD = ['import sys, json, yaml', 'print(json.dumps([yaml.safe_load(t) for t in json.load(sys.stdin)], default=str))'].join('\n');
const hasPyYaml = spawnSync('python3', ['-c', 'import yaml'], { encoding: 'utf8' }).status === 0;

function loadInPyYaml(texts: string[]): unknown[] {
  const run = spawnSync('python3', ['-c', LOAD], { input: JSON.stringify(texts), encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`PyYAML could not load the text:\n${run.stderr}`);
  return JSON.parse(run.stdout);
}

function adopt(dir: string, file: string, index: number) {
  const name = file.replace(/\.ya?ml$/, '').replace(/_/g, '-');
  const app = `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`;
  return adoptDsl(readFileSync(path.join(dir, file), 'utf8'), { name, app: { production: app }, sourceFile: file });
}

/**
 * The checks every DSL fixture must pass: it reads as PyYAML reads it and survives our emitter; it
 * adopts into a definition that validates with no errors or warnings (alone and all together); and
 * the emulator imports it (completed, or completed with warnings for an older DSL version) and
 * exports the same graph back.
 */
export function describeDslFixtureChecks(label: string, dir: string, files: string[]): void {
  describe(`${label}: PyYAML reading and our emitter`, () => {
    it.each(files)('%s reads as an app DSL and survives stringifyPyYaml → parsePyYaml', (file) => {
      const text = readFileSync(path.join(dir, file), 'utf8');
      const value = parsePyYaml(text) as Record<string, any>;
      expect(value.kind ?? 'app').toBe('app');
      expect(typeof value.app?.mode).toBe('string');
      expect(parsePyYaml(stringifyPyYaml(value))).toEqual(value);
      if (hasPyYaml) {
        const [original, emitted] = loadInPyYaml([text, stringifyPyYaml(value)]);
        const json = JSON.parse(JSON.stringify(value));
        expect(original, 'our reader agrees with PyYAML').toEqual(json);
        expect(emitted, 'PyYAML reads what we emit').toEqual(json);
      }
    });
  });

  describe(`${label}: adopted as definitions`, () => {
    it.each(files.map((file, i) => [file, i] as const))('%s adopts and validates with zero errors and warnings', (file, i) => {
      const definition = adopt(dir, file, i);
      expect(definition).toMatchObject({ version: '1.0.0', $schema: '../schema/definition.schema.json', smoke: [] });
      expect(typeof definition.dsl.version).toBe('string');
      const report = validateDefinitions([parseDefinitionText(`workflows/${definition.name}.json`, formatCanonical(definition))]);
      expect(report.files[0].errors).toEqual([]);
      expect(report.files[0].warnings).toEqual([]);
    });

    it('all of them validate together (distinct names and app ids)', () => {
      const parsed = files.map((file, i) => {
        const definition = adopt(dir, file, i);
        return parseDefinitionText(`workflows/${definition.name}.json`, formatCanonical(definition));
      });
      expect(validateDefinitions(parsed).ok).toBe(true);
    });
  });

  describe(`${label}: imported into the emulator`, () => {
    let em: Emulator;
    let api: ReturnType<typeof consoleApi>;
    beforeAll(async () => {
      em = await startEmulator({ encryptDatasetIds: false });
      api = consoleApi(em, await consoleSession(em));
    });
    afterAll(async () => {
      await em?.close();
    });

    it.each(files)('%s imports and exports the same graph', async (file) => {
      const text = readFileSync(path.join(dir, file), 'utf8');
      const dsl = parsePyYaml(text) as Record<string, any>;
      const res = await api('POST', '/apps/imports', { mode: 'yaml-content', yaml_content: text });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(['completed', 'completed-with-warnings']).toContain(res.body.status);
      expect(res.body).toMatchObject({ app_mode: dsl.app.mode, error: '' });
      const exported = await api('GET', `/apps/${res.body.app_id}/export?include_secret=true`);
      expect(exported.status).toBe(200);
      const back = parsePyYaml(exported.body.data) as Record<string, any>;
      expect(back.app).toMatchObject({ mode: dsl.app.mode, name: dsl.app.name });
      expect(back.workflow.graph).toEqual(dsl.workflow.graph);
    });
  });
}
