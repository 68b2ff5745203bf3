// Raw-HTTP helpers for the emulator's own tests (deliberately independent of src/dify).
import { parse, stringify } from 'yaml';
import type { Emulator } from './server.js';

export { CHATFLOW, LLM_CHATFLOW, PASSTHROUGH, readDslFixture as readFixture } from '../support/dify-dsl.js';

/** The passthrough fixture with extra environment variables (the fixtures have none). */
export function withEnv(yamlText: string, env: unknown[], patch: (dsl: Record<string, any>) => void = () => {}): string {
  const dsl = parse(yamlText) as Record<string, any>;
  dsl.workflow.environment_variables = env;
  patch(dsl);
  return stringify(dsl);
}

export const SECRET_ID = '11111111-2222-4333-8444-555555555555';
export const secretVar = (value: string) => ({
  id: SECRET_ID,
  name: 'API_KEY',
  value,
  value_type: 'secret',
  description: '',
});

export interface Session {
  headers: Record<string, string>;
  cookies: Record<string, string>;
  setCookies: string[];
}

export function cookieJar(setCookies: string[]): Record<string, string> {
  return Object.fromEntries(
    setCookies.map((line) => {
      const pair = line.split(';')[0];
      const eq = pair.indexOf('=');
      return [pair.slice(0, eq), pair.slice(eq + 1)];
    }),
  );
}

export function sessionFrom(setCookies: string[], csrfName = 'csrf_token'): Session {
  const cookies = cookieJar(setCookies);
  const headers = {
    cookie: Object.entries(cookies)
      .map(([k, v]) => `${k}=${v}`)
      .join('; '),
    'x-csrf-token': cookies[csrfName],
  };
  return { headers, cookies, setCookies };
}

export async function login(
  em: Emulator,
  password = Buffer.from('dify-emulator-password').toString('base64'),
  email = 'admin@example.com',
): Promise<Response> {
  return fetch(`${em.url}/console/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
}

/** Logs in (cookie era) and returns headers carrying the cookies and the CSRF header. */
export async function consoleSession(em: Emulator): Promise<Session> {
  const res = await login(em);
  if (res.status !== 200) throw new Error(`login failed: ${res.status}`);
  return sessionFrom(res.headers.getSetCookie());
}

export interface Call {
  status: number;
  body: any;
  headers: Headers;
}

export async function call(
  em: Emulator,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: unknown } = {},
): Promise<Call> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.body !== undefined) headers['content-type'] ??= 'application/json';
  const res = await fetch(`${em.url}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // non-JSON bodies (SSE, garbage faults) stay text
  }
  return { status: res.status, body, headers: res.headers };
}

export function consoleApi(em: Emulator, session: Session) {
  return (method: string, path: string, body?: unknown) => call(em, method, `/console/api${path}`, { headers: session.headers, body });
}

export function serviceApi(em: Emulator, apiKey: string) {
  return (method: string, path: string, body?: unknown) =>
    call(em, method, `/v1${path}`, { headers: { authorization: `Bearer ${apiKey}` }, body });
}

/** Parses an SSE body into the JSON events and the names of `event:` lines. */
export function parseSse(text: string): { events: any[]; named: string[] } {
  const events: any[] = [];
  const named: string[] = [];
  for (const block of text.split('\n\n')) {
    for (const line of block.split('\n')) {
      if (line.startsWith('data: ')) events.push(JSON.parse(line.slice(6)));
      else if (line.startsWith('event: ')) named.push(line.slice(7));
    }
  }
  return { events, named };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
