// Turn a validated definition into what gets imported into one environment: the app id,
// the DSL with secrets injected and knowledge bases mapped. Everything here happens before
// any write, so a missing secret or dataset id stops the deploy with nothing touched.
import { stringifyPyYaml } from '../support/pyyaml.js';
import type { Definition, DifyDsl } from '../definition/types.js';
import { workflowHash } from '../definition/workflow-hash.js';
import { mapDatasetAliases } from '../definition/workflow-parts.js';
import { dslContentHash } from '../definition/canonical.js';
import { UserError } from '../support/errors.js';

export interface DeployTarget {
  name: string;
  version: string;
  environment: string;
  appId: string;
  /** The DSL as imported: datasets mapped, secrets still blank (for hashing and backups). */
  dsl: DifyDsl;
  /** YAML sent to Dify, with secret values injected. Never log or write it. */
  yaml: string;
  /** Hash of the whole DSL (app block included, secrets and layout aside): carried in the publish
   *  marks, so an unchanged definition is recognised as already live. */
  hash: string;
  /** Hash of the workflow part only: what a published Workflow object can be compared with. */
  workflowHash: string;
  /** Secret values injected, so the caller can mask them. */
  secretValues: string[];
}

/** The key of `app` (and of a dataset's ids) that serves every environment. */
export const EVERY_ENVIRONMENT = '*';

/**
 * The app id for an environment. A definition serves only the environments it names, or every
 * one when it says so with "*": a bare id used to serve them all, so a staging job published the
 * production app ahead of its approval gate.
 */
export function resolveAppId(definition: Definition, environment: string, file = `${definition.name}.json`): string {
  const app: unknown = definition.app;
  if (typeof app === 'string') {
    throw new UserError(
      'definition.incomplete',
      `${definition.name} names no environment: its "app" is a bare app id, so it is not deployed to "${environment}".`,
      {
        hint: `In ${file}, at /app, write "app": {"${environment}": "${app}"} to deploy it to ${environment} only, or "app": {"${EVERY_ENVIRONMENT}": "${app}"} if this one app really serves every environment.`,
        location: { path: '/app' },
      },
    );
  }
  const byEnvironment = (app ?? {}) as Record<string, string>;
  const id = byEnvironment[environment] ?? byEnvironment[EVERY_ENVIRONMENT];
  if (!id) {
    const known = Object.keys(byEnvironment).join(', ');
    throw new UserError('definition.incomplete', `${definition.name} has no app for environment "${environment}".`, {
      hint: `In ${file}, at /app, add "${environment}": "<app id>" (it has: ${known}), or pick one of those environments.`,
      location: { path: '/app' },
    });
  }
  return id;
}

/**
 * A release restores into the apps the current definition names: the environment → app map says
 * where things deploy today (it is outside the content hash), and a release made before "app"
 * had to name its environments holds a bare id.
 */
export function withCurrentApps<D extends Definition>(released: D, current: Pick<Definition, 'app'>): D {
  return { ...released, app: current.app };
}

/** Refuses, before anything is written, every definition that does not name `environment`. */
export function checkEnvironments(items: Array<{ file: string; definition: Definition }>, environment: string): void {
  const refused: UserError[] = [];
  for (const { file, definition } of items) {
    try {
      resolveAppId(definition, environment, file);
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      refused.push(new UserError(error.code, error.message, { hint: error.hint, location: { file, path: '/app' } }));
    }
  }
  if (refused.length === 0) return;
  if (refused.length === 1) throw refused[0];
  throw new UserError(
    'definition.incomplete',
    `${refused.length} definitions do not name environment "${environment}": ${refused.map((e) => e.location?.file).join(', ')}. Nothing was written.`,
    { hint: refused.map((e) => `${e.location?.file}: ${e.hint}`).join('\n  → ') },
  );
}

