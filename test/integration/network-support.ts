// Loopback network fixtures for dify-network.test.ts: a throwaway CA with a localhost certificate,
// a TLS front that terminates HTTPS and pipes the plain bytes to a local HTTP server, a recording
// forward proxy (CONNECT tunnels and absolute-form requests), and a child-process runner for
// probes that need environment read at startup (NODE_EXTRA_CA_CERTS). Test helper only.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest, type Server } from 'node:http';
import { connect, type Server as NetServer } from 'node:net';
import { join, resolve } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';

export const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
export const repoRoot = resolve(import.meta.dirname, '../..');

/** Every proxy variable undici's EnvHttpProxyAgent reads, in both cases. */
export const PROXY_VARS = ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy'] as const;

export async function listen(server: NetServer): Promise<number> {
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

export async function shut(server: NetServer): Promise<void> {
  if ('closeAllConnections' in server) (server as Server).closeAllConnections();
  await new Promise((done) => server.close(done));
}

export interface ThrowawayCa {
  caFile: string;
  key: Buffer;
  cert: Buffer;
}

/** A CA in `dir` and a server certificate it signs for localhost and 127.0.0.1 (valid two days). */
export function createThrowawayCa(dir: string): ThrowawayCa {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=dify-gitops test CA',
  );
  run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
  writeFileSync(join(dir, 'san.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  run(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.pem',
    '-days',
    '2',
    '-extfile',
    'san.cnf',
  );
  return { caFile: join(dir, 'ca.pem'), key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.pem')) };
}

/** Terminates TLS with `ca`'s certificate and pipes each connection to 127.0.0.1:`upstreamPort`. */
export function createTlsFront(ca: ThrowawayCa, upstreamPort: number): NetServer {
  const sockets = new Set<import('node:net').Socket>();
  const server = createTlsServer({ key: ca.key, cert: ca.cert }, (socket) => {
    const upstream = connect(upstreamPort, '127.0.0.1');
    sockets.add(socket).add(upstream);
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
    upstream.on('close', () => sockets.delete(upstream));
  });
  // tls.Server has no closeAllConnections; drop the tunnels ourselves so close() finishes.
  const close = server.close.bind(server);
  server.close = (done?: (err?: Error) => void) => {
    for (const s of sockets) s.destroy();
    return close(done);
  };
  return server;
}

/** A forward proxy that records `CONNECT host:port` and `METHOD absolute-url` for each request. */
export function createRecordingProxy(seen: string[]): Server {
  const proxy = createHttpServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const upstream = httpRequest(req.url ?? '', { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
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
  return proxy;
}

/**
 * Runs a .mts probe with tsx in a child whose environment is ours, minus every proxy variable,
 * plus `env`; the probe's last stdout line is JSON. Asynchronous, because the servers it talks to
 * live in this process.
 */
export function runProbe(file: string, env: Record<string, string | undefined>, args: string[] = []): Promise<Record<string, unknown>> {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const name of PROXY_VARS) delete base[name];
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], { cwd: repoRoot, env: { ...base, ...env } });
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
