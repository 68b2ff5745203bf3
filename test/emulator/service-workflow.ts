// POST /v1/workflows/run (blocking and streaming), run lookup and stop; workflow/node SSE events.
import { randomUUID } from 'node:crypto';
import type { Ctx } from './context.js';
import { badParam, HttpError, json, notFound, readJson, type Reply, type Req } from './http.js';
import { computeRun, type NodeRun, type RunOutcome } from './run.js';
import { pickScripted } from './run-rules.js';
import {
  readResponseMode,
  requireAppToken,
  requireInputs,
  requirePublished,
  requireUser,
  startVariables,
  validateInputs,
} from './service-api.js';
import { openStream, type SseStream } from './sse.js';
import { nowSeconds, type RunRecord, type WorkflowRecord } from './state.js';

export interface RunIds {
  taskId: string;
  runId: string;
  workflowId: string;
  createdAt: number;
  inputs: Record<string, unknown>;
}

function nodeData(ids: RunIds, run: NodeRun, index: number, executionId: string): Record<string, unknown> {
  return {
    id: executionId,
    node_id: run.step.node.id,
    node_type: run.step.node.data.type,
    title: run.step.node.data.title ?? run.step.node.id,
    index: index + 1,
    predecessor_node_id: run.step.predecessor,
    inputs: index === 0 ? ids.inputs : {},
    created_at: ids.createdAt,
    extras: {},
  };
}

export function finishedData(ids: RunIds, outcome: RunOutcome, elapsed: number): Record<string, unknown> {
  return {
    id: ids.runId,
    workflow_id: ids.workflowId,
    status: outcome.status,
    outputs: outcome.outputs,
    error: outcome.error,
    elapsed_time: elapsed,
    total_tokens: outcome.tokens,
    total_steps: outcome.nodes.length,
    created_at: ids.createdAt,
    finished_at: nowSeconds(),
  };
}

/**
 * Streams workflow_started, node events (text_chunk for end-node text, or `onAnswer` for answer
 * nodes), and workflow_finished. Returns false when a scripted stream error ended the stream early.
 */
export async function streamWorkflow(
  ctx: Ctx,
  stream: SseStream,
  ids: RunIds,
  outcome: RunOutcome,
  onAnswer?: (run: NodeRun) => void,
): Promise<boolean> {
  const base = { task_id: ids.taskId, workflow_run_id: ids.runId };
  const started = performance.now();
  stream.send({
    event: 'workflow_started',
    ...base,
    data: { id: ids.runId, workflow_id: ids.workflowId, inputs: ids.inputs, created_at: ids.createdAt },
  });
  await ctx.sleep(outcome.latencyMs);
  for (const [index, run] of outcome.nodes.entries()) {
    const executionId = randomUUID();
    const data = nodeData(ids, run, index, executionId);
    stream.send({ event: 'node_started', ...base, data });
    if (outcome.streamError) {
      const status = outcome.streamError.code === 'invalid_param' ? 400 : 500;
      stream.send({ event: 'error', task_id: ids.taskId, status, ...outcome.streamError });
      return false;
    }
    if (run.step.node.data.type === 'end') {
      for (const [name, value] of Object.entries(run.outputs)) {
        if (typeof value !== 'string') continue;
        stream.send({ event: 'text_chunk', ...base, data: { text: value, from_variable_selector: [run.step.node.id, name] } });
      }
    }
    if (run.step.node.data.type === 'answer') onAnswer?.(run);
    const last = index === outcome.nodes.length - 1;
    const failed = last && outcome.status === 'failed';
    stream.send({
      event: 'node_finished',
      ...base,
      data: {
        ...data,
        process_data: null,
        outputs: run.outputs,
        status: failed ? 'failed' : 'succeeded',
        error: failed ? outcome.error : null,
        elapsed_time: 0.001,
        execution_metadata: null,
        finished_at: nowSeconds(),
      },
    });
  }
  stream.send({ event: 'workflow_finished', ...base, data: finishedData(ids, outcome, elapsedSince(started, outcome)) });
  return true;
}

/**
 * Seconds since `started` (a `performance.now()`): sub-millisecond, as Dify 1.12.1 measures it
 * (workflow_response_converter.py: datetimes in microseconds), so a fast run still reports more than 0;
 * never below a scripted latency, which a timer may cut short by a fraction of a millisecond.
 */
export function elapsedSince(started: number, outcome: { latencyMs: number }): number {
  return Math.max(performance.now() - started, outcome.latencyMs) / 1000;
}

export function recordRun(ctx: Ctx, appId: string, ids: RunIds, outcome: RunOutcome, elapsed: number): void {
  const record: RunRecord = {
    id: ids.runId,
    app_id: appId,
    workflow_id: ids.workflowId,
    status: outcome.status,
    inputs: ids.inputs,
    outputs: outcome.outputs,
    error: outcome.error,
    total_steps: outcome.nodes.length,
    total_tokens: outcome.tokens,
    created_at: ids.createdAt,
    finished_at: nowSeconds(),
    elapsed_time: elapsed,
  };
  ctx.store.runs.set(record.id, record);
}

export function newRunIds(workflow: WorkflowRecord, inputs: Record<string, unknown>): RunIds {
  return { taskId: randomUUID(), runId: randomUUID(), workflowId: workflow.id, createdAt: nowSeconds(), inputs };
}

export async function handleWorkflowRun(ctx: Ctx, req: Req): Promise<Reply | void> {
  const app = requireAppToken(ctx, req);
  if (app.mode !== 'workflow') {
    throw new HttpError(400, 'not_workflow_app', 'Please check if your app mode matches the right API route.');
  }
  const body = readJson(req);
  const user = requireUser(body);
  const inputs = requireInputs(body);
  const mode = readResponseMode(body);
  const workflow = requirePublished(app);
  validateInputs(startVariables(app, workflow), inputs);
  const ids = newRunIds(workflow, inputs);
  const sys = { user_id: user, app_id: app.id, workflow_id: workflow.id, workflow_run_id: ids.runId, files: [] };
  const outcome = computeRun(
    workflow,
    { inputs, sys, conversation: {} },
    pickScripted(app, { inputs, version: 'published', workflow }, ctx.store.everyAppRules),
  );
  const started = performance.now();
  if (mode === 'streaming') {
    const stream = openStream(req.res, req.log, ctx.options.pingIntervalMs);
    await streamWorkflow(ctx, stream, ids, outcome);
    recordRun(ctx, app.id, ids, outcome, elapsedSince(started, outcome));
    stream.end();
    return;
  }
  await ctx.sleep(outcome.latencyMs);
  const elapsed = elapsedSince(started, outcome);
  recordRun(ctx, app.id, ids, outcome, elapsed);
  return json(200, { task_id: ids.taskId, workflow_run_id: ids.runId, data: finishedData(ids, outcome, elapsed) });
}

export function handleGetRun(ctx: Ctx, req: Req): Reply {
  const app = requireAppToken(ctx, req);
  const run = ctx.store.runs.get(req.params.run_id);
  if (!run || run.app_id !== app.id) throw notFound('Workflow run not found.');
  const { app_id: _appId, ...rest } = run;
  return json(200, rest);
}

export function handleStopTask(ctx: Ctx, req: Req): Reply {
  requireAppToken(ctx, req);
  requireUser(readJson(req));
  if (!req.params.task_id) throw badParam('task_id is required');
  return json(200, { result: 'success' });
}
