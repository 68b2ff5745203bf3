// The narrow boundary between our stages and Dify. Stages receive these interfaces;
// src/dify/ is the only code that speaks HTTP to Dify (our reading of Dify's API contract: docs/dify-api.md).

export type AuthMode = 'cookie' | 'bearer' | 'openapi';

export interface DifyConnection {
  /** Dify base URL, e.g. https://dify.example.com (console under /console/api, service under /v1). */
  baseUrl: string;
  /** Service API base; defaults to `${baseUrl}/v1`. */
  serviceUrl?: string;
  email?: string;
  password?: string;
  /** An account token (dfoa_… for /openapi, or a console access token). */
  token?: string;
  /** Per-request timeout. */
  timeoutMs: number;
  /** Sent with every request (dify-headers): what an access proxy in front of Dify demands. */
  headers?: Readonly<Record<string, string>>;
  /** Attempts for retryable calls (first try included). */
  maxAttempts: number;
  /**
   * How the login sends the password: `auto` (default) tries Base64 (Dify ≥ 1.11), then plain once.
   * Pinning it spends one login attempt per run instead of up to two.
   */
  passwordEncoding?: 'auto' | 'base64' | 'plain';
  /** /openapi only: the workspace for imports; defaults to the token account's default workspace. */
  workspaceId?: string;
  /** /openapi only: requests a minute this client allows itself (default 60, Dify's per-token limit; 0: unpaced). */
  openapiPerMinute?: number;
}

export type ImportStatus = 'completed' | 'completed-with-warnings' | 'pending' | 'failed';

/** Dify's `Import` object. */
export interface ImportResult {
  id: string;
  status: ImportStatus;
  app_id: string | null;
  app_mode?: string | null;
  current_dsl_version?: string;
  imported_dsl_version?: string;
  error: string;
}

/** Dify's Workflow object (draft or published version). */
export interface WorkflowVersion {
  id: string;
  version: string;
  marked_name?: string;
  marked_comment?: string;
  created_at: number;
  hash?: string;
  graph?: unknown;
  features?: unknown;
  environment_variables?: unknown[];
  conversation_variables?: unknown[];
}

export interface AppInfo {
  id: string;
  name: string;
  mode: string;
  /** Id of the published workflow, when any. */
  workflow_id?: string | null;
  /** Whether the app's service API is on (absent when the server does not say). */
  enable_api?: boolean;
  /** The app's settings, as far as the server reports them (the console's app detail has all four). */
  description?: string;
  icon_type?: string;
  icon?: string;
  icon_background?: string;
}

export interface AppSummary {
  id: string;
  name: string;
  mode: string;
  description: string;
}

/** Who the credentials are, where: what doctor reports before a first deploy. */
export interface AccountAccess {
  workspaceId?: string;
  workspaceName?: string;
  /** owner, admin, editor, normal or dataset_operator. Deploying needs editor; deleting keys, admin. */
  role?: string;
  /** Unix seconds when a token stops working, where the server says. */
  tokenExpiresAt?: number;
}

export interface ApiKey {
  id: string;
  token: string;
  created_at: number;
  last_used_at?: number | null;
}

export interface PluginDependency {
  type?: string;
  value?: unknown;
  [k: string]: unknown;
}

