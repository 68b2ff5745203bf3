// Headers an access proxy in front of Dify demands on every request (Cloudflare Access service
// tokens, Google IAP, an API gateway's key): read from the `dify-headers` text, checked against the
// headers the client sets itself, and registered as secrets so their values never reach a log.
import { registerSecret } from '../support/redact.js';
import { UserError } from '../support/errors.js';

/**
 * Headers the client owns: a user value would replace the session or token (Authorization, Cookie,
 * X-CSRF-Token) or break the JSON body (Content-Type), and Host or Content-Length would break the
 * request itself. User-Agent and Accept are ours too: a proxy keyed on them is keyed on something else.
 */
export const RESERVED_HEADERS = [
  'authorization',
  'cookie',
  'x-csrf-token',
  'content-type',
  'content-length',
  'host',
  'user-agent',
  'accept',
] as const;

/** RFC 9110 token characters: what a header name may hold. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * `Name: value` per line (blank lines and `#` comments skipped), or a JSON object of names to values.
 * `label` names where the text came from (input "dify-headers" or DIFY_HEADERS); messages never echo a value.
 */
export function parseExtraHeaders(raw: string, label: string): Record<string, string> | undefined {
  const text = raw.trim();
  if (!text) return undefined;
  const pairs = text.startsWith('{') ? fromJson(text, label) : fromLines(text, label);
  const headers: Record<string, string> = {};
  const seen = new Set<string>();
  for (const [name, value] of pairs) {
    const lower = name.toLowerCase();
    if (!HEADER_NAME.test(name)) refuse(label, `"${name}" is not a valid header name (letters, digits and -).`);
    if ((RESERVED_HEADERS as readonly string[]).includes(lower)) {
      refuse(
        label,
        `header "${name}" clashes with one dify-gitops sets itself (${RESERVED_HEADERS.join(', ')}). Give your Dify credentials with dify-email + dify-password or dify-token instead, and keep dify-headers for what the proxy in front of Dify asks for.`,
      );
    }
    if (seen.has(lower)) refuse(label, `header "${name}" is given twice.`);
    // CR or LF in a value would start a new header line: undici refuses it, and so do we, earlier.
    if (/[\r\n\0]/.test(value)) refuse(label, `the value of header "${name}" holds a line break.`);
    if (!value) refuse(label, `header "${name}" has no value.`);
    seen.add(lower);
    headers[name] = value;
    registerSecret(value);
  }
  return headers;
}

function fromLines(text: string, label: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const [i, line] of text.split(/\r?\n/).entries()) {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) continue;
    const colon = trimmed.indexOf(':');
    if (colon <= 0) refuse(label, `line ${i + 1} is not "Name: value".`);
    pairs.push([trimmed.slice(0, colon).trim(), trimmed.slice(colon + 1).trim()]);
  }
  return pairs;
}

function fromJson(text: string, label: string): Array<[string, string]> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    refuse(label, 'it starts with "{" but is not a JSON object. Use a JSON object of names to values, or one "Name: value" per line.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) refuse(label, 'it is not a JSON object of names to values.');
  return Object.entries(value).map(([name, v]) => {
    if (typeof v !== 'string') refuse(label, `the value of header "${name}" is not a string.`);
    return [name, v];
  });
}

function refuse(label: string, why: string): never {
  throw new UserError('usage', `${label.charAt(0).toUpperCase()}${label.slice(1)} cannot be used: ${why}`);
}
