// The YAML form is deployed as we read it: our reader must see in a .dify.yml exactly what Dify's
// PyYAML sees, or the hash and the checks would be about another DSL. Each DSL fixture (the
// project's, and Dify's own when a checkout provides them) is loaded by both and compared.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseYamlWithLocations } from '../../../src/definition/yaml-locate.js';
import { DSL_FIXTURES_DIR, dslFixtureFiles, SHARED_DSL_FIXTURES_DIR } from '../../support/dify-dsl.js';

const LOAD = 'import sys, json, yaml\nprint(json.dumps(yaml.safe_load(sys.stdin.read()), default=str))';
const hasPyYaml = spawnSync('python3', ['-c', 'import yaml'], { encoding: 'utf8' }).status === 0;
if (!hasPyYaml) process.stdout.write('dsl-file-pyyaml: skipped, python3 with PyYAML is not installed (pip install pyyaml)\n');

const fixtures = [
  ...dslFixtureFiles(DSL_FIXTURES_DIR).map((f) => path.join(DSL_FIXTURES_DIR, f)),
  ...dslFixtureFiles(SHARED_DSL_FIXTURES_DIR).map((f) => path.join(SHARED_DSL_FIXTURES_DIR, f)),
];

describe.skipIf(!hasPyYaml)('a .dify.yml read as PyYAML reads it', () => {
  it.each(fixtures.map((f) => [path.basename(f), f]))('%s', (_name, file) => {
    const text = readFileSync(file, 'utf8');
    const run = spawnSync('python3', ['-c', LOAD], { input: text, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const ours = parseYamlWithLocations(text);
    expect(ours.ok).toBe(true);
    if (ours.ok) expect(JSON.parse(JSON.stringify(ours.value))).toEqual(JSON.parse(run.stdout));
  });
});
