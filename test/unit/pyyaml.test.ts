// Dify reads YAML with PyYAML: what we send must mean the same there.
import { describe, expect, it } from 'vitest';
import { parsePyYaml, stringifyPyYaml } from '../../src/support/pyyaml.js';

describe('PyYAML-compatible YAML', () => {
  it('quotes strings PyYAML would read as booleans, and round-trips them', () => {
    const value = { answer: 'yes', toggle: 'on', off: 'Off', flag: true, version: '0.4', n: 'n', y: 12 };
    const text = stringifyPyYaml(value);
    expect(text).toMatch(/^answer: "yes"$/m);
    expect(text).toMatch(/^toggle: "on"$/m);
    expect(text).toMatch(/^version: "0\.4"$/m);
    expect(text).toMatch(/^flag: true$/m);
    expect(parsePyYaml(text)).toEqual(value);
  });

  it('reads yes/no/on/off as booleans but y/n as strings, like PyYAML', () => {
    expect(parsePyYaml('a: yes\nb: Off\nc: y\nd: n\ny: 3\n')).toEqual({ a: true, b: false, c: 'y', d: 'n', y: 3 });
  });

  it('refuses an alias bomb', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      ...Array.from(
        { length: 8 },
        (_, i) =>
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`,
      ),
    ].join('\n');
    expect(() => parsePyYaml(bomb)).toThrow(/alias/i);
  });
});
