// pull: a definition rewritten from its live app's exported draft, so an edit made in Dify's UI
// becomes a reviewable diff. The envelope stays (version, smoke checks, app ids); the DSL is
// replaced, secrets stay blank and declared, and dataset ids go back to their aliases.
import type { Definition, DifyDsl } from '../definition/types.js';
import type { AppInfo } from '../dify/types.js';
import { adoptDsl, exportHoldsSecretValues } from '../definition/adopt.js';
import stableStringify from 'fast-json-stable-stringify';
import { mapDatasetAliases, mapDatasetIds } from '../definition/workflow-parts.js';
import { stringifyPyYaml } from '../support/pyyaml.js';
import { pulledAppBlock, sameState, stateFromDsl, stateFromExport } from './app-state.js';
import { findCredential } from '../definition/secrets.js';
import { isRecord } from '../definition/diagnostics.js';
import { UserError } from '../support/errors.js';

/**
 * Variable fields the API adds when it serialises a workflow (`selector` on every variable, and
 * the editor's flags): noise in a repo that never had them, so they are kept only where it did.
 */
const API_VARIABLE_FIELDS = ['selector', 'edited', 'visible', 'editable'];

export interface PulledDefinition {
  definition: Definition;
  /** The DSL file's text for the YAML form: the export byte for byte as Dify gave it, unless
   *  dataset ids had to become aliases or a secret value had to be blanked (then that DSL, in YAML). */
  dslText: string;
  /** Things the reviewer must finish by hand (new secrets, unknown dataset ids). */
  warnings: string[];
  /** The draft holds nothing the definition does not (Dify's stamps aside): leave the file alone. */
  unchanged: boolean;
}

/**
 * `app`: the app's detail, whose name, description and icon are written into the definition's app
 * block (the export's icon is a stand-in); without it, only the export's name and description are.
 */
export function rewriteFromExport(
  current: Definition,
  yaml: string,
  environment: string,
  sourceFile: string,
  app?: AppInfo,
): PulledDefinition {
  // Right after a deploy the export differs from the file only in what Dify stamps on it (its DSL
  // version, variable selectors): that is no edit, and rewriting the file would be a diff to review.
  if (matchesDefinition(current, yaml, environment, app)) return { definition: current, dslText: yaml, warnings: [], unchanged: true };
  const secretValues = exportHoldsSecretValues(yaml);
  // adoptDsl parses the export the way adopt does: aliases capped, secret values blanked and found.
  const adopted = adoptDsl(yaml, { name: current.name, app: current.app, sourceFile });
  const warnings: string[] = [];
  // The app block is written from the app's detail, so that is scanned too.
  const liveApp = stateFromExport(app, yaml).app;
  const leak = findCredentialIn(adopted.dsl, '/dsl') ?? findCredentialIn(liveApp, '/dsl/app');
  if (leak) {
    // Writing it would put the key in git history (and a pushed branch) before any review.
    throw new UserError(
      'pull.refused',
      `The live app of ${current.name} holds what looks like a ${leak.kind} (${leak.masked}) at ${leak.pointer}; nothing was written.`,
      { hint: 'Remove it in Dify (use a secret environment variable instead), rotate the key, then pull again.' },
    );
  }
  const { dsl, unknown } = mapDatasetIds(adopted.dsl, current.datasets, environment);
  for (const id of unknown) {
    warnings.push(
      `Dataset id ${id} has no alias for ${environment}: add it under "datasets" and use the alias in the knowledge-retrieval node.`,
    );
  }

  const declared = current.secrets ?? {};
  const live = Object.keys(adopted.secrets ?? {});
  const secrets: Record<string, string> = {};
  for (const name of live) {
    secrets[name] = declared[name] ?? name;
    if (!declared[name])
      warnings.push(`New secret variable ${name}: declared as "secrets": {"${name}": "${name}"}; provide ${name} to the deploy job.`);
  }
  for (const name of Object.keys(declared)) {
    if (!live.includes(name)) warnings.push(`Secret ${name} is no longer a secret variable in the live app: removed from "secrets".`);
  }

  const pulled = inRepoForm(dsl, current.dsl);
  const block = pulledAppBlock(pulled.app, current.dsl.app, liveApp);
  const definition: Definition = { ...current, dsl: { ...pulled, app: block as DifyDsl['app'] } };
  if (current.secrets !== undefined || live.length) definition.secrets = secrets;
  const asExported = !secretValues && stableStringify(dsl) === stableStringify(adopted.dsl);
  if (current.dsl_file && !asExported) {
    warnings.push(
      `${current.dsl_file} is written from the export with ${secretValues ? 'secret values blanked' : 'dataset ids replaced by their aliases'}, so it is not byte for byte what Dify exported.`,
    );
  }
  return { definition, dslText: asExported ? yaml : stringifyPyYaml(dsl), warnings, unchanged: false };
}

/**
 * The draft holds what the definition holds, by the comparison plan and drift use: app block,
 * normalised workflow and plugin dependencies.
 */
function matchesDefinition(current: Definition, yaml: string, environment: string, app: AppInfo | undefined): boolean {
  try {
    return sameState(stateFromDsl(mapDatasetAliases(current, environment).dsl), stateFromExport(app, yaml));
  } catch {
    return false; // adoptDsl reports what is wrong with it, with the line
  }
}

/**
 * The pulled DSL in the repo's form: the definition's own DSL `version` (the server stamps the one
 * it speaks; the import accepts the repo's), and no API-only variable fields the repo did not have.
 */
function inRepoForm(pulled: DifyDsl, repo: DifyDsl): DifyDsl {
  const dsl: DifyDsl = { ...pulled, ...(repo.version !== undefined ? { version: repo.version } : {}) };
  if (!dsl.workflow) return dsl;
  const workflow = { ...dsl.workflow };
  for (const key of ['environment_variables', 'conversation_variables'] as const) {
    const list: unknown = workflow[key];
    if (Array.isArray(list)) workflow[key] = stripApiFields(list, repo.workflow?.[key]) as never;
  }
  return { ...dsl, workflow };
}

function stripApiFields(pulled: unknown[], repo: unknown): unknown[] {
  const repoVariables = (Array.isArray(repo) ? repo : []).filter(isRecord);
  return pulled.map((variable) => {
    if (!isRecord(variable)) return variable;
    const same = repoVariables.find((r) => r.name === variable.name);
    // A variable the repo has keeps the fields it had; a new one keeps those any repo variable has.
    const kept = (field: string) => (same ? field in same : repoVariables.some((r) => field in r));
    return Object.fromEntries(Object.entries(variable).filter(([field]) => !API_VARIABLE_FIELDS.includes(field) || kept(field)));
  });
}

/** The first string in `value` that looks like a credential, with its JSON pointer. */
function findCredentialIn(value: unknown, pointer: string): { kind: string; masked: string; pointer: string } | undefined {
  if (typeof value === 'string') {
    const found = findCredential(value);
    return found && { ...found, pointer };
  }
  if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const found = findCredentialIn(item, `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`);
      if (found) return found;
    }
  }
  return undefined;
}
