// Folding a service-API run (streamed events or a blocking body) into one RunResult.
// A failed run is an answer, not an exception: Dify reports it with HTTP 200 (status "failed",
// or an `error` event mid-stream), and the smoke check decides what that means.
import { isRecord } from './responses.js';
import type { RunResult, RunStatus } from './types.js';

const STATUSES: readonly RunStatus[] = ['running', 'succeeded', 'failed', 'stopped', 'partial-succeeded', 'paused'];

function toStatus(value: unknown): RunStatus {
  return STATUSES.includes(value as RunStatus) ? (value as RunStatus) : 'failed';
}

function secondsToMs(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? Math.round(value * 1000) : undefined;
}

function toTokens(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** LLMUsage's total_price is a Decimal, serialised as a string ("0.0001"); a number is taken too. */
function toPrice(usage: Record<string, unknown>): RunResult['price'] {
  const amount = typeof usage.total_price === 'string' ? Number(usage.total_price) : usage.total_price;
  if (typeof amount !== 'number' || !Number.isFinite(amount)) return undefined;
  return { amount, currency: typeof usage.currency === 'string' ? usage.currency : 'USD' };
}

/** Tokens and price from a run's `data` (workflow) and a chat answer's `metadata.usage`. */
function addUsage(result: RunResult, tokens: number | undefined, usage: Record<string, unknown> | undefined): RunResult {
  const fromUsage = usage ? toTokens(usage.total_tokens) : undefined;
  const total = tokens ?? fromUsage;
  if (total !== undefined) result.tokens = total;
  const price = usage ? toPrice(usage) : undefined;
  if (price) result.price = price;
  return result;
}

export interface RunFolder {
  /** One parsed event: Dify's JSON with `event`, or `{event: 'ping'}` for bare keep-alives. */
  accept(event: Record<string, unknown>): void;
  /** The outcome; `wallMs` is used when the server reported no elapsed time. */
  result(wallMs: number): RunResult;
}

export function createRunFolder(): RunFolder {
  const events: Record<string, number> = {};
  let status: RunStatus | undefined;
  let outputs: Record<string, unknown> = {};
  let answer = '';
  let sawAnswer = false;
  let error: string | null = null;
  let workflowRunId: string | undefined;
  let elapsedMs: number | undefined;
  let messageEnded = false;
  let failedNode: string | undefined;
  let tokens: number | undefined;
  let usage: Record<string, unknown> | undefined;

  return {
    accept(event) {
      const type = typeof event.event === 'string' ? event.event : 'unknown';
      events[type] = (events[type] ?? 0) + 1;
      const data = isRecord(event.data) ? event.data : {};
      if (typeof event.workflow_run_id === 'string') workflowRunId ??= event.workflow_run_id;
      switch (type) {
        case 'workflow_started':
          if (typeof data.id === 'string') workflowRunId ??= data.id;
          break;
        case 'node_finished':
          if (data.status === 'failed' && typeof data.error === 'string')
            failedNode ??= `${String(data.title ?? data.node_id ?? 'node')}: ${data.error}`;
          break;
        case 'workflow_finished':
          status = toStatus(data.status);
          if (isRecord(data.outputs)) outputs = data.outputs;
          if (typeof data.error === 'string' && data.error !== '') error = data.error;
          elapsedMs = secondsToMs(data.elapsed_time) ?? elapsedMs;
          tokens = toTokens(data.total_tokens) ?? tokens;
          break;
        case 'workflow_paused':
          status ??= 'paused';
          break;
        case 'message':
        case 'agent_message':
          if (typeof event.answer === 'string') {
            answer += event.answer;
            sawAnswer = true;
          }
          break;
        case 'message_replace':
          if (typeof event.answer === 'string') {
            answer = event.answer;
            sawAnswer = true;
          }
          break;
        case 'message_end': {
          messageEnded = true;
          usage = isRecord(event.metadata) && isRecord(event.metadata.usage) ? event.metadata.usage : undefined;
          elapsedMs ??= secondsToMs(usage?.latency);
          break;
        }
        case 'error': {
          // Dify ends the stream with this after a 200 when the run blows up outside a node.
          status = 'failed';
          const code = typeof event.code === 'string' ? ` (${event.code})` : '';
          error = `${typeof event.message === 'string' ? event.message : 'error event'}${code}`;
          break;
        }
        default:
          // ping, node_started, text_chunk, iteration_*, loop_*, tts_*, agent_thought… and
          // whatever newer servers add: counted, otherwise ignored.
          break;
      }
    },
    result(wallMs) {
      let final: RunStatus;
      if (status) final = status;
      else if (messageEnded) final = 'succeeded';
      else {
        final = 'failed';
        error ??= failedNode ?? 'The stream ended before the run finished (no workflow_finished or message_end event).';
      }
      const result: RunResult = { status: final, outputs, error, elapsedMs: elapsedMs ?? wallMs, events };
      if (sawAnswer) result.answer = answer;
      if (workflowRunId) result.workflowRunId = workflowRunId;
      return addUsage(result, tokens, usage);
    },
  };
}

/** Blocking answers: `{workflow_run_id, data:{status, outputs, error, elapsed_time}}` or a chat `{answer, metadata}`. */
export function readBlockingRun(body: Record<string, unknown>, wallMs: number): RunResult {
  if (isRecord(body.data) && 'status' in body.data) {
    const data = body.data;
    const result: RunResult = {
      status: toStatus(data.status),
      outputs: isRecord(data.outputs) ? data.outputs : {},
      error: typeof data.error === 'string' && data.error !== '' ? data.error : null,
      elapsedMs: secondsToMs(data.elapsed_time) ?? wallMs,
    };
    const runId = typeof body.workflow_run_id === 'string' ? body.workflow_run_id : typeof data.id === 'string' ? data.id : undefined;
    if (runId) result.workflowRunId = runId;
    return addUsage(result, toTokens(data.total_tokens), undefined);
  }
  const usage = isRecord(body.metadata) && isRecord(body.metadata.usage) ? body.metadata.usage : {};
  const result: RunResult = {
    status: 'succeeded',
    outputs: {},
    answer: typeof body.answer === 'string' ? body.answer : '',
    error: null,
    elapsedMs: secondsToMs(usage.latency) ?? wallMs,
  };
  return addUsage(result, undefined, usage);
}
