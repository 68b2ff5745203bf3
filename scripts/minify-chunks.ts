// ncc minifies the bundle's main file only; the files it splits off (the online commands, undici,
// libsodium) come out as written. esbuild minifies each of them in place and chains its source map
// onto ncc's, so stack traces from any file still point at our sources (docs/decisions/0006).
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';

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

if (import.meta.url === `file://${process.argv[1]}`) {
  const chunks = await minifyChunks(process.argv[2] ?? 'dist');
  process.stdout.write(`minified ${chunks.length} split-off bundle files\n`);
}
