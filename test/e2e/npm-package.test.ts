// The published CLI, as a user gets it: the packed tarball installed into an empty project, run with npx.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/run-action.js';

const run = promisify(execFile);

describe('the packed npm package', () => {
  it('installs into an empty directory; npx dify-gitops --version and deploy --help work, offline', async () => {
    const scratch = await mkdtemp(path.join(tmpdir(), 'npm-package-'));
    try {
      const packs = path.join(scratch, 'packs');
      const project = path.join(scratch, 'project');
      await Promise.all([mkdir(packs), mkdir(project)]);
      await run('npm', ['pack', '--ignore-scripts', '--pack-destination', packs], { cwd: REPO_ROOT });
      const [tarball] = await readdir(packs);
      await writeFile(path.join(project, 'package.json'), '{"name":"user-project","version":"1.0.0","private":true}\n');
      // No registry: the package has no runtime dependencies, so the tarball is all npm needs.
      const env = { ...process.env, npm_config_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false' };
      const install = await run('npm', ['install', path.join(packs, tarball)], { cwd: project, env });
      expect(install.stderr).not.toMatch(/EBADENGINE/);
      const version = await run('npx', ['--no-install', 'dify-gitops', '--version'], { cwd: project, env });
      const pkg = (await import(path.join(REPO_ROOT, 'package.json'), { with: { type: 'json' } })).default as { version: string };
      expect(version.stdout.trim()).toBe(pkg.version);
      const help = await run('npx', ['--no-install', 'dify-gitops', 'deploy', '--help'], { cwd: project, env });
      expect(help.stdout).toMatch(/^dify-gitops deploy: /);
      expect(help.stdout).toContain('--dry-run');
      expect(help.stdout).toMatch(/Example/i);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }, 120_000);
});
