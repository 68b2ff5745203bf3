// rotate-keys from a terminal (bin/dify-gitops.js → dist/): the key goes only to a 0600 key file,
// the ledger to a state file beside it, and nothing with a key in it reaches the terminal.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { createDeployWorld, echoDefinition, type DeployWorld, runCli } from '../support/deploy-world.js';

const A = '11111111-1111-4111-8111-111111111111';
let world: DeployWorld | undefined;
let dir: string | undefined;
afterEach(async () => {
  await world?.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
  world = undefined;
  dir = undefined;
});

const cli = runCli;

describe('CLI: rotate-keys', () => {
  it('writes the new key only to a 0600 key file and keeps the ledger beside it', async () => {
    world = await createDeployWorld();
    const d = echoDefinition('alpha', A);
    world.emulator.seedApp({ id: A, mode: 'workflow', name: 'alpha', dsl: stringify(d.dsl), published: true });
    await world.commit([d]);
    dir = await mkdtemp(path.join(tmpdir(), 'cli-keys-'));
    const keyFile = path.join(dir, 'alpha.key');
    const keys = () => world!.emulator.state().apps.find((a) => a.id === A)!.api_keys;

    const first = await cli(world, ['rotate-keys', '--workflow', 'alpha', '--key-file', keyFile, '--grace', '0s']);
    expect(first.code, first.stderr + first.stdout).toBe(0);
    const token1 = (await readFile(keyFile, 'utf8')).trim();
    expect(keys().map((k) => k.token)).toContain(token1);
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    const state = JSON.parse(await readFile(`${keyFile}.state.json`, 'utf8'));
    const id1 = keys().find((k) => k.token === token1)!.id;
    expect(state).toEqual({ 'alpha/production': { current: id1, created: [{ id: id1, created_at: expect.any(String) }] } });
    expect((await stat(`${keyFile}.state.json`)).mode & 0o777).toBe(0o600);
    expect(first.stdout).toMatch(/handed to key file .*alpha\.key/);

    // With no grace the first key goes as soon as the second is verified and in the file.
    const second = await cli(world, ['rotate-keys', '--workflow', 'alpha', '--key-file', keyFile, '--grace', '0s']);
    expect(second.code, second.stderr + second.stdout).toBe(0);
    const token2 = (await readFile(keyFile, 'utf8')).trim();
    expect(token2).not.toBe(token1);
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    expect(keys().map((k) => k.token)).not.toContain(token1);
    expect(keys()).toHaveLength(2); // the hand-made key and the new one
    expect(second.stdout).toContain(`revoked key ${id1}`);

    for (const run of [first, second]) {
      const printed = run.stdout + run.stderr;
      for (const token of [token1, token2, ...keys().map((k) => k.token)]) expect(printed).not.toContain(token);
      expect(printed).not.toMatch(/app-[A-Za-z0-9]{24}|add-mask/);
    }
  });

  it('refuses to run without somewhere to put the key, before touching Dify', async () => {
    world = await createDeployWorld();
    const d = echoDefinition('alpha', A);
    world.seed(d);
    await world.commit([d]);
    const run = await cli(world, ['rotate-keys', '--workflow', 'alpha']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/rotate-keys never prints a key: pass --key-file PATH \(written with mode 0600\) or --secret-name NAME/);
    expect(world.emulator.state().requests).toEqual([]);
  });
});
