// Mapping Dify's wire objects to our types, shared by the console and /openapi clients.
import { registerSecret } from '../support/redact.js';
import { difyError } from './errors.js';
import type { HttpRequest, HttpResponse } from './http.js';
import { errorFromResponse, isRecord, parseJson } from './responses.js';
import type { ApiKey, ImportResult, ImportStatus, WorkflowVersion } from './types.js';

const IMPORT_STATUSES: readonly ImportStatus[] = ['completed', 'completed-with-warnings', 'pending', 'failed'];

/** Dify's limits on a published version's marks, in characters (Python's len): api/controllers/console/app/workflow.py
 *  (PublishedWorkflowApi.post, WorkflowByIdApi.patch) raises "Marked name cannot exceed 20 characters" and the like. */
export const MARKED_NAME_MAX = 20;
export const MARKED_COMMENT_MAX = 100;

/** Dify refuses longer marks with a bare 400; say which field and what the limit is before sending. */
export function validateMarks(marks: { markedName: string; markedComment: string }, path: string): void {
  const problems: string[] = [];
  if ([...marks.markedName].length > MARKED_NAME_MAX)
    problems.push(`marked_name "${marks.markedName}" has ${[...marks.markedName].length} characters (at most ${MARKED_NAME_MAX})`);
  if ([...marks.markedComment].length > MARKED_COMMENT_MAX)
    problems.push(`marked_comment has ${[...marks.markedComment].length} characters (at most ${MARKED_COMMENT_MAX})`);
  if (problems.length > 0) {
    throw difyError(`Cannot publish: ${problems.join('; ')}.`, {
      status: 0,
      difyCode: 'invalid_marks',
      method: 'POST',
      path,
      hint: 'Shorten the version name or comment (Dify limits them to 20 and 100 characters).',
    });
  }
}

/**
 * Import and confirm answer 200 (done), 202 (pending) or 400 with the same Import object when the
 * import failed: that is a result to report, not a transport error. Other shapes are errors.
 */
export function readImportResult(res: HttpResponse, req: HttpRequest): ImportResult {
  if (![200, 202, 400].includes(res.status)) throw errorFromResponse(res, req);
  let body: unknown;
  try {
    body = parseJson<unknown>(res, req);
  } catch (error) {
    if (res.status === 400) throw errorFromResponse(res, req);
    throw error;
  }
  if (!isRecord(body) || typeof body.status !== 'string' || !IMPORT_STATUSES.includes(body.status as ImportStatus)) {
    throw errorFromResponse(res, req);
  }
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return {
    id: String(body.id ?? ''),
    status: res.status === 400 ? 'failed' : (body.status as ImportStatus),
    app_id: text(body.app_id) ?? null,
    app_mode: text(body.app_mode) ?? null,
    current_dsl_version: text(body.current_dsl_version),
    imported_dsl_version: text(body.imported_dsl_version),
    error: text(body.error) ?? '',
  };
}

/** Console Workflow objects and /openapi version rows both become WorkflowVersion. */
export function toWorkflowVersion(raw: Record<string, unknown>): WorkflowVersion {
  const createdAt = typeof raw.created_at === 'number' ? raw.created_at : Number(raw.created_at) || 0;
  const version: WorkflowVersion = {
    id: String(raw.id),
    version: typeof raw.version === 'string' ? raw.version : String(createdAt),
    created_at: createdAt,
  };
  if (typeof raw.marked_name === 'string') version.marked_name = raw.marked_name;
  if (typeof raw.marked_comment === 'string') version.marked_comment = raw.marked_comment;
  if (typeof raw.hash === 'string') version.hash = raw.hash;
  for (const key of ['graph', 'features'] as const) if (raw[key] !== undefined) version[key] = raw[key];
  if (Array.isArray(raw.environment_variables)) version.environment_variables = raw.environment_variables;
  if (Array.isArray(raw.conversation_variables)) version.conversation_variables = raw.conversation_variables;
  return version;
}

export function toApiKey(raw: unknown, res: HttpResponse, req: HttpRequest): ApiKey {
  if (!isRecord(raw) || typeof raw.id !== 'string' || typeof raw.token !== 'string') {
    throw difyError(`Dify ${req.method} ${req.path} returned an API key without id or token`, {
      status: res.status,
      difyCode: 'unexpected_response',
      method: req.method,
      path: req.path,
      surface: req.surface,
    });
  }
  registerSecret(raw.token);
  return {
    id: raw.id,
    token: raw.token,
    created_at: typeof raw.created_at === 'number' ? raw.created_at : 0,
    last_used_at: typeof raw.last_used_at === 'number' ? raw.last_used_at : null,
  };
}

/** Guard against a server that always answers has_more: true. */
export const MAX_PAGES = 100;
