// The route table for the console (/console/api) and service (/v1) surfaces.
import {
  handleApiEnable,
  handleCreateApp,
  handleCurrentWorkspace,
  handleListPlugins,
  handleListWorkspaces,
  handleSystemFeatures,
  handleCreateKey,
  handleDeleteApp,
  handleUpdateApp,
  handleDeleteKey,
  handleExport,
  handleGetApp,
  handleListApps,
  handleListKeys,
} from './apps.js';
import { handleDraftChatRun, handleDraftWorkflowRun } from './draft-run.js';
import { handleLogin, handleLogout, handleRefresh } from './auth.js';
import type { Ctx } from './context.js';
import { HttpError, type Reply, type Req } from './http.js';
import { handleCheckDependencies, handleConfirm, handleImport } from './imports.js';
import { createRouter, type Router } from './router.js';
import { handleInfo, handleParameters } from './service-api.js';
import { handleChat, handleStopChat } from './service-chat.js';
import { handleGetRun, handleStopTask, handleWorkflowRun } from './service-workflow.js';
import {
  handleDeleteVersion,
  handleGetDraft,
  handleGetPublished,
  handleListVersions,
  handlePatchVersion,
  handlePublish,
  handleRestore,
  handleSyncDraft,
} from './workflows.js';

type CtxHandler = (ctx: Ctx, req: Req) => Promise<Reply | void> | Reply | void;

export function createDifyRouter(ctx: Ctx): Router {
  const router = createRouter();
  const add = (method: string, path: string, handler: CtxHandler): void => {
    router.add(method, path, (req) => handler(ctx, req));
  };
  const c = '/console/api';
  add('POST', `${c}/login`, handleLogin);
  add('POST', `${c}/refresh-token`, handleRefresh);
  add('POST', `${c}/logout`, handleLogout);
  add('GET', `${c}/apps`, handleListApps);
  add('GET', `${c}/system-features`, handleSystemFeatures);
  add('GET', `${c}/workspaces`, handleListWorkspaces);
  add('GET', `${c}/workspaces/current`, handleCurrentWorkspace);
  add('POST', `${c}/workspaces/current`, handleCurrentWorkspace);
  add('GET', `${c}/workspaces/current/plugin/list`, handleListPlugins);
  add('POST', `${c}/apps`, handleCreateApp);
  add('GET', `${c}/apps/{app_id}`, handleGetApp);
  add('PUT', `${c}/apps/{app_id}`, handleUpdateApp);
  add('DELETE', `${c}/apps/{app_id}`, handleDeleteApp);
  add('GET', `${c}/apps/{app_id}/export`, handleExport);
  add('POST', `${c}/apps/{app_id}/api-enable`, handleApiEnable);
  add('POST', `${c}/apps/imports`, handleImport);
  add('POST', `${c}/apps/imports/{import_id}/confirm`, handleConfirm);
  add('GET', `${c}/apps/imports/{app_id}/check-dependencies`, handleCheckDependencies);
  add('GET', `${c}/apps/{app_id}/workflows/draft`, handleGetDraft);
  add('POST', `${c}/apps/{app_id}/workflows/draft`, handleSyncDraft);
  add('POST', `${c}/apps/{app_id}/workflows/draft/run`, handleDraftWorkflowRun);
  add('POST', `${c}/apps/{app_id}/advanced-chat/workflows/draft/run`, handleDraftChatRun);
  add('POST', `${c}/apps/{app_id}/workflows/publish`, handlePublish);
  add('GET', `${c}/apps/{app_id}/workflows/publish`, handleGetPublished);
  add('GET', `${c}/apps/{app_id}/workflows`, handleListVersions);
  add('PATCH', `${c}/apps/{app_id}/workflows/{workflow_id}`, handlePatchVersion);
  add('DELETE', `${c}/apps/{app_id}/workflows/{workflow_id}`, handleDeleteVersion);
  add('POST', `${c}/apps/{app_id}/workflows/{workflow_id}/restore`, (cx, req) => {
    // Older servers have no restore endpoint: behave exactly like an unknown route.
    if (!cx.options.restoreEndpoint) throw new HttpError(404, 'not_found', 'The requested URL was not found on the server.');
    return handleRestore(cx, req);
  });
  add('GET', `${c}/apps/{app_id}/api-keys`, handleListKeys);
  add('POST', `${c}/apps/{app_id}/api-keys`, handleCreateKey);
  add('DELETE', `${c}/apps/{app_id}/api-keys/{key_id}`, handleDeleteKey);

  add('POST', '/v1/workflows/run', handleWorkflowRun);
  add('GET', '/v1/workflows/run/{run_id}', handleGetRun);
  add('POST', '/v1/workflows/tasks/{task_id}/stop', handleStopTask);
  add('POST', '/v1/chat-messages', handleChat);
  add('POST', '/v1/chat-messages/{task_id}/stop', handleStopChat);
  add('GET', '/v1/info', handleInfo);
  add('GET', '/v1/parameters', handleParameters);
  return router;
}
