import { describe, expect, it } from 'vitest';
import { parseJsonWithLocations, escapePointerToken } from '../../../src/definition/json-locate.js';
import { parseDefinitionText } from '../../../src/definition/load.js';

function parseOk(text: string) {
  const result = parseJsonWithLocations(text);
  if (!result.ok) throw new Error(`expected ok: ${result.error.message}`);
  return result;
}

describe('parseJsonWithLocations', () => {
  it('parses like JSON.parse on valid input', () => {
    const text = '{"a":[1,-2.5e3,true,false,null,"x\\"y\\n\\u00e9\\ud83d\\ude00"],"b":{"c":{}},"d":[],"e":0}';
    expect(parseOk(text).value).toEqual(JSON.parse(text));
  });

  it('records the position of every value and key', () => {
    const text = '{\n  "a": {\n    "b/c": [10, "x"],\n    "t~": true\n  }\n}\n';
    const r = parseOk(text);
    const at = (p: string) => r.position(r.valueOffsets.get(p)!);
    expect(at('')).toEqual({ line: 1, column: 1 });
    expect(at('/a')).toEqual({ line: 2, column: 8 });
    expect(at('/a/b~1c')).toEqual({ line: 3, column: 12 });
    expect(at('/a/b~1c/1')).toEqual({ line: 3, column: 17 });
    expect(at('/a/t~0')).toEqual({ line: 4, column: 11 });
    expect(r.position(r.keyOffsets.get('/a/t~0')!)).toEqual({ line: 4, column: 5 });
  });

  it.each([
    ['{"a": 1,}', 1, 9, /trailing comma before "}"/],
    ['[1, 2,]', 1, 7, /trailing comma before "]"/],
    ['{\n  "a": tru\n}', 2, 8, /unexpected character "t"; expected a JSON value/],
    ["{'a': 1}", 1, 2, /expected a property name in double quotes/],
    ['{"a": 01}', 1, 8, /invalid number/],
    ['{"a": "line\nbreak"}', 1, 12, /control character in string/],
    ['{"a": "open', 1, 7, /unterminated string/],
    ['{"a": "\\x"}', 1, 8, /invalid escape/],
    ['{"a": 1} x', 1, 10, /unexpected content after the end/],
    ['{"a": 1, "a": 2}', 1, 10, /duplicate property "a"/],
    ['', 1, 1, /file is empty/],
    ['{"a": [1, 2', 1, 12, /unexpected end of file/],
  ])('reports %j at line %i column %i', (text, line, column, message) => {
    const result = parseJsonWithLocations(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ line, column });
    expect(result.error.message).toMatch(message);
  });

  it('refuses nesting deeper than 256 without overflowing the stack', () => {
    expect(parseJsonWithLocations('['.repeat(256) + ']'.repeat(256)).ok).toBe(true);
    const result = parseJsonWithLocations('['.repeat(10_000) + ']'.repeat(10_000));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatchObject({ line: 1, column: 257, message: expect.stringMatching(/deeper than 256/) });
  });

  it('refuses text over the size limit before parsing', () => {
    const result = parseJsonWithLocations(`"${'a'.repeat(100)}"`, { maxLength: 50, maxDepth: 10 });
    expect(result.ok).toBe(false);
  });

  it('keeps "__proto__" as data and never touches the prototype', () => {
    const value = parseOk('{"__proto__": {"polluted": true}}').value as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('tolerates a byte order mark and CRLF line ends', () => {
    const r = parseOk('\uFEFF{\r\n  "a": 1\r\n}');
    expect(r.position(r.valueOffsets.get('/a')!)).toEqual({ line: 2, column: 8 });
  });

  it('escapes pointer tokens per RFC 6901', () => {
    expect(escapePointerToken('a/b~c')).toBe('a~1b~0c');
  });
});

describe('LoadedFile.locate', () => {
  it('falls back to the nearest existing ancestor', () => {
    const file = parseDefinitionText('x.json', '{\n  "a": {\n    "b": 1\n  }\n}');
    expect(file.locate('/a/b')).toEqual({ line: 3, column: 10 });
    expect(file.locate('/a/missing/deeper')).toEqual({ line: 2, column: 8 });
    expect(file.locate('/nope')).toEqual({ line: 1, column: 1 });
    expect(file.locateKey!('/a/b')).toEqual({ line: 3, column: 5 });
  });
});
