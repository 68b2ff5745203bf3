// Deployer operations on Dify's /openapi/v1 surface with a dfoa_ account token. Paths drifted
// between versions (contract §9.5), so every operation is looked up in the server's catalog by
// op id, never by a path we hard-code.
import { registerSecret } from '../support/redact.js';
import { parsePyYaml } from '../support/pyyaml.js';
import { encryptedDatasetIds, revealDatasetIds } from './dataset-ids.js';
import { difyError } from './errors.js';
import type { HttpClient, HttpRequest, Query } from './http.js';
import { isMissingRoute, type createConsoleOps } from './console-api.js';
import { errorFromResponse, expectJson, isRecord, parseJson } from './responses.js';
import type { AppInfo, PluginDependency, WorkflowVersion } from './types.js';
import { MAX_PAGES, readImportResult, toWorkflowVersion, validateMarks } from './wire.js';

type ConsoleOps = ReturnType<typeof createConsoleOps>;
type KeyOps = Pick<ConsoleOps, 'listApiKeys' | 'createApiKey' | 'deleteApiKey'>;

const PREFIX = '/openapi/v1';

export const OPS = {
  describeApp: 'describe.console_app',
  /** Real Dify names the app list `get.console_app`; some builds say `list.console_app`. */
  listApps: 'get.console_app',
  listAppsAlt: 'list.console_app',
  exportDsl: 'export.console_app.dsl',
  importDsl: 'import.console_app.dsl',
  confirmImport: 'confirm.console_app.dsl_import',
  checkDependencies: 'check.console_app.dependency',
  publish: 'publish.console_app',
  listVersions: 'get.console_app.version',
  restore: 'restore.console_app.version',
} as const;

interface CatalogOp {
  method: HttpRequest['method'];
  path: string;
}

/** The workflow parts of an exported DSL, in the shape of Dify's Workflow object. */
function contentOf(yaml: string): Pick<WorkflowVersion, 'graph' | 'features' | 'environment_variables' | 'conversation_variables'> {
  const dsl = parsePyYaml(yaml);
  const workflow = isRecord(dsl) && isRecord(dsl.workflow) ? dsl.workflow : {};
  return {
    graph: workflow.graph ?? {},
    features: workflow.features ?? {},
    environment_variables: Array.isArray(workflow.environment_variables) ? workflow.environment_variables : [],
    conversation_variables: Array.isArray(workflow.conversation_variables) ? workflow.conversation_variables : [],
  };
}

/** GET /openapi/v1/_version needs no auth: 200 means the surface exists; older servers answer 404. */
export async function probeOpenApi(http: HttpClient): Promise<boolean> {
  const req: HttpRequest = { method: 'GET', path: `${PREFIX}/_version`, safety: 'read', surface: 'openapi' };
  const res = await http.send(req);
  if (res.status !== 200) return false;
  parseJson(res, req); // an HTML page with 200 (a web UI or proxy) is not the /openapi surface
  return true;
}

