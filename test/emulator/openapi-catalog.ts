// The /openapi/v1 catalog: op id → {method, path, input}. Paths are the newest ones (contract §9.4),
// relative to /openapi/v1; clients must look ops up here rather than hard-code paths (§9.5).
import { createHash } from 'node:crypto';
import { stableStringify } from './dsl.js';

const str = { type: 'string' };
const appId = { app_id: str };
const object = (properties: Record<string, unknown>, required: string[] = []) => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
});

export const CATALOG = {
  ops: {
    'get.account': { method: 'GET', path: '/account', input: object({}) },
    'list.workspace': { method: 'GET', path: '/workspaces', input: object({}) },
    'describe.console_app': { method: 'GET', path: '/apps/{app_id}', input: object({ ...appId, fields: str }, ['app_id']) },
    'get.console_app': {
      method: 'GET',
      path: '/apps',
      input: object({ workspace_id: str, page: { type: 'integer' }, limit: { type: 'integer', maximum: 100 }, mode: str, name: str }, [
        'workspace_id',
      ]),
    },
    'import.console_app.dsl': {
      method: 'POST',
      path: '/workspaces/{workspace_id}/apps/imports',
      input: object(
        {
          workspace_id: str,
          mode: { enum: ['yaml-content', 'yaml-url'] },
          yaml_content: str,
          yaml_url: str,
          name: str,
          description: str,
          icon_type: str,
          icon: str,
          icon_background: str,
          app_id: str,
          draft_hash: str,
        },
        ['workspace_id', 'mode'],
      ),
    },
    'confirm.console_app.dsl_import': {
      method: 'POST',
      path: '/workspaces/{workspace_id}/apps/imports/{import_id}:confirm',
      input: object({ workspace_id: str, import_id: str }, ['workspace_id', 'import_id']),
    },
    'check.console_app.dsl': {
      method: 'POST',
      path: '/workspaces/{workspace_id}/apps/imports:check',
      input: object({ workspace_id: str, yaml_content: str, app_id: str }, ['workspace_id', 'yaml_content']),
    },
    'export.console_app.dsl': {
      method: 'GET',
      path: '/apps/{app_id}/dsl',
      input: object({ ...appId, include_secret: { type: 'boolean' }, workflow_id: str }, ['app_id']),
    },
    'check.console_app.dependency': {
      method: 'GET',
      path: '/apps/{app_id}/dependencies:check',
      input: object(appId, ['app_id']),
    },
    'check.console_app.release': { method: 'GET', path: '/apps/{app_id}/release:check', input: object(appId, ['app_id']) },
    'publish.console_app': {
      method: 'POST',
      path: '/apps/{app_id}:publish',
      input: object({ ...appId, marked_name: { type: 'string', maxLength: 20 }, marked_comment: { type: 'string', maxLength: 100 } }, [
        'app_id',
      ]),
    },
    'get.console_app.version': {
      method: 'GET',
      path: '/apps/{app_id}/versions',
      input: object({ ...appId, page: { type: 'integer' }, limit: { type: 'integer' }, named_only: { type: 'boolean' } }, ['app_id']),
    },
    'restore.console_app.version': {
      method: 'POST',
      path: '/apps/{app_id}/versions/{version_id}:restore',
      input: object({ ...appId, version_id: str }, ['app_id', 'version_id']),
    },
    'test.console_app.workflow': {
      method: 'POST',
      path: '/apps/{app_id}/draft/workflow:run',
      input: object({ ...appId, inputs: { type: 'object' } }, ['app_id', 'inputs']),
    },
    'run.console_app.workflow': {
      method: 'POST',
      path: '/apps/{app_id}/workflow:run',
      input: object({ ...appId, inputs: { type: 'object' }, files: { type: 'array' }, workflow_id: str }, ['app_id', 'inputs']),
    },
  },
};

export const CATALOG_HASH = createHash('sha256').update(stableStringify(CATALOG)).digest('hex').slice(0, 16);
