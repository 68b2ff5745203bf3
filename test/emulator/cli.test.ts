import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));
let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** Starts the CLI and resolves with its output once `lines` lines are out. */
function startCli(args: string[], lines: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const ready = new Promise<string[]>((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const got = out.split('\n').filter(Boolean);
      if (got.length >= lines) resolve(got);
    });
    child.once('exit', (code) => reject(new Error(`cli exited early (${code}): ${out}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, ready, exited };
}

describe('cli', () => {
  it('prints the URL line, serves, seeds definitions and exits cleanly on SIGTERM', async () => {
    dir = mkdtempSync(join(tmpdir(), 'emu-cli-'));
    const def = {
      name: 'echo',
      version: '1.0.0',
      app: { staging: '0b6f7c5e-1111-4aaa-8bbb-000000000001', prod: '0b6f7c5e-1111-4aaa-8bbb-000000000002' },
      dsl: { version: '0.3.1', kind: 'app', app: { name: 'echo', mode: 'workflow' } },
    };
    writeFileSync(join(dir, 'echo.json'), JSON.stringify(def));
    const { child, ready, exited } = startCli(['--port', '0', '--seed', dir, '--latency-ms', '0'], 5);
    const lines = await ready;
    const urlLine = lines.find((l) => l.startsWith('DIFY_EMULATOR_URL='))!;
    expect(urlLine).toMatch(/^DIFY_EMULATOR_URL=http:\/\/127\.0\.0\.1:\d+$/);
    expect(lines[0]).toBe(urlLine);
    expect(lines.filter((l) => l.startsWith('seeded echo.json'))).toHaveLength(2);
    const url = urlLine.split('=')[1];
    const state = await (await fetch(`${url}/__emulator/state`)).json();
    expect(state.apps.map((a: any) => a.id).sort()).toEqual(Object.values(def.app).sort());
    expect(state.apps.every((a: any) => a.mode === 'workflow' && a.workflow_id === null)).toBe(true);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('--require-header stands an access proxy in front: 403 without the header, Dify with it, the control API exempt', async () => {
    const { child, ready, exited } = startCli(['--port', '0', '--require-header', 'CF-Access-Client-Secret=s3cr3t=with=equals'], 3);
    const url = (await ready).find((l) => l.startsWith('DIFY_EMULATOR_URL='))!.split('=')[1];
    const without = await fetch(`${url}/console/api/system-features`);
    expect(without.status).toBe(403);
    expect(without.headers.get('content-type')).toMatch(/^text\/html/);
    const withIt = await fetch(`${url}/console/api/system-features`, { headers: { 'cf-access-client-secret': 's3cr3t=with=equals' } });
    expect(withIt.status).toBe(200);
    expect((await fetch(`${url}/__emulator/state`)).status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('applies --rules (app id → run rules) after seeding', async () => {
    dir = mkdtempSync(join(tmpdir(), 'emu-cli-'));
    const appId = '0b6f7c5e-1111-4aaa-8bbb-000000000003';
    const def = {
      name: 'echo',
      version: '1.0.0',
      app: { '*': appId },
      dsl: { version: '0.3.1', kind: 'app', app: { name: 'echo', mode: 'workflow' } },
    };
    writeFileSync(join(dir, 'echo.json'), JSON.stringify(def));
    writeFileSync(join(dir, 'rules.txt'), JSON.stringify({ [appId]: [{ when: { inputs: { q: 'a' } }, tokens: 9 }] }));
    const { child, ready, exited } = startCli(['--port', '0', '--seed', dir, '--rules', join(dir, 'rules.txt')], 5);
    const lines = await ready;
    expect(lines).toContain(`rules for app ${appId}: 1`);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
