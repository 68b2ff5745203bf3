// What we send Dify must read back identically in PyYAML itself, not only in our own reader: the
// emitter's output is loaded by python3's yaml.safe_load and compared. `.ci/run` installs PyYAML; on a
// machine without it this file says it skipped.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAmbiguousForPyYaml, stringifyPyYaml } from '../../src/support/pyyaml.js';

const LOAD = [
  'import sys, json, yaml',
  'value = yaml.safe_load(sys.stdin.read())',
  "print(json.dumps(value, default=lambda o: {'__python__': type(o).__name__}))",
].join('\n');
const probe = spawnSync('python3', ['-c', 'import yaml'], { encoding: 'utf8' });
const hasPyYaml = probe.status === 0;
if (!hasPyYaml) process.stdout.write('pyyaml-real: skipped, python3 with PyYAML is not installed (pip install pyyaml)\n');

/** The Python type PyYAML gives the value of `v:` in `text`. */
function pythonTypeOf(text: string): string {
  const run = spawnSync('python3', ['-c', "import sys, yaml\nprint(type(yaml.safe_load(sys.stdin.read())['v']).__name__)"], {
    input: text,
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`PyYAML could not load:\n${text}\n${run.stderr}`);
  return run.stdout.trim();
}

function loadInPyYaml(text: string): unknown {
  const run = spawnSync('python3', ['-c', LOAD], { input: text, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`PyYAML could not load:\n${text}\n${run.stderr}`);
  return JSON.parse(run.stdout);
}

const TRICKY = [
  '12:30',
  '1:20:30',
  '1_000',
  '0b101',
  '0x1F',
  '010',
  '+12',
  '.5',
  '1.',
  '0.1_0',
  '2024-01-01',
  '2024-1-1 10:00:00',
  '2001-12-14t21:59:43.10-05:00',
  '=',
  '<<',
  '~',
  'null',
  'Null',
  '',
  '.inf',
  '-.INF',
  '.NaN',
  'yes',
  'Off',
  'y',
  'n',
  '1e3',
  'plain words',
  '{{#1754154032319.query#}}',
  '- dash',
  '# hash',
  'key: value',
  'multi\nline\n',
  '  leading space',
];

describe.skipIf(!hasPyYaml)('the emitter against real PyYAML', () => {
  it('every ambiguous string reads back as the same string, as a value and as a key', () => {
    const value = Object.fromEntries(TRICKY.map((s, i) => [`k${i}`, s]));
    const keys = Object.fromEntries(TRICKY.filter((s) => s !== '').map((s, i) => [s, i]));
    expect(loadInPyYaml(stringifyPyYaml({ value, keys, list: TRICKY }))).toEqual({ value, keys, list: TRICKY });
  });

  it('the resolver table agrees with PyYAML on which plain scalars are not strings', () => {
    // `=` and `<<` as plain values break safe_load outright: that is why they are quoted.
    for (const text of ['=', '<<']) {
      expect(() => loadInPyYaml(`v: ${text}\n`)).toThrow(/could not load/);
      expect(isAmbiguousForPyYaml(text)).toBe(true);
    }
    // The rest as plain scalars (no YAML syntax inside).
    const plain = TRICKY.filter((s) => !['=', '<<', ''].includes(s) && (!/[\n#:{}]|^[- ]/.test(s) || /^[0-9:.]+$/.test(s)));
    expect(plain.length).toBeGreaterThan(20);
    for (const text of plain) {
      const type = pythonTypeOf(`v: ${text}\n`);
      expect(isAmbiguousForPyYaml(text), `plain ${JSON.stringify(text)} is a Python ${type}`).toBe(type !== 'str');
    }
  });

  it('every example definition and test fixture DSL survives the trip', () => {
    const dirs = ['workflows', 'test/fixtures/definitions'];
    for (const dir of dirs) {
      for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
        let definition: { dsl?: unknown };
        try {
          definition = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
        } catch {
          continue; // the fixtures of malformed files
        }
        if (!definition.dsl) continue;
        expect(loadInPyYaml(stringifyPyYaml(definition.dsl)), file).toEqual(definition.dsl);
      }
    }
  });
});
