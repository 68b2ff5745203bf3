// Deployer operations on the console API (/console/api), for cookie- and bearer-era sessions.
// Follows our reading of Dify's API contract for the console API (docs/dify-api.md).
import { encryptedDatasetIds, revealDatasetIds } from './dataset-ids.js';
import { type DifyError, difyError } from './errors.js';
import type { HttpRequest, HttpResponse } from './http.js';
import type { ConsoleSession } from './console-session.js';
import { errorFromResponse, expectJson, isRecord, parseJson } from './responses.js';
import { foldStream } from './service.js';
import type { AppInfo, AppSummary, DifyConsole, PluginDependency, WorkflowVersion } from './types.js';
import { MAX_PAGES, readImportResult, toApiKey, toWorkflowVersion, validateMarks } from './wire.js';

type ConsoleOps = Omit<DifyConsole, 'authMode' | 'passwordEncoding' | 'close' | 'serverVersion'>;

const api = '/console/api';
/** Dify's plugin list pages hold at most 256 (controllers/console/workspace/plugin.py, ParserList). */
const PLUGIN_PAGE_SIZE = 256;

/** `langgenius/openai` from a dependency's unique identifier `langgenius/openai:0.2.0@<checksum>`. */
export function pluginIdOf(dep: PluginDependency): string | undefined {
  const value = isRecord(dep.value) ? dep.value : {};
  const unique = ['marketplace_plugin_unique_identifier', 'github_plugin_unique_identifier', 'plugin_unique_identifier']
    .map((key) => value[key])
    .find((v): v is string => typeof v === 'string' && v !== '');
  return unique?.split(/[:@]/)[0];
}

/** The app settings plan, drift and pull compare (description and icon), when the answer carries them. */
function copyAppSettings(body: Record<string, unknown>, info: AppInfo): void {
  for (const key of ['description', 'icon_type', 'icon', 'icon_background'] as const) {
    // A null (an app created before the field existed) is unknown, so it is not compared.
    if (typeof body[key] === 'string') info[key] = body[key] as string;
  }
}

const app = (appId: string) => `${api}/apps/${encodeURIComponent(appId)}`;

