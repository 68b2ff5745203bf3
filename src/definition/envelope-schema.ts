// The definition's JSON Schema (draft-07: the draft editors and ajv both support fully).
// It lives in code so the bundled action needs no file at run time; schema/definition.schema.json
// is its canonical-form twin for editors, and a unit test keeps the two identical.
import { APP_MODES } from './types.js';
import { SEMVER_PATTERN } from './versions.js';
import { DSL_FILE_PATTERN } from './dsl-file.js';

export const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
export const SLUG_PATTERN = '^[a-z0-9]+(?:-[a-z0-9]+)*$';
export const ENVIRONMENT_PATTERN = '^[a-z][a-z0-9_-]*$';
/** An environment name, or "*": every environment (said explicitly, never implied). */
export const APP_ENVIRONMENT_PATTERN = '^(?:\\*|[a-z][a-z0-9_-]*)$';
export const VARIABLE_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*$';
export const SCHEMA_FILE_REF = '../schema/definition.schema.json';

const jsonSchema = {
  type: ['object', 'boolean'],
  description: 'A JSON Schema (draft-07).',
};

const smokeCheck = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'inputs', 'expect'],
  properties: {
    name: { type: 'string', minLength: 1, description: 'Shown in the deploy log and job summary.' },
    inputs: { type: 'object', description: 'Start-node inputs (workflow) or chat inputs (chat-like apps).' },
    query: { type: 'string', description: 'Chat query; required for advanced-chat, chat and agent-chat apps.' },
    expect: {
      type: 'object',
      additionalProperties: false,
      properties: {
        status: {
          enum: ['succeeded', 'failed', 'stopped', 'partial-succeeded'],
          description: 'Expected run status; default "succeeded".',
        },
        outputs: { ...jsonSchema, description: "JSON Schema the run's outputs must satisfy." },
        json_output: {
          type: 'object',
          additionalProperties: false,
          required: ['field', 'schema'],
          description: 'Parse a text output as JSON (LLM output: fences and trailing commas tolerated) and validate it.',
          properties: { field: { type: 'string', minLength: 1 }, schema: jsonSchema },
        },
        contains: {
          type: 'object',
          additionalProperties: { type: 'string' },
          description: 'Output field → text it must contain.',
        },
        max_latency_ms: {
          type: 'integer',
          minimum: 1,
          description:
            "The run's hard deadline, in ms: a run still going then (a model call that hangs keeps Dify's stream open with pings) is abandoned, Dify is asked to stop it, and the attempt fails. Without it, 120000 (120 s).",
        },
      },
    },
  },
};

const fieldMap = (values: Record<string, unknown>, description: string) => ({ type: 'object', additionalProperties: values, description });

/** One eval case; also the shape of each line of <name>.evals.jsonl. */
export const evalCaseSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'inputs', 'expect'],
  properties: {
    name: { type: 'string', minLength: 1, description: "Unique among the definition's cases; names the case in reports." },
    inputs: { type: 'object', description: 'Start-node inputs: each a declared start variable, of its type.' },
    query: { type: 'string', description: 'Chat query; required for advanced-chat apps.' },
    expect: {
      type: 'object',
      additionalProperties: false,
      properties: {
        status: smokeCheck.properties.expect.properties.status,
        equals: fieldMap({}, 'Output field → the exact value it must have.'),
        contains: fieldMap({ type: 'string' }, 'Output field → text it must contain.'),
        regex: fieldMap({ type: 'string' }, 'Output field → regular expression (JavaScript) its text must match.'),
        outputs: { ...jsonSchema, description: "JSON Schema the run's outputs must satisfy." },
        json_output: smokeCheck.properties.expect.properties.json_output,
        max_latency_ms: { type: 'number', exclusiveMinimum: 0, description: 'The run must take at most this long.' },
        max_tokens: { type: 'integer', minimum: 0, description: 'The run must use at most this many tokens.' },
      },
    },
  },
};

const fraction = (description: string) => ({ type: 'number', minimum: 0, maximum: 1, description });

const evals = {
  type: 'object',
  additionalProperties: false,
  description: 'Eval cases run against the candidate and against live, and the gates a deploy applies to the comparison.',
  properties: {
    cases: { type: 'array', items: evalCaseSchema, description: 'More cases may sit beside the file in <name>.evals.jsonl, one a line.' },
    gates: {
      type: 'object',
      additionalProperties: false,
      properties: {
        min_pass_rate: fraction('Share of cases the candidate must pass (0–1).'),
        max_pass_rate_drop: fraction("How far the candidate's pass rate may fall below live's (0–1; 0.1 = ten points)."),
        max_p95_latency_ms: { type: 'number', exclusiveMinimum: 0, description: "The candidate's 95th-percentile latency, in ms." },
        max_token_increase_pct: {
          type: 'number',
          minimum: 0,
          description: "How much the candidate's total tokens may exceed live's, in percent.",
        },
      },
    },
    concurrency: { type: 'integer', minimum: 1, maximum: 64, description: 'Cases run at once against each side (default 4).' },
  },
};

