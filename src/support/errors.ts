// Errors the user caused and can fix: one class, told apart by a stable `code`, printed as one
// clear line (never a stack trace). Callers decide on `code` or on `details`, never on the text:
// messages and hints are for people and may be reworded.

/** Every failure a user can act on. Stable: callers, tests and JSON output may rely on them. */
export type UserErrorCode =
  /** Bad inputs, flags or environment: nothing was done yet. */
  | 'usage'
  /** The definitions folder (or a file in it) cannot be read. */
  | 'definition.unreadable'
  /** A definition cannot be deployed to this environment (no app id, dataset id or secret value). */
  | 'definition.incomplete'
  /** The DSL given to `adopt` (or a pulled export) is not a Dify DSL we can read. */
  | 'dsl.invalid'
  /** Dify refused the credentials, or the session/token expired. */
  | 'dify.auth'
  /** Dify locked password logins after repeated failures. */
  | 'dify.locked'
  /** The account, token or app key lacks permission (HTTP 403). */
  | 'dify.forbidden'
  /** Any other answer from Dify we did not accept. */
  | 'dify.http'
  /** Dify could not be reached, or stopped answering: no HTTP status. */
  | 'dify.unreachable'
  | 'git.missing'
  /** A commit, tag or ref that does not exist here (callers may fall back). */
  | 'git.unknown-ref'
  /** A tag or ref name git (or we) refuse as unsafe or malformed. */
  | 'git.invalid-ref'
  /** The release tag already exists and points at another commit. */
  | 'git.tag-conflict'
  /** Any other failed git command. */
  | 'git.failed'
  | 'github.http'
  /** Dify would not take the import (pending DSL version, refused DSL, missing plugins). */
  | 'deploy.import'
  /** Published, but the smoke checks failed. */
  | 'deploy.smoke'
  /** Another run published the app while this one was importing. */
  | 'deploy.concurrent'
  /** What went live is not what this run imported (another import took the draft before our publish). */
  | 'deploy.raced'
  /** The job was cancelled (SIGINT/SIGTERM) before this definition was verified. */
  | 'deploy.cancelled'
  /** The candidate failed its eval gates: nothing was published. */
  | 'deploy.eval-gate'
  /** Evals cannot run here (an app mode without a draft, a sign-in without console draft runs). */
  | 'eval.unsupported'
  /** The version is already released with other content: releases are immutable. */
  | 'release.exists'
  /** The release asked for does not exist (other releases do). */
  | 'release.not-found'
  /** The definition has no release at all. */
  | 'snapshot.never-released'
  /** A release exists but its definition file cannot be read back from it. */
  | 'snapshot.unreadable'
  /** Restoring an earlier state failed (`details.final`: trying again would not help). */
  | 'restore.failed'
  | 'backup.unreadable'
  /** pull will not write what the live app holds. */
  | 'pull.refused'
  /** The new API key could not be handed to its consumers (`details.reachedSome`). */
  | 'keys.handoff'
  /** Dify's 10-keys limit is reached and no key may be deleted. */
  | 'keys.cap'
  /** The key ledger is damaged or cannot be stored. */
  | 'keys.ledger';

/** Where in the user's files the problem is. `file` is absent when the thrower holds a definition
 *  but not its path (the caller's outcome names the file). */
export interface ErrorLocation {
  file?: string;
  line?: number;
  column?: number;
  /** JSON pointer into the file, e.g. `/secrets/API_KEY`. */
  path?: string;
}

/** Which Dify surface a request went to: hints differ (an app key is not a console session). */
export type DifySurface = 'login' | 'console' | 'openapi' | 'service';

/** A Dify answer we did not accept. */
export interface DifyHttpDetails {
  /** HTTP status; 0 when the client refused before sending (bad input). */
  status: number;
  /** Dify's snake_case `code`, or one of ours (`non_json_response`, `api_keys_need_console`, …). */
  difyCode?: string;
  /** Dify's own `message`, redacted. */
  difyMessage?: string;
  method: string;
  /** Path without host, e.g. `/console/api/apps/{id}/export`. */
  path: string;
  surface?: DifySurface;
}

/** Why Dify could not be reached: decides both the retry and the hint. */
/** `aborted`: we gave up on the request ourselves (a run's deadline, or the job being cancelled). */
export type UnreachableReason = 'timeout' | 'reset' | 'refused' | 'dns' | 'tls' | 'network' | 'aborted';

export interface GitDetails {
  /** The arguments given to `git` (never a shell string); empty when git was not run. */
  args: readonly string[];
  exitCode: number | null;
  stderr: string;
}

/** The structured facts a code carries, for callers that decide on them. */
interface DetailsByCode {
  'dify.auth': DifyHttpDetails;
  'dify.locked': DifyHttpDetails;
  'dify.forbidden': DifyHttpDetails;
  'dify.http': DifyHttpDetails;
  'dify.unreachable': { url: string; method: string; reason: UnreachableReason };
  'git.missing': GitDetails;
  'git.unknown-ref': GitDetails;
  'git.invalid-ref': GitDetails;
  'git.tag-conflict': GitDetails;
  'git.failed': GitDetails;
  /** `status` is 0 when GitHub could not be reached; `endpoint` is e.g. `POST /repos/{owner}/{repo}/releases`. */
  'github.http': { status: number; endpoint: string };
  'restore.failed': { final: boolean };
  'keys.handoff': { reachedSome: boolean };
}

export type DetailsOf<C extends UserErrorCode> = C extends keyof DetailsByCode ? DetailsByCode[C] : undefined;

interface BaseOptions {
  /** What to do next. */
  hint?: string;
  location?: ErrorLocation;
  cause?: unknown;
}

export type UserErrorOptions<C extends UserErrorCode> = BaseOptions &
  (DetailsOf<C> extends undefined ? { details?: undefined } : { details: DetailsOf<C> });

export class UserError<C extends UserErrorCode = UserErrorCode> extends Error {
  override name = 'UserError';
  readonly code: C;
  readonly hint?: string;
  readonly location?: ErrorLocation;
  readonly details: DetailsOf<C>;

  constructor(code: C, message: string, ...[options]: DetailsOf<C> extends undefined ? [UserErrorOptions<C>?] : [UserErrorOptions<C>]) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options?.hint;
    this.location = options?.location;
    this.details = options?.details as DetailsOf<C>;
  }
}

/** Narrows to a UserError with one of `codes` (any code when none is given). */
export function isUserError<C extends UserErrorCode>(error: unknown, ...codes: C[]): error is UserError<C> {
  return error instanceof UserError && (codes.length === 0 || codes.includes(error.code as C));
}

/** The one line main.ts prints for any failure: where, message, then what to do next when we know it. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const user = error instanceof UserError ? error : undefined;
  const where = user?.location && formatLocation(user.location);
  const message = where ? `${where}: ${error.message}` : error.message;
  return user?.hint ? `${message}\n  → ${user.hint}` : message;
}

/** `file:line:column /json/path`; nothing without a file (the outcome around the error names it). */
function formatLocation(location: ErrorLocation): string | undefined {
  if (!location.file) return undefined;
  const at = [location.file, location.line, location.line === undefined ? undefined : location.column].filter((p) => p !== undefined);
  return location.path ? `${at.join(':')} ${location.path}` : at.join(':');
}
