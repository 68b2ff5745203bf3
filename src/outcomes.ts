// What a deploy or rollback ends with, per definition: the named result the summary, the outputs,
// the notifications and the exit code are all read from.

import type { EvalComparison } from './stages/eval-compare.js';

/** The terminal state of one definition in a run. Every failure ends in one of the last three. */
export type Result = 'deployed' | 'skipped' | 'would-deploy' | 'rolled-back' | 'failed' | 'restore-failed';

export interface DefinitionOutcome {
  name: string;
  version: string;
  file: string;
  environment: string;
  result: Result;
  tag?: string;
  /** Content hash of the deployed DSL (carried in the publish marks and the release). */
  hash?: string;
  /** The candidate's evals against live, when the definition has eval cases (the deploy's gate). */
  evaluation?: EvalComparison;
  /** Smoke checks passed / run, on the version that ended up live. */
  checks?: { passed: number; total: number; retries: number };
  durationMs: number;
  /** Why it did not deploy, and what to do. */
  error?: string;
  /** JSON pointer into the definition file the error is about, when known. */
  pointer?: string;
  backupFile?: string;
  /** Proof after a rollback: live hash equals the restored snapshot's. */
  restoredTo?: string;
  verifiedHash?: string;
  /** Exact command that finishes a restore by hand. */
  manualCommand?: string;
  notes: string[];
}

/** What a command hands back to main.ts: its exit code, its --json result, its one-line failure. */
export interface RunOutcome {
  exitCode: number;
  /** Machine-readable result for the CLI's --json. */
  json?: unknown;
  /** One line naming what failed, for the job's failure message. */
  failure?: string;
}
