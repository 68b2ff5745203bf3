// Failures of the git and GitHub boundary, as UserErrors. Each carries what happened (the command
// or endpoint, git's stderr or GitHub's message) and, in `hint`, what the user should do next;
// src/support/errors.ts prints both on one line.
import { UserError } from '../support/errors.js';

export type GitErrorCode = 'git.missing' | 'git.unknown-ref' | 'git.invalid-ref' | 'git.tag-conflict' | 'git.failed';
export type GitError = UserError<GitErrorCode>;
export type GitHubError = UserError<'github.http'>;

export function gitError(
  message: string,
  details: { code: GitErrorCode; args: readonly string[]; exitCode?: number | null; stderr?: string; hint?: string },
): GitError {
  return new UserError(details.code, message, {
    hint: details.hint,
    details: { args: details.args, exitCode: details.exitCode ?? null, stderr: details.stderr ?? '' },
  });
}

export function gitHubError(message: string, details: { status: number; endpoint: string; hint?: string }): GitHubError {
  return new UserError('github.http', message, { hint: details.hint, details: { status: details.status, endpoint: details.endpoint } });
}
