// Proxy and private-CA support, checked for real: NODE_EXTRA_CA_CERTS against an HTTPS server
// whose certificate only a throwaway CA signs (in a child process, because Node reads the variable
// at startup), HTTP(S)_PROXY / NO_PROXY through a recording proxy, and HTTPS_PROXY with an https
// Dify (the emulator behind a TLS front) reached through a CONNECT tunnel.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Server as NetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDifyService } from '../../src/dify/index.js';
import { startEmulator, type Emulator } from '../emulator/server.js';
import { EMAIL, PASSWORD, WORKFLOW_DSL } from './dify-support.js';
import {
  createRecordingProxy,
  createThrowawayCa,
  createTlsFront,
  hasOpenssl,
  listen,
  PROXY_VARS,
  repoRoot,
  runProbe,
  shut,
  type ThrowawayCa,
} from './network-support.js';

const infoHandler = (_req: unknown, res: import('node:http').ServerResponse) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ name: 'net-app', description: '', mode: 'workflow' }));
};

describe.skipIf(!hasOpenssl)('custom CA via NODE_EXTRA_CA_CERTS', () => {
  let dir = '';
  let ca: ThrowawayCa;
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dify-ca-'));
    ca = createThrowawayCa(dir);
    server = createHttpsServer({ key: ca.key, cert: ca.cert }, infoHandler);
    port = await listen(server);
    writeFileSync(
      join(dir, 'probe.mts'),
      `import { createDifyService } from ${JSON.stringify(join(repoRoot, 'src/dify/index.ts'))};
const service = createDifyService({ serviceUrl: 'https://127.0.0.1:${port}/v1', apiKey: 'app-probe0123456789abcdef', timeoutMs: 3000, maxAttempts: 1 });
try { console.log(JSON.stringify({ ok: (await service.info()).name })); }
catch (e) { console.log(JSON.stringify({ error: e.code, reason: e.details?.reason, hint: e.hint })); }
finally { await service.close(); }
`,
    );
  }, 30_000);
  afterAll(async () => {
    await shut(server);
    rmSync(dir, { recursive: true, force: true });
  });

  const probe = (env: Record<string, string | undefined>) => runProbe(join(dir, 'probe.mts'), env);

  it("trusts the CA named by NODE_EXTRA_CA_CERTS (undici uses Node's default store)", async () => {
    expect(await probe({ NODE_EXTRA_CA_CERTS: ca.caFile })).toEqual({ ok: 'net-app' });
  });

  it('without it, fails as a TLS problem whose hint names NODE_EXTRA_CA_CERTS', async () => {
    const answer = await probe({ NODE_EXTRA_CA_CERTS: undefined });
    expect(answer).toMatchObject({ error: 'dify.unreachable', reason: 'tls' });
    expect(answer.hint).toContain('NODE_EXTRA_CA_CERTS');
  });
});

describe('HTTP(S)_PROXY and NO_PROXY', () => {
  let target: Server;
  let proxy: Server;
  let targetUrl = '';
  let proxyUrl = '';
  const seen: string[] = [];
  const saved = { ...process.env };
  beforeAll(async () => {
    target = createHttpServer(infoHandler);
    targetUrl = `http://127.0.0.1:${await listen(target)}/v1`;
    proxy = createRecordingProxy(seen);
    proxyUrl = `http://127.0.0.1:${await listen(proxy)}`;
  });
  afterAll(async () => {
    process.env = saved;
    await shut(proxy);
    await shut(target);
  });

  function setProxyEnv(env: Record<string, string | undefined>) {
    for (const name of PROXY_VARS) delete process.env[name];
    Object.assign(process.env, env);
  }

  it('sends requests through HTTP_PROXY', async () => {
    seen.length = 0;
    setProxyEnv({ HTTP_PROXY: proxyUrl });
    const service = createDifyService({ serviceUrl: targetUrl, apiKey: 'app-proxy0123456789abcdef', timeoutMs: 3000, maxAttempts: 1 });
    expect((await service.info()).name).toBe('net-app');
    await service.close?.();
    expect(seen.length).toBe(1);
    expect(seen[0]).toContain(new URL(targetUrl).host);
  });

  it('bypasses the proxy for hosts in NO_PROXY', async () => {
    seen.length = 0;
    setProxyEnv({ HTTP_PROXY: proxyUrl, NO_PROXY: '127.0.0.1' });
    const service = createDifyService({ serviceUrl: targetUrl, apiKey: 'app-proxy0123456789abcdef', timeoutMs: 3000, maxAttempts: 1 });
    expect((await service.info()).name).toBe('net-app');
    await service.close?.();
    expect(seen).toEqual([]);
  });
});

