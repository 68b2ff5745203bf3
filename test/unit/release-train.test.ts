// What a release is made of: the changelog section that becomes its notes, the action's
// Marketplace metadata, and the files the npm package ships.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { changelogSection } from '../../scripts/changelog-section.js';

const root = path.resolve(import.meta.dirname, '../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
const pkg = JSON.parse(read('package.json')) as { version: string; private?: boolean; dependencies?: object };

describe('changelogSection', () => {
  const changelog = [
    '# Changelog',
    '',
    '## [Unreleased]',
    '- next',
    '',
    '## [1.2.0] - 2026-01-02',
    '### Added',
    '- one',
    '',
    '## [1.1.0]',
    '- older',
    '',
    '[Unreleased]: https://example.com/compare/v1.2.0...HEAD',
    '[1.2.0]: https://example.com/releases/tag/v1.2.0',
  ].join('\n');

  it.each([
    ['1.2.0', '### Added\n- one'],
    ['1.1.0', '- older'],
    ['Unreleased', '- next'],
  ])('%s: the text up to the next section or the link references', (version, body) => {
    expect(changelogSection(changelog, version)).toBe(body);
  });

  it('refuses a version without a section, and an empty one', () => {
    expect(() => changelogSection(changelog, '1.3.0')).toThrow(/no "## \[1.3.0\]" section/);
    expect(() => changelogSection('## [2.0.0]\n\n## [1.0.0]\n- x\n', '2.0.0')).toThrow(/is empty/);
    // 1.2.0 must not match 1.2.0-rc.1 or 1.2.01.
    expect(() => changelogSection('## [1.2.01]\n- x\n', '1.2.0')).toThrow();
  });

  it("the repository's CHANGELOG.md has a section for the current version", () => {
    expect(changelogSection(read('CHANGELOG.md'), pkg.version)).not.toBe('');
    expect(changelogSection(read('CHANGELOG.md'), 'Unreleased')).not.toBe('');
  });
});

describe('action.yml Marketplace metadata', () => {
  it('has a name, a description of at most 125 characters, an author and branding', () => {
    const action = parse(read('action.yml')) as Record<string, unknown> & { branding?: { icon?: string; color?: string } };
    expect(action.name).toBeTruthy();
    expect(String(action.description).length).toBeLessThanOrEqual(125);
    expect(action.author).toBeTruthy();
    expect(action.branding?.icon && action.branding.color).toBeTruthy();
  });
});

describe('the npm package', () => {
  it('is public, needs no runtime dependencies and ships only what runs', async () => {
    expect(pkg.private).toBeUndefined();
    expect(pkg.dependencies).toBeUndefined(); // dist/ is self-contained: npx installs one package
    const { stdout } = await promisify(execFile)('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root });
    const files = (JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>)[0].files.map((f) => f.path).sort();
    const allowed = /^(bin\/dify-gitops\.js|dist\/[^/]+|schema\/definition\.schema\.json|README\.md|LICENSE|CHANGELOG\.md|package\.json)$/;
    expect(files.filter((file) => !allowed.test(file))).toEqual([]);
    for (const file of ['bin/dify-gitops.js', 'dist/index.js', 'dist/licenses.txt', 'LICENSE', 'CHANGELOG.md', 'README.md']) {
      expect(files).toContain(file);
    }
  }, 60_000);
});