export async function createOpenApiOps(
  http: HttpClient,
  options: { token: string; workspaceId?: string; keys?: () => Promise<KeyOps> },
): Promise<ConsoleOps> {
  registerSecret(options.token);
  const auth = { authorization: `Bearer ${options.token}` };
  const catalogReq: HttpRequest = { method: 'GET', path: `${PREFIX}/_catalog`, safety: 'read', surface: 'openapi' };
  const catalog = expectJson(await http.send(catalogReq), catalogReq);
  const ops = isRecord(catalog.ops) ? catalog.ops : {};

  function find(id: string): CatalogOp | undefined {
    const op = ops[id];
    if (!isRecord(op) || typeof op.path !== 'string' || typeof op.method !== 'string') return undefined;
    const path = op.path.startsWith(PREFIX) ? op.path : `${PREFIX}${op.path.startsWith('/') ? '' : '/'}${op.path}`;
    return { method: op.method.toUpperCase() as CatalogOp['method'], path };
  }
  function need(id: string): CatalogOp {
    const op = find(id);
    if (op) return op;
    throw difyError(`This Dify server's /openapi catalog has no operation "${id}"`, {
      status: 0,
      difyCode: 'openapi_op_missing',
      method: 'GET',
      path: `${PREFIX}/_catalog`,
      surface: 'openapi',
    });
  }

  let workspace: Promise<string> | undefined;
  const resolveWorkspace = () => (workspace ??= findWorkspace());
  async function findWorkspace(): Promise<string> {
    if (options.workspaceId) return options.workspaceId;
    const accountReq: HttpRequest = { method: 'GET', path: `${PREFIX}/account`, headers: auth, safety: 'read', surface: 'openapi' };
    const account = await http.send(accountReq);
    if (account.status === 200) {
      const body = expectJson(account, accountReq);
      if (typeof body.default_workspace_id === 'string') return body.default_workspace_id;
    }
    const listReq: HttpRequest = { method: 'GET', path: `${PREFIX}/workspaces`, headers: auth, safety: 'read', surface: 'openapi' };
    const body = expectJson(await http.send(listReq), listReq);
    const rows = (Array.isArray(body.data) ? body.data : Array.isArray(body.workspaces) ? body.workspaces : []).filter(isRecord);
    const chosen = rows.find((r) => r.current === true) ?? rows[0];
    if (!chosen || typeof chosen.id !== 'string') {
      throw difyError("The dfoa_ token's account belongs to no workspace", {
        status: 200,
        difyCode: 'workspace_not_found',
        method: 'GET',
        path: listReq.path,
        surface: 'openapi',
      });
    }
    return chosen.id;
  }

  /** Fill `{name}` placeholders; `{ws}`/`{workspace_id}` resolve through /account on first use. */
  async function invoke(
    op: CatalogOp,
    params: Record<string, string>,
    extra: { query?: Query; json?: unknown; safety: HttpRequest['safety'] },
  ) {
    const values: Record<string, string> = { ...params };
    const names = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    if (names.some((n) => n === 'ws' || n === 'workspace_id')) values.ws = values.workspace_id = await resolveWorkspace();
    const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = values[name];
      if (value === undefined)
        throw difyError(`Cannot fill {${name}} in ${op.path}`, {
          status: 0,
          difyCode: 'openapi_op_missing',
          method: op.method,
          path: op.path,
          surface: 'openapi',
        });
      return encodeURIComponent(value);
    });
    const req: HttpRequest = { method: op.method, path, headers: auth, surface: 'openapi', ...extra };
    return { res: await http.send(req), req };
  }

  async function versionPages(appId: string): Promise<Record<string, unknown>[]> {
    const op = need(OPS.listVersions);
    const rows: Record<string, unknown>[] = [];
    for (let page = 1; page <= MAX_PAGES; page++) {
      const { res, req } = await invoke(op, { app_id: appId }, { query: { page, limit: 100 }, safety: 'read' });
      const body = expectJson(res, req);
      const items = (Array.isArray(body.data) ? body.data : Array.isArray(body.items) ? body.items : []).filter(isRecord);
      rows.push(...items);
      if (body.has_more !== true || items.length === 0) break;
    }
    return rows;
  }

  /** Without a describe op: page through the workspace's app list (its `name` filter is fuzzy). */
  async function findInAppList(appId: string): Promise<Record<string, unknown>> {
    // With neither a describe nor a list op, report the describe op as the one missing.
    const op = find(OPS.listApps) ?? find(OPS.listAppsAlt) ?? need(OPS.describeApp);
    const workspaceId = await resolveWorkspace();
    for (let page = 1; page <= MAX_PAGES; page++) {
      const { res, req } = await invoke(op, {}, { query: { workspace_id: workspaceId, page, limit: 100 }, safety: 'read' });
      const body = expectJson(res, req);
      const rows = (Array.isArray(body.data) ? body.data : []).filter(isRecord);
      const row = rows.find((r) => r.id === appId);
      if (row) return row;
      if (body.has_more !== true || rows.length === 0) break;
    }
    throw difyError(`App ${appId} not found in workspace ${workspaceId}`, {
      status: 404,
      difyCode: 'not_found',
      method: 'GET',
      path: `${PREFIX}/apps/${appId}`,
      surface: 'openapi',
    });
  }

  const keysUnavailable = (): never => {
    throw difyError("API-key operations are not available with a dfoa_ token: Dify's /openapi has no API-key routes", {
      status: 0,
      difyCode: 'api_keys_need_console',
      method: 'GET',
      path: '/console/api/apps/{app_id}/api-keys',
      surface: 'openapi',
    });
  };
  const keys = async () => (options.keys ? options.keys() : keysUnavailable());

  const versionContent = new Map<string, ReturnType<typeof contentOf>>();
  const surface: ConsoleOps = {
    async getApp(appId) {
      const describe = find(OPS.describeApp);
      let row: Record<string, unknown> | undefined;
      if (describe) {
        const { res, req } = await invoke(describe, { app_id: appId }, { query: { fields: 'info' }, safety: 'read' });
        const body = expectJson(res, req);
        row = isRecord(body.info) ? body.info : body;
      } else {
        row = await findInAppList(appId);
      }
      const info: AppInfo = { id: String(row.id ?? appId), name: String(row.name ?? ''), mode: String(row.mode ?? '') };
      if (typeof row.enable_api === 'boolean') info.enable_api = row.enable_api;
      // /openapi's app info has a description but no icon: the icon is then not compared.
      if (typeof row.description === 'string') info.description = row.description;
      // Only graph apps have versions; the current one is the published workflow.
      if ((info.mode === 'workflow' || info.mode === 'advanced-chat') && find(OPS.listVersions)) {
        const current = (await versionPages(appId)).find((v) => v.current === true);
        info.workflow_id = current ? String(current.id) : null;
      }
      return info;
    },

    async describeAccess() {
      const workspaceId = await resolveWorkspace();
      const req: HttpRequest = { method: 'GET', path: `${PREFIX}/account`, headers: auth, safety: 'read', surface: 'openapi' };
      const body = expectJson(await http.send(req), req);
      const rows = (Array.isArray(body.workspaces) ? body.workspaces : []).filter(isRecord);
      const here = rows.find((w) => w.id === workspaceId);
      const expires = Number(body.expires_at ?? body.token_expires_at);
      return {
        workspaceId,
        workspaceName: typeof here?.name === 'string' ? here.name : undefined,
        role: typeof here?.role === 'string' ? here.role : undefined,
        tokenExpiresAt: Number.isFinite(expires) && expires > 0 ? expires : undefined,
      };
    },

    async exportDsl(appId, options = {}) {
      const { res, req } = await invoke(
        need(OPS.exportDsl),
        { app_id: appId },
        { query: { include_secret: 'false', workflow_id: options.workflowId }, safety: 'read' },
      );
      const body = expectJson(res, req);
      if (typeof body.data !== 'string')
        throw errorFromResponse(res, req, { difyCode: 'unexpected_response', difyMessage: 'no YAML in `data`' });
      const encrypted = encryptedDatasetIds(body.data);
      return encrypted.length ? revealDatasetIds(body.data, encrypted, await resolveWorkspace()) : body.data;
    },

    async importDsl(appId, yamlContent) {
      const { res, req } = await invoke(
        need(OPS.importDsl),
        { app_id: appId },
        { json: { mode: 'yaml-content', yaml_content: yamlContent, app_id: appId }, safety: 'replace' },
      );
      return readImportResult(res, req);
    },

    async confirmImport(importId) {
      const { res, req } = await invoke(need(OPS.confirmImport), { import_id: importId, id: importId }, { safety: 'write' });
      return readImportResult(res, req);
    },

    async checkDependencies(appId) {
      const { res, req } = await invoke(need(OPS.checkDependencies), { app_id: appId }, { safety: 'read' });
      const body = expectJson(res, req);
      return Array.isArray(body.leaked_dependencies) ? (body.leaked_dependencies as PluginDependency[]) : [];
    },

    // /openapi's dependency check is computed on request (not the console's import-time cache).
    async missingPlugins(appId, dependencies) {
      if (dependencies.length === 0) return [];
      const { res, req } = await invoke(need(OPS.checkDependencies), { app_id: appId }, { safety: 'read' });
      const body = expectJson(res, req);
      return Array.isArray(body.leaked_dependencies) ? (body.leaked_dependencies as PluginDependency[]) : [];
    },

    async publish(appId, marks) {
      const op = need(OPS.publish);
      validateMarks(marks, op.path);
      const { res, req } = await invoke(
        op,
        { app_id: appId },
        { json: { marked_name: marks.markedName, marked_comment: marks.markedComment }, safety: 'write' },
      );
      const body = expectJson(res, req);
      return { createdAt: typeof body.created_at === 'number' ? body.created_at : 0 };
    },

    // /openapi version rows carry no graph: whatever hashes the live version (verification, drift, plan,
    // redeploy-secrets) must read that version's content, which only its export has.
    async getPublished(appId) {
      const current = (await versionPages(appId)).find((v) => v.current === true);
      if (!current) return null;
      const version = toWorkflowVersion(current);
      if (version.graph === undefined) {
        // A published version's content never changes: export it once per run, however often it is read.
        let content = versionContent.get(version.id);
        if (!content) {
          content = contentOf(await surface.exportDsl(appId, { workflowId: version.id }));
          versionContent.set(version.id, content);
        }
        Object.assign(version, structuredClone(content));
      }
      return version;
    },

    async listVersions(appId): Promise<WorkflowVersion[]> {
      return (await versionPages(appId)).map(toWorkflowVersion);
    },

    // The /openapi surface read for the contract has no route to re-mark a version.
    async markVersion() {
      return false;
    },

    async restoreVersion(appId, workflowId) {
      const op =
        find(OPS.restore) ??
        Object.keys(ops)
          .map(find)
          .find((o) => o?.path.includes('/apps/') && o.path.endsWith(':restore'));
      if (!op) return false;
      const { res, req } = await invoke(op, { app_id: appId, version_id: workflowId, workflow_id: workflowId }, { safety: 'write' });
      if (res.status === 200) {
        parseJson(res, req);
        return true;
      }
      if (isMissingRoute(res)) return false;
      throw errorFromResponse(res, req);
    },

    listApiKeys: async (appId) => (await keys()).listApiKeys(appId),
    createApiKey: async (appId) => (await keys()).createApiKey(appId),
    deleteApiKey: async (appId, keyId) => (await keys()).deleteApiKey(appId, keyId),
  };
  return surface;
}
