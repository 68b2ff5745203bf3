// What every stage of a deploy, rollback or rotation receives: the two boundaries (Dify, git/GitHub),
// where to report, and the run's fixed facts. Built once per run by the command.
import type { DifyConsole, DifyService } from '../dify/types.js';
import type { Git } from '../git/git.js';
import type { GitHub } from '../git/github.js';
import type { ReportSink } from '../report/sink.js';
import type { Clock } from '../support/clock.js';
import type { LedgerStore } from '../rotation/ledger-store.js';
import type { Cancellation } from '../support/cancellation.js';

export interface StageContext {
  /** The environment every definition of the run goes to. */
  environment: string;
  /** Repository root: manual commands name backup files relative to it. */
  root: string;
  /** Link to this run, for releases and deployment records. */
  runUrl?: string;
  dify: DifyConsole;
  /** A service-API client for an app key (keys are per app). */
  service(apiKey: string): DifyService;
  git: Git;
  /** Present only when a GitHub token and repository are configured. */
  github?: GitHub;
  sink: ReportSink;
  /** The commit being deployed. */
  commit: string;
  /** Where secret values are read from (process.env in production). */
  env: Record<string, string | undefined>;
  /** Smoke-check retries each definition may spend on flaky runs. */
  smokeRetryBudget: number;
  /** The rotation ledger, when one is readable: smoke checks use the newest key it knows. */
  keyLedger?: LedgerStore;
  /** Waits between restore attempts; the system clock when absent (tests pass a virtual one). */
  clock?: Clock;
  /** The job being cancelled (deploy, rollback, rotate-keys): start nothing new, undo what is half done. */
  cancel?: Cancellation;
  /** Where recovery commands are run: the rollback workflow (action) or the CLI (the default). */
  surface?: 'action' | 'cli';
}
