// Prove a published app healthy through Dify's service API, the way its consumers call it.
// Every run has a hard deadline and says it is alive while it waits: a model call that hangs
// keeps Dify's stream open with pings forever, which no idle timeout ever notices.
import { registerSecret } from '../support/redact.js';
import type { Definition, SmokeCheck } from '../definition/types.js';
import type { DifyConsole, DifyService, RunResult } from '../dify/types.js';
import { checkExpectations } from './smoke-expect.js';
import type { LedgerEntry } from '../rotation/ledger.js';
import { pickSmokeKey } from '../rotation/smoke-key.js';
import type { StageContext } from './context.js';
import { serviceKeyVariable } from './target.js';

/** A run's deadline when its check sets no `max_latency_ms` (documented in the README and schema). */
export const DEFAULT_RUN_DEADLINE_MS = 120_000;
/** How often a run that is still going says so. */
export const HEARTBEAT_MS = 10_000;

export interface SmokeOptions {
  retryBudget: number;
  onProgress?: (line: string) => void;
  /** The job is being cancelled: abandon the run in progress, retry nothing, start no other check. */
  signal?: AbortSignal;
  /** Tests only: a shorter heartbeat. */
  heartbeatMs?: number;
}

export interface CheckOutcome {
  name: string;
  passed: boolean;
  /** Runs made, first included; more than one means the retry budget was used. */
  attempts: number;
  /** Wall time of the last run, as the log shows it. */
  elapsedMs: number;
  failures: string[];
}

export interface HealthReport {
  passed: boolean;
  checks: CheckOutcome[];
  /** Retries spent on flaky runs, reported so flakiness is visible rather than hidden. */
  retriesUsed: number;
}

/**
 * Reuse a key the app already has (the newest the rotation ledger knows, else the newest listed:
 * never the oldest, which a concurrent rotation revokes first); create one only when it has none.
 * Either way, mask it. The ledger is best-effort: unreadable, it is ignored.
 */
export async function obtainApiKey(dify: DifyConsole, appId: string, known?: () => Promise<LedgerEntry | undefined>): Promise<string> {
  const [keys, entry] = await Promise.all([dify.listApiKeys(appId), known?.().catch(() => undefined)]);
  const token = pickSmokeKey(keys, entry)?.token ?? (await dify.createApiKey(appId)).token;
  registerSecret(token);
  return token;
}

/**
 * The key smoke checks run with. A key the definition names (`service_key`: the environment variable
 * holding it, such as the secret rotate-keys hands it to) needs no console at all, which is what a
 * dfoa_ token alone can offer: /openapi has no API-key routes. Otherwise a key the app has, as above.
 */
export async function smokeKeyFor(
  ctx: Pick<StageContext, 'dify' | 'env' | 'environment' | 'keyLedger'>,
  definition: Pick<Definition, 'name' | 'service_key'>,
  appId: string,
): Promise<string> {
  const variable = serviceKeyVariable(definition, ctx.environment);
  const given = variable ? ctx.env[variable]?.trim() : undefined;
  // prepareTarget refused an unset one before anything was written.
  if (given) {
    registerSecret(given);
    return given;
  }
  const ledger = ctx.keyLedger;
  return obtainApiKey(ctx.dify, appId, ledger && (() => ledger.load({ name: definition.name, environment: ctx.environment })));
}

/**
 * Run every smoke check. A failing check may be re-run while the definition's retry budget lasts
 * (model calls are flaky); the budget is shared by all checks so a broken app fails fast.
 */
export async function runSmokeChecks(definition: Definition, service: DifyService, options: SmokeOptions): Promise<HealthReport> {
  const checks = definition.smoke ?? [];
  if (checks.length === 0) return probeParameters(service);
  const log = options.onProgress ?? (() => {});
  let budget = options.retryBudget;
  const outcomes: CheckOutcome[] = [];
  for (const check of checks) {
    if (options.signal?.aborted) {
      outcomes.push({ name: check.name, passed: false, attempts: 0, elapsedMs: 0, failures: ['not run: the job was cancelled'] });
      continue;
    }
    let attempts = 0;
    let outcome: CheckOutcome;
    for (;;) {
      attempts++;
      outcome = await runOne(definition, check, service, attempts, options);
      const verdict = outcome.passed ? 'passed' : `failed: ${outcome.failures[0]}`;
      log(`  ${outcome.passed ? '✓' : '✗'} ${check.name}, run ${attempts}: ${verdict} (${seconds(outcome.elapsedMs)})`);
      if (outcome.passed || budget === 0 || options.signal?.aborted) break;
      budget--;
      log(`  ↻ ${check.name}: retrying (${budget} retr${budget === 1 ? 'y' : 'ies'} left)`);
    }
    outcomes.push(outcome);
  }
  return { passed: outcomes.every((o) => o.passed), checks: outcomes, retriesUsed: options.retryBudget - budget };
}

