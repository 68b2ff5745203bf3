// The emulator's in-memory world: apps, their draft and published workflows, keys, pending imports.
import { randomBytes, randomUUID } from 'node:crypto';
import { buildAppDsl, clone, computeHash } from './dsl.js';
import type { EmulatorState, ResolvedOptions, StateWorkflowDsl } from './types.js';
import type { AppRecord, ApiKeyRecord, Store, WorkflowRecord } from './records.js';

export type { ApiKeyRecord, AppRecord, ConvVar, EnvVar, PendingImport, RunRecord, Store, WorkflowRecord } from './records.js';

export function createStore(): Store {
  return {
    apps: new Map(),
    pending: new Map(),
    requests: [],
    faults: [],
    runs: new Map(),
    loginFailures: 0,
    lastLoginFailureAt: 0,
    dependencyChecks: new Map(),
    openapiHits: new Map(),
    everyAppRules: [],
  };
}

export function resetStore(store: Store): void {
  Object.assign(store, createStore());
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

const TOKEN_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function createApiKey(): ApiKeyRecord {
  const bytes = randomBytes(24);
  const suffix = Array.from(bytes, (b) => TOKEN_ALPHABET[b % TOKEN_ALPHABET.length]).join('');
  return { id: randomUUID(), token: `app-${suffix}`, created_at: nowSeconds(), last_used_at: null };
}

export function createAppRecord(fields: { id?: string; name: string; mode: string }): AppRecord {
  const now = nowSeconds();
  return {
    id: fields.id ?? randomUUID(),
    name: fields.name,
    mode: fields.mode,
    description: '',
    icon: '🤖',
    icon_type: 'emoji',
    icon_background: '#FFEAD5',
    use_icon_as_answer_icon: false,
    max_active_requests: null,
    enable_api: true,
    enable_site: true,
    created_at: now,
    updated_at: now,
    model_config: null,
    draft: null,
    published: [],
    workflow_id: null,
    api_keys: [],
    dependencies: [],
    scripted: [],
    rules: [],
    tested_hash: null,
    conversations: new Map(),
  };
}

/** Replaces (or creates) the draft; returns it. */
export function writeDraft(
  app: AppRecord,
  parts: Pick<WorkflowRecord, 'graph' | 'features' | 'environment_variables' | 'conversation_variables'>,
): WorkflowRecord {
  const now = nowSeconds();
  const draft: WorkflowRecord = {
    id: app.draft?.id ?? randomUUID(),
    version: 'draft',
    graph: clone(parts.graph),
    features: clone(parts.features),
    environment_variables: clone(parts.environment_variables),
    conversation_variables: clone(parts.conversation_variables),
    hash: computeHash(parts.graph, parts.features),
    marked_name: '',
    marked_comment: '',
    created_at: app.draft?.created_at ?? now,
    updated_at: now,
  };
  app.draft = draft;
  app.updated_at = now;
  return draft;
}

let lastVersion = '';

/** Dify names a published version by str(datetime.utcnow()); keep them unique and increasing. */
function nextVersionName(): string {
  let name = new Date().toISOString().replace('T', ' ').replace('Z', '000');
  if (name <= lastVersion) {
    const micros = Number(lastVersion.slice(-6)) + 1;
    name = `${lastVersion.slice(0, -6)}${String(micros).padStart(6, '0')}`;
  }
  lastVersion = name;
  return name;
}

export function publishDraft(app: AppRecord, marks: { marked_name: string; marked_comment: string }): WorkflowRecord {
  if (!app.draft) throw new Error('No valid workflow found.');
  const now = nowSeconds();
  const version: WorkflowRecord = {
    ...clone(app.draft),
    id: randomUUID(),
    version: nextVersionName(),
    marked_name: marks.marked_name,
    marked_comment: marks.marked_comment,
    created_at: now,
    updated_at: now,
  };
  app.published.push(version);
  app.workflow_id = version.id;
  app.updated_at = now;
  return version;
}

export const currentPublished = (app: AppRecord): WorkflowRecord | null => app.published.find((w) => w.id === app.workflow_id) ?? null;

export function snapshotState(store: Store, options: ResolvedOptions): EmulatorState {
  const now = Date.now();
  return clone({
    apps: [...store.apps.values()].map((app) => ({
      id: app.id,
      name: app.name,
      mode: app.mode,
      description: app.description,
      enable_api: app.enable_api,
      draft: app.draft
        ? {
            id: app.draft.id,
            hash: app.draft.hash,
            updated_at: app.draft.updated_at,
            dsl: buildAppDsl(app, app.draft, options.dslVersion, true) as StateWorkflowDsl,
          }
        : null,
      published: app.published.map((w) => ({
        id: w.id,
        version: w.version,
        marked_name: w.marked_name,
        marked_comment: w.marked_comment,
        created_at: w.created_at,
        hash: w.hash,
        dsl: buildAppDsl(app, w, options.dslVersion, true) as StateWorkflowDsl,
      })),
      workflow_id: app.workflow_id,
      api_keys: app.api_keys.map((k) => ({ ...k })),
      dependencies: app.dependencies,
    })),
    requests: store.requests,
    pendingImports: [...store.pending.values()]
      .filter((p) => p.expires_at > now)
      .map((p) => ({ id: p.id, app_id: p.app_id, imported_dsl_version: p.imported_dsl_version, expires_at: p.expires_at })),
    loginFailures: store.loginFailures,
  });
}
