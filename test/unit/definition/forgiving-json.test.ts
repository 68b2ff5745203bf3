import { describe, expect, it } from 'vitest';
import { parseForgivingJson } from '../../../src/definition/forgiving-json.js';

describe('parseForgivingJson', () => {
  it.each([
    ['plain object', '{"a": 1}', { a: 1 }],
    ['json fence', 'Here you go:\n```json\n{"a": [1, 2]}\n```\nThanks!', { a: [1, 2] }],
    ['bare fence', '```\n{"a": true}\n```', { a: true }],
    ['trailing commas', '{"a": [1, 2,], "b": {"c": 3,},}', { a: [1, 2], b: { c: 3 } }],
    ['prose around the object', 'The answer is {"ok": "yes"} as requested.', { ok: 'yes' }],
    ['braces and commas inside strings', '{"t": "a,} ] {b", "u": "say \\"hi\\",}"}', { t: 'a,} ] {b', u: 'say "hi",}' }],
    ['outermost object wins over later text', '{"a": {"b": 1}} and then {"c": 2}', { a: { b: 1 } }],
    ['no object: plain JSON still parses', ' [1, 2] ', [1, 2]],
  ])('%s', (_label, text, expected) => {
    expect(parseForgivingJson(text)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['unclosed object', '{"a": 1', /no matching "}"/],
    ['not JSON at all', 'I cannot help with that.', /not valid JSON/],
    ['single quotes are not forgiven', "{'a': 1}", /not valid JSON/],
  ])('%s fails with a reason', (_label, text, message) => {
    const result = parseForgivingJson(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(message);
  });
});
