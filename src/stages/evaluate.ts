// Run a definition's eval cases against the candidate (the app's draft, through Dify's console
// draft run) and against the live published version (the service API with the app's key), both
// sides at once, each with bounded concurrency; then compare them and apply the gates.
// Every request goes through the run's clients, so pacing and Retry-After hold for the eval too.
import type { Definition, EvalCase } from '../definition/types.js';
import type { DifyService, RunResult } from '../dify/types.js';
import { UserError } from '../support/errors.js';
import { mapLimit } from '../support/concurrency.js';
import type { StageContext } from './context.js';
import { type CaseRun, compareEval, type EvalComparison } from './eval-compare.js';
import { judgeEvalCase } from './eval-expect.js';
import { DEFAULT_RUN_DEADLINE_MS, smokeKeyFor } from './smoke-check.js';

/** Cases run at once against each side when the definition does not say (`evals.concurrency`). */
export const DEFAULT_EVAL_CONCURRENCY = 4;

type Runner = (evalCase: EvalCase, signal: AbortSignal) => Promise<RunResult>;

export interface EvaluateOptions {
  /** Whether a published version exists to compare with. */
  live: boolean;
  log: (line: string) => void;
  /** The live app, when the candidate runs in another (a pull request's preview app); default `appId`. */
  liveAppId?: string;
  /** Overrides `evals.concurrency`. */
  concurrency?: number;
  signal?: AbortSignal;
}

export async function evaluateCandidate(
  ctx: Pick<StageContext, 'dify' | 'service' | 'env' | 'environment' | 'keyLedger'>,
  definition: Definition,
  appId: string,
  options: EvaluateOptions,
): Promise<EvalComparison> {
  const cases = definition.evals?.cases ?? [];
  const mode = definition.dsl.app.mode;
  if (mode !== 'workflow' && mode !== 'advanced-chat') {
    throw new UserError(
      'eval.unsupported',
      `${definition.name} is a ${mode} app: only workflow and chatflow apps have a draft to evaluate.`,
      {
        hint: 'Remove its eval cases, or evaluate it by hand in Dify.',
      },
    );
  }
  const runDraft = ctx.dify.runDraft;
  if (!runDraft) {
    throw new UserError('eval.unsupported', "Evals run the candidate with Dify's console draft run, which this sign-in cannot reach.", {
      hint: 'Give dify-email and dify-password (or a console token) besides the dfoa_ token.',
    });
  }
  const limit = options.concurrency ?? definition.evals?.concurrency ?? DEFAULT_EVAL_CONCURRENCY;
  const candidate: Runner = (c, signal) => runDraft.call(ctx.dify, appId, { mode, inputs: c.inputs, query: c.query }, { signal });
  // Live runs as its consumers call it: the service API with the app's key, streamed.
  const service = options.live ? ctx.service(await smokeKeyFor(ctx, definition, options.liveAppId ?? appId)) : undefined;
  try {
    const live = service && liveRunner(service, mode);
    options.log(
      `eval: ${cases.length} case(s), ${limit} at a time, against the candidate${live ? ' and live' : ' (nothing live to compare with)'}`,
    );
    const [candidateRuns, liveRuns] = await Promise.all([
      runSide('candidate', cases, candidate, limit, options),
      live ? runSide('live', cases, live, limit, options) : Promise.resolve(undefined),
    ]);
    return compareEval(candidateRuns, liveRuns, definition.evals?.gates);
  } finally {
    await service?.close?.();
  }
}

function liveRunner(service: DifyService, mode: 'workflow' | 'advanced-chat'): Runner {
  return (c, signal) =>
    mode === 'workflow'
      ? service.runWorkflow(c.inputs, { stream: true, signal })
      : service.sendChat(c.query ?? '', c.inputs, { stream: true, signal });
}

function runSide(side: string, cases: EvalCase[], runner: Runner, limit: number, options: EvaluateOptions): Promise<CaseRun[]> {
  return mapLimit(cases, limit, async (evalCase) => {
    const run = await runOne(evalCase, runner, options.signal);
    options.log(
      `  ${run.passed ? '✓' : '✗'} ${side} · ${evalCase.name} (${Math.round(run.elapsedMs)} ms${run.tokens !== undefined ? `, ${run.tokens} tokens` : ''})${run.passed ? '' : `: ${run.failures[0]}`}`,
    );
    return run;
  });
}

/** One run under the smoke checks' hard deadline; a run that cannot be made is a failed case, not a failed eval. */
async function runOne(evalCase: EvalCase, runner: Runner, cancel: AbortSignal | undefined): Promise<CaseRun> {
  const started = performance.now();
  const deadline = AbortSignal.timeout(DEFAULT_RUN_DEADLINE_MS);
  const signal = cancel ? AbortSignal.any([deadline, cancel]) : deadline;
  try {
    const result = await runner(evalCase, signal);
    const failures = judgeEvalCase(evalCase, result);
    const run: CaseRun = { name: evalCase.name, passed: failures.length === 0, failures, elapsedMs: result.elapsedMs };
    if (result.tokens !== undefined) run.tokens = result.tokens;
    if (result.price) run.price = result.price;
    return run;
  } catch (error) {
    const why = deadline.aborted ? `no result within ${DEFAULT_RUN_DEADLINE_MS} ms` : (error as Error).message;
    return { name: evalCase.name, passed: false, failures: [`the run could not be made: ${why}`], elapsedMs: performance.now() - started };
  }
}
