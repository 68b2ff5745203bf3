// The committed bundle stays lean and ships the licence of everything it contains.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundledPackageDirs } from '../../scripts/licenses.js';

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
});
