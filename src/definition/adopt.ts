// Turns a DSL exported from Dify (YAML) into a definition: the starting point for putting an
// existing app under git. Secret values are blanked and mapped, so nothing secret is committed.
import { loadYaml } from '../support/on-demand.cjs';
import { PYYAML_PARSE_OPTIONS, parsePyYaml } from '../support/pyyaml.js';
import type { Definition, DifyDsl, EnvVariable } from './types.js';
import { isRecord } from './diagnostics.js';
import { UserError } from '../support/errors.js';
import { SCHEMA_FILE_REF } from './envelope-schema.js';

export const MAX_DSL_BYTES = 5 * 1024 * 1024;
/** A real DSL has no YAML aliases; a low cap stops "billion laughs" expansion. */
const MAX_ALIAS_COUNT = 100;

export interface AdoptOptions {
  /** Definition name = file base name (lowercase slug). */
  name: string;
  /** Environment (or "*") → app id. */
  app: Definition['app'];
  /** Where the YAML came from, for error messages. */
  sourceFile?: string;
}

export function adoptDsl(yamlText: string, opts: AdoptOptions): Definition {
  const file = opts.sourceFile ?? '<dsl>';
  if (yamlText.length > MAX_DSL_BYTES) {
    throw new UserError('dsl.invalid', 'the DSL is larger than 5 MB; export a smaller app or remove embedded data', { location: { file } });
  }
  const { isScalar, parseDocument } = loadYaml();
  const doc = parseDocument(yamlText, { ...PYYAML_PARSE_OPTIONS, uniqueKeys: true, prettyErrors: true });
  const problem = doc.errors[0];
  if (problem) {
    const at = problem.linePos?.[0];
    const firstLine = problem.message.split('\n')[0];
    throw new UserError('dsl.invalid', `invalid YAML: ${firstLine}; fix the file or export it again from Dify`, {
      location: { file, line: at?.line, column: at?.col },
    });
  }
  let dsl: unknown;
  try {
    dsl = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    throw new UserError('dsl.invalid', `YAML refused: ${(error as Error).message}; a Dify export never needs this many aliases`, {
      location: { file },
    });
  }
  if (!isRecord(dsl) || !isRecord(dsl.app) || typeof dsl.app.mode !== 'string') {
    throw new UserError(
      'dsl.invalid',
      'not a Dify app DSL (expected top-level "app" with a "mode"); export the app from Dify with "Export DSL"',
      {
        location: { file },
      },
    );
  }
  // Dify requires the DSL version to be a string; keep exactly what was written even when YAML read a number.
  const versionNode = doc.get('version', true);
  if (dsl.version !== undefined && typeof dsl.version !== 'string') {
    dsl.version = isScalar(versionNode) && typeof versionNode.source === 'string' ? versionNode.source : String(dsl.version);
  }
  const secrets = blankSecrets(dsl as DifyDsl);
  const description = typeof dsl.app.description === 'string' ? dsl.app.description : '';
  return {
    $schema: SCHEMA_FILE_REF,
    name: opts.name,
    version: '1.0.0',
    description,
    app: opts.app,
    secrets,
    smoke: [],
    dsl: dsl as DifyDsl,
  };
}

/** Empties every secret env variable's value and maps NAME → NAME (the deploy-time env variable). */
function blankSecrets(dsl: DifyDsl): Record<string, string> {
  const secrets: Record<string, string> = {};
  const variables: unknown = dsl.workflow?.environment_variables;
  if (!Array.isArray(variables)) return secrets;
  for (const variable of variables as EnvVariable[]) {
    if (!isRecord(variable) || variable.value_type !== 'secret' || typeof variable.name !== 'string') continue;
    variable.value = '';
    secrets[variable.name] = variable.name;
  }
  return secrets;
}

/** Whether an export carries a secret variable's value (exported with secrets included): such text must not be committed as is. */
export function exportHoldsSecretValues(yamlText: string): boolean {
  let parsed: unknown;
  try {
    parsed = parsePyYaml(yamlText);
  } catch {
    return false; // adoptDsl reports what is wrong with it, with the line
  }
  const workflow = isRecord(parsed) ? parsed.workflow : undefined;
  const variables = isRecord(workflow) ? workflow.environment_variables : undefined;
  return Array.isArray(variables) && variables.some((v) => isRecord(v) && v.value_type === 'secret' && v.value !== '' && v.value != null);
}