// The emulator speaks plain HTTP; a TLS front with a throwaway-CA certificate makes it an https
// Dify at https://localhost:<front>. The client runs in a child (NODE_EXTRA_CA_CERTS is read at
// startup) with HTTPS_PROXY set, logs in and exports an app: through a CONNECT tunnel, so the
// proxy sees only the tunnel's target and the TLS handshake (and certificate check) is end to end.
describe.skipIf(!hasOpenssl)('HTTPS_PROXY with an https Dify (CONNECT tunnel)', () => {
  let dir = '';
  let ca: ThrowawayCa;
  let emu: Emulator;
  let front: NetServer;
  let proxy: Server;
  let difyUrl = '';
  let proxyUrl = '';
  let appId = '';
  const seen: string[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dify-tunnel-'));
    ca = createThrowawayCa(dir);
    // __Host- cookies (Secure) as a real https Dify sends them.
    emu = await startEmulator({ auth: 'cookie', secureCookies: true });
    appId = emu.seedApp({ mode: 'workflow', name: 'tunnelled', dsl: WORKFLOW_DSL, published: true }).id;
    front = createTlsFront(ca, Number(new URL(emu.url).port));
    difyUrl = `https://localhost:${await listen(front)}`;
    proxy = createRecordingProxy(seen);
    proxyUrl = `http://127.0.0.1:${await listen(proxy)}`;
    writeFileSync(
      join(dir, 'probe.mts'),
      `import { createDifyConsole } from ${JSON.stringify(join(repoRoot, 'src/dify/index.ts'))};
const [baseUrl, appId] = process.argv.slice(2);
try {
  const dify = await createDifyConsole({ baseUrl, email: ${JSON.stringify(EMAIL)}, password: ${JSON.stringify(PASSWORD)}, timeoutMs: 5000, maxAttempts: 1 }, { log: () => {} });
  try { console.log(JSON.stringify({ authMode: dify.authMode, yaml: await dify.exportDsl(appId) })); }
  finally { await dify.close?.(); }
} catch (e) { console.log(JSON.stringify({ error: e.code, reason: e.details?.reason, message: e.message })); }
`,
    );
  }, 30_000);
  afterAll(async () => {
    await shut(proxy);
    await shut(front);
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const exports = () => emu.state().requests.filter((r) => r.method === 'GET' && r.path === `/console/api/apps/${appId}/export`);

  it('tunnels login and export through the proxy named by HTTPS_PROXY', async () => {
    seen.length = 0;
    const before = exports().length;
    const answer = await runProbe(join(dir, 'probe.mts'), { HTTPS_PROXY: proxyUrl, NODE_EXTRA_CA_CERTS: ca.caFile }, [difyUrl, appId]);
    expect(answer).toMatchObject({ authMode: 'cookie' });
    expect(answer.yaml).toMatch(/name: tunnelled/);
    expect(exports().length).toBe(before + 1);
    // Only tunnels, all to the Dify host by name (the proxy resolves it, not the client).
    expect(seen.length).toBeGreaterThan(0);
    expect(new Set(seen)).toEqual(new Set([`CONNECT ${new URL(difyUrl).host}`]));
  });

  it('checks the Dify certificate end to end through the tunnel (no CA: a TLS error)', async () => {
    seen.length = 0;
    const answer = await runProbe(join(dir, 'probe.mts'), { HTTPS_PROXY: proxyUrl, NODE_EXTRA_CA_CERTS: undefined }, [difyUrl, appId]);
    expect(answer).toMatchObject({ error: 'dify.unreachable', reason: 'tls' });
    expect(seen).toEqual([`CONNECT ${new URL(difyUrl).host}`]);
  });

  it('connects directly when NO_PROXY names the host, and still succeeds', async () => {
    seen.length = 0;
    const before = exports().length;
    const answer = await runProbe(
      join(dir, 'probe.mts'),
      { HTTPS_PROXY: proxyUrl, NO_PROXY: 'localhost', NODE_EXTRA_CA_CERTS: ca.caFile },
      [difyUrl, appId],
    );
    expect(answer).toMatchObject({ authMode: 'cookie' });
    expect(answer.yaml).toMatch(/name: tunnelled/);
    expect(exports().length).toBe(before + 1);
    expect(seen).toEqual([]);
  });
});
