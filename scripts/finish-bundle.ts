// `node --import tsx scripts/finish-bundle.ts DIR`, the step of `npm run build` after ncc:
// 1. ncc minifies the bundle's main file only; the files it splits off (the online commands, undici,
//    libsodium) come out as written. esbuild minifies each in place and chains its source map onto
//    ncc's, so stack traces from any file still point at our sources.
// 2. ncc makes the main file import sourcemap-register.cjs first thing, which costs every start ~5 ms
//    to map stack traces we print only when debugging. The import is blanked (same length, so the
//    source map's columns hold) and src/support/stack-traces.ts loads it before printing a stack.
// See docs/decisions/0006.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';

const REGISTER = "import './sourcemap-register.cjs';";

export async function minifyChunks(dist: string): Promise<string[]> {
  const chunks = (await readdir(dist)).filter((name) => /^\d+\.index\.js$/.test(name));
  await build({
    entryPoints: chunks.map((name) => path.join(dist, name)),
    outdir: dist,
    allowOverwrite: true,
    bundle: false,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'es2022',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  return chunks;
}

export async function deferSourceMapRegister(dist: string): Promise<void> {
  const file = path.join(dist, 'index.js');
  const code = await readFile(file, 'utf8');
  if (!code.startsWith(REGISTER)) throw new Error(`${file} does not start with ${REGISTER}: did ncc change?`);
  await writeFile(file, `/*${' '.repeat(REGISTER.length - 4)}*/${code.slice(REGISTER.length)}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dist = process.argv[2] ?? 'dist';
  const chunks = await minifyChunks(dist);
  await deferSourceMapRegister(dist);
  process.stdout.write(`minified ${chunks.length} split-off bundle files; source-map support loads on demand\n`);
}
