// What a validate evaluates at start-up (docs/decisions/0006): the entry, settings, main and the
// validate command import no ajv, yaml, undici or @actions/exec; those load when first used.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

it('the entry and the validate command evaluate no ajv, yaml, undici or @actions/exec until used', async () => {
  const probe = [
    "const { createRequire } = await import('node:module');",
    "await import('./src/cli.ts'); await import('./src/main.ts'); await import('./src/commands/validate.ts');",
    'const cache = createRequire(import.meta.url).cache;',
    "console.log(JSON.stringify(Object.keys(cache).map((k) => k.split('node_modules/').pop().split('/').slice(0, 2).join('/'))));",
  ].join('\n');
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe], {
    cwd: root,
    env: { ...process.env, DIFY_GITOPS_CLI: '1' },
  });
  const loaded = JSON.parse(stdout.trim().split('\n').pop()!) as string[];
  // The probe sees CommonJS packages when they load (fast-json-stable-stringify is one, used at once).
  expect(loaded.some((m) => m.startsWith('fast-json-stable-stringify'))).toBe(true);
  for (const lazy of ['ajv/', 'yaml/', 'undici/', '@actions/exec', 'libsodium'])
    expect(
      loaded.filter((m) => m.startsWith(lazy)),
      `${lazy} evaluated at start-up`,
    ).toEqual([]);
}, 60_000);
