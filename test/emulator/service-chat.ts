// POST /v1/chat-messages and /v1/completion-messages: blocking and streaming answers.
import { randomUUID } from 'node:crypto';
import type { Ctx } from './context.js';
import { badParam, HttpError, json, notFound, readJson, type Reply, type Req } from './http.js';
import { computeRun, type RunOutcome, usageOf } from './run.js';
import { pickScripted } from './run-rules.js';
import {
  readResponseMode,
  requireAppToken,
  requireInputs,
  requirePublished,
  requireUser,
  startVariables,
  usage,
  validateInputs,
} from './service-api.js';
import { elapsedSince, newRunIds, streamWorkflow } from './service-workflow.js';
import { openStream, type SseStream } from './sse.js';
import { nowSeconds, type AppRecord } from './state.js';

const CHAT_MODES = ['chat', 'agent-chat', 'advanced-chat'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function readConversation(app: AppRecord, body: Record<string, unknown>): string | null {
  const id = body.conversation_id;
  if (id === undefined || id === null || id === '') return null;
  if (typeof id !== 'string' || !UUID.test(id)) throw badParam(`${String(id)} is not a valid uuid.`, 'conversation_id');
  if (!app.conversations.has(id)) throw notFound('Conversation Not Exists.');
  return id;
}

function chunks(answer: string): string[] {
  return answer.match(/\S+\s*|\s+/g) ?? [];
}

function plainOutcome(query: string, scripted: AppRecord['scripted'][number] | undefined): RunOutcome {
  const status = scripted?.status ?? 'succeeded';
  return {
    status,
    outputs: scripted?.outputs ?? {},
    error: status === 'failed' ? (scripted?.error ?? 'Scripted run failed.') : null,
    answer: scripted?.answer ?? query,
    latencyMs: scripted?.latency_ms ?? 0,
    ...usageOf(scripted),
    streamError: scripted?.stream_error,
    nodes: [],
    conversation: {},
  };
}

export interface MessageIds {
  taskId: string;
  messageId: string;
  conversationId: string;
  createdAt: number;
}

function sendAnswer(stream: SseStream, app: AppRecord, ids: MessageIds, answer: string): void {
  const event = app.mode === 'agent-chat' ? 'agent_message' : 'message';
  for (const piece of chunks(answer)) {
    stream.send({
      event,
      task_id: ids.taskId,
      id: ids.messageId,
      message_id: ids.messageId,
      conversation_id: ids.conversationId,
      answer: piece,
      created_at: ids.createdAt,
    });
  }
}

export async function streamChat(
  ctx: Ctx,
  req: Req,
  app: AppRecord,
  ids: MessageIds,
  outcome: RunOutcome,
  runIds?: ReturnType<typeof newRunIds>,
): Promise<void> {
  const stream = openStream(req.res, req.log, ctx.options.pingIntervalMs);
  const started = performance.now();
  if (runIds) {
    let answered = false;
    const ok = await streamWorkflow(ctx, stream, runIds, outcome, () => {
      if (answered || outcome.status === 'failed') return;
      answered = true;
      sendAnswer(stream, app, ids, outcome.answer);
    });
    if (!ok) return stream.end();
  } else {
    await ctx.sleep(outcome.latencyMs);
    if (outcome.streamError) {
      stream.send({ event: 'error', task_id: ids.taskId, message_id: ids.messageId, status: 500, ...outcome.streamError });
      return stream.end();
    }
    if (outcome.status !== 'failed') sendAnswer(stream, app, ids, outcome.answer);
  }
  if (outcome.status === 'failed') {
    stream.send({
      event: 'error',
      task_id: ids.taskId,
      message_id: ids.messageId,
      status: 400,
      code: 'completion_request_error',
      message: outcome.error,
    });
    return stream.end();
  }
  stream.send({
    event: 'message_end',
    task_id: ids.taskId,
    id: ids.messageId,
    message_id: ids.messageId,
    conversation_id: ids.conversationId,
    metadata: { usage: usage(elapsedSince(started, outcome), outcome), retriever_resources: [] },
  });
  stream.end();
}

export async function handleChat(ctx: Ctx, req: Req): Promise<Reply | void> {
  const app = requireAppToken(ctx, req);
  if (!CHAT_MODES.includes(app.mode)) {
    throw new HttpError(400, 'not_chat_app', 'Please check if your app mode matches the right API route.');
  }
  const body = readJson(req);
  const user = requireUser(body);
  if (typeof body.query !== 'string' || !body.query) throw badParam('query is required', 'query');
  const query = body.query;
  const inputs = requireInputs(body);
  const mode = readResponseMode(body);
  const existing = readConversation(app, body);
  if (app.mode === 'agent-chat' && mode === 'blocking') throw badParam('Agent Chat App does not support blocking mode');
  const workflow = app.mode === 'advanced-chat' ? requirePublished(app) : null;
  validateInputs(startVariables(app, workflow), inputs);
  const conversationId = existing ?? randomUUID();
  const ids: MessageIds = { taskId: randomUUID(), messageId: randomUUID(), conversationId, createdAt: nowSeconds() };
  const scripted = pickScripted(app, { inputs, query, version: 'published', workflow }, ctx.store.everyAppRules);
  let outcome: RunOutcome;
  let runIds: ReturnType<typeof newRunIds> | undefined;
  if (workflow) {
    const defaults = Object.fromEntries(workflow.conversation_variables.map((v) => [v.name, v.value]));
    const conversation = app.conversations.get(conversationId) ?? defaults;
    runIds = { ...newRunIds(workflow, inputs), taskId: ids.taskId };
    const sys = { query, user_id: user, conversation_id: conversationId, files: [], app_id: app.id, workflow_id: workflow.id };
    outcome = computeRun(workflow, { inputs, sys, conversation }, scripted);
  } else {
    outcome = plainOutcome(query, scripted);
  }
  app.conversations.set(conversationId, outcome.conversation);
  if (mode === 'streaming') return streamChat(ctx, req, app, ids, outcome, runIds);
  const started = performance.now();
  await ctx.sleep(outcome.latencyMs);
  if (outcome.status === 'failed') throw new HttpError(400, 'completion_request_error', outcome.error ?? 'Run failed.');
  return json(200, {
    event: 'message',
    task_id: ids.taskId,
    id: ids.messageId,
    message_id: ids.messageId,
    conversation_id: conversationId,
    mode: app.mode,
    answer: outcome.answer,
    metadata: { usage: usage(elapsedSince(started, outcome), outcome), retriever_resources: [] },
    created_at: ids.createdAt,
  });
}

export function handleStopChat(ctx: Ctx, req: Req): Reply {
  requireAppToken(ctx, req);
  requireUser(readJson(req));
  return json(200, { result: 'success' });
}
