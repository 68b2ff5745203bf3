// Run the committed bundle the way the GitHub runner does: inputs as INPUT_* variables,
// outputs and summary through the files GITHUB_OUTPUT and GITHUB_STEP_SUMMARY name.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
const DIST = path.join(REPO_ROOT, 'dist/index.js');

export interface ActionRun {
  code: number;
  stdout: string;
  stderr: string;
  summary: string;
  outputs: Record<string, string>;
}

export async function runAction(options: {
  workspace: string;
  inputs: Record<string, string>;
  env?: Record<string, string>;
  timeoutMs?: number;
}): Promise<ActionRun> {
  const scratch = await mkdtemp(path.join(tmpdir(), 'runner-'));
  const summaryFile = path.join(scratch, 'summary.md');
  const outputFile = path.join(scratch, 'output');
  await Promise.all([writeFile(summaryFile, ''), writeFile(outputFile, '')]);
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? scratch,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: options.workspace,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_OUTPUT: outputFile,
    RUNNER_TEMP: scratch,
    ...options.env,
  };
  for (const [name, value] of Object.entries(options.inputs)) env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  try {
    const { code, stdout, stderr } = await spawnNode([DIST], options.workspace, env, options.timeoutMs ?? 60_000);
    return {
      code,
      stdout,
      stderr,
      summary: await readFile(summaryFile, 'utf8'),
      outputs: parseOutputFile(await readFile(outputFile, 'utf8')),
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Run `node <args>` with the current Node (24 under npm test). */
export function spawnNode(
  args: string[],
  cwd: string,
  env: Record<string, string>,
  timeoutMs: number,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}

/** The runner's output file format: `name<<DELIM\nvalue\nDELIM`. */
function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<]+)<<(.+)$/.exec(lines[i]);
    if (!m) continue;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i]);
    outputs[m[1]] = value.join('\n');
  }
  return outputs;
}
