// Public types of the Dify emulator (dev/test only; never imported from src/).
// Other test tiers depend on these shapes: add fields, do not rename.

export type Role = 'owner' | 'admin' | 'editor' | 'normal';

export interface EmulatorOptions {
  port?: number;
  /** 'cookie' (Dify >= 1.9: cookies + X-CSRF-Token) or 'bearer' (older: tokens in the login body). */
  auth?: 'cookie' | 'bearer';
  email?: string;
  password?: string;
  /** Cookie era: the login password must be Base64 of the password. Default true for cookie, false for bearer. */
  base64Password?: boolean;
  /** Cookie names get the __Host- prefix (and Secure). */
  secureCookies?: boolean;
  role?: Role;
  /** Also serve the /openapi/v1 surface (contract §9). */
  openapi?: boolean;
  /** The dfoa_ account token accepted on /openapi/v1. */
  openapiToken?: string;
  /** The server's current DSL version. */
  dslVersion?: string;
  /** Serve POST …/workflows/{id}/restore (newer servers). */
  restoreEndpoint?: boolean;
  /** Added to every non-control request. */
  latencyMs?: number;
  pendingTtlMs?: number;
  accessTokenTtlMs?: number;
  /**
   * The version every answer names in its X-Version header, as Dify does (app_factory). Default: 1.12.1
   * for the cookie era with Base64 passwords, 1.11.1 for cookies with plain passwords, 1.8.1 for bearer.
   * '' sends no header, as behind a proxy that strips it.
   */
  serverVersion?: string;
  /** How long a locked login stays locked (Dify's LOGIN_LOCKOUT_DURATION, 24 h). */
  loginLockoutMs?: number;
  /** Exports carry knowledge-base ids encrypted per workspace (Dify's DSL_EXPORT_ENCRYPT_DATASET_ID, default on). */
  encryptDatasetIds?: boolean;
  /** How long a direct import's dependency check is kept (Dify's Redis key lives 10 minutes). */
  dependencyCheckTtlMs?: number;
  /** Keep-alive pings on streams: Dify sends `event: ping` every 10 s of a run, none at the start. */
  pingIntervalMs?: number;
  /** Plugin unique identifiers installed in the workspace, beside the emulator's rule (see README). */
  installedPlugins?: string[];
  /** /openapi requests a token may make per minute (Dify's OPENAPI_RATE_LIMIT_PER_TOKEN, 60); 0 for none. */
  openapiRateLimitPerMinute?: number;
  /**
   * Headers (name → exact value; names case-insensitive) every request must carry, as an access proxy
   * in front of Dify demands (Cloudflare Access service tokens, IAP): without them, a 403 HTML page.
   * Not Dify behaviour; {} (default) requires none. The control API is exempt.
   */
  requireHeaders?: Record<string, string>;
  /**
   * Password sign-in allowed (Dify's ENABLE_EMAIL_PASSWORD_LOGIN, default true). Off, as when a
   * workspace signs in through SSO only: the console login is 403 `forbidden`, and system-features says so.
   */
  emailPasswordLogin?: boolean;
}

export type ResolvedOptions = Required<EmulatorOptions>;

export interface FaultMatch {
  method?: string;
  /** Exact path without query, or a regex source starting with ^. */
  path: string;
}

export type FaultResponse = { status: number; body?: unknown; headers?: Record<string, string> } | 'hang' | 'reset' | 'garbage' | 'delay';

export interface Fault {
  match: FaultMatch;
  respond: FaultResponse;
  /** How many matching requests this fault answers; default 1. */
  times?: number;
  latency_ms?: number;
}

export type ScriptedStatus = 'succeeded' | 'failed' | 'stopped' | 'partial-succeeded';

