// Proxy and private-CA support, checked for real: NODE_EXTRA_CA_CERTS against an HTTPS server
// whose certificate only a throwaway CA signs (in a child process, because Node reads the variable
// at startup), and HTTP(S)_PROXY / NO_PROXY through a recording proxy.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDifyService } from '../../src/dify/index.js';

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
const root = resolve(import.meta.dirname, '../..');

async function listen(server: Server): Promise<number> {
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

async function shut(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
}

const infoHandler = (_req: unknown, res: import('node:http').ServerResponse) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ name: 'net-app', description: '', mode: 'workflow' }));
};

describe.skipIf(!hasOpenssl)('custom CA via NODE_EXTRA_CA_CERTS', () => {
  let dir = '';
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dify-ca-'));
    const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=dify-gitops test CA');
    run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
    writeFileSync(join(dir, 'san.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'san.cnf');
    server = createHttpsServer({ key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.pem')) }, infoHandler);
    port = await listen(server);
    writeFileSync(
      join(dir, 'probe.mts'),
      `import { createDifyService } from ${JSON.stringify(join(root, 'src/dify/index.ts'))};
const service = createDifyService({ serviceUrl: 'https://127.0.0.1:${port}/v1', apiKey: 'app-probe0123456789abcdef', timeoutMs: 3000, maxAttempts: 1 });
try { console.log(JSON.stringify({ ok: (await service.info()).name })); }
catch (e) { console.log(JSON.stringify({ error: e.name, reason: e.reason, hint: e.hint })); }
finally { await service.close(); }
`,
    );
  }, 30_000);
  afterAll(async () => {
    await shut(server);
    rmSync(dir, { recursive: true, force: true });
  });

  // The server runs in this process; the child only connects, so run it asynchronously.
  function probe(env: Record<string, string | undefined>): Promise<Record<string, string>> {
    return new Promise((done, fail) => {
      const child = spawn(process.execPath, ['--import', 'tsx', join(dir, 'probe.mts')], { cwd: root, env: { ...process.env, ...env } });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d));
      child.stderr.on('data', (d: Buffer) => (err += d));
      child.on('error', fail);
      child.on('close', () => {
        const last = out.trim().split('\n').pop();
        if (!last) return fail(new Error(`probe printed nothing; stderr: ${err}`));
        done(JSON.parse(last));
      });
    });
  }

  it('trusts the CA named by NODE_EXTRA_CA_CERTS (undici uses Node\'s default store)', async () => {
    expect(await probe({ NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem') })).toEqual({ ok: 'net-app' });
  });

  it('without it, fails as a TLS problem whose hint names NODE_EXTRA_CA_CERTS', async () => {
    const answer = await probe({ NODE_EXTRA_CA_CERTS: undefined });
    expect(answer).toMatchObject({ error: 'DifyUnreachableError', reason: 'tls' });
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
    // A forward proxy: CONNECT tunnels and absolute-form requests, both recorded.
    proxy = createHttpServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      const upstream = httpRequest(req.url ?? '', { method: req.method, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      req.pipe(upstream);
    });
    proxy.on('connect', (req, socket, head) => {
      seen.push(`CONNECT ${req.url}`);
      const [host, port] = (req.url ?? '').split(':');
      const upstream = connect(Number(port), host, () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(socket);
        socket.pipe(upstream);
      });
      upstream.on('error', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
    });
    proxyUrl = `http://127.0.0.1:${await listen(proxy)}`;
  });
  afterAll(async () => {
    process.env = saved;
    await shut(proxy);
    await shut(target);
  });

  function setProxyEnv(env: Record<string, string | undefined>) {
    for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy']) delete process.env[name];
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