/** What `render` prints: the DSL as the deploy would import it into `environment`, secrets still blank. */
export function renderTarget(definition: Definition, environment: string): { appId: string; dsl: DifyDsl; yaml: string } {
  const appId = resolveAppId(definition, environment);
  const dsl = mapDatasets(definition, environment);
  return { appId, dsl, yaml: stringifyPyYaml(dsl) };
}

export function prepareTarget(definition: Definition, environment: string, env: Record<string, string | undefined>): DeployTarget {
  const { appId, dsl } = renderTarget(definition, environment);
  const { yaml, secretValues } = injectSecrets(definition.name, definition.secrets, dsl, env);
  requireServiceKey(definition, environment, env);
  return {
    name: definition.name,
    version: definition.version,
    environment,
    appId,
    dsl,
    yaml,
    hash: dslContentHash(dsl),
    workflowHash: workflowHash(dsl),
    secretValues,
  };
}

/**
 * Dify encrypts dataset ids per workspace and silently drops ids it cannot read on import,
 * so a definition names knowledge bases by alias and we substitute this environment's id.
 */
function mapDatasets(definition: Definition, environment: string): DifyDsl {
  const { dsl, unmapped } = mapDatasetAliases(definition, environment);
  if (unmapped.length === 0) return dsl;
  const alias = unmapped[0];
  const nodes = definition.dsl.workflow?.graph.nodes ?? [];
  const index = nodes.findIndex(
    (n) => n.data.type === 'knowledge-retrieval' && Array.isArray(n.data.dataset_ids) && n.data.dataset_ids.map(String).includes(alias),
  );
  const node = nodes[index];
  throw new UserError(
    'definition.incomplete',
    `Knowledge-retrieval node "${node?.data.title ?? node?.id}" uses dataset "${alias}", which has no id for environment "${environment}".`,
    {
      hint: `Add "datasets": {"${alias}": {"${environment}": "<dataset id>"}} to the definition. Dify drops dataset ids it cannot read, so the node would silently lose its knowledge base.`,
      location: { path: `/dsl/workflow/graph/nodes/${index}/data/dataset_ids` },
    },
  );
}

/** The environment variable holding the app's service API key for `environment`, if the definition names one. */
export function serviceKeyVariable(definition: Pick<Definition, 'service_key'>, environment: string): string | undefined {
  return definition.service_key?.[environment] ?? definition.service_key?.['*'];
}

/** A service key the definition names must be set before anything is written (smoke checks need it after the publish). */
function requireServiceKey(definition: Definition, environment: string, env: Record<string, string | undefined>): void {
  const variable = serviceKeyVariable(definition, environment);
  if (!variable || env[variable]?.trim()) return;
  throw new UserError('definition.incomplete', `${definition.name} names its service API key in ${variable}, which is not set.`, {
    hint: `Set ${variable} in the job's env (e.g. ${variable}: \${{ secrets.${variable} }}), or remove "service_key" to let smoke checks use a key the app has.`,
    location: { path: '/service_key' },
  });
}

/** Importing "" would wipe a secret in Dify, so a declared secret without a value stops the deploy. */
export function injectSecrets(name: string, secrets: Definition['secrets'], dsl: DifyDsl, env: Record<string, string | undefined>) {
  const withSecrets = structuredClone(dsl);
  const secretValues: string[] = [];
  const vars = withSecrets.workflow?.environment_variables ?? [];
  for (const [dslName, envName] of Object.entries(secrets ?? {})) {
    const value = env[envName];
    if (!value) {
      throw new UserError(
        'definition.incomplete',
        `Secret ${dslName} of ${name} has no value: environment variable ${envName} is not set.`,
        {
          hint: `Set ${envName} in the job's env (e.g. ${envName}: \${{ secrets.${envName} }}). Importing an empty value would erase the secret in Dify.`,
          location: { path: `/secrets/${dslName}` },
        },
      );
    }
    const variable = vars.find((v) => v.name === dslName);
    if (variable) variable.value = value;
    secretValues.push(value);
  }
  return { yaml: stringifyPyYaml(withSecrets), secretValues };
}
