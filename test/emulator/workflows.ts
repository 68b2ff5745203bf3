// Console workflow routes (contract §4): draft get/sync, publish, versions, patch, delete, restore.
import { validateGraphShape, WORKFLOW_MODES } from './apply-dsl.js';
import { boolParam, findApp, intParam } from './apps.js';
import { requireConsole } from './auth.js';
import type { Ctx } from './context.js';
import { buildConvVars, buildEnvVars, clone, isObject, obfuscate } from './dsl.js';
import { badParam, forbidden, HttpError, json, notFound, readJson, type Reply, type Req } from './http.js';
import { publishDraft, writeDraft, type AppRecord, type WorkflowRecord } from './state.js';
import { checkPublishable } from './graph.js';

/** Workflow routes need editor+ and a workflow or advanced-chat app. */
export function findWorkflowApp(ctx: Ctx, req: Req): AppRecord {
  requireConsole(ctx, req, 'editor');
  const app = findApp(ctx, req.params.app_id);
  if (!WORKFLOW_MODES.includes(app.mode)) {
    throw new HttpError(400, 'app_unavailable', 'App unavailable, please check your app configurations.');
  }
  return app;
}

export function workflowJson(ctx: Ctx, workflow: WorkflowRecord): Record<string, unknown> {
  const who = { id: ctx.account.id, name: ctx.account.name, email: ctx.account.email };
  return {
    id: workflow.id,
    graph: clone(workflow.graph),
    features: clone(workflow.features),
    hash: workflow.hash,
    version: workflow.version,
    marked_name: workflow.marked_name,
    marked_comment: workflow.marked_comment,
    created_by: who,
    created_at: workflow.created_at,
    updated_by: who,
    updated_at: workflow.updated_at,
    tool_published: false,
    environment_variables: workflow.environment_variables.map((v) =>
      v.value_type === 'secret' ? { ...clone(v), value: obfuscate(v.value) } : clone(v),
    ),
    conversation_variables: clone(workflow.conversation_variables),
  };
}

