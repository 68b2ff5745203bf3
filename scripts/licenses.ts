// `node --import tsx scripts/licenses.ts DIR` (the second half of `npm run build`): writes
// DIR/licenses.txt with the licence of every package whose code is in the bundle. The bundle's
// source maps name each file it holds, so nested packages (libsodium inside libsodium-wrappers)
// are found too, where ncc's --license only listed the packages it resolved first.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = path.resolve(import.meta.dirname, '..');

export interface BundledPackage {
  name: string;
  version: string;
  license: string;
  /** The package's LICENSE (or LICENCE, COPYING) file, or null when it ships none. */
  text: string | null;
}

/** Package directories (relative to the repository) named by the `sources` of DIR's source maps. */
export function bundledPackageDirs(dir: string): string[] {
  const dirs = new Set<string>();
  for (const file of readdirSync(dir).filter((name) => /\.c?js\.map$/.test(name))) {
    const { sources } = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as { sources: string[] };
    for (const source of sources) {
      const match = /^(?:\.\.?\/)*((?:.*\/)?node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(source);
      if (match) dirs.add(match[1]);
    }
  }
  return [...dirs].sort();
}

function readPackage(dir: string): BundledPackage {
  const manifest = JSON.parse(readFileSync(path.join(ROOT, dir, 'package.json'), 'utf8')) as {
    name: string;
    version: string;
    license?: string;
  };
  const licenseFile = readdirSync(path.join(ROOT, dir))
    .sort()
    .find((name) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(name));
  return {
    name: manifest.name,
    version: manifest.version,
    license: manifest.license ?? 'UNKNOWN',
    text: licenseFile ? readFileSync(path.join(ROOT, dir, licenseFile), 'utf8').trim() : null,
  };
}

export function renderLicenses(packages: BundledPackage[]): string {
  const entries = [...packages]
    .sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version))
    .map((p) => `${p.name}@${p.version}\n${p.license}\n${p.text ?? `(the package ships no licence file; package.json says ${p.license})`}`);
  return `${entries.join('\n\n')}\n`;
}

export function writeLicenses(dir: string): BundledPackage[] {
  const packages = bundledPackageDirs(dir).map(readPackage);
  writeFileSync(path.join(dir, 'licenses.txt'), renderLicenses(packages));
  return packages;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dir = path.resolve(process.argv[2] ?? 'dist');
  if (!existsSync(dir)) throw new Error(`${dir} does not exist: build first`);
  const packages = writeLicenses(dir);
  process.stdout.write(`licenses.txt: ${packages.length} bundled packages\n`);
}
