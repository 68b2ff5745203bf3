// The committed bundle stays lean, starts without what its command does not use, and ships the
// licence of everything it contains.
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundledPackageDirs } from '../../scripts/licenses.js';
import { spawnNode } from '../support/run-action.js';

const dist = path.resolve(import.meta.dirname, '../../dist');

describe('dist/', () => {
  it('index.js is at most 1.5 MB (minified; the source map is beside it)', () => {
    expect(statSync(path.join(dist, 'index.js')).size).toBeLessThanOrEqual(1.5 * 1024 * 1024);
  });

  it('licenses.txt names every package whose code the source maps place in the bundle', () => {
    const licenses = readFileSync(path.join(dist, 'licenses.txt'), 'utf8');
    const dirs = bundledPackageDirs(dist);
    // The packages we know are bundled, so an empty list (maps not read) cannot pass.
    expect(dirs).toEqual(expect.arrayContaining(['node_modules/undici', 'node_modules/yaml', 'node_modules/libsodium']));
    for (const dir of dirs) {
      const { name, version } = JSON.parse(readFileSync(path.join(dist, '..', dir, 'package.json'), 'utf8'));
      expect(licenses, `${name}@${version} is bundled but missing from dist/licenses.txt`).toContain(`${name}@${version}\n`);
    }
  });

  it('holds one copy of undici', () => {
    const copies = bundledPackageDirs(dist).filter((dir) => dir.endsWith('node_modules/undici'));
    expect(copies).toEqual(['node_modules/undici']);
  });

  it('every file ncc splits off is minified too, with a source map that points at our sources', async () => {
    const chunks = (await readdir(dist)).filter((name) => /^\d+\.index\.js$/.test(name));
    expect(chunks.length).toBeGreaterThan(0);
    for (const name of chunks) {
      const code = readFileSync(path.join(dist, name), 'utf8');
      // ncc's unminified chunks keep webpack's `/***/` module banners and every comment.
      expect(code, `${name} is not minified`).not.toMatch(/\/\*\*\*\/|^\s*\/\/ /m);
      expect(code).toContain(`//# sourceMappingURL=${name}.map`);
      const map = JSON.parse(readFileSync(path.join(dist, `${name}.map`), 'utf8')) as { sources: string[] };
      expect(map.sources.every((source) => !source.startsWith(`${name}`))).toBe(true);
    }
    const online = JSON.parse(
      readFileSync(
        path.join(dist, chunks.find((name) => readFileSync(path.join(dist, name), 'utf8').includes('runDeploy'))! + '.map'),
        'utf8',
      ),
    ) as { sources: string[] };
    expect(online.sources).toContain('../src/commands/deploy.ts');
  });

  it('a validate starts without the HTTP stack, git, node:crypto or libsodium (cold start)', async () => {
    const workspace = await mkdtemp(path.join(tmpdir(), 'cold-path-'));
    const probe = path.join(workspace, 'loaded.cjs');
    try {
      await mkdir(path.join(workspace, 'workflows'));
      // The example definitions (a .dify.yml among them): a validate that reads, parses and checks real files.
      for (const name of await readdir(path.join(dist, '../workflows')))
        await writeFile(path.join(workspace, 'workflows', name), readFileSync(path.join(dist, '../workflows', name)));
      await writeFile(probe, "process.on('exit', () => process.stderr.write('LOADED ' + JSON.stringify(process.moduleLoadList) + '\\n'));");
      const env = { PATH: process.env.PATH ?? '', GITHUB_WORKSPACE: workspace, INPUT_COMMAND: 'validate' };
      const run = await spawnNode(['--require', probe, path.join(dist, 'index.js')], workspace, env, 30_000);
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(run.stdout).toContain('definitions');
      const loaded = JSON.parse(/LOADED (.*)/.exec(run.stderr)![1]) as string[];
      const builtins = loaded.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice('NativeModule '.length));
      expect(builtins).toContain('fs/promises'); // the probe sees what the run loaded
      // undici needs http and tls (net too, but a piped stdout loads that); git runs through
      // child_process; hashing and libsodium need crypto.
      for (const heavy of ['http', 'tls', 'child_process', 'crypto', 'zlib'])
        expect(builtins, `validate loaded node:${heavy}`).not.toContain(heavy);
    } finally {
      await rm(workspace, { recursive: true, force: true });
    }
  });

  it('a debug stack from a split-off file points at src/ lines (source-map support loads on demand)', async () => {
    const workspace = await mkdtemp(path.join(tmpdir(), 'stack-'));
    try {
      await mkdir(path.join(workspace, 'workflows'));
      await writeFile(
        path.join(workspace, 'workflows', 'passthrough.json'),
        readFileSync(path.join(dist, '../workflows/passthrough.json')),
      );
      const env = {
        PATH: process.env.PATH ?? '',
        DIFY_GITOPS_CLI: '1',
        DIFY_GITOPS_DEBUG: '1',
        DIFY_URL: 'http://127.0.0.1:1',
        DIFY_EMAIL: 'ops@example.com',
        DIFY_PASSWORD: 'not-a-real-password',
      };
      const run = await spawnNode([path.join(dist, 'index.js'), 'plan', '--dir', 'workflows'], workspace, env, 30_000);
      expect(run.code).toBe(1);
      // The client lives in a file ncc split off and esbuild minified: its frames still name src/.
      expect(run.stderr).toMatch(/at .*src\/dify\/http\.ts:\d+/);
      expect(run.stderr).not.toMatch(/at .*dist\/\d+\.index\.js/);
    } finally {
      await rm(workspace, { recursive: true, force: true });
    }
  });
});
