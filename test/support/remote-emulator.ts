// The emulator in its own process, driven through its control API, as a Dify server would be:
// its CPU does not compete with the code under measurement (benchmarks use this).
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { EmulatorState } from '../emulator/server.js';
import { REPO_ROOT } from './run-action.js';

export interface RemoteEmulator {
  url: string;
  seedApp(input: { mode: string; name: string; dsl?: string; published?: boolean; id?: string }): Promise<{ id: string; api_key: string }>;
  state(): Promise<EmulatorState>;
  close(): Promise<void>;
}

export async function startRemoteEmulator(options: { email: string; password: string; latencyMs: number }): Promise<RemoteEmulator> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(REPO_ROOT, 'test/emulator/cli.ts'),
      '--port',
      '0',
      '--email',
      options.email,
      '--password',
      options.password,
      '--latency-ms',
      String(options.latencyMs),
    ],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let seen = '';
    child.stdout!.on('data', (chunk) => {
      seen += chunk;
      const m = /^DIFY_EMULATOR_URL=(\S+)$/m.exec(seen);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`emulator exited with ${code}: ${seen}`)));
  });
  const control = async (method: string, p: string, body?: unknown) => {
    const res = await fetch(`${url}/__emulator/${p}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`emulator ${method} ${p}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  return {
    url,
    seedApp: (input) => control('POST', 'apps', input),
    state: () => control('GET', 'state'),
    close: () => stop(child),
  };
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.on('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
