// Typed failures of the git and GitHub boundary. Each carries what happened (the command or
// endpoint, git's stderr or GitHub's message) and, in `hint`, what the user should do next;
// src/support/errors.ts prints both on one line.

export type GitErrorCode =
  /** git itself could not be started. */
  | 'git-missing'
  /** A commit, tag or ref the caller named does not exist here (callers may fall back). */
  | 'unknown-ref'
  /** A tag or ref name git (or we) refuse as unsafe or malformed. */
  | 'invalid-ref'
  /** The release tag already exists and points at another commit. */
  | 'tag-conflict'
  /** Any other non-zero exit. */
  | 'command-failed';

export class GitError extends Error {
  override name = 'GitError';
  readonly code: GitErrorCode;
  /** The arguments given to `git` (never a shell string). */
  readonly args: readonly string[];
  readonly exitCode: number | null;
  readonly stderr: string;
  readonly hint?: string;

  constructor(
    message: string,
    details: { code: GitErrorCode; args: readonly string[]; exitCode?: number | null; stderr?: string; hint?: string },
  ) {
    super(message);
    this.code = details.code;
    this.args = details.args;
    this.exitCode = details.exitCode ?? null;
    this.stderr = details.stderr ?? '';
    this.hint = details.hint;
  }
}

export class GitHubError extends Error {
  override name = 'GitHubError';
  /** HTTP status; 0 when GitHub could not be reached at all. */
  readonly status: number;
  /** Method and route template, e.g. `POST /repos/{owner}/{repo}/releases`. */
  readonly endpoint: string;
  readonly hint?: string;

  constructor(message: string, details: { status: number; endpoint: string; hint?: string }) {
    super(message);
    this.status = details.status;
    this.endpoint = details.endpoint;
    this.hint = details.hint;
  }
}
