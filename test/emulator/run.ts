// Deterministic "execution" of a published workflow: echo start inputs through end/answer nodes,
// apply conversation-variable assigners, and let a scripted run override the result.
import { isObject } from './dsl.js';
import { planPath, renderTemplate, resolveSelector, type PathStep, type Scope } from './graph.js';
import type { WorkflowRecord } from './state.js';
import type { ScriptedRun } from './types.js';

export interface NodeRun {
  step: PathStep;
  outputs: Record<string, unknown>;
}

export interface RunOutcome {
  status: 'succeeded' | 'failed' | 'stopped' | 'partial-succeeded';
  outputs: Record<string, unknown>;
  error: string | null;
  answer: string;
  latencyMs: number;
  /** What the run reports as `total_tokens`, and a chat run's price (a decimal string) and currency. */
  tokens: number;
  price: string;
  currency: string;
  streamError?: { code: string; message: string };
  nodes: NodeRun[];
  /** Conversation variables after the run (advanced-chat). */
  conversation: Record<string, unknown>;
}

export interface RunInput {
  inputs: Record<string, unknown>;
  sys: Record<string, unknown>;
  conversation: Record<string, unknown>;
}

function assign(node: PathStep['node'], scope: Scope): void {
  const data = node.data;
  const items: Array<Record<string, unknown>> = Array.isArray(data.items)
    ? (data.items as Array<Record<string, unknown>>)
    : [
        {
          variable_selector: data.assigned_variable_selector,
          operation: data.write_mode,
          input_type: 'variable',
          value: data.input_variable_selector,
        },
      ];
  for (const item of items) {
    const target = item.variable_selector;
    if (!Array.isArray(target) || target[0] !== 'conversation') continue;
    const name = String(target[1]);
    const incoming = item.input_type === 'variable' ? resolveSelector(item.value, scope) : item.value;
    const current = scope.conversation[name];
    switch (item.operation) {
      case 'clear':
        scope.conversation[name] = Array.isArray(current) ? [] : typeof current === 'string' ? '' : null;
        break;
      case 'append':
        scope.conversation[name] = [...(Array.isArray(current) ? current : []), incoming];
        break;
      default:
        scope.conversation[name] = incoming ?? null;
    }
  }
}

export function computeRun(workflow: WorkflowRecord, input: RunInput, scripted?: ScriptedRun): RunOutcome {
  const steps = planPath(workflow.graph);
  const scope: Scope = {
    startId: steps[0]?.node.id ?? null,
    inputs: input.inputs,
    sys: input.sys,
    conversation: { ...input.conversation },
    env: Object.fromEntries(workflow.environment_variables.map((v) => [v.name, v.value])),
  };
  const endOutputs: Record<string, unknown> = {};
  const answers: string[] = [];
  const nodes: NodeRun[] = steps.map((step) => {
    const { data } = step.node;
    let outputs: Record<string, unknown> = {};
    if (data.type === 'start') outputs = { ...input.inputs };
    else if (data.type === 'assigner') assign(step.node, scope);
    else if (data.type === 'end' && Array.isArray(data.outputs)) {
      for (const out of data.outputs as Array<Record<string, unknown>>) {
        if (!isObject(out) || typeof out.variable !== 'string') continue;
        outputs[out.variable] = resolveSelector(out.value_selector, scope) ?? null;
      }
      Object.assign(endOutputs, outputs);
    } else if (data.type === 'answer') {
      const text = renderTemplate(String(data.answer ?? ''), scope);
      answers.push(text);
      outputs = { answer: text };
    }
    return { step, outputs };
  });
  const status = scripted?.status ?? 'succeeded';
  const outputs = status === 'failed' ? { ...(scripted?.outputs ?? {}) } : { ...endOutputs, ...(scripted?.outputs ?? {}) };
  const error = status === 'failed' ? (scripted?.error ?? 'Scripted run failed.') : (scripted?.error ?? null);
  return {
    status,
    outputs,
    error,
    answer: scripted?.answer ?? answers.join(''),
    latencyMs: scripted?.latency_ms ?? 0,
    ...usageOf(scripted),
    streamError: scripted?.stream_error,
    nodes,
    conversation: scope.conversation,
  };
}

/** Token count and price a scripted answer sets; an unscripted run uses no model, so 0. */
export function usageOf(scripted: ScriptedRun | undefined): { tokens: number; price: string; currency: string } {
  return { tokens: scripted?.tokens ?? 0, price: String(scripted?.total_price ?? '0'), currency: scripted?.currency ?? 'USD' };
}
