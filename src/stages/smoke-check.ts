// Prove a published app healthy through Dify's service API, the way its consumers call it.
import { registerSecret } from '../support/redact.js';
import type { Definition, SmokeCheck } from '../definition/types.js';
import type { DifyConsole, DifyService, RunResult } from '../dify/types.js';
import { checkExpectations } from './smoke-expect.js';
import type { LedgerEntry } from '../rotation/ledger.js';
import { pickSmokeKey } from '../rotation/smoke-key.js';

export interface CheckOutcome {
  name: string;
  passed: boolean;
  /** Runs made, first included; more than one means the retry budget was used. */
  attempts: number;
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
 * Run every smoke check. A failing check may be re-run while the definition's retry budget lasts
 * (model calls are flaky); the budget is shared by all checks so a broken app fails fast.
 */
export async function runSmokeChecks(
  definition: Definition,
  service: DifyService,
  options: { retryBudget: number; onProgress?: (line: string) => void },
): Promise<HealthReport> {
  const checks = definition.smoke ?? [];
  if (checks.length === 0) return probeParameters(service);
  let budget = options.retryBudget;
  const outcomes: CheckOutcome[] = [];
  for (const check of checks) {
    let attempts = 0;
    let outcome: CheckOutcome;
    for (;;) {
      attempts++;
      outcome = await runOne(definition, check, service, attempts);
      if (outcome.passed || budget === 0) break;
      budget--;
      options.onProgress?.(`  ↻ ${check.name}: ${outcome.failures[0]}; retrying (${budget} retr${budget === 1 ? 'y' : 'ies'} left)`);
    }
    options.onProgress?.(
      `  ${outcome.passed ? '✓' : '✗'} ${check.name} (${Math.round(outcome.elapsedMs)} ms${attempts > 1 ? `, ${attempts} attempts` : ''})`,
    );
    outcomes.push(outcome);
  }
  return { passed: outcomes.every((o) => o.passed), checks: outcomes, retriesUsed: options.retryBudget - budget };
}

async function runOne(definition: Definition, check: SmokeCheck, service: DifyService, attempts: number): Promise<CheckOutcome> {
  try {
    const run = await invoke(definition, check, service);
    const failures = checkExpectations(check, run);
    return { name: check.name, passed: failures.length === 0, attempts, elapsedMs: run.elapsedMs, failures };
  } catch (error) {
    return {
      name: check.name,
      passed: false,
      attempts,
      elapsedMs: 0,
      failures: [`the run could not be made: ${(error as Error).message}`],
    };
  }
}

/** Streaming where the mode allows it: it exercises the same path real chat clients use. */
function invoke(definition: Definition, check: SmokeCheck, service: DifyService): Promise<RunResult> {
  const mode = definition.dsl.app.mode;
  if (mode === 'workflow') return service.runWorkflow(check.inputs ?? {}, { stream: true });
  if (mode === 'advanced-chat' || mode === 'chat' || mode === 'agent-chat') {
    return service.sendChat(check.query ?? '', check.inputs ?? {}, { stream: true });
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
