// Seeding and the /__emulator/ control API (no auth, no log, no faults, no latency).
import { applyDsl, APP_MODES, parseYaml, WORKFLOW_MODES } from './apply-dsl.js';
import type { Ctx } from './context.js';
import { isObject } from './dsl.js';
import { createFaultRecord } from './faults.js';
import { checkPublishable } from './graph.js';
import { HttpError, json, readJson, type Reply, type Req } from './http.js';
import { createRouter, type Router } from './router.js';
import { createApiKey, createAppRecord, publishDraft, resetStore } from './state.js';
import { snapshotState } from './state.js';
import { checkRules } from './run-rules.js';
import type { EmulatorOptions, Fault, RunRule, ScriptedRun, SeedAppInput } from './types.js';

export function seedApp(ctx: Ctx, input: SeedAppInput): { id: string; api_key: string } {
  if (!isObject(input) || !APP_MODES.includes(input.mode)) throw new Error(`seedApp: mode must be one of ${APP_MODES.join(', ')}`);
  if (typeof input.name !== 'string' || !input.name) throw new Error('seedApp: name is required');
  if (input.id && ctx.store.apps.has(input.id)) throw new Error(`seedApp: app ${input.id} already exists`);
  let app;
  if (input.dsl !== undefined) {
    const data = parseYaml(input.dsl);
    if (!isObject(data) || !isObject(data.app)) throw new Error('seedApp: dsl must be DSL YAML with an app block');
    if (data.app.mode !== input.mode) throw new Error(`seedApp: mode ${input.mode} differs from the DSL's ${String(data.app.mode)}`);
    app = applyDsl(ctx, data, null, { name: input.name }, input.id);
  } else {
    app = createAppRecord({ id: input.id, name: input.name, mode: input.mode });
    if (!WORKFLOW_MODES.includes(input.mode)) app.model_config = {};
    ctx.store.apps.set(app.id, app);
  }
  if (input.published) {
    if (!app.draft) {
      ctx.store.apps.delete(app.id);
      throw new Error('seedApp: published needs a workflow dsl');
    }
    try {
      checkPublishable(app.mode, app.draft.graph);
    } catch (error) {
      ctx.store.apps.delete(app.id);
      throw new Error(`seedApp: cannot publish: ${(error as Error).message}`);
    }
    publishDraft(app, { marked_name: '', marked_comment: '' });
  }
  const key = createApiKey();
  app.api_keys.push(key);
  return { id: app.id, api_key: key.token };
}

export function scriptRuns(ctx: Ctx, appId: string, runs: ScriptedRun[]): void {
  const app = ctx.store.apps.get(appId);
  if (!app) throw new HttpError(404, 'not_found', 'App not found.');
  if (!Array.isArray(runs)) throw new Error('runs must be a list');
  app.scripted.push(...runs);
}

export function scriptRules(ctx: Ctx, appId: string, rules: RunRule[], options: { replace?: boolean } = {}): void {
  if (appId === '*') {
    const checked = checkRules(rules);
    if (options.replace) ctx.store.everyAppRules = [];
    ctx.store.everyAppRules.push(...checked);
    return;
  }
  const app = ctx.store.apps.get(appId);
  if (!app) throw new HttpError(404, 'not_found', 'App not found.');
  const checked = checkRules(rules);
  if (options.replace) app.rules = [];
  app.rules.push(...checked);
}

export function injectFault(ctx: Ctx, fault: Fault): void {
  ctx.store.faults.push(createFaultRecord(fault));
}

/** Clears data, log, faults and lockout; keeps options and live sessions. */
export function resetWorld(ctx: Ctx): void {
  resetStore(ctx.store);
}

export function createControlRouter(ctx: Ctx, setOptions: (patch: Partial<EmulatorOptions>) => void): Router {
  const router = createRouter();
  const guard =
    (fn: (req: Req) => Reply): ((req: Req) => Reply) =>
    (req) => {
      try {
        return fn(req);
      } catch (error) {
        if (error instanceof HttpError) throw error;
        throw new HttpError(400, 'invalid_param', (error as Error).message);
      }
    };
  const ok = json(200, { result: 'success' });
  router.add('POST', '/__emulator/reset', () => (resetWorld(ctx), ok));
  router.add('GET', '/__emulator/state', () => json(200, snapshotState(ctx.store, ctx.options)));
  router.add(
    'POST',
    '/__emulator/apps',
    guard((req) => json(200, seedApp(ctx, readJson(req) as unknown as SeedAppInput))),
  );
  router.add(
    'POST',
    '/__emulator/faults',
    guard((req) => (injectFault(ctx, readJson(req) as unknown as Fault), ok)),
  );
  router.add(
    'POST',
    '/__emulator/apps/{app_id}/runs',
    guard((req) => (scriptRuns(ctx, req.params.app_id, readJson(req).runs as ScriptedRun[]), ok)),
  );
  router.add(
    'POST',
    '/__emulator/apps/{app_id}/rules',
    guard((req) => {
      const body = readJson(req);
      scriptRules(ctx, req.params.app_id, body.rules as RunRule[], { replace: body.replace === true });
      return ok;
    }),
  );
  router.add(
    'POST',
    '/__emulator/options',
    guard((req) => (setOptions(readJson(req) as Partial<EmulatorOptions>), ok)),
  );
  return router;
}
