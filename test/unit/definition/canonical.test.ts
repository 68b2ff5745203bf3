import { readFileSync } from 'node:fs';
import stableStringify from 'fast-json-stable-stringify';
import { describe, expect, it } from 'vitest';
import { contentHash, dslContentHash, findFirstNonCanonicalLine, formatCanonical, isCanonical } from '../../../src/definition/canonical.js';
import { parseDefinitionText } from '../../../src/definition/load.js';
import type { Definition } from '../../../src/definition/types.js';

const PASSTHROUGH = readFileSync(new URL('../../../workflows/passthrough.json', import.meta.url), 'utf8');

function clone<T>(value: T): T {
  return structuredClone(value);
}

describe('formatCanonical', () => {
  it('sorts keys like fast-json-stable-stringify, integer-like keys included', () => {
    const value = { b: 1, a: { '10': true, '9': false, z: [3, { y: null, x: 'é' }] }, '1': [] };
    const text = formatCanonical(value);
    expect(text).toBe(
      '{\n  "1": [],\n  "a": {\n    "10": true,\n    "9": false,\n    "z": [\n      3,\n      {\n        "x": "é",\n        "y": null\n      }\n    ]\n  },\n  "b": 1\n}\n',
    );
    // Without whitespace it is exactly the hash input.
    expect(text.replace(/\n\s*/g, '').replace(/": /g, '":')).toBe(stableStringify(value));
  });

  it('drops undefined members and writes empty containers compactly', () => {
    expect(formatCanonical({ a: undefined, b: {}, c: [], d: [undefined] })).toBe('{\n  "b": {},\n  "c": [],\n  "d": [\n    null\n  ]\n}\n');
  });

  it('round-trips: parse(format(x)) formats to the same text, and the repo examples are canonical', () => {
    const file = parseDefinitionText('workflows/passthrough.json', PASSTHROUGH);
    expect(isCanonical(PASSTHROUGH, file.value)).toBe(true);
    const reparsed = parseDefinitionText('x.json', formatCanonical(file.value)).value;
    expect(formatCanonical(reparsed)).toBe(PASSTHROUGH);
  });

  it('finds the first non-canonical line', () => {
    const value = { a: 1, b: 2 };
    expect(findFirstNonCanonicalLine('{\n  "a": 1,\n  "b": 2\n}\n', value)).toBeUndefined();
    expect(findFirstNonCanonicalLine('{\n  "a": 1,\n  "b":  2\n}\n', value)).toBe(3);
    expect(findFirstNonCanonicalLine('{\n  "a": 1,\n  "b": 2\n}', value)).toBe(4);
    expect(isCanonical('{"a":1,"b":2}', value)).toBe(false);
  });
});

describe('hashes', () => {
  const definition = parseDefinitionText('x.json', PASSTHROUGH).value as Definition;

  it('contentHash ignores key order', () => {
    const reverseKeys = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(reverseKeys);
      if (value === null || typeof value !== 'object') return value;
      return Object.fromEntries(
        Object.entries(value)
          .reverse()
          .map(([k, v]) => [k, reverseKeys(v)]),
      );
    };
    const reversed = reverseKeys(definition);
    expect(Object.keys(reversed as object)).toEqual(Object.keys(definition).reverse());
    expect(contentHash(reversed)).toBe(contentHash(definition));
    expect(contentHash({ a: 1 })).toMatch(/^[0-9a-f]{64}$/);
    expect(contentHash({ a: 1 })).not.toBe(contentHash({ a: 2 }));
  });

  it('dslContentHash ignores UI noise, the DSL format version and secret values', () => {
    const before = dslContentHash(definition.dsl);
    const noisy = clone(definition.dsl);
    const node = noisy.workflow!.graph.nodes[0];
    Object.assign(node, {
      position: { x: 999, y: 1 },
      positionAbsolute: { x: 1, y: 2 },
      width: 1,
      height: 2,
      selected: true,
      dragging: true,
      zIndex: 7,
    });
    Object.assign(node, { sourcePosition: 'left', targetPosition: 'right' });
    node.data.selected = true;
    noisy.workflow!.graph.edges[0].zIndex = 5;
    noisy.workflow!.graph.viewport = { x: 5, y: 5, zoom: 2 };
    noisy.version = '0.6.0';
    noisy.workflow!.environment_variables = [{ name: 'K', value: 'live-secret', value_type: 'secret' }];
    const blank = clone(definition.dsl);
    blank.workflow!.environment_variables = [{ name: 'K', value: '', value_type: 'secret' }];
    expect(dslContentHash(noisy)).toBe(dslContentHash(blank));
    expect(dslContentHash(clone(definition.dsl))).toBe(before);
  });

  it('dslContentHash changes when behaviour changes', () => {
    const before = dslContentHash(definition.dsl);
    const changed = clone(definition.dsl);
    (changed.workflow!.graph.nodes[1].data.outputs as Array<{ variable: string }>)[0].variable = 'renamed';
    expect(dslContentHash(changed)).not.toBe(before);
    const prompt = clone(definition.dsl);
    prompt.workflow!.graph.nodes.push({ id: 'llm', data: { type: 'llm', prompt_template: [{ role: 'system', text: 'Be brief.' }] } });
    const reworded = clone(prompt);
    (reworded.workflow!.graph.nodes[2].data.prompt_template as Array<{ text: string }>)[0].text = 'Be verbose.';
    expect(dslContentHash(reworded)).not.toBe(dslContentHash(prompt));
    const plain = clone(definition.dsl);
    plain.workflow!.environment_variables = [{ name: 'K', value: 'a', value_type: 'string' }];
    const plain2 = clone(plain);
    plain2.workflow!.environment_variables![0].value = 'b';
    expect(dslContentHash(plain)).not.toBe(dslContentHash(plain2));
  });
});
