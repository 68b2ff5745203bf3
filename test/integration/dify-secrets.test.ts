// Nothing the client prints, logs or throws contains a secret. A recording proxy between the
// client and the emulator collects every secret that crosses the wire (cookie values, tokens,
// API keys); everything written to stdout/stderr, the injected log and every error text is then
// searched for them. With GITHUB_ACTIONS=true each secret must also have been masked via
// core.setSecret (`::add-mask::`), and those mask commands are the only place it may appear.
import { createServer, request, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDifyConsole, createDifyService, type DifyConnection } from '../../src/dify/index.js';
import type { Emulator } from '../emulator/server.js';
import { EMAIL, OPENAPI_TOKEN, PASSWORD, startDify, WORKFLOW_DSL } from './dify-support.js';

const WRONG_PASSWORD = 'wrong-but-still-secret-pw';

let emu: Emulator;
let proxy: Server;
let proxyUrl = '';
const wireSecrets = new Set<string>();

function harvest(setCookies: string[] | undefined, body: string): void {
  for (const line of setCookies ?? []) {
    const value = line.split(';')[0].split('=').slice(1).join('=');
    if (value) wireSecrets.add(value);
  }
  for (const match of body.matchAll(/"(?:access_token|refresh_token|token)"\s*:\s*"([^"]+)"/g)) wireSecrets.add(match[1]);
}

beforeAll(async () => {
  emu = await startDify({ auth: 'cookie', secureCookies: true, base64Password: false, openapi: true });
  const target = new URL(emu.url);
  proxy = createServer((req, res) => {
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        let body = '';
        up.on('data', (chunk: Buffer) => {
          body += chunk.toString('utf8');
          res.write(chunk);
        });
        up.on('end', () => {
          harvest(up.headers['set-cookie'], body);
          res.end();
        });
      },
    );
    req.pipe(upstream);
  });
  await new Promise<void>((done) => proxy.listen(0, '127.0.0.1', done));
  const address = proxy.address();
  proxyUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(async () => {
  proxy.closeAllConnections();
  await new Promise((done) => proxy.close(done));
  await emu.close();
});

/** Run `session` with stdout/stderr captured; returns everything written. */
async function captureOutput(session: () => Promise<void>): Promise<string> {
  const written: string[] = [];
  const original = { out: process.stdout.write, err: process.stderr.write };
  const capture = (chunk: unknown) => {
    written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    return true;
  };
  process.stdout.write = capture as typeof process.stdout.write;
  process.stderr.write = capture as typeof process.stderr.write;
  try {
    await session();
  } finally {
    process.stdout.write = original.out;
    process.stderr.write = original.err;
  }
  return written.join('');
}

