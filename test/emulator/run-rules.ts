// Which scripted answer a run gets: a queued scripted run first (used up), else the first standing
// rule that matches the run's inputs, query, workflow version and content (kept for the next run).
import { isDeepStrictEqual } from 'node:util';
import { isObject } from './dsl.js';
import type { AppRecord, WorkflowRecord } from './state.js';
import type { RunRule, ScriptedRun } from './types.js';

export interface RunContext {
  inputs: Record<string, unknown>;
  query?: string;
  version: 'draft' | 'published';
  /** The workflow that runs; null for chat apps without a graph. */
  workflow: WorkflowRecord | null;
}

function matches(rule: RunRule, run: RunContext): boolean {
  const when = rule.when ?? {};
  if (when.version && when.version !== run.version) return false;
  if (when.query !== undefined && when.query !== run.query) return false;
  if (when.inputs && !Object.entries(when.inputs).every(([name, value]) => isDeepStrictEqual(run.inputs[name], value))) return false;
  if (when.workflow_contains !== undefined) {
    const text = run.workflow ? JSON.stringify(run.workflow.graph) : '';
    if (!text.includes(when.workflow_contains)) return false;
  }
  return true;
}

/** `everyApp`: rules given for app id "*", tried after the app's own (a preview app made during a test). */
export function pickScripted(app: AppRecord, run: RunContext, everyApp: RunRule[] = []): ScriptedRun | undefined {
  const queued = app.scripted.shift();
  if (queued) return queued;
  const rule = [...app.rules, ...everyApp].find((candidate) => matches(candidate, run));
  if (!rule) return undefined;
  const { when: _when, ...answer } = rule;
  return answer;
}

/** Refuses what a rule cannot mean, so a typo in a test fails loudly rather than never matching. */
export function checkRules(rules: unknown): RunRule[] {
  if (!Array.isArray(rules)) throw new Error('rules must be a list');
  for (const [i, rule] of rules.entries()) {
    if (!isObject(rule)) throw new Error(`rules[${i}] must be an object`);
    const when = rule.when;
    if (when !== undefined && !isObject(when)) throw new Error(`rules[${i}].when must be an object`);
    if (isObject(when) && when.version !== undefined && when.version !== 'draft' && when.version !== 'published') {
      throw new Error(`rules[${i}].when.version must be "draft" or "published"`);
    }
    if (isObject(when) && when.inputs !== undefined && !isObject(when.inputs)) throw new Error(`rules[${i}].when.inputs must be an object`);
    if (rule.tokens !== undefined && (typeof rule.tokens !== 'number' || rule.tokens < 0)) {
      throw new Error(`rules[${i}].tokens must be a number ≥ 0`);
    }
  }
  return rules as RunRule[];
}