const dslNode = {
  type: 'object',
  required: ['id', 'data'],
  properties: {
    id: { type: 'string', minLength: 1 },
    type: { type: 'string' },
    parentId: { type: 'string' },
    data: {
      type: 'object',
      required: ['type'],
      // Empty for Dify's note nodes ("custom-note"); graph-shape.ts refuses it on any other node.
      properties: { type: { type: 'string' }, title: { type: 'string' } },
    },
  },
};

const dslEdge = {
  type: 'object',
  required: ['source', 'target'],
  properties: {
    id: { type: 'string' },
    source: { type: 'string' },
    target: { type: 'string' },
    sourceHandle: { type: 'string' },
    targetHandle: { type: 'string' },
  },
};

const dsl = {
  type: 'object',
  description: 'The Dify DSL exactly as Dify exports it (YAML converted to JSON).',
  required: ['version', 'kind', 'app'],
  properties: {
    version: { type: 'string', description: 'DSL format version as a string, e.g. "0.3.1".' },
    kind: { const: 'app' },
    app: {
      type: 'object',
      required: ['name', 'mode'],
      properties: { name: { type: 'string' }, mode: { enum: [...APP_MODES] }, description: { type: 'string' } },
    },
    dependencies: { type: 'array' },
    workflow: {
      type: 'object',
      properties: {
        graph: {
          type: 'object',
          required: ['nodes', 'edges'],
          properties: { nodes: { type: 'array', items: dslNode }, edges: { type: 'array', items: dslEdge } },
        },
        features: { type: 'object' },
        environment_variables: {
          type: 'array',
          items: {
            type: 'object',
            required: ['name', 'value_type'],
            properties: {
              name: { type: 'string', pattern: VARIABLE_PATTERN },
              value_type: { type: 'string' },
              description: { type: 'string' },
            },
          },
        },
        conversation_variables: {
          type: 'array',
          items: {
            type: 'object',
            required: ['name', 'value_type'],
            properties: { name: { type: 'string', minLength: 1 }, value_type: { type: 'string' } },
          },
        },
      },
    },
    model_config: { type: 'object' },
  },
  // Workflow and chatflow apps carry a graph; the others carry model_config instead.
  if: {
    type: 'object',
    required: ['app'],
    properties: {
      app: { type: 'object', required: ['mode'], properties: { mode: { enum: ['workflow', 'advanced-chat'] } } },
    },
  },
  // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword
  then: { type: 'object', required: ['workflow'], properties: { workflow: { type: 'object', required: ['graph'] } } },
};

export const envelopeSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'dify-gitops app definition',
  description:
    'One Dify app under workflows/<name>.json: release metadata plus the exported Dify DSL, inline ("dsl") or in a file beside it ("dsl_file").',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'version', 'app'],
  anyOf: [{ required: ['dsl'] }, { required: ['dsl_file'] }],
  properties: {
    $schema: { type: 'string', description: `Path to this schema, "${SCHEMA_FILE_REF}".` },
    name: { type: 'string', pattern: SLUG_PATTERN, maxLength: 64, description: "The file's base name, a lowercase slug." },
    version: { type: 'string', pattern: SEMVER_PATTERN, description: 'Semantic version; bump it on every change.' },
    description: { type: 'string' },
    app: {
      type: 'object',
      description:
        'Environment → Dify app id (uuid). The definition deploys only to the environments named here; "*" serves every environment with one app.',
      minProperties: 1,
      propertyNames: { pattern: APP_ENVIRONMENT_PATTERN },
      additionalProperties: { type: 'string', pattern: UUID_PATTERN },
    },
    secrets: {
      type: 'object',
      description: 'Secret environment variable in the DSL → environment variable holding its value at deploy time.',
      propertyNames: { pattern: VARIABLE_PATTERN },
      additionalProperties: { type: 'string', pattern: VARIABLE_PATTERN },
    },
    service_key: {
      type: 'object',
      description:
        'Environment (or "*") → environment variable holding the app\'s service API key (app-…), e.g. the secret rotate-keys hands it to. Smoke checks then use it instead of listing keys through the console, which a dfoa_ token alone cannot do.',
      minProperties: 1,
      propertyNames: { pattern: APP_ENVIRONMENT_PATTERN },
      additionalProperties: { type: 'string', pattern: VARIABLE_PATTERN },
    },
    datasets: {
      type: 'object',
      description: 'Knowledge base alias → environment (or "*": every environment) → dataset id.',
      additionalProperties: {
        type: 'object',
        minProperties: 1,
        propertyNames: { pattern: APP_ENVIRONMENT_PATTERN },
        additionalProperties: { type: 'string', pattern: UUID_PATTERN },
      },
    },
    smoke: { type: 'array', items: smokeCheck, description: 'Checks run through the service API after publishing.' },
    evals,
    dsl,
    dsl_file: {
      type: 'string',
      pattern: DSL_FILE_PATTERN,
      description:
        'Instead of "dsl": the name of a file beside this one (e.g. "<name>.dify.yml") holding the DSL byte for byte as Dify exports it.',
    },
  },
};
