// dist/ is committed and is what the runner executes: it must be exactly what the source builds.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');

describe('dist/', () => {
  it('is the ncc bundle of the current src/ (run "npm run build" and commit dist/)', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'dist-check-'));
    try {
      await run(
        process.execPath,
        [
          path.join(root, 'node_modules/@vercel/ncc/dist/ncc/cli.js'),
          'build',
          'src/index.ts',
          '-o',
          out,
          '--license',
          'licenses.txt',
          '--target',
          'es2022',
          '--transpile-only',
          '-q',
        ],
        { cwd: root },
      );
      const built = (await readdir(out)).sort();
      const committed = (await readdir(path.join(root, 'dist'))).sort();
      expect(committed).toEqual(built);
      for (const name of built) {
        const [a, b] = await Promise.all([readFile(path.join(out, name), 'utf8'), readFile(path.join(root, 'dist', name), 'utf8')]);
        expect(b === a, `dist/${name} differs from a fresh build: run "npm run build" and commit dist/`).toBe(true);
      }
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }, 120_000);
});
