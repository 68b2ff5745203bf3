// Whether one run meets an eval case's `expect`: pure, so it is tested table-driven. The checks a
// smoke check also has are judged by the smoke checker (the same forgiving JSON parse included).
import { isDeepStrictEqual } from 'node:util';
import type { EvalCase } from '../definition/types.js';
import type { RunResult } from '../dify/types.js';
import { checkExpectations } from './smoke-expect.js';

/** Every way the run missed the case's expectations; empty when it passed. */
export function judgeEvalCase(evalCase: EvalCase, run: RunResult): string[] {
  const { equals, regex, max_tokens: maxTokens, ...shared } = evalCase.expect ?? {};
  const failures = checkExpectations({ name: evalCase.name, inputs: evalCase.inputs, expect: shared }, run);
  const outputs = outputsOf(run);
  for (const [field, want] of Object.entries(equals ?? {})) {
    if (!isDeepStrictEqual(outputs[field], want)) {
      failures.push(`output "${field}" is ${show(outputs[field])}, expected ${show(want)}`);
    }
  }
  for (const [field, pattern] of Object.entries(regex ?? {})) {
    const value = outputs[field];
    const text = typeof value === 'string' ? value : JSON.stringify(value ?? null);
    // Validation compiled every pattern already; a pattern that still fails is reported, not thrown.
    let matched = false;
    try {
      matched = new RegExp(pattern, 'u').test(text);
    } catch (error) {
      failures.push(`pattern for "${field}" does not compile: ${(error as Error).message}`);
      continue;
    }
    if (!matched) failures.push(`output "${field}" does not match /${pattern}/ (got ${show(value)})`);
  }
  if (maxTokens !== undefined) {
    if (run.tokens === undefined) failures.push(`the run reported no token count, so max_tokens ${maxTokens} cannot be checked`);
    else if (run.tokens > maxTokens) failures.push(`used ${run.tokens} tokens, over the limit of ${maxTokens}`);
  }
  return failures;
}

/** A chat run's answer counts as the output "answer", as in smoke checks. */
function outputsOf(run: RunResult): Record<string, unknown> {
  return run.answer !== undefined && !('answer' in run.outputs) ? { ...run.outputs, answer: run.answer } : run.outputs;
}

function show(value: unknown): string {
  const text = value === undefined ? 'missing' : JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}