/** Console operations a deployer needs. */
export interface DifyConsole {
  /** Which auth mode the client settled on (reported to the user). */
  readonly authMode: AuthMode;
  /** The Dify version the server names (X-Version), once it has answered; undefined when a proxy strips it. */
  serverVersion(): string | undefined;
  /** Which password form the login used (email+password sessions only). */
  readonly passwordEncoding?: 'base64' | 'plain';
  getApp(appId: string): Promise<AppInfo>;
  /** The account's workspace and role there. */
  describeAccess(): Promise<AccountAccess>;
  /** Export the draft (or a given published version) as YAML text, secrets blanked. */
  exportDsl(appId: string, options?: { workflowId?: string }): Promise<string>;
  /** Import YAML into an existing app (draft only; never publishes). */
  importDsl(appId: string, yamlContent: string): Promise<ImportResult>;
  confirmImport(importId: string): Promise<ImportResult>;
  checkDependencies(appId: string): Promise<PluginDependency[]>;
  /**
   * The DSL's plugin dependencies this workspace lacks, read from the installed plugins. Not Dify's
   * check-dependencies, which answers empty after a confirmed import (only a direct import writes it).
   */
  missingPlugins(appId: string, dependencies: PluginDependency[]): Promise<PluginDependency[]>;
  publish(appId: string, marks: { markedName: string; markedComment: string }): Promise<{ createdAt: number }>;
  /** The currently published workflow, or null when the app was never published. */
  getPublished(appId: string): Promise<WorkflowVersion | null>;
  listVersions(appId: string): Promise<WorkflowVersion[]>;
  /** Copy a published version into the draft. `false` when the server has no restore endpoint. */
  restoreVersion(appId: string, workflowId: string): Promise<boolean>;
  /** Re-mark a published version (its name and comment). `false` when the server has no such route. */
  markVersion(appId: string, workflowId: string, marks: { markedName: string; markedComment: string }): Promise<boolean>;
  listApiKeys(appId: string): Promise<ApiKey[]>;
  createApiKey(appId: string): Promise<ApiKey>;
  deleteApiKey(appId: string, keyId: string): Promise<void>;
  /**
   * Run the app's draft (Dify's console draft run: always streamed; an editor's session). Absent on
   * surfaces that cannot (the /openapi token client).
   */
  runDraft?(appId: string, run: DraftRun, options?: { signal?: AbortSignal }): Promise<RunResult>;
  /** Apps whose name contains `name` (every page). Console sessions only, like the two below. */
  listApps?(name: string): Promise<AppSummary[]>;
  /** A blank app, as the console's "Create from blank" makes it (no draft until an import). */
  createApp?(app: { name: string; mode: string; description: string }): Promise<AppSummary>;
  deleteApp?(appId: string): Promise<void>;
  /** Release the client's connections (keep-alive sockets). */
  close?(): Promise<void>;
}

/** What a draft run sends: a chatflow needs the query. */
export interface DraftRun {
  mode: 'workflow' | 'advanced-chat';
  inputs: Record<string, unknown>;
  query?: string;
}

export type RunStatus = 'running' | 'succeeded' | 'failed' | 'stopped' | 'partial-succeeded' | 'paused';

/** The outcome of one service-API run, the same shape whether it was blocking or streamed. */
export interface RunResult {
  status: RunStatus;
  outputs: Record<string, unknown>;
  /** Chat answer (chat-like apps). */
  answer?: string;
  error?: string | null;
  workflowRunId?: string;
  elapsedMs: number;
  /** Tokens the run reports (`total_tokens`), when it reports them. */
  tokens?: number;
  /** A chat run's `metadata.usage.total_price` (Dify sends a decimal string) and its currency. */
  price?: { amount: number; currency: string };
  /** SSE events seen, by type (streaming only). */
  events?: Record<string, number>;
}

/** Service API operations with an app key. */
export interface RunOptions {
  stream: boolean;
  user?: string;
  /**
   * Abandons the run: the request is aborted and, when the stream named its task, Dify is asked
   * (best effort) to stop it. The promise then rejects with a `dify.unreachable` error, reason `aborted`.
   */
  signal?: AbortSignal;
}

export interface DifyService {
  runWorkflow(inputs: Record<string, unknown>, options: RunOptions): Promise<RunResult>;
  sendChat(query: string, inputs: Record<string, unknown>, options: RunOptions): Promise<RunResult>;
  info(): Promise<{ name: string; description?: string; mode?: string }>;
  parameters(): Promise<Record<string, unknown>>;
  /** Release the client's connections (keep-alive sockets). */
  close?(): Promise<void>;
}