export function createConsoleOps(session: ConsoleSession): ConsoleOps {
  const call = (req: Omit<HttpRequest, 'surface'>): Promise<{ res: HttpResponse; req: HttpRequest }> => {
    const full: HttpRequest = { ...req, surface: 'console' };
    return session.send(full).then((res) => ({ res, req: full }));
  };
  const get = async <T = Record<string, unknown>>(path: string, query?: HttpRequest['query']) => {
    const { res, req } = await call({ method: 'GET', path, query, safety: 'read' });
    return expectJson<T>(res, req);
  };

  /** Publish and re-mark both carry the marks, checked against Dify's limits before anything is sent. */
  const sendMarks = (
    method: 'POST' | 'PATCH',
    path: string,
    marks: { markedName: string; markedComment: string },
    safety: HttpRequest['safety'],
  ) => {
    validateMarks(marks, path);
    return call({ method, path, json: { marked_name: marks.markedName, marked_comment: marks.markedComment }, safety });
  };

  // Read once, and only when an export carries encrypted knowledge-base ids.
  let workspaceId: Promise<string> | undefined;
  // GET /workspaces lists the account's workspaces on 1.8 and 1.12 alike (…/workspaces/current is GET on
  // 1.8.1 and POST on 1.12.1).
  const readCurrentWorkspaceId = async () => {
    const body = await get(`${api}/workspaces`);
    const list = Array.isArray(body.workspaces) ? body.workspaces.filter(isRecord) : [];
    return String((list.find((w) => w.current === true) ?? list[0])?.id ?? '');
  };

  return {
    async getApp(appId) {
      const body = await get(app(appId));
      const workflow = isRecord(body.workflow) ? body.workflow : undefined;
      const info: AppInfo = { id: String(body.id ?? appId), name: String(body.name ?? ''), mode: String(body.mode ?? '') };
      info.workflow_id = typeof body.workflow_id === 'string' ? body.workflow_id : typeof workflow?.id === 'string' ? workflow.id : null;
      if (typeof body.enable_api === 'boolean') info.enable_api = body.enable_api;
      copyAppSettings(body, info);
      return info;
    },

    async describeAccess() {
      // The current workspace with the account's role: GET on Dify 1.8.1, POST on 1.12.1 (405 to the other).
      const path = `${api}/workspaces/current`;
      let { res, req } = await call({ method: 'GET', path, safety: 'read' });
      if (res.status === 405) ({ res, req } = await call({ method: 'POST', path, safety: 'read' }));
      const body = expectJson(res, req);
      return {
        workspaceId: typeof body.id === 'string' ? body.id : undefined,
        workspaceName: typeof body.name === 'string' ? body.name : undefined,
        role: typeof body.role === 'string' ? body.role : undefined,
      };
    },

    async exportDsl(appId, options = {}) {
      const path = `${app(appId)}/export`;
      const body = await get(path, { include_secret: 'false', workflow_id: options.workflowId });
      if (typeof body.data !== 'string') throw unexpected('GET', path, 'no YAML in `data`');
      const encrypted = encryptedDatasetIds(body.data);
      if (encrypted.length === 0) return body.data;
      workspaceId ??= readCurrentWorkspaceId();
      return revealDatasetIds(body.data, encrypted, await workspaceId);
    },

    async importDsl(appId, yamlContent) {
      const { res, req } = await call({
        method: 'POST',
        path: `${api}/apps/imports`,
        json: { mode: 'yaml-content', yaml_content: yamlContent, app_id: appId },
        // Importing into an existing app replaces its draft: applying it twice leaves the same draft.
        safety: 'replace',
      });
      return readImportResult(res, req);
    },

    async confirmImport(importId) {
      const { res, req } = await call({
        method: 'POST',
        path: `${api}/apps/imports/${encodeURIComponent(importId)}/confirm`,
        safety: 'write',
      });
      return readImportResult(res, req);
    },

    async runDraft(appId, run, options = {}) {
      // Dify 1.12.1 streams every draft run (controllers/console/app/workflow.py: streaming=True).
      const path = run.mode === 'advanced-chat' ? `${app(appId)}/advanced-chat/workflows/draft/run` : `${app(appId)}/workflows/draft/run`;
      const json = run.mode === 'advanced-chat' ? { inputs: run.inputs, query: run.query ?? '' } : { inputs: run.inputs };
      // A run executes the app (and whatever its nodes call): retried only when Dify certainly did not start it.
      const req: HttpRequest = { method: 'POST', path, json, safety: 'write', surface: 'console', signal: options.signal };
      const started = performance.now();
      const res = await session.open(req);
      if (res.status !== 200 || !res.chunks) throw errorFromResponse(res, req);
      return foldStream(
        res,
        req,
        () => performance.now() - started,
        () => {},
      );
    },

    async listApps(name) {
      const apps: AppSummary[] = [];
      for (let page = 1; page <= MAX_PAGES; page++) {
        const body = await get(`${api}/apps`, { page, limit: 100, name });
        const data = Array.isArray(body.data) ? body.data.filter(isRecord) : [];
        for (const a of data)
          apps.push({ id: String(a.id), name: String(a.name ?? ''), mode: String(a.mode ?? ''), description: String(a.description ?? '') });
        if (body.has_more !== true) break;
      }
      return apps;
    },

    async createApp(fields) {
      // The console's "Create from blank" body (controllers/console/app/app.py, CreateAppPayload).
      const json = { ...fields, icon_type: 'emoji', icon: '🤖', icon_background: '#FFEAD5' };
      // Not repeated: a lost answer could mean two apps; the caller looks the app up by name first.
      const { res, req } = await call({ method: 'POST', path: `${api}/apps`, json, safety: 'once' });
      // Dify answers a created app with 201 (controllers/console/app/app.py).
      if (res.status !== 201 && res.status !== 200) throw errorFromResponse(res, req);
      const body = parseJson(res, req);
      return {
        id: String(body.id),
        name: String(body.name ?? fields.name),
        mode: String(body.mode ?? fields.mode),
        description: String(body.description ?? ''),
      };
    },

    async deleteApp(appId) {
      const { res, req } = await call({ method: 'DELETE', path: app(appId), safety: 'read' });
      // A retried DELETE that finds nothing most likely succeeded the first time.
      if (res.status === 404 && res.attempts > 1) return;
      if (res.status !== 204 && res.status !== 200) throw errorFromResponse(res, req);
    },

    async checkDependencies(appId) {
      const body = await get(`${api}/apps/imports/${encodeURIComponent(appId)}/check-dependencies`);
      return Array.isArray(body.leaked_dependencies) ? (body.leaked_dependencies as PluginDependency[]) : [];
    },

    async missingPlugins(_appId, dependencies) {
      if (dependencies.length === 0) return [];
      const installed = new Set<string>();
      for (let page = 1; page <= MAX_PAGES; page++) {
        const body = await get(`${api}/workspaces/current/plugin/list`, { page, page_size: PLUGIN_PAGE_SIZE });
        const plugins = Array.isArray(body.plugins) ? body.plugins : [];
        for (const p of plugins) if (isRecord(p) && typeof p.plugin_id === 'string') installed.add(p.plugin_id);
        const total = typeof body.total === 'number' ? body.total : 0;
        if (plugins.length < PLUGIN_PAGE_SIZE || page * PLUGIN_PAGE_SIZE >= total) break;
      }
      return dependencies.filter((dep) => {
        const id = pluginIdOf(dep);
        return id !== undefined && !installed.has(id);
      });
    },

    async publish(appId, marks) {
      const { res, req } = await sendMarks('POST', `${app(appId)}/workflows/publish`, marks, 'write');
      const body = expectJson(res, req);
      return { createdAt: typeof body.created_at === 'number' ? body.created_at : 0 };
    },

    async getPublished(appId) {
      const { res, req } = await call({ method: 'GET', path: `${app(appId)}/workflows/publish`, safety: 'read' });
      if (res.status !== 200) throw errorFromResponse(res, req);
      const body = parseJson<unknown>(res, req);
      return isRecord(body) && typeof body.id === 'string' ? toWorkflowVersion(body) : null;
    },

    async listVersions(appId) {
      const versions: WorkflowVersion[] = [];
      for (let page = 1; page <= MAX_PAGES; page++) {
        const body = await get(`${app(appId)}/workflows`, { page, limit: 100 });
        const items = Array.isArray(body.items) ? body.items : Array.isArray(body.data) ? body.data : [];
        for (const item of items) if (isRecord(item) && item.version !== 'draft') versions.push(toWorkflowVersion(item));
        if (body.has_more !== true || items.length === 0) break;
      }
      return versions;
    },

    async markVersion(appId, workflowId, marks) {
      // Setting the same marks twice leaves the same marks: safe to retry like a read.
      const { res, req } = await sendMarks('PATCH', `${app(appId)}/workflows/${encodeURIComponent(workflowId)}`, marks, 'replace');
      expectJson(res, req);
      return true;
    },

    async restoreVersion(appId, workflowId) {
      const { res, req } = await call({
        method: 'POST',
        path: `${app(appId)}/workflows/${encodeURIComponent(workflowId)}/restore`,
        safety: 'write',
      });
      if (res.status === 200) {
        parseJson(res, req); // a 200 that is not JSON did not come from Dify
        return true;
      }
      if (isMissingRoute(res)) return false;
      throw errorFromResponse(res, req);
    },

    async listApiKeys(appId) {
      const { res, req } = await call({ method: 'GET', path: `${app(appId)}/api-keys`, safety: 'read' });
      const body = expectJson(res, req);
      return (Array.isArray(body.data) ? body.data : []).map((raw) => toApiKey(raw, res, req));
    },

    async createApiKey(appId) {
      const { res, req } = await call({ method: 'POST', path: `${app(appId)}/api-keys`, safety: 'write' });
      return toApiKey(expectJson(res, req, [200, 201]), res, req);
    },

    async deleteApiKey(appId, keyId) {
      const { res, req } = await call({ method: 'DELETE', path: `${app(appId)}/api-keys/${encodeURIComponent(keyId)}`, safety: 'read' });
      if (res.status === 204) return;
      if (res.status === 200) {
        parseJson(res, req); // a 200 that is not JSON did not come from Dify
        return;
      }
      // A retried DELETE that finds nothing: the first attempt deleted the key before its answer was lost.
      if (res.status === 404 && res.attempts > 1) return;
      throw errorFromResponse(res, req);
    },
  };
}

/**
 * Older servers have no restore route: Flask answers 405 (the path matches another rule) or its
 * generic 404 ("The requested URL was not found on the server"), unlike Dify's own 404 for a
 * missing workflow, which names it.
 */
export function isMissingRoute(res: HttpResponse): boolean {
  if (res.status === 405) return true;
  if (res.status !== 404) return false;
  return /requested URL was not found|not found on (the|this) server/i.test(res.text) || !/workflow|version|app/i.test(res.text);
}

function unexpected(method: string, path: string, what: string): DifyError {
  return difyError(`Dify ${method} ${path} answered 200 but ${what}`, {
    status: 200,
    difyCode: 'unexpected_response',
    method,
    path,
    surface: 'console',
  });
}
