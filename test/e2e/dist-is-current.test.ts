// dist/ is committed and is what the runner executes: it must be exactly what the source builds.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const NCC = path.join(root, 'node_modules/@vercel/ncc/dist/ncc/cli.js');

/** package.json's build script as argument lists: `ncc build … && node … scripts/licenses.ts dist`. */
function buildSteps(): string[][] {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: { build: string } };
  const steps = pkg.scripts.build.split(' && ').map((step) => step.trim().split(/\s+/));
  for (const [tool] of steps) if (tool !== 'ncc' && tool !== 'node') throw new Error(`build step ${tool} is not mirrored here`);
  return steps;
}

describe('dist/', () => {
  it('is the ncc bundle of the current src/ (run "npm run build" and commit dist/)', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'dist-check-'));
    try {
      // Exactly `npm run build`, written to `out` instead of dist/.
      for (const step of buildSteps()) {
        const [tool, ...args] = step.map((word) => (word === 'dist' ? out : word));
        const argv = tool === 'ncc' ? [NCC, ...args, '-q'] : args;
        await run(process.execPath, argv, { cwd: root });
      }
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
