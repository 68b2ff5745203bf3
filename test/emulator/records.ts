// The emulator's records: apps, their workflows and keys, pending imports, runs, and the store holding them.
import type { FaultRecord } from './faults.js';
import type { RequestLogEntry, RunRule, ScriptedRun } from './types.js';

export interface EnvVar {
  id: string;
  name: string;
  value: unknown;
  value_type: string;
  description: string;
  selector: string[];
}

export interface ConvVar {
  id: string;
  name: string;
  value: unknown;
  value_type: string;
  description: string;
  selector: string[];
}

export interface WorkflowRecord {
  id: string;
  /** 'draft' or a timestamp string for published versions. */
  version: string;
  graph: Record<string, unknown>;
  features: Record<string, unknown>;
  environment_variables: EnvVar[];
  conversation_variables: ConvVar[];
  hash: string;
  marked_name: string;
  marked_comment: string;
  created_at: number;
  updated_at: number;
}

export interface ApiKeyRecord {
  id: string;
  token: string;
  created_at: number;
  last_used_at: number | null;
}

export interface AppRecord {
  id: string;
  name: string;
  mode: string;
  description: string;
  icon: string;
  icon_type: string;
  icon_background: string;
  use_icon_as_answer_icon: boolean;
  /** null until "Edit info" saves the app (AppApi.put writes `max_active_requests or 0`). */
  max_active_requests: number | null;
  enable_api: boolean;
  enable_site: boolean;
  created_at: number;
  updated_at: number;
  model_config: Record<string, unknown> | null;
  draft: WorkflowRecord | null;
  /** Oldest first. */
  published: WorkflowRecord[];
  workflow_id: string | null;
  api_keys: ApiKeyRecord[];
  dependencies: unknown[];
  scripted: ScriptedRun[];
  /** Standing answers for matching runs (after `scripted`, which is used up). */
  rules: RunRule[];
  /** Draft hash of the last successful /openapi draft run (release:check "tested"). */
  tested_hash: string | null;
  /** conversation id → conversation variable values. */
  conversations: Map<string, Record<string, unknown>>;
}

export interface PendingImport {
  id: string;
  app_id: string | null;
  yaml_content: string;
  overrides: Record<string, string | undefined>;
  imported_dsl_version: string;
  expires_at: number;
}

export interface RunRecord {
  id: string;
  app_id: string;
  workflow_id: string;
  status: string;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown> | null;
  error: string | null;
  total_steps: number;
  total_tokens: number;
  created_at: number;
  finished_at: number;
  elapsed_time: number;
}

export interface Store {
  apps: Map<string, AppRecord>;
  pending: Map<string, PendingImport>;
  requests: RequestLogEntry[];
  faults: FaultRecord[];
  runs: Map<string, RunRecord>;
  loginFailures: number;
  /** When the last counted failure happened: the lock (and the count) lapse LOGIN_LOCKOUT_DURATION after it. */
  lastLoginFailureAt: number;
  /** app id → leaked dependencies a direct import computed, and when Dify's Redis key expires. */
  dependencyChecks: Map<string, { leaked: unknown[]; expiresAt: number }>;
  /** Run rules given for app id "*": every app tries them after its own. */
  everyAppRules: RunRule[];
  /** /openapi token → times of its requests in the last minute (the per-token rate limit). */
  openapiHits: Map<string, number[]>;
}
