// A real, throw-away git repository with a bare `origin` next to it (as changesets/action's
// gitdir() does), so tests exercise git itself rather than a stand-in.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface TempRepo {
  /** The working clone (tests run commands here). */
  dir: string;
  /** Path of the bare repository configured as `origin`. */
  origin: string;
  /** Writes files (null deletes), commits everything, pushes main; returns the new commit's sha. */
  commit(files: Record<string, string | null>, message: string): Promise<string>;
  /** Runs git in `dir` with arguments (no shell); returns trimmed stdout. */
  git(args: string[]): Promise<string>;
  cleanup(): Promise<void>;
}

/** Runs git without a shell; rejects with git's stderr in the message. */
export async function runGit(cwd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await execFileAsync('git', args, { cwd, env: { ...process.env, LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0' } });
    return stdout.trim();
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`git ${args.join(' ')} failed in ${cwd}: ${stderr.trim() || (error as Error).message}`);
  }
}

export async function createTempRepo(): Promise<TempRepo> {
  // realpath: on macOS tmpdir is a symlink, and git reports resolved paths.
  const root = await realpath(await mkdtemp(join(tmpdir(), 'dify-gitops-git-')));
  const dir = join(root, 'work');
  const origin = join(root, 'origin.git');
  await mkdir(dir);
  await runGit(root, ['init', '--quiet', '--bare', '--initial-branch=main', origin]);
  await runGit(dir, ['init', '--quiet', '--initial-branch=main']);
  // Local settings win over whatever the developer's global config says (signing, hooks, names).
  const local: Array<[string, string]> = [
    ['user.name', 'Test Author'],
    ['user.email', 'test@example.com'],
    ['commit.gpgsign', 'false'],
    ['tag.gpgsign', 'false'],
    ['core.hooksPath', join(root, 'no-hooks')],
  ];
  for (const [key, value] of local) await runGit(dir, ['config', key, value]);
  await runGit(dir, ['remote', 'add', 'origin', origin]);

  const git = (args: string[]) => runGit(dir, args);
  return {
    dir,
    origin,
    git,
    async commit(files, message) {
      for (const [path, content] of Object.entries(files)) {
        const target = join(dir, path);
        if (content === null) await rm(target, { force: true });
        else {
          await mkdir(dirname(target), { recursive: true });
          await writeFile(target, content);
        }
      }
      await git(['add', '--all']);
      await git(['commit', '--quiet', '--allow-empty', '--message', message]);
      await git(['push', '--quiet', 'origin', 'main']);
      return git(['rev-parse', 'HEAD']);
    },
    async cleanup() {
      await rm(root, { recursive: true, force: true });
    },
  };
}
