// The two options a fleet and a guarded Dify need: `workflows` (which definitions a run acts on) and
// `dify-headers` (what an access proxy in front of Dify demands), read from every surface the same way.
import { describe, expect, it } from 'vitest';
import { readActionSettings, readCliSettings } from '../../src/settings.js';
import { parseExtraHeaders } from '../../src/dify/extra-headers.js';
import { redact } from '../../src/support/redact.js';

const action = (inputs: Record<string, string>) =>
  readActionSettings(Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])));
const DIFY = { 'dify-url': 'https://dify.example.com', 'dify-email': 'a@b.c', 'dify-password': 'pw-123456' };

describe('workflows', () => {
  it.each([
    ['support-bot, triage', ['support-bot', 'triage']],
    ['support-bot\ntriage\n\n', ['support-bot', 'triage']],
    ['["support-bot","triage","support-bot"]', ['support-bot', 'triage']],
    ['["support-bot"]', ['support-bot']],
  ])('reads %j as a list of names', (raw, names) => {
    expect(action({ command: 'deploy', workflows: raw }).only).toEqual(names);
  });

  it('is absent when empty, and an empty JSON list selects nothing rather than everything', () => {
    expect(action({ command: 'deploy' }).only).toBeUndefined();
    expect(action({ command: 'deploy', workflows: '[]' }).only).toEqual([]);
  });

  it('refuses a JSON list that does not parse or holds other than names', () => {
    expect(() => action({ workflows: '["a",' })).toThrow(/Input "workflows" is .*JSON list of names must parse/);
    expect(() => action({ workflows: '[1, 2]' })).toThrow(/definition names \(strings\) only/);
  });

  it('comes from --workflows, or DIFY_GITOPS_WORKFLOWS, the flag winning', () => {
    expect(readCliSettings(['plan', '--workflows', 'a,b'], {}).only).toEqual(['a', 'b']);
    expect(readCliSettings(['plan'], { DIFY_GITOPS_WORKFLOWS: 'c' }).only).toEqual(['c']);
    expect(readCliSettings(['plan', '--workflows=a'], { DIFY_GITOPS_WORKFLOWS: 'c' }).only).toEqual(['a']);
    expect(() => readCliSettings(['plan'], { DIFY_GITOPS_WORKFLOWS: '[x' })).toThrow(/^DIFY_GITOPS_WORKFLOWS is /);
  });

  it('alone names what rollback, rotate-keys, drift and pull act on: every definition it lists', () => {
    expect(action({ command: 'rollback', workflows: 'a', to: 'previous' }).options).toMatchObject({ workflow: 'all' });
    expect(action({ command: 'pull', workflows: 'a' }).options).toMatchObject({ workflow: 'all' });
    expect(action({ command: 'rollback', workflow: 'a', workflows: 'a,b', to: 'previous' }).options).toMatchObject({ workflow: 'a' });
    expect(action({ command: 'rollback', to: 'previous' }).options).toMatchObject({ workflow: undefined });
  });
});

describe('dify-headers', () => {
  it('reads one "Name: value" per line (comments and blank lines skipped), or a JSON object', () => {
    const lines = action({
      command: 'plan',
      ...DIFY,
      'dify-headers': '# Cloudflare Access\nCF-Access-Client-Id: id-123.access\n\nCF-Access-Client-Secret: s3cr3t:with:colons\n',
    });
    expect(lines.dify?.headers).toEqual({ 'CF-Access-Client-Id': 'id-123.access', 'CF-Access-Client-Secret': 's3cr3t:with:colons' });
    const json = action({ command: 'plan', ...DIFY, 'dify-headers': '{"X-Gateway-Key": "gw-0123456789"}' });
    expect(json.dify?.headers).toEqual({ 'X-Gateway-Key': 'gw-0123456789' });
    expect(action({ command: 'plan', ...DIFY }).dify?.headers).toBeUndefined();
  });

  it('comes from DIFY_HEADERS in a terminal', () => {
    const env = {
      DIFY_URL: 'https://dify.example.com',
      DIFY_TOKEN: 'console-token-abcdef',
      DIFY_HEADERS: 'Proxy-Authorization: Basic Zm9vOmJhcg==',
    };
    expect(readCliSettings(['doctor'], env).dify?.headers).toEqual({ 'Proxy-Authorization': 'Basic Zm9vOmJhcg==' });
  });

  it.each(['Authorization', 'cookie', 'X-CSRF-Token', 'Content-Type', 'Host'])('refuses %s, a header dify-gitops sets itself', (name) => {
    expect(() => action({ command: 'plan', ...DIFY, 'dify-headers': `${name}: Bearer not-this-way-123` })).toThrow(
      new RegExp(`Input "dify-headers" cannot be used: header "${name}" clashes with one dify-gitops sets itself`),
    );
  });

  it('names the problem without echoing a value', () => {
    const attempt = (raw: string) => {
      try {
        parseExtraHeaders(raw, 'DIFY_HEADERS');
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(attempt('no-colon-here-secretvalue')).toBe('DIFY_HEADERS cannot be used: line 1 is not "Name: value".');
    expect(attempt('X-A: one-secret\nx-a: two-secret')).toMatch(/header "x-a" is given twice/);
    expect(attempt('Bad Name: value-secret')).toMatch(/"Bad Name" is not a valid header name/);
    expect(attempt('{"X-A": 42}')).toMatch(/value of header "X-A" is not a string/);
    expect(attempt('{"X-A": "v\\r\\nX-B: smuggled-secret"}')).toMatch(/holds a line break/);
    expect(attempt('{not json')).toMatch(/not a JSON object/);
    expect(attempt('X-A:')).toMatch(/header "X-A" has no value/);
    const messages = ['no-colon-here-secretvalue', 'X-A: one-secret\nx-a: two-secret', '{"X-A": "v\\r\\nX-B: smuggled-secret"}'].map(
      attempt,
    );
    for (const value of ['secretvalue', 'one-secret', 'two-secret', 'smuggled-secret']) expect(messages.join('\n')).not.toContain(value);
  });

  it('registers every value as a secret the moment it is read', () => {
    parseExtraHeaders('CF-Access-Client-Secret: abc-never-printed-0123\nX-Other: other-never-printed', 'input "dify-headers"');
    expect(redact('sent abc-never-printed-0123 and other-never-printed')).toBe('sent *** and ***');
  });
});
