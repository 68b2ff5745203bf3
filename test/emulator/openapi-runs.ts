// /openapi/v1 checks and runs: imports:check, release:check, draft and published workflow:run (SSE).
import { pickScripted } from './run-rules.js';
import { parseYaml, validateGraphShape, WORKFLOW_MODES } from './apply-dsl.js';
import type { Ctx } from './context.js';
import { isObject } from './dsl.js';
import { checkPublishable } from './graph.js';
import { type HttpError, readJson, type Reply, type Req } from './http.js';
import { apiError, checkBody, invalid, ok, requireOpenapiApp, requireWorkspace } from './openapi-guards.js';
import { computeRun } from './run.js';
import { startVariables, validateInputs } from './service-api.js';
import { newRunIds, streamWorkflow } from './service-workflow.js';
import { openStream } from './sse.js';
import { currentPublished, type AppRecord, type WorkflowRecord } from './state.js';

type Add = (method: string, path: string, fn: (req: Req) => Promise<Reply | void> | Reply | void) => void;

interface Issue {
  code: string;
  severity: 'error' | 'warning';
  node_id: string | null;
  loc: string[];
  message: string;
}

function graphIssues(mode: string, graph: unknown): Issue[] {
  try {
    checkPublishable(mode, validateGraphShape(graph));
    return [];
  } catch (error) {
    return [{ code: 'invalid_graph', severity: 'error', node_id: null, loc: ['workflow', 'graph'], message: (error as Error).message }];
  }
}

function checkDsl(text: string): Issue[] {
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (error) {
    return [{ code: 'invalid_yaml', severity: 'error', node_id: null, loc: [], message: (error as Error).message }];
  }
  const app = isObject(data) && isObject(data.app) ? data.app : null;
  if (!app || !WORKFLOW_MODES.includes(String(app.mode))) {
    return [
      {
        code: 'unsupported_mode',
        severity: 'error',
        node_id: null,
        loc: ['app', 'mode'],
        message: 'workflow or advanced-chat DSL required',
      },
    ];
  }
  const workflow = isObject((data as Record<string, unknown>).workflow) ? (data as { workflow: Record<string, unknown> }).workflow : {};
  return graphIssues(String(app.mode), workflow.graph ?? {});
}

/** A JSON schema of the runtime inputs (the published start form, else the draft's). */
export function inputSchema(app: AppRecord): Record<string, unknown> {
  const variables = startVariables(app, currentPublished(app) ?? app.draft);
  const kinds: Record<string, string> = { number: 'number', checkbox: 'boolean', file: 'object', 'file-list': 'array' };
  return {
    type: 'object',
    properties: Object.fromEntries(variables.map((v) => [v.variable, { type: kinds[v.type] ?? 'string', title: v.label ?? v.variable }])),
    required: variables.filter((v) => v.required).map((v) => v.variable),
  };
}

async function streamRun(ctx: Ctx, req: Req, app: AppRecord, workflow: WorkflowRecord, markTested: boolean): Promise<void> {
  const body = readJson(req);
  checkBody(body, ['inputs', 'files', 'workflow_id'], { inputs: 'object', files: 'array' });
  if (!isObject(body.inputs)) throw invalid('inputs', 'Field required');
  try {
    validateInputs(startVariables(app, workflow), body.inputs);
  } catch (error) {
    throw invalid('inputs', (error as HttpError).message);
  }
  const ids = newRunIds(workflow, body.inputs);
  const sys = { user_id: ctx.account.id, app_id: app.id, workflow_id: workflow.id, workflow_run_id: ids.runId, files: [] };
  const outcome = computeRun(
    workflow,
    { inputs: body.inputs, sys, conversation: {} },
    pickScripted(app, { inputs: body.inputs, version: markTested ? 'draft' : 'published', workflow }, ctx.store.everyAppRules),
  );
  const stream = openStream(req.res, req.log, ctx.options.pingIntervalMs);
  await streamWorkflow(ctx, stream, ids, outcome);
  if (markTested && outcome.status === 'succeeded' && !outcome.streamError) app.tested_hash = workflow.hash;
  stream.end();
}

export function addOpenapiRuns(ctx: Ctx, add: Add): void {
  add('POST', '/workspaces/{workspace_id}/apps/imports:check', (req) => {
    requireWorkspace(ctx, req);
    const body = readJson(req);
    checkBody(body, ['yaml_content', 'app_id']);
    if (typeof body.yaml_content !== 'string') throw invalid('yaml_content', 'Field required');
    const issues = checkDsl(body.yaml_content);
    return ok({ valid: !issues.some((i) => i.severity === 'error'), issues });
  });
  add('GET', '/apps/{app_id}/release:check', (req) => {
    const app = requireOpenapiApp(ctx, req, true);
    const issues = app.draft ? graphIssues(app.mode, app.draft.graph) : [];
    const draftValid = !!app.draft && issues.length === 0;
    const tested = !!app.draft && app.tested_hash === app.draft.hash;
    const published = currentPublished(app);
    return ok({
      ready: draftValid && tested,
      checks: [
        { name: 'draft_valid', passed: draftValid, detail: draftValid ? null : (issues[0]?.message ?? 'no draft') },
        { name: 'tested', passed: tested, detail: tested ? null : 'run the current draft successfully first' },
      ],
      issues,
      state: { service_api_enabled: app.enable_api, webapp_enabled: app.enable_site },
      changes: { has_published: !!published, draft_differs: !published || published.hash !== app.draft?.hash },
      hints: [],
    });
  });
  add('POST', '/apps/{app_id}/draft/workflow:run', async (req) => {
    const app = requireOpenapiApp(ctx, req, true);
    if (app.mode !== 'workflow') throw apiError(400, 'invalid_param', 'use draft/advanced-chat:run for chatflows');
    if (!app.draft) throw apiError(404, 'not_found', 'draft workflow not found');
    await streamRun(ctx, req, app, app.draft, true);
  });
  add('POST', '/apps/{app_id}/workflow:run', async (req) => {
    const app = requireOpenapiApp(ctx, req, true);
    if (app.mode !== 'workflow') throw apiError(400, 'invalid_param', 'use advanced-chat:run for chatflows');
    const workflow = currentPublished(app);
    if (!workflow) throw apiError(400, 'invalid_param', 'Workflow not published');
    await streamRun(ctx, req, app, workflow, false);
  });
}
