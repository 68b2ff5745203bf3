// A minimal cookie jar for Dify's console session. Dify names its cookies access_token,
// refresh_token and csrf_token, with a `__Host-` prefix when it believes it is served over HTTPS,
// so names are read from Set-Cookie rather than assumed.
import { registerSecret } from '../support/redact.js';

const PREFIXES = ['__Host-', '__Secure-'];

export interface CookieJar {
  /** Store cookies from Set-Cookie header(s); removals (Max-Age=0 / past Expires / empty value) delete. */
  update(setCookie: string | string[] | undefined): void;
  /** `Cookie` header value, or undefined when empty. */
  header(): string | undefined;
  /** Value of the cookie whose name, without prefix, is `logicalName` (e.g. `csrf_token`). */
  get(logicalName: string): string | undefined;
  /** Cookie names as the server sent them (to report `__Host-` use; values never leave the jar). */
  names(): string[];
}

export function logicalCookieName(name: string): string {
  const prefix = PREFIXES.find((p) => name.startsWith(p));
  return prefix ? name.slice(prefix.length) : name;
}

export function createCookieJar(): CookieJar {
  const cookies = new Map<string, string>();
  return {
    update(setCookie) {
      const lines = setCookie === undefined ? [] : Array.isArray(setCookie) ? setCookie : [setCookie];
      for (const line of lines) {
        const [pair, ...attributes] = line.split(';');
        const eq = pair.indexOf('=');
        if (eq <= 0) continue;
        const name = pair.slice(0, eq).trim();
        const value = pair
          .slice(eq + 1)
          .trim()
          .replace(/^"(.*)"$/, '$1');
        if (value === '' || isExpired(attributes)) {
          cookies.delete(name);
          continue;
        }
        registerSecret(value);
        cookies.set(name, value);
      }
    },
    header() {
      if (cookies.size === 0) return undefined;
      return [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    },
    get(logicalName) {
      for (const [name, value] of cookies) if (logicalCookieName(name) === logicalName) return value;
      return undefined;
    },
    names: () => [...cookies.keys()],
  };
}

function isExpired(attributes: string[]): boolean {
  for (const attribute of attributes) {
    const [key, ...rest] = attribute.split('=');
    const name = key.trim().toLowerCase();
    const value = rest.join('=').trim();
    if (name === 'max-age' && Number(value) <= 0) return true;
    if (name === 'expires' && Date.parse(value) <= Date.now()) return true;
  }
  return false;
}
