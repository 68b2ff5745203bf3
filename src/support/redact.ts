// Secrets never reach a log line. Two layers: every secret we learn (password, tokens, cookie
// values, CSRF token, API keys) is registered here the moment it is known, and `redact` scrubs
// registered values plus anything that merely looks like a credential from text we print.
import * as core from './actions-core.js';

const registered = new Set<string>();

/** Shorter values would blank ordinary words in logs; Dify's own secrets are far longer. */
const MIN_SECRET_LENGTH = 4;

export const REDACTED = '***';

/**
 * Remember a secret for `redact`, and mask it in the GitHub Actions log. `core.setSecret` works by
 * printing `::add-mask::<value>` to stdout, which the runner swallows; in a terminal that line
 * would print the secret itself, so outside Actions we only keep it for our own redaction.
 */
export function registerSecret(value: string | null | undefined): void {
  if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH || registered.has(value)) return;
  registered.add(value);
  const encoded = encodeURIComponent(value);
  if (encoded !== value) registered.add(encoded);
  if (process.env.GITHUB_ACTIONS === 'true') core.setSecret(value);
}

const CREDENTIAL_PATTERNS: Array<[RegExp, string]> = [
  // Authorization headers, whatever the token.
  // A token is long: "bearer auth" (the auth mode's name in a status line) is not one.
  [/\b(Bearer\s+)[^\s"',;)]{12,}/gi, `$1${REDACTED}`],
  // Dify service-API keys (app-…, dataset-…) and /openapi account tokens (dfoa_…, dfoe_…).
  [/\b(app|dataset|ds)-[A-Za-z0-9]{12,}/g, `$1-${REDACTED}`],
  [/\b(dfo[ae]_)[A-Za-z0-9_-]+/g, `$1${REDACTED}`],
  // JWTs (Dify's access and CSRF tokens are JWTs).
  [/\beyJ[\w-]*\.[\w-]+\.[\w-]*/g, REDACTED],
  // name=value / "name": "value" for the fields and cookies that carry credentials.
  // Only a whole field name (not the tail of SEARCH_API_KEY), and not a `${{ … }}` expression we print as advice.
  [
    /((?<![\w-])(?:__Host-)?(?:access_token|refresh_token|csrf_token|password|api_key|token)\b["']?\s*[:=]\s*["']?)(?!\$\{\{)[^"'\s;,&}]+/gi,
    `$1${REDACTED}`,
  ],
  // Credentials embedded in a URL.
  [/(\/\/)[^/\s:@]+:[^/\s@]+@/g, `$1${REDACTED}@`],
];

/** `text` with every registered secret and every credential-looking value replaced by `***`. */
export function redact(text: string): string {
  let out = text;
  // Longest first, so a secret that contains another is blanked whole.
  for (const secret of [...registered].sort((a, b) => b.length - a.length)) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  for (const [pattern, replacement] of CREDENTIAL_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/** `value` with `redact` applied to every string in it (keys too): for JSON we print or send. */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v)) as T;
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [redact(k), redactDeep(v)])) as T;
}
