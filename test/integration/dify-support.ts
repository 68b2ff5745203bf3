// Shared setup for the dify-*.test.ts files: the emulator, fixture DSLs, connections per auth
// mode, and request-log queries. Test helper only; never imported from src/.
import { startEmulator, type Emulator, type EmulatorOptions } from '../emulator/server.js';
import type { DifyConnection } from '../../src/dify/index.js';
import { CHATFLOW, PASSTHROUGH, readDslFixture } from '../support/dify-dsl.js';

export const EMAIL = 'admin@example.com';
export const PASSWORD = 'dify-emulator-password';
export const OPENAPI_TOKEN = 'dfoa_emulator_token_0123456789';

export type Mode = 'cookie' | 'cookie-host' | 'bearer' | 'openapi';

export const MODE_OPTIONS: Record<Mode, EmulatorOptions> = {
  cookie: { auth: 'cookie' },
  'cookie-host': { auth: 'cookie', secureCookies: true },
  bearer: { auth: 'bearer' },
  openapi: { auth: 'cookie', openapi: true },
};

export const WORKFLOW_DSL = readDslFixture(PASSTHROUGH);
export const CHATFLOW_DSL = readDslFixture(CHATFLOW);

export function startDify(options: EmulatorOptions = {}): Promise<Emulator> {
  return startEmulator(options);
}

/** Connection for a mode; `openapi` uses only the token unless `withPassword`. */
export function connectionFor(emu: Emulator, mode: Mode, extra: Partial<DifyConnection> & { withPassword?: boolean } = {}): DifyConnection {
  const { withPassword, ...rest } = extra;
  const base: DifyConnection = { baseUrl: emu.url, timeoutMs: 2000, maxAttempts: 3 };
  if (mode === 'openapi') {
    return { ...base, token: OPENAPI_TOKEN, ...(withPassword ? { email: EMAIL, password: PASSWORD } : {}), ...rest };
  }
  return { ...base, email: EMAIL, password: PASSWORD, ...rest };
}

/** Requests the emulator logged for one method and path (exact path, or a RegExp). */
export function requestsTo(emu: Emulator, method: string, path: string | RegExp) {
  return emu.state().requests.filter((r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path)));
}

export const loginRequests = (emu: Emulator) => requestsTo(emu, 'POST', '/console/api/login');

/** Switch an app's Service API off through the emulator's console route (cookie era, Base64 password). */
export async function disableServiceApi(emu: Emulator, appId: string): Promise<void> {
  const login = await fetch(`${emu.url}/console/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: EMAIL, password: Buffer.from(PASSWORD).toString('base64') }),
  });
  const cookies = login.headers.getSetCookie().map((c) => c.split(';')[0]);
  const csrf = cookies.find((c) => c.startsWith('csrf_token='))?.slice('csrf_token='.length) ?? '';
  const res = await fetch(`${emu.url}/console/api/apps/${appId}/api-enable`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: cookies.join('; '), 'x-csrf-token': csrf },
    body: JSON.stringify({ enable_api: false }),
  });
  if (res.status !== 200) throw new Error(`api-enable answered ${res.status}`);
}
