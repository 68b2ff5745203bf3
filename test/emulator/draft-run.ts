// Console draft runs, as Dify 1.12.1 serves them (controllers/console/app/workflow.py,
// DraftWorkflowRunApi and AdvancedChatDraftWorkflowRunApi): an editor session runs the app's
// draft, always streamed (`streaming=True`), with the service API's full events.
import { randomUUID } from 'node:crypto';
import { requireConsole } from './auth.js';
import type { Ctx } from './context.js';
import { findApp } from './apps.js';
import { badParam, HttpError, readJson, type Reply, type Req } from './http.js';
import { computeRun } from './run.js';
import { pickScripted } from './run-rules.js';
import { startVariables, validateInputs } from './service-api.js';
import { type MessageIds, streamChat } from './service-chat.js';
import { elapsedSince, newRunIds, recordRun, streamWorkflow } from './service-workflow.js';
import { openStream } from './sse.js';
import { nowSeconds, type AppRecord, type WorkflowRecord } from './state.js';

function draftOf(ctx: Ctx, req: Req, mode: 'workflow' | 'advanced-chat'): { app: AppRecord; draft: WorkflowRecord } {
  requireConsole(ctx, req, 'editor');
  const app = findApp(ctx, req.params.app_id);
  // get_app_model(mode=[…]) refuses an app of another mode before the body is read (checked on 1.12.1).
  if (app.mode !== mode) {
    throw new HttpError(
      404,
      'app_not_found',
      `App mode is not in the supported list: {'${mode}'}. You have requested this URI [${req.path}]`,
    );
  }
  // AppGenerateService._get_workflow: a DEBUGGER run of an app without a draft is a ValueError.
  if (!app.draft) throw badParam('Workflow not initialized');
  return { app, draft: app.draft };
}

function readInputs(body: Record<string, unknown>, required: boolean): Record<string, unknown> {
  const inputs = body.inputs;
  if (inputs === undefined || inputs === null) {
    if (required) throw badParam('1 validation error for DraftWorkflowRunPayload\ninputs\n  Field required', 'inputs');
    return {};
  }
  if (typeof inputs !== 'object' || Array.isArray(inputs)) throw badParam('inputs: Input should be a valid dictionary', 'inputs');
  return inputs as Record<string, unknown>;
}

export async function handleDraftWorkflowRun(ctx: Ctx, req: Req): Promise<Reply | void> {
  const { app, draft } = draftOf(ctx, req, 'workflow');
  const inputs = readInputs(readJson(req), true);
  validateInputs(startVariables(app, draft), inputs);
  const ids = newRunIds(draft, inputs);
  const sys = { user_id: ctx.account.id, app_id: app.id, workflow_id: draft.id, workflow_run_id: ids.runId, files: [] };
  const outcome = computeRun(
    draft,
    { inputs, sys, conversation: {} },
    pickScripted(app, { inputs, version: 'draft', workflow: draft }, ctx.store.everyAppRules),
  );
  const started = performance.now();
  const stream = openStream(req.res, req.log, ctx.options.pingIntervalMs);
  await streamWorkflow(ctx, stream, ids, outcome);
  recordRun(ctx, app.id, ids, outcome, elapsedSince(started, outcome));
  stream.end();
}

export async function handleDraftChatRun(ctx: Ctx, req: Req): Promise<Reply | void> {
  const { app, draft } = draftOf(ctx, req, 'advanced-chat');
  const body = readJson(req);
  // The payload defaults query to "", but the chat generator refuses an empty one (1.12.1: 400 "query is required").
  const query = typeof body.query === 'string' ? body.query : '';
  if (!query) throw badParam('query is required', 'query');
  const inputs = readInputs(body, false);
  validateInputs(startVariables(app, draft), inputs);
  const conversationId = randomUUID();
  const ids: MessageIds = { taskId: randomUUID(), messageId: randomUUID(), conversationId, createdAt: nowSeconds() };
  const defaults = Object.fromEntries(draft.conversation_variables.map((v) => [v.name, v.value]));
  const runIds = { ...newRunIds(draft, inputs), taskId: ids.taskId };
  const sys = { query, user_id: ctx.account.id, conversation_id: conversationId, files: [], app_id: app.id, workflow_id: draft.id };
  const scripted = pickScripted(app, { inputs, query, version: 'draft', workflow: draft }, ctx.store.everyAppRules);
  const outcome = computeRun(draft, { inputs, sys, conversation: defaults }, scripted);
  app.conversations.set(conversationId, outcome.conversation);
  return streamChat(ctx, req, app, ids, outcome, runIds);
}
