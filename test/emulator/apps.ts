// Console app routes: list, detail, export, API switch, and service API keys (contract §2, §3, §5).
import { requireConsole } from './auth.js';
import type { Ctx } from './context.js';
import { encryptDatasetId, mapDatasetIds } from './dataset-ids.js';
import { buildAppDsl, dumpYaml } from './dsl.js';
import { exportDependencies, pluginRows } from './plugins.js';
import { APP_MODES, WORKFLOW_MODES } from './apply-dsl.js';
import { badParam, HttpError, json, notFound, readJson, type Reply, type Req } from './http.js';
import { createApiKey, createAppRecord, currentPublished, nowSeconds, type AppRecord, type WorkflowRecord } from './state.js';

const MAX_KEYS = 10;

export function findApp(ctx: Ctx, appId: string): AppRecord {
  const app = ctx.store.apps.get(appId);
  if (!app) throw notFound('App not found.');
  return app;
}

/** Flask-RESTX style bounded integer query parameter. */
export function intParam(req: Req, name: string, fallback: number, min: number, max: number): number {
  const raw = req.query.get(name);
  if (raw === null || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw badParam(`${name} must be an integer between ${min} and ${max}`, name);
  }
  return value;
}

export function boolParam(req: Req, name: string): boolean {
  const raw = req.query.get(name);
  if (raw === null || raw === '') return false;
  if (['true', '1'].includes(raw.toLowerCase())) return true;
  if (['false', '0'].includes(raw.toLowerCase())) return false;
  throw badParam(`${name} must be a boolean`, name);
}

function workflowPartial(ctx: Ctx, workflow: WorkflowRecord | null): Record<string, unknown> | null {
  if (!workflow) return null;
  return {
    id: workflow.id,
    created_by: ctx.account.id,
    created_at: workflow.created_at,
    updated_by: ctx.account.id,
    updated_at: workflow.updated_at,
  };
}

/** Dify's app detail: the published workflow appears as `workflow: {id, …}` (there is no workflow_id field). */
export function appJson(ctx: Ctx, app: AppRecord, req: Req): Record<string, unknown> {
  return {
    id: app.id,
    name: app.name,
    description: app.description,
    mode: app.mode,
    icon_type: app.icon_type,
    icon: app.icon,
    icon_background: app.icon_background,
    icon_url: null,
    enable_site: app.enable_site,
    enable_api: app.enable_api,
    model_config: WORKFLOW_MODES.includes(app.mode) ? null : app.model_config,
    workflow: workflowPartial(ctx, currentPublished(app)),
    api_base_url: `http://${req.headers.host ?? '127.0.0.1'}/v1`,
    use_icon_as_answer_icon: app.use_icon_as_answer_icon,
    max_active_requests: app.max_active_requests,
    created_by: ctx.account.id,
    created_at: app.created_at,
    updated_by: ctx.account.id,
    updated_at: app.updated_at,
    deleted_tools: [],
    tags: [],
    access_mode: 'public',
  };
}

export function handleListApps(ctx: Ctx, req: Req): Reply {
  requireConsole(ctx, req);
  const page = intParam(req, 'page', 1, 1, 99999);
  const limit = intParam(req, 'limit', 20, 1, 100);
  const mode = req.query.get('mode') ?? 'all';
  if (mode !== 'all' && !APP_MODES.includes(mode)) throw badParam(`mode must be all or one of ${APP_MODES.join(', ')}`, 'mode');
  const name = (req.query.get('name') ?? '').toLowerCase();
  const apps = [...ctx.store.apps.values()]
    .reverse()
    .filter((app) => (mode === 'all' || app.mode === mode) && app.name.toLowerCase().includes(name));
  const data = apps.slice((page - 1) * limit, page * limit).map((app) => appJson(ctx, app, req));
  return json(200, { page, limit, total: apps.length, has_more: page * limit < apps.length, data });
}

/**
 * POST /console/api/apps, as the console's "Create from blank" sends it (Dify's controllers/console/app/app.py,
 * 1.8–1.12): 201 with the app detail. Workflow apps start with no draft; the editor writes one on first open.
 */
