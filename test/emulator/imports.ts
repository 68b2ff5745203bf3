// DSL import, pending confirm and dependency check (contract §3), shared by console and /openapi.
import { randomUUID } from 'node:crypto';
import { applyDsl, leakedDependencies, parseYaml, pythonTypeName, WORKFLOW_MODES, type Overrides } from './apply-dsl.js';
import { requireConsole } from './auth.js';
import type { Ctx } from './context.js';
import { checkVersion, isObject } from './dsl.js';
import { badParam, json, notFound, readJson, type Reply, type Req } from './http.js';

export interface ImportObject {
  id: string;
  status: 'completed' | 'completed-with-warnings' | 'pending' | 'failed';
  app_id: string | null;
  app_mode: string | null;
  current_dsl_version: string;
  imported_dsl_version: string;
  error: string;
}

const MAX_URL_BYTES = 10 * 1024 * 1024;

export const importHttpStatus = (result: ImportObject): number =>
  result.status === 'failed' ? 400 : result.status === 'pending' ? 202 : 200;

function failed(ctx: Ctx, id: string, error: string, imported = ''): ImportObject {
  return {
    id,
    status: 'failed',
    app_id: null,
    app_mode: null,
    current_dsl_version: ctx.options.dslVersion,
    imported_dsl_version: imported,
    error,
  };
}

function optionalString(body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw badParam(`${key} must be a string`, key);
  return value;
}

async function fetchYaml(url: string): Promise<string> {
  const raw = url.replace(/^https:\/\/github\.com\/([^/]+)\/([^/]+)\/blob\//, 'https://raw.githubusercontent.com/$1/$2/');
  const response = await fetch(raw, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`Error fetching YAML from URL: ${response.status}`);
  const text = await response.text();
  if (Buffer.byteLength(text) > MAX_URL_BYTES) throw new Error('File size exceeds the limit of 10MB');
  return text;
}

/** Dify's AppDslService.import_app. Never throws for content problems: they become a failed Import. */
export async function runImport(ctx: Ctx, body: Record<string, unknown>): Promise<ImportObject> {
  const id = randomUUID();
  const mode = body.mode;
  const appId = optionalString(body, 'app_id');
  const overrides: Overrides = {
    name: optionalString(body, 'name'),
    description: optionalString(body, 'description'),
    icon_type: optionalString(body, 'icon_type'),
    icon: optionalString(body, 'icon'),
    icon_background: optionalString(body, 'icon_background'),
  };
  if (mode !== 'yaml-content' && mode !== 'yaml-url') return failed(ctx, id, `Invalid import_mode: ${String(mode)}`);
  let content: string;
  try {
    if (mode === 'yaml-url') {
      const url = optionalString(body, 'yaml_url');
      if (!url) return failed(ctx, id, 'yaml_url is required when import_mode is yaml-url');
      content = await fetchYaml(url);
    } else {
      const text = optionalString(body, 'yaml_content');
      if (!text) return failed(ctx, id, 'yaml_content is required when import_mode is yaml-content');
      content = text;
    }
  } catch (error) {
    return failed(ctx, id, (error as Error).message);
  }
  let data: unknown;
  try {
    data = parseYaml(content);
  } catch (error) {
    return failed(ctx, id, `Invalid YAML format: ${(error as Error).message}`);
  }
  if (!isObject(data)) return failed(ctx, id, 'Invalid YAML format: content must be a mapping');
  if (!data.version) data.version = '0.1.0';
  if (data.kind !== 'app') data.kind = 'app';
  const imported = data.version;
  if (typeof imported !== 'string') {
    return failed(ctx, id, `Invalid version type, expected str, got ${pythonTypeName(imported)}`);
  }
  const status = checkVersion(imported, ctx.options.dslVersion);
  // Dify carries on with status "failed" and still writes; refuse outright instead.
  if (!status) return failed(ctx, id, `Invalid version: ${imported}`, imported);
  if (!isObject(data.app)) return failed(ctx, id, 'Missing app data in YAML content', imported);
  const existing = appId ? ctx.store.apps.get(appId) : undefined;
  if (appId && !existing) return failed(ctx, id, 'App not found', imported);
  if (existing && !WORKFLOW_MODES.includes(existing.mode)) {
    return failed(ctx, id, 'Only workflow or advanced chat apps can be overwritten', imported);
  }
  const base = { id, current_dsl_version: ctx.options.dslVersion, imported_dsl_version: imported, error: '' };
  if (status === 'pending') {
    ctx.store.pending.set(id, {
      id,
      app_id: appId ?? null,
      yaml_content: content,
      overrides: { ...overrides },
      imported_dsl_version: imported,
      expires_at: Date.now() + ctx.options.pendingTtlMs,
    });
    return { ...base, status, app_id: appId ?? null, app_mode: null };
  }
  try {
    const app = applyDsl(ctx, data, existing ?? null, overrides);
    // Only a direct import writes Dify's `app_check_dependencies:<app id>` key (10 minutes); confirm does not.
    ctx.store.dependencyChecks.set(app.id, {
      leaked: leakedDependencies(app).map((dep) => ({ ...(dep as object), current_identifier: '' })),
      expiresAt: Date.now() + ctx.options.dependencyCheckTtlMs,
    });
    return { ...base, status, app_id: app.id, app_mode: app.mode };
  } catch (error) {
    return failed(ctx, id, (error as Error).message, imported);
  }
}

export function confirmPending(ctx: Ctx, importId: string): ImportObject {
  const pending = ctx.store.pending.get(importId);
  if (!pending || pending.expires_at <= Date.now()) {
    ctx.store.pending.delete(importId);
    return failed(ctx, importId, 'Import information expired or does not exist');
  }
  try {
    const data = parseYaml(pending.yaml_content) as Record<string, unknown>;
    const existing = pending.app_id ? ctx.store.apps.get(pending.app_id) : undefined;
    if (pending.app_id && !existing) throw new Error('App not found');
    const app = applyDsl(ctx, data, existing ?? null, pending.overrides);
    ctx.store.pending.delete(importId);
    return {
      id: importId,
      status: 'completed',
      app_id: app.id,
      app_mode: app.mode,
      current_dsl_version: ctx.options.dslVersion,
      imported_dsl_version: pending.imported_dsl_version,
      error: '',
    };
  } catch (error) {
    return failed(ctx, importId, (error as Error).message, pending.imported_dsl_version);
  }
}

export async function handleImport(ctx: Ctx, req: Req): Promise<Reply> {
  requireConsole(ctx, req, 'editor');
  const result = await runImport(ctx, readJson(req));
  return json(importHttpStatus(result), result);
}

export function handleConfirm(ctx: Ctx, req: Req): Reply {
  requireConsole(ctx, req, 'editor');
  const result = confirmPending(ctx, req.params.import_id);
  return json(importHttpStatus(result), result);
}

export function handleCheckDependencies(ctx: Ctx, req: Req): Reply {
  requireConsole(ctx, req, 'editor');
  const app = ctx.store.apps.get(req.params.app_id);
  if (!app) throw notFound('App not found.');
  const check = ctx.store.dependencyChecks.get(app.id);
  const live = check && check.expiresAt > Date.now() ? check.leaked : [];
  return json(200, { leaked_dependencies: live });
}
