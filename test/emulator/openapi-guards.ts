// Guards and validation shared by the /openapi/v1 routes (contract §9.1, §9.2, §9.4).
import { WORKFLOW_MODES } from './apply-dsl.js';
import { hasRole, type Ctx } from './context.js';
import { isObject } from './dsl.js';
import { bearerToken, HttpError, json, type Reply, type Req } from './http.js';
import { CATALOG_HASH } from './openapi-catalog.js';
import type { AppRecord } from './state.js';

export const IMPORT_KEYS = [
  'mode',
  'yaml_content',
  'yaml_url',
  'name',
  'description',
  'icon_type',
  'icon',
  'icon_background',
  'app_id',
  'draft_hash',
];

export const apiError = (status: number, code: string, message: string, extra: Record<string, unknown> = {}): HttpError =>
  new HttpError(status, code, message, extra, { 'X-Dify-Catalog': CATALOG_HASH });

export function invalid(loc: string, msg: string): HttpError {
  return apiError(422, 'invalid_param', `${loc}: ${msg}`, { details: [{ type: 'value_error', loc: ['body', loc], msg }] });
}

/** Pydantic-like body check: known keys only, typed as the catalog says. */
export function checkBody(body: Record<string, unknown>, allowed: string[], types: Record<string, string> = {}): void {
  for (const [key, value] of Object.entries(body)) {
    if (!allowed.includes(key)) throw invalid(key, 'Extra inputs are not permitted');
    const type = types[key] ?? 'string';
    const ok = type === 'object' ? isObject(value) : type === 'array' ? Array.isArray(value) : typeof value === type;
    if (value !== null && !ok) throw invalid(key, `Input should be a valid ${type}`);
  }
}

export function requireAccount(ctx: Ctx, req: Req): void {
  const token = bearerToken(req);
  if (!token) throw apiError(401, 'unauthorized', 'bearer required', {});
  if (!token.startsWith('dfoa_')) throw apiError(403, 'unsupported_token_type', 'this endpoint accepts account tokens (dfoa_) only');
  if (token !== ctx.options.openapiToken) throw apiError(401, 'unauthorized', 'invalid or expired token');
  takeRateToken(ctx, token);
}

/**
 * OPENAPI_RATE_LIMIT_PER_TOKEN: 60 requests a minute per token by default (contract §9), over a sliding
 * minute. Past it: 429 with Retry-After, the seconds until the oldest request leaves the window.
 */
function takeRateToken(ctx: Ctx, token: string): void {
  const limit = ctx.options.openapiRateLimitPerMinute;
  if (!(limit > 0)) return;
  const now = Date.now();
  const recent = (ctx.store.openapiHits.get(token) ?? []).filter((at) => now - at < 60_000);
  if (recent.length >= limit) {
    ctx.store.openapiHits.set(token, recent);
    const retryAfter = Math.max(1, Math.ceil((recent[0] + 60_000 - now) / 1000));
    throw new HttpError(429, 'rate_limited', 'too many requests for this token', { status: 429 }, { 'Retry-After': String(retryAfter) });
  }
  recent.push(now);
  ctx.store.openapiHits.set(token, recent);
}

export function requireEditor(ctx: Ctx, req: Req): void {
  requireAccount(ctx, req);
  if (!hasRole(ctx, 'editor')) throw apiError(403, 'forbidden', 'insufficient workspace role');
}

export function requireWorkspace(ctx: Ctx, req: Req): void {
  requireEditor(ctx, req);
  if (req.params.workspace_id !== ctx.workspace.id) throw apiError(404, 'not_found', 'workspace not found');
}

export function requireOpenapiApp(ctx: Ctx, req: Req, workflowOnly = false): AppRecord {
  requireEditor(ctx, req);
  const app = ctx.store.apps.get(req.params.app_id);
  if (!app) throw apiError(404, 'not_found', 'app not found');
  if (!app.enable_api) throw apiError(403, 'service_api_disabled', 'the Service API of this app is switched off');
  if (workflowOnly && !WORKFLOW_MODES.includes(app.mode)) {
    throw apiError(400, 'invalid_param', 'only workflow and advanced-chat apps support this operation');
  }
  return app;
}

export const ok = (body: unknown, status = 200): Reply => json(status, body, { 'X-Dify-Catalog': CATALOG_HASH });

export function intQuery(req: Req, name: string, fallback: number, max: number): number {
  const raw = req.query.get(name);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > max) throw invalid(name, `must be an integer between 1 and ${max}`);
  return value;
}