export function handleCreateApp(ctx: Ctx, req: Req): Reply {
  requireConsole(ctx, req, 'editor');
  const body = readJson(req);
  if (typeof body.name !== 'string' || body.name.trim() === '') throw badParam('name is required', 'name');
  if (typeof body.mode !== 'string' || !APP_MODES.includes(body.mode))
    throw badParam(`mode must be one of ${APP_MODES.join(', ')}`, 'mode');
  const app = createAppRecord({ name: body.name, mode: body.mode });
  if (typeof body.description === 'string') app.description = body.description;
  if (typeof body.icon_type === 'string') app.icon_type = body.icon_type;
  if (typeof body.icon === 'string') app.icon = body.icon;
  if (typeof body.icon_background === 'string') app.icon_background = body.icon_background;
  ctx.store.apps.set(app.id, app);
  return json(201, appJson(ctx, app, req));
}

/**
 * PUT /console/api/apps/{app_id}: the editor's "Edit info" (Dify 1.12.1 controllers/console/app/app.py AppApi.put
 * → AppService.update_app): name required; every other field is written as sent, "" (or false) when left out.
 */
export function handleUpdateApp(ctx: Ctx, req: Req): Reply {
  requireConsole(ctx, req, 'editor');
  const app = findApp(ctx, req.params.app_id);
  const body = readJson(req);
  if (typeof body.name !== 'string' || body.name === '') throw badParam('name is required', 'name');
  const text = (key: string) => (typeof body[key] === 'string' ? (body[key] as string) : '');
  if (text('description').length > 400) throw badParam('description must be at most 400 characters', 'description');
  app.name = body.name;
  app.description = text('description');
  app.icon_type = text('icon_type');
  app.icon = text('icon');
  app.icon_background = text('icon_background');
  app.use_icon_as_answer_icon = body.use_icon_as_answer_icon === true;
  app.max_active_requests = typeof body.max_active_requests === 'number' ? body.max_active_requests : 0;
  app.updated_at = nowSeconds();
  return json(200, appJson(ctx, app, req));
}

/** DELETE /console/api/apps/{app_id}: 204, editor role (Dify deletes the app's workflows and keys with it). */
export function handleDeleteApp(ctx: Ctx, req: Req): Reply {
  requireConsole(ctx, req, 'editor');
  findApp(ctx, req.params.app_id);
  ctx.store.apps.delete(req.params.app_id);
  return { status: 204 };
}

/** GET /console/api/system-features: no session needed (Dify 1.8.1 and 1.12.1); the fields a deployer may read. */
export function handleSystemFeatures(ctx: Ctx, _req: Req): Reply {
  return json(200, {
    sso_enforced_for_signin: false,
    enable_marketplace: false,
    enable_email_code_login: false,
    enable_email_password_login: ctx.options.emailPasswordLogin,
    is_allow_register: false,
    is_allow_create_workspace: false,
    license: { status: 'none', expired_at: '' },
    plugin_manager: { enabled: false },
  });
}

/**
 * GET /console/api/workspaces/current/plugin/list (Dify 1.x, through the plugin daemon): what the workspace
 * has installed. The emulator's workspace has the `installedPlugins` option's plugins, and every plugin its
 * apps depend on except identifiers containing "missing".
 */
export function handleListPlugins(ctx: Ctx, req: Req): Reply {
  requireConsole(ctx, req);
  const page = intParam(req, 'page', 1, 1, 99999);
  const pageSize = intParam(req, 'page_size', 256, 1, 256);
  const plugins = pluginRows(ctx);
  return json(200, { plugins: plugins.slice((page - 1) * pageSize, page * pageSize), total: plugins.length });
}

/** GET /console/api/workspaces: the account's workspaces, the current one marked (Dify 1.8.1 and 1.12.1). */
export function handleListWorkspaces(ctx: Ctx, req: Req): Reply {
  requireConsole(ctx, req);
  const { id, name } = ctx.workspace;
  return json(200, { workspaces: [{ id, name, plan: 'sandbox', status: 'normal', created_at: 1_700_000_000, current: true }] });
}

