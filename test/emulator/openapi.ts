// The /openapi/v1 surface (contract §9): dfoa_ bearer only, 422 validation, newest paths.
import { randomUUID } from 'node:crypto';
import { leakedDependencies, WORKFLOW_MODES } from './apply-dsl.js';
import type { Ctx } from './context.js';
import { buildAppDsl, dumpYaml } from './dsl.js';
import { exportDependencies } from './plugins.js';
import { checkPublishable } from './graph.js';
import { json, readJson, type Reply, type Req } from './http.js';
import { confirmPending, importHttpStatus, runImport, type ImportObject } from './imports.js';
import { CATALOG, CATALOG_HASH } from './openapi-catalog.js';
import {
  apiError,
  checkBody,
  IMPORT_KEYS,
  intQuery,
  invalid,
  ok,
  requireAccount,
  requireEditor,
  requireOpenapiApp,
  requireWorkspace,
} from './openapi-guards.js';
import { addOpenapiRuns, inputSchema } from './openapi-runs.js';
import { createRouter, type Router } from './router.js';
import { parametersPayload } from './service-api.js';
import { publishDraft, type AppRecord, type WorkflowRecord } from './state.js';
import { restoreInto } from './workflows.js';

function importReply(ctx: Ctx, result: ImportObject): Reply {
  const warnings =
    result.status === 'completed-with-warnings'
      ? [`DSL version ${result.imported_dsl_version} is older than the server's ${ctx.options.dslVersion}`]
      : [];
  return json(importHttpStatus(result), { ...result, warnings, hints: [] }, { 'X-Dify-Catalog': CATALOG_HASH });
}

function versionRow(ctx: Ctx, app: AppRecord, w: WorkflowRecord): Record<string, unknown> {
  const { id, marked_name, marked_comment, created_at } = w;
  return { id, marked_name, marked_comment, created_by: ctx.account.id, created_at, current: app.workflow_id === id };
}

const ABSOLUTE_CATALOG = {
  ...CATALOG,
  ops: Object.fromEntries(Object.entries(CATALOG.ops).map(([id, op]) => [id, { ...op, path: `/openapi/v1${op.path}` }])),
};

