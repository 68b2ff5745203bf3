// Service API (/v1, Bearer app key; contract §7): auth, input checks, /info and /parameters.
import { WORKFLOW_MODES } from './apply-dsl.js';
import type { Ctx } from './context.js';
import { isObject } from './dsl.js';
import { findStart } from './graph.js';
import { badParam, bearerToken, HttpError, json, unauthorized, type Reply, type Req } from './http.js';
import { currentPublished, nowSeconds, type AppRecord, type WorkflowRecord } from './state.js';

export function requireAppToken(ctx: Ctx, req: Req): AppRecord {
  const header = req.headers.authorization;
  const token = bearerToken(req);
  if (typeof header !== 'string' || !token) {
    throw unauthorized("Authorization header must be provided and start with 'Bearer'");
  }
  for (const app of ctx.store.apps.values()) {
    const key = app.api_keys.find((k) => k.token === token);
    if (!key) continue;
    if (!app.enable_api) throw new HttpError(403, 'forbidden', "The app's API service has been disabled.");
    key.last_used_at = nowSeconds();
    return app;
  }
  throw unauthorized('Access token is invalid');
}

export function requireUser(body: Record<string, unknown>): string {
  if (typeof body.user !== 'string' || !body.user) throw badParam('Arg user must be provided.', 'user');
  return body.user;
}

export function readResponseMode(body: Record<string, unknown>): 'blocking' | 'streaming' {
  const mode = body.response_mode;
  if (mode === undefined || mode === null || mode === 'blocking') return 'blocking';
  if (mode === 'streaming') return 'streaming';
  throw badParam('response_mode must be blocking or streaming', 'response_mode');
}

export function requireInputs(body: Record<string, unknown>): Record<string, unknown> {
  if (!isObject(body.inputs)) throw badParam('inputs is required and must be an object', 'inputs');
  return body.inputs;
}

export function requirePublished(app: AppRecord): WorkflowRecord {
  const workflow = currentPublished(app);
  if (!workflow) throw badParam('Workflow not published');
  return workflow;
}

type FormVariable = Record<string, unknown> & { variable: string; type: string };

export function startVariables(app: AppRecord, workflow: WorkflowRecord | null): FormVariable[] {
  if (workflow) {
    const start = findStart(workflow.graph);
    const list = start && Array.isArray(start.data.variables) ? start.data.variables : [];
    return list.filter((v): v is FormVariable => isObject(v) && typeof v.variable === 'string');
  }
  const form = Array.isArray(app.model_config?.user_input_form) ? app.model_config.user_input_form : [];
  return form.flatMap((entry) =>
    isObject(entry) ? Object.entries(entry).map(([type, spec]) => ({ ...(isObject(spec) ? spec : {}), type }) as FormVariable) : [],
  );
}

/** Dify's _validate_inputs, strict: numbers must be JSON numbers, strings strings. */
export function validateInputs(variables: FormVariable[], inputs: Record<string, unknown>): void {
  for (const spec of variables) {
    const name = spec.variable;
    const value = inputs[name];
    if (value === undefined || value === null || value === '') {
      if (spec.required) throw badParam(`${name} is required in input form`, name);
      continue;
    }
    if (['text-input', 'paragraph', 'select'].includes(spec.type)) {
      if (typeof value !== 'string') throw badParam(`${name} in input form must be a string`, name);
      const max = spec.max_length;
      if (typeof max === 'number' && max > 0 && value.length > max) {
        throw badParam(`${name} in input form must be less than ${max} characters`, name);
      }
      const options = Array.isArray(spec.options) ? spec.options : [];
      if (spec.type === 'select' && !options.includes(value)) {
        throw badParam(`${name} in input form must be one of the following: ${JSON.stringify(options)}`, name);
      }
    } else if (spec.type === 'number' && typeof value !== 'number') {
      throw badParam(`${name} in input form must be a valid number`, name);
    } else if (spec.type === 'checkbox' && typeof value !== 'boolean') {
      throw badParam(`${name} in input form must be a boolean`, name);
    }
  }
}

/** Dify's LLMUsage as message_end and a blocking chat answer carry it: prices are decimal strings. */
export const usage = (latency: number, run?: { tokens: number; price: string; currency: string }): Record<string, unknown> => ({
  prompt_tokens: run?.tokens ?? 0,
  prompt_unit_price: '0',
  prompt_price_unit: '0',
  prompt_price: '0',
  completion_tokens: 0,
  completion_unit_price: '0',
  completion_price_unit: '0',
  completion_price: '0',
  total_tokens: run?.tokens ?? 0,
  total_price: run?.price ?? '0',
  currency: run?.currency ?? 'USD',
  latency,
});

export function handleInfo(ctx: Ctx, req: Req): Reply {
  const app = requireAppToken(ctx, req);
  return json(200, { name: app.name, description: app.description, tags: [], mode: app.mode, author_name: ctx.account.name });
}

/** The /parameters payload, or null when a workflow app has nothing published (or a chat app no config). */
export function parametersPayload(app: AppRecord): Record<string, unknown> | null {
  let features: Record<string, unknown>;
  let workflow: WorkflowRecord | null = null;
  if (WORKFLOW_MODES.includes(app.mode)) {
    workflow = currentPublished(app);
    if (!workflow) return null;
    features = workflow.features;
  } else {
    if (!app.model_config) return null;
    features = app.model_config;
  }
  const off = { enabled: false };
  const userInputForm = startVariables(app, workflow).map(({ type, ...spec }) => ({ [type]: { ...spec } }));
  return {
    opening_statement: features.opening_statement ?? '',
    suggested_questions: features.suggested_questions ?? [],
    suggested_questions_after_answer: features.suggested_questions_after_answer ?? off,
    speech_to_text: features.speech_to_text ?? off,
    text_to_speech: features.text_to_speech ?? off,
    retriever_resource: features.retriever_resource ?? off,
    annotation_reply: features.annotation_reply ?? off,
    more_like_this: features.more_like_this ?? off,
    user_input_form: userInputForm,
    sensitive_word_avoidance: features.sensitive_word_avoidance ?? off,
    file_upload: features.file_upload ?? { image: { enabled: false } },
    system_parameters: {
      image_file_size_limit: 10,
      video_file_size_limit: 100,
      audio_file_size_limit: 50,
      file_size_limit: 15,
      workflow_file_upload_limit: 10,
    },
  };
}

export function handleParameters(ctx: Ctx, req: Req): Reply {
  const payload = parametersPayload(requireAppToken(ctx, req));
  if (!payload) throw new HttpError(400, 'app_unavailable', 'App unavailable, please check your app configurations.');
  return json(200, payload);
}
