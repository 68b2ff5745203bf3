// Run the committed bundle the way the GitHub runner does: inputs as INPUT_* variables,
// outputs and summary through the files GITHUB_OUTPUT and GITHUB_STEP_SUMMARY name.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { constants, tmpdir } from 'node:os';
import path from 'node:path';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
const DIST = path.join(REPO_ROOT, 'dist/index.js');

export interface ActionRun {
  code: number;
  stdout: string;
  stderr: string;
  summary: string;
  outputs: Record<string, string>;
  /** Set when a signal ended the process (it did not exit by itself). */
  signal?: NodeJS.Signals;
}

export interface ActionOptions {
  workspace: string;
  inputs: Record<string, string>;
  env?: Record<string, string>;
  timeoutMs?: number;
}

/**
 * The committed bundle, as the runner starts it. DIFY_GITOPS_ACTION_ENTRY=source runs src/index.ts
 * through tsx instead: a change can then be tried (the demo, say) before dist/ is rebuilt.
 */
function entryArgs(): string[] {
  return process.env.DIFY_GITOPS_ACTION_ENTRY === 'source'
    ? ['--import', import.meta.resolve('tsx'), path.join(REPO_ROOT, 'src/index.ts')]
    : [DIST];
}

export async function runAction(options: ActionOptions): Promise<ActionRun> {
  return (await startAction(options)).done;
}

/** The action as a running child, so a test can signal it (as the runner does on cancel) before it ends. */
export interface StartedAction {
  child: ChildProcess;
  done: Promise<ActionRun>;
}

export async function startAction(options: ActionOptions): Promise<StartedAction> {
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
  const { child, done } = startNode(entryArgs(), options.workspace, env, options.timeoutMs ?? 60_000);
  const finish = async (): Promise<ActionRun> => {
    try {
      const { code, stdout, stderr, signal } = await done;
      return {
        code,
        signal,
        stdout,
        stderr,
        summary: await readFile(summaryFile, 'utf8'),
        outputs: parseOutputFile(await readFile(outputFile, 'utf8')),
      };
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  };
  return { child, done: finish() };
}

/** Run `node <args>` with the current Node (24 under npm test). */
export function spawnNode(
  args: string[],
  cwd: string,
  env: Record<string, string>,
  timeoutMs: number,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return startNode(args, cwd, env, timeoutMs).done;
}

/** `spawnNode` with the child in hand: tests send it signals. A signal death reports code 128 + n, as a shell would. */
export function startNode(
  args: string[],
  cwd: string,
  env: Record<string, string>,
  timeoutMs: number,
): { child: ChildProcess; done: Promise<{ code: number; stdout: string; stderr: string; signal?: NodeJS.Signals }> } {
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const done = new Promise<{ code: number; stdout: string; stderr: string; signal?: NodeJS.Signals }>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0), stdout, stderr, signal: signal ?? undefined });
    });
  });
  return { child, done };
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