export function createOpenapiRouter(ctx: Ctx): Router {
  const router = createRouter();
  const p = '/openapi/v1';
  const add = (method: string, path: string, fn: (req: Req) => Promise<Reply | void> | Reply | void) =>
    router.add(method, `${p}${path}`, fn);

  add('GET', '/_health', () => ok({ ok: true }));
  add('GET', '/_version', () => ok({ version: '1.99.0-emulator', edition: 'SELF_HOSTED' }));
  // Dify's catalog names absolute paths (contract §9.4: "Catalog paths are absolute").
  add('GET', '/_catalog', () => ok(ABSOLUTE_CATALOG));
  add('GET', '/account', (req) => {
    requireAccount(ctx, req);
    const { id, name, email } = ctx.account;
    const workspaces = [{ ...ctx.workspace, role: ctx.options.role }];
    return ok({ id, name, email, workspaces, default_workspace_id: ctx.workspace.id });
  });
  add('GET', '/workspaces', (req) => {
    requireAccount(ctx, req);
    return ok({ data: [{ ...ctx.workspace, role: ctx.options.role, current: true }] });
  });
  add('GET', '/apps', (req) => {
    requireEditor(ctx, req);
    const ws = req.query.get('workspace_id');
    if (!ws) throw invalid('workspace_id', 'Field required');
    if (ws !== ctx.workspace.id) throw apiError(404, 'not_found', 'workspace not found');
    const page = intQuery(req, 'page', 1, 99999);
    const limit = intQuery(req, 'limit', 20, 100);
    const mode = req.query.get('mode');
    const name = (req.query.get('name') ?? '').toLowerCase();
    const apps = [...ctx.store.apps.values()]
      .reverse()
      .filter((a) => (!mode || mode === 'all' || a.mode === mode) && a.name.toLowerCase().includes(name));
    const data = apps.slice((page - 1) * limit, page * limit).map((a) => ({
      id: a.id,
      name: a.name,
      description: a.description,
      mode: a.mode,
      updated_at: new Date(a.updated_at * 1000).toISOString(),
      workspace_id: ctx.workspace.id,
      workspace_name: ctx.workspace.name,
    }));
    return ok({ page, limit, total: apps.length, has_more: page * limit < apps.length, data });
  });
  add('GET', '/apps/{app_id}', (req) => {
    const app = requireOpenapiApp(ctx, req);
    const info = {
      id: app.id,
      name: app.name,
      description: app.description,
      mode: app.mode,
      updated_at: new Date(app.updated_at * 1000).toISOString(),
      service_api_enabled: app.enable_api,
      is_agent: app.mode === 'agent-chat',
    };
    const parameters = parametersPayload(app);
    return ok({ info, parameters, input_schema: inputSchema(app), hints: [] });
  });
  add('POST', '/workspaces/{workspace_id}/apps/imports', async (req) => {
    requireWorkspace(ctx, req);
    const body = readJson(req);
    checkBody(body, IMPORT_KEYS);
    if (body.mode !== 'yaml-content' && body.mode !== 'yaml-url') throw invalid('mode', "Input should be 'yaml-content' or 'yaml-url'");
    if (body.draft_hash !== undefined && body.app_id === undefined) throw invalid('draft_hash', 'draft_hash needs app_id');
    if (typeof body.draft_hash === 'string' && typeof body.app_id === 'string') {
      const target = ctx.store.apps.get(body.app_id);
      if (target && target.draft?.hash !== body.draft_hash) {
        return importReply(ctx, {
          id: randomUUID(),
          status: 'failed',
          app_id: null,
          app_mode: null,
          current_dsl_version: ctx.options.dslVersion,
          imported_dsl_version: '',
          error: 'The draft changed since it was exported (draft_hash mismatch); export it again.',
        });
      }
    }
    return importReply(ctx, await runImport(ctx, body));
  });
  add('POST', '/workspaces/{workspace_id}/apps/imports/{import_id}:confirm', (req) => {
    requireWorkspace(ctx, req);
    if (req.rawBody.length > 0) checkBody(readJson(req), []);
    return importReply(ctx, confirmPending(ctx, req.params.import_id));
  });
  add('GET', '/apps/{app_id}/dsl', (req) => {
    const app = requireOpenapiApp(ctx, req);
    const include = req.query.get('include_secret') === 'true';
    const workflowId = req.query.get('workflow_id');
    let workflow: WorkflowRecord | null = null;
    if (WORKFLOW_MODES.includes(app.mode)) {
      workflow = workflowId ? (app.published.find((w) => w.id === workflowId) ?? null) : app.draft;
      if (!workflow) throw apiError(404, 'not_found', workflowId ? 'version not found' : 'draft workflow not found');
    }
    const data = dumpYaml(buildAppDsl(app, workflow, ctx.options.dslVersion, include, exportDependencies(ctx, workflow)));
    return ok({ data, draft_hash: app.draft?.hash ?? null });
  });
  add('GET', '/apps/{app_id}/dependencies:check', (req) => {
    const app = requireOpenapiApp(ctx, req);
    return ok({ leaked_dependencies: leakedDependencies(app), hints: [] });
  });
  add('POST', '/apps/{app_id}:publish', (req) => {
    const app = requireOpenapiApp(ctx, req, true);
    const body = readJson(req);
    checkBody(body, ['marked_name', 'marked_comment']);
    if (typeof body.marked_name === 'string' && body.marked_name.length > 20) throw invalid('marked_name', 'at most 20 characters');
    if (typeof body.marked_comment === 'string' && body.marked_comment.length > 100) {
      throw invalid('marked_comment', 'at most 100 characters');
    }
    if (!app.draft) throw apiError(400, 'invalid_param', 'No valid workflow found.');
    checkPublishable(app.mode, app.draft.graph);
    const version = publishDraft(app, {
      marked_name: (body.marked_name as string | undefined) ?? '',
      marked_comment: (body.marked_comment as string | undefined) ?? '',
    });
    return ok({ version_id: version.id, created_at: version.created_at, warning: null });
  });
  add('GET', '/apps/{app_id}/versions', (req) => {
    const app = requireOpenapiApp(ctx, req, true);
    const page = intQuery(req, 'page', 1, 99999);
    const limit = intQuery(req, 'limit', 20, 100);
    const namedOnly = req.query.get('named_only') === 'true';
    const all = [...app.published].reverse().filter((w) => !namedOnly || w.marked_name !== '');
    const data = all.slice((page - 1) * limit, page * limit).map((w) => versionRow(ctx, app, w));
    return ok({ page, limit, has_more: page * limit < all.length, data });
  });
  add('POST', '/apps/{app_id}/versions/{version_id}:restore', (req) => {
    const app = requireOpenapiApp(ctx, req, true);
    if (req.rawBody.length > 0) checkBody(readJson(req), []);
    if (!app.published.some((w) => w.id === req.params.version_id) && app.draft?.id !== req.params.version_id) {
      throw apiError(404, 'not_found', 'version not found');
    }
    const draft = restoreInto(app, req.params.version_id);
    return ok({ result: 'success', draft_hash: draft.hash });
  });
  addOpenapiRuns(ctx, add);
  return router;
}