/**
 * /console/api/workspaces/current: GET on Dify 1.8.1, POST on 1.12.1, 405 to the other method (observed on
 * both); the emulator takes POST from 1.12 on, by its serverVersion.
 */
export function handleCurrentWorkspace(ctx: Ctx, req: Req): Reply {
  const [major, minor] = (ctx.options.serverVersion || '1.12.1').split('.').map(Number);
  const wants = major > 1 || minor >= 12 ? 'POST' : 'GET';
  if (req.method !== wants) throw new HttpError(405, 'method_not_allowed', 'The method is not allowed for the requested URL.');
  requireConsole(ctx, req);
  return json(200, {
    id: ctx.workspace.id,
    name: ctx.workspace.name,
    plan: 'basic',
    status: 'normal',
    created_at: 1_700_000_000,
    role: ctx.options.role,
    in_trial: null,
    trial_end_reason: null,
    custom_config: null,
  });
}

export function handleGetApp(ctx: Ctx, req: Req): Reply {
  requireConsole(ctx, req);
  return json(200, appJson(ctx, findApp(ctx, req.params.app_id), req));
}

export function handleExport(ctx: Ctx, req: Req): Reply {
  requireConsole(ctx, req, 'editor');
  const app = findApp(ctx, req.params.app_id);
  const includeSecret = boolParam(req, 'include_secret');
  let workflow: WorkflowRecord | null = null;
  if (WORKFLOW_MODES.includes(app.mode)) {
    const workflowId = req.query.get('workflow_id');
    if (workflowId) {
      workflow = app.published.find((w) => w.id === workflowId) ?? null;
      // Dify 1.8.1 and 1.12.1 report an unknown version with the draft's message, as a 400.
      if (!workflow) throw badParam('Missing draft workflow configuration, please check.');
    } else {
      workflow = app.draft;
      if (!workflow) throw badParam('Missing draft workflow configuration, please check.');
    }
  }
  const dsl = buildAppDsl(app, workflow, ctx.options.dslVersion, includeSecret, exportDependencies(ctx, workflow));
  if (ctx.options.encryptDatasetIds) mapDatasetIds(dsl, (id) => encryptDatasetId(id, ctx.workspace.id));
  return json(200, { data: dumpYaml(dsl) });
}

export function handleApiEnable(ctx: Ctx, req: Req): Reply {
  requireConsole(ctx, req, 'editor');
  const app = findApp(ctx, req.params.app_id);
  const body = readJson(req);
  if (typeof body.enable_api !== 'boolean') throw badParam('enable_api must be a boolean', 'enable_api');
  app.enable_api = body.enable_api;
  return json(200, appJson(ctx, app, req));
}

const keyJson = (key: AppRecord['api_keys'][number]) => ({
  id: key.id,
  type: 'app',
  token: key.token,
  last_used_at: key.last_used_at,
  created_at: key.created_at,
});

export function handleListKeys(ctx: Ctx, req: Req): Reply {
  requireConsole(ctx, req, 'editor');
  const app = findApp(ctx, req.params.app_id);
  return json(200, { data: app.api_keys.map(keyJson) });
}

export function handleCreateKey(ctx: Ctx, req: Req): Reply {
  requireConsole(ctx, req, 'editor');
  const app = findApp(ctx, req.params.app_id);
  if (app.api_keys.length >= MAX_KEYS) {
    // Dify 1.8.1 and 1.12.1 answer this one without `code` or `status` (controllers/console/apikey.py raises
    // BadRequest with a `custom` field): 400 {"custom": "max_keys_exceeded", "message": …}.
    return json(400, { custom: 'max_keys_exceeded', message: 'Cannot create more than 10 API keys for this resource type.' });
  }
  const key = createApiKey();
  app.api_keys.push(key);
  return json(201, keyJson(key));
}

export function handleDeleteKey(ctx: Ctx, req: Req): Reply {
  requireConsole(ctx, req, 'admin');
  const app = findApp(ctx, req.params.app_id);
  const index = app.api_keys.findIndex((k) => k.id === req.params.key_id);
  if (index < 0) throw notFound('API key not found');
  app.api_keys.splice(index, 1);
  return { status: 204 };
}