export interface ScriptedRun {
  status?: ScriptedStatus;
  outputs?: Record<string, unknown>;
  answer?: string;
  error?: string;
  latency_ms?: number;
  /** Streaming only: emit an `error` event after the 200 and end the stream. */
  stream_error?: { code: string; message: string };
  /** Tokens the run reports (`total_tokens`, and chat `metadata.usage`); default 0. */
  tokens?: number;
  /** Chat runs: `metadata.usage.total_price` (a decimal string, as Dify sends it); default "0". */
  total_price?: string;
  currency?: string;
}

/**
 * A standing answer for runs that match: unlike a scripted run it is not used up. The first rule whose
 * `when` matches a run answers it (after any queued scripted run), so one app can answer its draft
 * (a candidate) differently from its published version (live).
 */
export interface RunRule extends ScriptedRun {
  when?: {
    /** Every listed input equals the run's (deep equality); others are ignored. */
    inputs?: Record<string, unknown>;
    /** The chat query equals this. */
    query?: string;
    /** Which workflow runs: the draft (console draft run) or the published one (service API). */
    version?: 'draft' | 'published';
    /** The running workflow's graph, as JSON text, contains this (e.g. a prompt a candidate changed). */
    workflow_contains?: string;
  };
}

export interface RequestLogEntry {
  method: string;
  path: string;
  /** HTTP status sent; 0 while unanswered, or for hang/reset faults. */
  status: number;
  /** Unix milliseconds when the request arrived. */
  at: number;
}

/** A DSL object as export builds it (include_secret=true: secrets in clear). */
export interface StateDsl {
  version: string;
  kind: string;
  app: { name: string; mode: string; [key: string]: unknown };
  dependencies: unknown[];
  /** Workflow and advanced-chat apps. */
  workflow?: {
    graph: Record<string, unknown>;
    features: Record<string, unknown>;
    environment_variables: Array<Record<string, unknown>>;
    conversation_variables: Array<Record<string, unknown>>;
  };
  /** Chat, agent-chat and completion apps. */
  model_config?: Record<string, unknown>;
  [key: string]: unknown;
}

/** Drafts and published versions exist only for workflow/advanced-chat apps, so `workflow` is there. */
export type StateWorkflowDsl = StateDsl & { workflow: NonNullable<StateDsl['workflow']> };

export interface StateWorkflow {
  id: string;
  version: string;
  marked_name: string;
  marked_comment: string;
  created_at: number;
  hash: string;
  /** The DSL object as an export with include_secret=true would give it (secrets in clear). */
  dsl: StateWorkflowDsl;
}

export interface StateApp {
  id: string;
  name: string;
  mode: string;
  description: string;
  enable_api: boolean;
  draft: { id: string; hash: string; updated_at: number; dsl: StateWorkflowDsl } | null;
  /** Oldest first. */
  published: StateWorkflow[];
  /** The current published workflow id, or null. */
  workflow_id: string | null;
  api_keys: Array<{ id: string; token: string; created_at: number; last_used_at: number | null }>;
  dependencies: unknown[];
}

export interface StatePendingImport {
  id: string;
  app_id: string | null;
  imported_dsl_version: string;
  expires_at: number;
}

export interface EmulatorState {
  apps: StateApp[];
  requests: RequestLogEntry[];
  pendingImports: StatePendingImport[];
  loginFailures: number;
}

export interface SeedAppInput {
  mode: string;
  name: string;
  /** DSL YAML text as Dify exports it. */
  dsl?: string;
  published?: boolean;
  id?: string;
}

export interface Emulator {
  url: string;
  close(): Promise<void>;
  reset(): void;
  seedApp(input: SeedAppInput): { id: string; api_key: string };
  state(): EmulatorState;
  injectFault(fault: Fault): void;
  scriptRuns(appId: string, runs: ScriptedRun[]): void;
  /** Adds standing run rules to an app (`replace`: drop its earlier rules first). */
  scriptRules(appId: string, rules: RunRule[], options?: { replace?: boolean }): void;
  setOptions(patch: Partial<EmulatorOptions>): void;
}
