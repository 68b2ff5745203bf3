// The installed CLI (bin/ → the committed dist/) answers --version, help for every command, and
// a mistyped command with the nearest one.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/inputs.js';

const root = path.resolve(import.meta.dirname, '../..');
const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [path.join(root, 'bin/dify-gitops.js'), ...args], { cwd: root });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('dify-gitops CLI', () => {
  it.each(['--version', '-V'])('%s prints the version from package.json', async (flag) => {
    expect(await cli(flag)).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('help COMMAND and COMMAND --help answer for every command, with an example', async () => {
    for (const command of COMMANDS) {
      const [viaHelp, viaFlag] = await Promise.all([cli('help', command), cli(command, '--help')]);
      expect(viaHelp.code, command).toBe(0);
      expect(viaHelp.stdout).toContain(`dify-gitops ${command}: `);
      expect(viaHelp.stdout).toMatch(new RegExp(`Example:\\n  dify-gitops ${command}`));
      expect(viaFlag.stdout).toBe(viaHelp.stdout);
    }
  });

  it('suggests the nearest command for a mistyped one, without running anything', async () => {
    const run = await cli('deplyo', '--all');
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('error: unknown command "deplyo". Did you mean "deploy"?\nRun "dify-gitops help" for the commands.\n');
    expect((await cli('help', 'rotate-key')).stderr).toContain('Did you mean "rotate-keys"?');
    expect((await cli('frobnicate')).stderr).not.toContain('Did you mean');
  });
});
