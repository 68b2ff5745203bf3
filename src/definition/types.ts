// The definition envelope: one file per Dify app under workflows/<name>.json.
// This is the user-facing contract; schema/definition.schema.json is its JSON Schema twin.

/** One smoke check run through Dify's service API after a publish. */
export interface SmokeCheck {
  name: string;
  /** Start-node inputs (workflow) or chat inputs (advanced-chat/chat). */
  inputs: Record<string, unknown>;
  /** Chat query; required for chat-like apps. */
  query?: string;
  expect: SmokeExpect;
}

export interface SmokeExpect {
  /** Expected run status; default "succeeded". */
  status?: 'succeeded' | 'failed' | 'stopped' | 'partial-succeeded';
  /** JSON Schema the run's outputs (workflow) must satisfy. */
  outputs?: Record<string, unknown>;
  /** Parse an LLM text output as JSON (forgivingly) and validate it. */
  json_output?: { field: string; schema: Record<string, unknown> };
  /** Output field → text it must contain. */
  contains?: Record<string, string>;
  max_latency_ms?: number;
}

/** One eval case: run against the candidate and against what is live, and judged the same way. */
export interface EvalCase {
  name: string;
  /** Start-node inputs; each must be a declared start variable of the right type. */
  inputs: Record<string, unknown>;
  /** Chat query; required for chatflow apps. */
  query?: string;
  expect: EvalExpect;
}

export interface EvalExpect {
  status?: SmokeExpect['status'];
  /** Output field → the exact value it must have (JSON equality). */
  equals?: Record<string, unknown>;
  /** Output field → text it must contain. */
  contains?: Record<string, string>;
  /** Output field → regular expression (JavaScript syntax) its text must match. */
  regex?: Record<string, string>;
  /** JSON Schema the outputs must satisfy. */
  outputs?: Record<string, unknown>;
  /** Parse a text output as JSON (forgivingly, as smoke checks do) and validate it. */
  json_output?: { field: string; schema: Record<string, unknown> };
  max_latency_ms?: number;
  max_tokens?: number;
}

/** Thresholds a candidate must meet before it is published; each is off unless set. */
export interface EvalGates {
  /** Share of cases the candidate passes, 0–1. */
  min_pass_rate?: number;
  /** How far the pass rate may fall below live's, 0–1 (0.1 = ten points). */
  max_pass_rate_drop?: number;
  /** The candidate's 95th-percentile latency, in ms. */
  max_p95_latency_ms?: number;
  /** How much the candidate's total tokens may exceed live's, in percent. */
  max_token_increase_pct?: number;
}

export interface EvalSuite {
  cases?: EvalCase[];
  gates?: EvalGates;
  /** Cases run at once against each side (default 4). */
  concurrency?: number;
}

export interface Definition {
  $schema?: string;
  name: string;
  version: string;
  description?: string;
  /** Environment → app id; "*" serves every environment. A bare id (older files, old releases)
   *  names no environment: validation and every command refuse it with the migration. */
  app: string | Record<string, string>;
  /** Secret env-variable name in the DSL → process env variable holding its value at deploy time. */
  secrets?: Record<string, string>;
  /** Environment (or "*") → environment variable holding the app's service API key, for smoke checks. */
  service_key?: Record<string, string>;
  /** Knowledge base alias → environment (or "*") → dataset id. */
  datasets?: Record<string, Record<string, string>>;
  smoke?: SmokeCheck[];
  /** Eval cases and release gates; more cases may sit beside the file in <name>.evals.jsonl. */
  evals?: EvalSuite;
  /** The Dify DSL as Dify exports it (YAML parsed to an object). With `dsl_file`, read from that
   *  file when the definition is loaded: the file on disk then holds no `dsl`. */
  dsl: DifyDsl;
  /** The DSL kept beside the definition, byte for byte as Dify exports it: a file name in the
   *  definition's folder, such as "support-bot.dify.yml". */
  dsl_file?: string;
}

declare const validated: unique symbol;