describe('secrets never reach output', () => {
  it('a full session in every auth mode leaks none of them', async () => {
    const savedActions = process.env.GITHUB_ACTIONS;
    process.env.GITHUB_ACTIONS = 'true';
    const logged: string[] = [];
    const errors: string[] = [];
    const keep = (e: unknown) => {
      const err = e as Error & { hint?: string };
      errors.push(`${err.name}: ${err.message}\n${err.hint ?? ''}\n${err.stack ?? ''}`);
    };
    const app = emu.seedApp({ mode: 'workflow', name: 'echo', dsl: WORKFLOW_DSL, published: true });
    wireSecrets.add(app.api_key);
    const base: DifyConnection = { baseUrl: proxyUrl, timeoutMs: 2000, maxAttempts: 2 };

    let output = '';
    try {
      output = await captureOutput(async () => {
        // A wrong password first (two attempts: Base64, then plain).
        await createDifyConsole({ ...base, email: EMAIL, password: WRONG_PASSWORD }, { log: (l) => logged.push(l) }).catch(keep);
        // Cookie session (plain password after Base64 is refused), injected log.
        const cookie = await createDifyConsole({ ...base, email: EMAIL, password: PASSWORD }, { log: (l) => logged.push(l) });
        await cookie.getApp(app.id);
        await cookie.importDsl(app.id, WORKFLOW_DSL);
        await cookie.publish(app.id, { markedName: 'v2', markedComment: 'secret test' });
        const key = await cookie.createApiKey(app.id);
        // Force a refresh: new cookies and CSRF token mid-session.
        emu.injectFault({
          match: { method: 'GET', path: `/console/api/apps/${app.id}/api-keys` },
          respond: { status: 401, body: { code: 'unauthorized', message: 'Token has expired.', status: 401 } },
        });
        await cookie.listApiKeys(app.id);
        // A server error whose body echoes a key must not carry it into our error text.
        emu.injectFault({
          match: { method: 'GET', path: `/console/api/apps/${app.id}/export` },
          respond: { status: 500, body: { code: 'unknown', message: `failed for key ${key.token}`, status: 500 } },
        });
        await cookie.exportDsl(app.id).catch(keep);
        await cookie.deleteApiKey(app.id, key.id);
        await cookie.close?.();

        // /openapi with the dfoa_ token, default log (core.debug → stdout under Actions).
        const openapi = await createDifyConsole({ ...base, token: OPENAPI_TOKEN });
        await openapi.exportDsl(app.id);
        await openapi.close?.();

        // Service API with the app key, and with a wrong key.
        const service = createDifyService({ serviceUrl: `${proxyUrl}/v1`, apiKey: app.api_key, timeoutMs: 2000, maxAttempts: 1 });
        await service.runWorkflow({ query: 'x' }, { stream: false });
        await service.runWorkflow({ query: 'x' }, { stream: true });
        await service.close?.();
        const wrong = createDifyService({
          serviceUrl: `${proxyUrl}/v1`,
          apiKey: 'app-wrongkeywrongkeywrongkey',
          timeoutMs: 2000,
          maxAttempts: 1,
        });
        await wrong.info().catch(keep);
        await wrong.close?.();
      });
    } finally {
      if (savedActions === undefined) delete process.env.GITHUB_ACTIONS;
      else process.env.GITHUB_ACTIONS = savedActions;
    }

    const secrets = [
      PASSWORD,
      Buffer.from(PASSWORD).toString('base64'),
      WRONG_PASSWORD,
      OPENAPI_TOKEN,
      'app-wrongkeywrongkeywrongkey',
      ...wireSecrets,
    ];
    // The session really happened and really produced output to search.
    expect(wireSecrets.size).toBeGreaterThanOrEqual(8);
    expect(logged.join('\n')).toMatch(/POST \/console\/api\/login → 200/);
    expect(output).toMatch(/::debug::dify GET \/openapi\/v1\/apps\/[^ ]+\/dsl → 200/);
    expect(errors).toHaveLength(3);

    const masks = new Set([...output.matchAll(/^::add-mask::(.*)$/gm)].map((m) => m[1]));
    const printed = output.replace(/^::add-mask::.*$/gm, '');
    const everything = [printed, ...logged, ...errors].join('\n');
    for (const secret of secrets) {
      expect(everything.includes(secret), `a secret (${secret.slice(0, 4)}…) was printed`).toBe(false);
      expect(masks.has(secret), `a secret (${secret.slice(0, 4)}…) was never passed to core.setSecret`).toBe(true);
    }
    expect(errors.join('\n')).toContain('failed for key ***');
  });

  it('outside GitHub Actions nothing is printed at all, not even mask commands', async () => {
    const savedActions = process.env.GITHUB_ACTIONS;
    delete process.env.GITHUB_ACTIONS;
    try {
      const output = await captureOutput(async () => {
        const dify = await createDifyConsole({
          baseUrl: proxyUrl,
          email: EMAIL,
          password: 'another-password-here',
          timeoutMs: 2000,
          maxAttempts: 1,
        }).catch(() => undefined);
        await dify?.close?.();
      });
      expect(output).toBe('');
    } finally {
      if (savedActions !== undefined) process.env.GITHUB_ACTIONS = savedActions;
    }
  });
});
