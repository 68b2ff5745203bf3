// `node scripts/changelog-section.ts X.Y.Z`: prints the CHANGELOG.md section of that version, the
// body of its GitHub release (.github/workflows/release.yml). Plain TypeScript that Node 24 runs
// without a build (types are stripped), so the release job needs no `npm ci` for it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * The text under `## [version]` (Keep a Changelog), up to the next `## ` heading or the link
 * references at the end; trimmed. Throws when the section is missing or empty: a release without
 * notes is a release nobody can read.
 */
export function changelogSection(changelog: string, version: string): string {
  const lines = changelog.split(/\r?\n/);
  const heading = new RegExp(`^## \\[?v?${version.replace(/\./g, '\\.')}\\]?(\\s|$)`);
  const start = lines.findIndex((line) => heading.test(line));
  if (start === -1) throw new Error(`CHANGELOG.md has no "## [${version}]" section: add one before releasing ${version}`);
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((line) => /^## /.test(line) || /^\[[^\]]+\]:\s/.test(line));
  const body = (end === -1 ? rest : rest.slice(0, end)).join('\n').trim();
  if (!body) throw new Error(`The "## [${version}]" section of CHANGELOG.md is empty`);
  return body;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const version = process.argv[2];
  if (!version) throw new Error('usage: node scripts/changelog-section.ts X.Y.Z');
  const changelog = readFileSync(path.resolve(import.meta.dirname, '../CHANGELOG.md'), 'utf8');
  process.stdout.write(`${changelogSection(changelog, version)}\n`);
}