/**
 * A definition that passed validation (no errors; warnings allowed). Only the validator makes one
 * (FileReport.definition), so code that takes it needs no cast and no second check.
 */
export type ValidDefinition = Definition & { readonly [validated]: true };

/** The parts of Dify's DSL we read; everything else passes through untouched. */
export interface DifyDsl {
  version: string;
  kind: string;
  app: { name: string; mode: AppMode; [k: string]: unknown };
  dependencies?: unknown[];
  workflow?: {
    graph: { nodes: DslNode[]; edges: DslEdge[]; [k: string]: unknown };
    features?: Record<string, unknown>;
    environment_variables?: EnvVariable[];
    conversation_variables?: ConversationVariable[];
    [k: string]: unknown;
  };
  model_config?: Record<string, unknown>;
  [k: string]: unknown;
}

export type AppMode = 'workflow' | 'advanced-chat' | 'chat' | 'agent-chat' | 'completion';
export const APP_MODES: readonly AppMode[] = ['workflow', 'advanced-chat', 'chat', 'agent-chat', 'completion'];

export interface DslNode {
  id: string;
  type?: string;
  parentId?: string;
  data: { type: string; title?: string; [k: string]: unknown };
  [k: string]: unknown;
}

export interface DslEdge {
  id?: string;
  source: string;
  target: string;
  sourceHandle?: string;
  targetHandle?: string;
  [k: string]: unknown;
}

export interface EnvVariable {
  id?: string;
  name: string;
  value: unknown;
  value_type: 'string' | 'number' | 'secret' | string;
  description?: string;
}

export interface ConversationVariable {
  id?: string;
  name: string;
  value_type: string;
  value?: unknown;
  description?: string;
  selector?: string[];
}

/** A problem found in a file, pointing at the exact place. */
export interface Diagnostic {
  /** Repo-relative file path, forward slashes. */
  file: string;
  /** JSON Pointer (RFC 6901) into the file, "" for the whole document. */
  path: string;
  /** 1-based line and column of the value at `path` (1,1 when unknown). */
  line: number;
  column: number;
  severity: 'error' | 'warning';
  /** What is wrong and what to do next. */
  message: string;
}

/** Where a pointer of a definition is written: a line and column, in another file when it says so. */
export interface Place {
  line: number;
  column: number;
  /** Set when the place is in the definition's DSL file rather than the definition itself. */
  file?: string;
  /** The pointer inside that file (the definition's `/dsl/x` is `/x` there). */
  path?: string;
}

/** The DSL file a definition names (`dsl_file`), as read beside it. */
export interface DslFile {
  /** Repo-relative path, forward slashes. */
  file: string;
  text: string;
}

/** A definition file read from disk, parsed with a location map. */
export interface LoadedFile {
  file: string;
  text: string;
  /** Present when the text parsed as JSON (even if the schema check later fails). With a DSL
   *  file, the DSL read from it is under `dsl`, as if it were written inline. */
  value?: unknown;
  /** The DSL file the definition names, when it names one that could be read. */
  dslFile?: DslFile;
  /** Maps a JSON Pointer to its line/column in `text` (nearest existing ancestor when absent),
   *  or in the DSL file for pointers under /dsl when the DSL comes from one. */
  locate(pointer: string): Place;
  /** Like `locate`, but for the property name of the member at `pointer` (falls back to `locate`). */
  locateKey?(pointer: string): Place;
  /** Parse problems (bad JSON, too big, too deep). */
  diagnostics: Diagnostic[];
  /** `<name>.evals.jsonl` beside the file, when there is one: more eval cases, one a line. */
  evalsFile?: { file: string; text: string };
}

export interface FileReport {
  file: string;
  ok: boolean;
  name?: string;
  version?: string;
  /** The definition, typed as valid, when `ok`. */
  definition?: ValidDefinition;
  errors: Diagnostic[];
  warnings: Diagnostic[];
}

export interface ValidationReport {
  ok: boolean;
  files: FileReport[];
  /** About the folder rather than one definition: YAML files no definition names. */
  warnings?: Diagnostic[];
}