/**
 * One run under a hard deadline (the check's max_latency_ms, else DEFAULT_RUN_DEADLINE_MS). Past it
 * the run is abandoned and Dify asked to stop it; that counts as a failed attempt. The deadline is
 * wall time: it guards a real open connection, which a virtual clock could not hurry.
 */
async function runOne(
  definition: Definition,
  check: SmokeCheck,
  service: DifyService,
  attempt: number,
  options: SmokeOptions,
): Promise<CheckOutcome> {
  const log = options.onProgress ?? (() => {});
  const deadlineMs = check.expect?.max_latency_ms ?? DEFAULT_RUN_DEADLINE_MS;
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  log(`  ▶ ${check.name}, run ${attempt}: started (deadline ${seconds(deadlineMs)})`);
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new Error(`no result within ${deadlineMs} ms`)), deadlineMs);
  const heartbeat = setInterval(
    () => log(`  … ${check.name}, run ${attempt}: still running, ${seconds(elapsed())}`),
    options.heartbeatMs ?? HEARTBEAT_MS,
  );
  const signal = options.signal ? AbortSignal.any([deadline.signal, options.signal]) : deadline.signal;
  const failed = (failure: string): CheckOutcome => ({
    name: check.name,
    passed: false,
    attempts: attempt,
    elapsedMs: elapsed(),
    failures: [failure],
  });
  try {
    const run = await invoke(definition, check, service, signal);
    const failures = checkExpectations(check, run);
    return { name: check.name, passed: failures.length === 0, attempts: attempt, elapsedMs: elapsed(), failures };
  } catch (error) {
    const message = (error as Error).message;
    if (deadline.signal.aborted)
      return failed(`no result within its deadline of ${deadlineMs} ms: abandoned after ${seconds(elapsed())} (${message})`);
    if (options.signal?.aborted) return failed(`abandoned after ${seconds(elapsed())}: the job was cancelled (${message})`);
    return failed(`the run could not be made: ${message}`);
  } finally {
    clearTimeout(timer);
    clearInterval(heartbeat);
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Streaming where the mode allows it: it exercises the same path real chat clients use. */
function invoke(definition: Definition, check: SmokeCheck, service: DifyService, signal: AbortSignal): Promise<RunResult> {
  const mode = definition.dsl.app.mode;
  if (mode === 'workflow') return service.runWorkflow(check.inputs ?? {}, { stream: true, signal });
  if (mode === 'advanced-chat' || mode === 'chat' || mode === 'agent-chat') {
    return service.sendChat(check.query ?? '', check.inputs ?? {}, { stream: true, signal });
  }
  throw new Error(`smoke checks are not supported for ${mode} apps yet`);
}

/** With no smoke checks, the least proof of health: the published app answers its parameters. */
async function probeParameters(service: DifyService): Promise<HealthReport> {
  const started = performance.now();
  try {
    await service.parameters();
    return {
      passed: true,
      retriesUsed: 0,
      checks: [{ name: 'GET /v1/parameters', passed: true, attempts: 1, elapsedMs: performance.now() - started, failures: [] }],
    };
  } catch (error) {
    return {
      passed: false,
      retriesUsed: 0,
      checks: [
        {
          name: 'GET /v1/parameters',
          passed: false,
          attempts: 1,
          elapsedMs: performance.now() - started,
          failures: [(error as Error).message],
        },
      ],
    };
  }
}

/** Passed / total / retries, for summaries. */
export function tallyHealth(health: HealthReport) {
  return { passed: health.checks.filter((c) => c.passed).length, total: health.checks.length, retries: health.retriesUsed };
}
