// Envelope schema check with ajv (compiled once, lazily), turning ajv's errors into diagnostics
// that point at the exact value or key and say how to fix it.
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import { loadAjv } from '../support/on-demand.cjs';
import { APP_ENVIRONMENT_PATTERN, envelopeSchema, SLUG_PATTERN, UUID_PATTERN, VARIABLE_PATTERN } from './envelope-schema.js';
import { escapePointerToken } from './json-locate.js';
import { SEMVER_PATTERN } from './versions.js';
import { DSL_FILE_PATTERN } from './dsl-file.js';
import type { Reporter } from './diagnostics.js';

let envelopeValidator: ValidateFunction | undefined;
let metaAjv: Ajv | undefined;

function getEnvelopeValidator(): ValidateFunction {
  envelopeValidator ??= new (loadAjv().Ajv)({
    allErrors: true,
    allowUnionTypes: true,
    strict: true,
    strictRequired: false,
    verbose: true,
  }).compile(envelopeSchema);
  return envelopeValidator;
}

const PATTERN_HINTS: Record<string, string> = {
  [UUID_PATTERN]: 'a uuid such as 3f1c2a9e-5b7d-4e2f-9a1b-0c8d7e6f5a4b (copy it from the app URL in Dify)',
  [SLUG_PATTERN]: 'a lowercase slug (a-z, 0-9 and single hyphens), equal to the file name without .json',
  [SEMVER_PATTERN]: 'a semantic version such as 1.2.0',
  [VARIABLE_PATTERN]: 'a variable name (letters, digits and underscores, not starting with a digit)',
  [APP_ENVIRONMENT_PATTERN]: 'a lowercase environment name such as staging or production, or "*" for every environment',
  [DSL_FILE_PATTERN]: 'the name of a .yml or .yaml file in the same folder as the definition, such as "support-bot.dify.yml"',
};

/**
 * Checks the envelope; returns the JSON pointers that failed so later semantic checks can skip
 * subtrees whose shape they cannot trust.
 */
export function checkEnvelope(reporter: Reporter, value: unknown): string[] {
  const validate = getEnvelopeValidator();
  if (validate(value)) return [];
  const failed: string[] = [];
  for (const error of validate.errors ?? []) {
    const mapped = describeSchemaError(error);
    if (!mapped) continue;
    failed.push(mapped.pointer);
    if (mapped.atKey) reporter.errorAtKey(mapped.pointer, mapped.message);
    else reporter.error(mapped.pointer, mapped.message);
  }
  return failed;
}

interface MappedError {
  pointer: string;
  message: string;
  atKey?: boolean;
}

export function describeSchemaError(error: ErrorObject): MappedError | undefined {
  const at = error.instancePath;
  const field = at === '' ? 'the definition' : `"${decodeLastToken(at)}"`;
  const params = error.params as Record<string, unknown>;
  const propertyName = (error as ErrorObject & { propertyName?: string }).propertyName;
  if (error.keyword === 'if' || error.keyword === 'propertyNames') return undefined; // the inner error says more
  // "dsl or dsl_file": one message for the pair, not one per branch.
  if (error.schemaPath.startsWith('#/anyOf/')) return undefined;
  if (error.keyword === 'anyOf' && at === '') {
    return {
      pointer: at,
      message:
        'the definition has no DSL; add "dsl" (the DSL inline) or "dsl_file" (the name of a file beside it holding the DSL as Dify exports it), e.g. with "dify-gitops adopt"',
    };
  }
  if (propertyName !== undefined) {
    const hint = error.keyword === 'pattern' ? PATTERN_HINTS[String(params.pattern)] : undefined;
    return {
      pointer: `${at}/${escapePointerToken(propertyName)}`,
      message: `property name "${propertyName}" is not allowed here; use ${hint ?? 'a valid name'}`,
      atKey: true,
    };
  }
  switch (error.keyword) {
    case 'required': {
      const missing = String(params.missingProperty);
      const needsGraph = (at === '/dsl' && missing === 'workflow') || (at === '/dsl/workflow' && missing === 'graph');
      const why = needsGraph ? ' (workflow and advanced-chat apps need workflow.graph; export the app again from Dify)' : '';
      return { pointer: at, message: `${field} is missing required property "${missing}"; add it${why}` };
    }
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      const known = Object.keys((error.parentSchema as { properties?: object })?.properties ?? {});
      const guess = suggestName(name, known);
      return {
        pointer: `${at}/${escapePointerToken(name)}`,
        message: `unknown property "${name}"; ${guess ? `did you mean "${guess}"?` : `remove it (allowed: ${known.join(', ')})`}`,
        atKey: true,
      };
    }
    case 'type': {
      if (at === '/app' && typeof error.data === 'string') return { pointer: at, message: bareAppMessage(error.data) };
      const fix = at === '/dsl/version' ? 'write it as a string such as "0.3.1" (quote it in YAML)' : 'change its value';
      return { pointer: at, message: `${field} must be ${article(String(params.type))}, not ${describeType(error.data)}; ${fix}` };
    }
    case 'pattern': {
      const hint = PATTERN_HINTS[String(params.pattern)] ?? `text matching ${String(params.pattern)}`;
      return { pointer: at, message: `${field} must be ${hint}; got ${quoteValue(error.data)}` };
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ');
      return { pointer: at, message: `${field} must be one of ${allowed}; got ${quoteValue(error.data)}` };
    }
    case 'const':
      return { pointer: at, message: `${field} must be ${JSON.stringify(params.allowedValue)}; got ${quoteValue(error.data)}` };
    default:
      return { pointer: at, message: `${field} ${error.message ?? 'is invalid'}; fix the value` };
  }
}

/** A bare id once served every environment silently; now the definition must say which. */
export function bareAppMessage(id: string): string {
  return `"app" is a bare app id, which names no environment, so nothing would deploy; write {"production": "${id}"} (one entry per environment it deploys to), or {"*": "${id}"} if this one app really serves every environment`;
}

/** Messages for a user-supplied JSON Schema (smoke `outputs`) that is not a valid draft-07 schema. */
export function checkJsonSchemaDocument(schema: unknown): string[] {
  metaAjv ??= new (loadAjv().Ajv)({ allErrors: true, strict: false, validateSchema: true });
  if (metaAjv.validateSchema(schema as object) === true) return [];
  return (metaAjv.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}`);
}

function decodeLastToken(pointer: string): string {
  return pointer
    .slice(pointer.lastIndexOf('/') + 1)
    .replace(/~1/g, '/')
    .replace(/~0/g, '~');
}

function article(type: string): string {
  const name = type.replace(/,/g, ' or ');
  return /^[aeiou]/.test(name) ? `an ${name}` : `a ${name}`;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return article(typeof value);
}

function quoteValue(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** The closest known name within edit distance 2, for typo hints. */
function suggestName(name: string, known: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
