// `node --import tsx scripts/finish-bundle.ts DIR`, the step of `npm run build` after ncc:
// 1. ncc minifies the bundle's main file only; the files it splits off (the online commands, undici,
//    libsodium) come out as written. esbuild minifies each in place and chains its source map onto
//    ncc's, so stack traces from any file still point at our sources.
// 2. ncc makes the main file import sourcemap-register.cjs first thing, which costs every start ~5 ms
//    to map stack traces we print only when debugging. The import is blanked (same length, so the
//    source map's columns hold) and src/support/stack-traces.ts loads it before printing a stack.
// 3. ajv and yaml go in dist/vendor.cjs, which src/support/on-demand.cjs loads with Node's require
//    the first time either is used; ncc leaves them out of the main file (a start compiles less).
// See docs/decisions/0006.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';

const ROOT = path.resolve(import.meta.dirname, '..');

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

/** ajv and yaml as one CommonJS file beside the bundle, minified, with a source map into node_modules. */
export async function buildVendor(dist: string): Promise<void> {
  const { outputFiles } = await build({
    stdin: { contents: "module.exports = { ajv: require('ajv'), yaml: require('yaml') };", resolveDir: ROOT, loader: 'js' },
    outfile: path.join(dist, 'vendor.cjs'),
    bundle: true,
    minify: true,
    format: 'cjs',
    platform: 'node',
    target: 'es2022',
    sourcemap: 'linked',
    logLevel: 'warning',
    write: false,
  });
  for (const out of outputFiles) {
    // The map names sources as seen from dist/ in the repository, wherever this build writes it
    // (the dist-is-current test builds elsewhere and compares bytes; licenses.ts reads the paths).
    const text = out.path.endsWith('.map')
      ? JSON.stringify({
          ...JSON.parse(out.text),
          sources: (JSON.parse(out.text) as { sources: string[] }).sources.map((source) =>
            source.startsWith('.') ? path.relative(path.join(ROOT, 'dist'), path.resolve(dist, source)) : source,
          ),
        })
      : out.text;
    await writeFile(out.path, text);
  }
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
  await buildVendor(dist);
  await deferSourceMapRegister(dist);
  process.stdout.write(`minified ${chunks.length} split-off bundle files; vendor.cjs (ajv, yaml); source-map support loads on demand\n`);
}