function readMarks(body: Record<string, unknown>): { marked_name?: string; marked_comment?: string } {
  const marks: { marked_name?: string; marked_comment?: string } = {};
  for (const [key, max, label] of [
    ['marked_name', 20, 'Marked name'],
    ['marked_comment', 100, 'Marked comment'],
  ] as const) {
    const value = body[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') throw badParam(`${key} must be a string`, key);
    if (value.length > max) throw badParam(`${label} cannot exceed ${max} characters`, key);
    marks[key] = value;
  }
  return marks;
}

export function handleGetDraft(ctx: Ctx, req: Req): Reply {
  const app = findWorkflowApp(ctx, req);
  if (!app.draft) throw new HttpError(404, 'draft_workflow_not_exist', 'Draft workflow need to be initialized.');
  return json(200, workflowJson(ctx, app.draft));
}

export function handleSyncDraft(ctx: Ctx, req: Req): Reply {
  const app = findWorkflowApp(ctx, req);
  const body = readJson(req, true);
  if (!isObject(body.graph)) throw badParam('graph is required and must be an object', 'graph');
  if (!isObject(body.features)) throw badParam('features is required and must be an object', 'features');
  if (!Array.isArray(body.environment_variables)) {
    throw badParam('environment_variables is required and must be a list', 'environment_variables');
  }
  if (body.hash !== undefined && body.hash !== null && typeof body.hash !== 'string') throw badParam('hash must be a string', 'hash');
  // Dify compares the stored hash with the posted one even when none was posted.
  if (app.draft && app.draft.hash !== (body.hash ?? null)) {
    throw new HttpError(409, 'draft_workflow_not_sync', 'Workflow graph might have been modified, please refresh and resubmit.');
  }
  let parts: Parameters<typeof writeDraft>[1];
  try {
    parts = {
      graph: validateGraphShape(body.graph),
      features: body.features,
      environment_variables: buildEnvVars(body.environment_variables, app.draft?.environment_variables),
      conversation_variables: buildConvVars(body.conversation_variables),
    };
  } catch (error) {
    throw badParam((error as Error).message);
  }
  const draft = writeDraft(app, parts);
  return json(200, { result: 'success', hash: draft.hash, updated_at: draft.updated_at });
}

export function handlePublish(ctx: Ctx, req: Req): Reply {
  const app = findWorkflowApp(ctx, req);
  const marks = readMarks(readJson(req));
  if (!app.draft) throw badParam('No valid workflow found.');
  checkPublishable(app.mode, app.draft.graph);
  const version = publishDraft(app, { marked_name: marks.marked_name ?? '', marked_comment: marks.marked_comment ?? '' });
  return json(200, { result: 'success', created_at: version.created_at });
}

/**
 * Nothing published: Dify 1.8.1 and 1.12.1 answer 200 with the Workflow fields all null (marshal_with over
 * None), created_by a nested all-null object. Not JSON null.
 */
export const NO_PUBLISHED_WORKFLOW = Object.freeze({
  id: null,
  graph: null,
  features: null,
  hash: null,
  version: null,
  marked_name: null,
  marked_comment: null,
  created_by: { id: null, name: null, email: null },
  created_at: null,
  updated_by: null,
  updated_at: null,
  tool_published: null,
  environment_variables: null,
  conversation_variables: null,
  rag_pipeline_variables: null,
});

export function handleGetPublished(ctx: Ctx, req: Req): Reply {
  const app = findWorkflowApp(ctx, req);
  const published = app.published.find((w) => w.id === app.workflow_id);
  return json(200, published ? workflowJson(ctx, published) : NO_PUBLISHED_WORKFLOW);
}

export function handleListVersions(ctx: Ctx, req: Req): Reply {
  const app = findWorkflowApp(ctx, req);
  const page = intParam(req, 'page', 1, 1, 99999);
  const limit = intParam(req, 'limit', 10, 1, 100);
  const userId = req.query.get('user_id');
  if (userId && userId !== ctx.account.id) throw forbidden();
  const namedOnly = boolParam(req, 'named_only');
  // Dify lists the draft too, first (1.8.1 and 1.12.1); named_only drops it with the unnamed versions.
  const newestFirst = [...(app.draft ? [app.draft] : []), ...[...app.published].reverse()];
  const all = newestFirst.filter((w) => !namedOnly || w.marked_name !== '');
  const items = all.slice((page - 1) * limit, page * limit).map((w) => workflowJson(ctx, w));
  return json(200, { items, page, limit, has_more: page * limit < all.length });
}

function findVersion(app: AppRecord, workflowId: string): WorkflowRecord {
  const version = app.published.find((w) => w.id === workflowId);
  if (!version) throw notFound('Workflow not found.');
  return version;
}

export function handlePatchVersion(ctx: Ctx, req: Req): Reply {
  const app = findWorkflowApp(ctx, req);
  const marks = readMarks(readJson(req));
  if (marks.marked_name === undefined && marks.marked_comment === undefined) throw badParam('No valid fields to update');
  // Dify marks the draft as readily as a published version.
  const version = app.draft?.id === req.params.workflow_id ? app.draft : findVersion(app, req.params.workflow_id);
  Object.assign(version, marks);
  version.updated_at = Math.floor(Date.now() / 1000);
  return json(200, workflowJson(ctx, version));
}

export function handleDeleteVersion(ctx: Ctx, req: Req): Reply {
  const app = findWorkflowApp(ctx, req);
  const id = req.params.workflow_id;
  if (app.draft?.id === id) throw new HttpError(400, 'bad_request', 'Cannot delete draft workflow versions');
  findVersion(app, id);
  if (app.workflow_id === id) throw new HttpError(400, 'bad_request', 'Cannot delete workflow that is currently in use by app');
  app.published = app.published.filter((w) => w.id !== id);
  return { status: 204 };
}

export function restoreInto(app: AppRecord, workflowId: string): WorkflowRecord {
  if (app.draft?.id === workflowId) throw new HttpError(400, 'bad_request', 'source workflow must be published');
  const source = findVersion(app, workflowId);
  return writeDraft(app, source);
}

export function handleRestore(ctx: Ctx, req: Req): Reply {
  const app = findWorkflowApp(ctx, req);
  const draft = restoreInto(app, req.params.workflow_id);
  return json(200, { result: 'success', hash: draft.hash, updated_at: draft.updated_at });
}
