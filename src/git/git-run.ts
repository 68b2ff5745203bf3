// Runs one git command: argument arrays only (no shell ever sees them), quiet, and with the
// exit code handed back so each caller decides what a failure means.
import { type GitError, type GitErrorCode, gitError } from './errors.js';

export interface GitRunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export type RunGit = (args: string[], options?: { env?: Record<string, string>; input?: string }) => Promise<GitRunResult>;

export function createGitRunner(cwd: string, log?: (line: string) => void): RunGit {
  return async (args, options = {}) => {
    log?.(`git ${args.join(' ')}`);
    try {
      // Loaded with the first git command (its own bundle file): commands that run none skip it.
      const { getExecOutput } = await import('@actions/exec');
      return await getExecOutput('git', args, {
        cwd,
        silent: true,
        ignoreReturnCode: true,
        // English messages (the hints below match them) and never an interactive credential prompt,
        // which would hang a CI job until it times out.
        env: { ...stringEnv(process.env), LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0', ...options.env },
        input: options.input === undefined ? undefined : Buffer.from(options.input),
      });
    } catch (error) {
      throw gitError(`Could not run git ${args[0] ?? ''}: ${(error as Error).message}`, {
        code: 'git.missing',
        args,
        hint: 'Install git and make sure it is on PATH (GitHub-hosted runners have it).',
      });
    }
  };
}

/** The error for a failed command: what git said, and what to do about it when we recognise it. */
export function toGitError(args: readonly string[], result: GitRunResult, code: GitErrorCode = 'git.failed'): GitError {
  const stderr = result.stderr.trim();
  const said = stderr ? `: ${firstLines(stderr, 3)}` : '';
  return gitError(`git ${args.join(' ')} failed (exit ${result.exitCode})${said}`, {
    code,
    args,
    exitCode: result.exitCode,
    stderr,
    hint: hintForGitFailure(stderr),
  });
}

/** Refuses values that git would read as options: they can only come from a bug or a hostile input. */
export function assertNotOption(value: string, what: string): void {
  if (value === '' || value.startsWith('-') || value.includes('\0')) {
    throw gitError(`Refusing ${what} ${JSON.stringify(value)}: empty, starting with "-" or containing NUL`, {
      code: 'git.invalid-ref',
      args: [],
      hint: `Pass a plain ${what}; names starting with "-" would be read by git as options.`,
    });
  }
}

export function hintForGitFailure(stderr: string): string | undefined {
  const rules: Array<[RegExp, string]> = [
    [/not a git repository/i, 'Run inside a checkout of the repository (actions/checkout) or pass its directory.'],
    [
      /unknown revision|bad revision|bad object|invalid object name|not a valid object/i,
      'The commit is not in this clone; check out with `fetch-depth: 0` in actions/checkout so history and tags are present.',
    ],
    [/would clobber existing tag/i, 'A local tag differs from the remote one; delete the local tag (`git tag -d <tag>`) and fetch again.'],
    [/permission to .* denied|returned error: 403|error: 403/i, 'The token cannot push: give the job `permissions: contents: write`.'],
    [
      /could not read username|terminal prompts disabled|authentication failed/i,
      'git has no credentials for the remote: keep `persist-credentials: true` in actions/checkout (the default) or configure a token.',
    ],
    [
      /does not appear to be a git repository|no such remote/i,
      'Check the remote name (default `origin`) and that the checkout configured it.',
    ],
    [
      /please tell me who you are|unable to auto-detect email/i,
      'Set an identity first: `git config user.name …` and `git config user.email …`.',
    ],
  ];
  return rules.find(([pattern]) => pattern.test(stderr))?.[1];
}

function firstLines(text: string, count: number): string {
  const lines = text.split('\n');
  return lines.slice(0, count).join(' | ') + (lines.length > count ? ' …' : '');
}

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) out[key] = value;
  return out;
}
