// DSL helpers: variables (ids, secrets, [__HIDDEN__]), hashes, version rules and export building.
import { createHash, randomUUID } from 'node:crypto';
import { stringifyPyYaml } from '../../src/support/pyyaml.js';
import type { AppRecord, ConvVar, EnvVar, WorkflowRecord } from './records.js';
import type { StateDsl } from './types.js';

export const HIDDEN_VALUE = '[__HIDDEN__]';
const ENV_TYPES = new Set(['string', 'number', 'secret']);
const CONV_TYPES = new Set([
  'string',
  'number',
  'object',
  'boolean',
  'array[string]',
  'array[number]',
  'array[object]',
  'array[boolean]',
  'array[any]',
]);

export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value as object)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${stableStringify((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Dify's unique_hash covers graph and features only (not the variables). */
export function computeHash(graph: unknown, features: unknown): string {
  return createHash('sha256').update(stableStringify({ graph, features })).digest('hex');
}

export const clone = <T>(value: T): T => structuredClone(value);

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Validates environment variables the way draft sync does (ids required), then keeps the stored
 * value wherever a posted variable says [__HIDDEN__] and an existing one has the same id.
 * Any other value, including "", overwrites. Throws Error with Dify's message on bad input.
 */
export function buildEnvVars(list: unknown, stored: EnvVar[] = []): EnvVar[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new Error('environment_variables must be a list');
  const byId = new Map(stored.map((v) => [v.id, v]));
  const seenNames = new Set<string>();
  const seenIds = new Set<string>();
  return list.map((raw) => {
    if (!isObject(raw)) throw new Error('environment variable must be a mapping');
    const name = raw.name;
    if (typeof name !== 'string' || !name) throw new Error('missing name');
    if (typeof raw.id !== 'string' || !raw.id) throw new Error('environment variable require a unique id');
    const valueType = String(raw.value_type ?? '');
    if (!ENV_TYPES.has(valueType)) throw new Error(`not supported value type ${valueType}`);
    if (seenNames.has(name)) throw new Error(`duplicate environment variable name: ${name}`);
    if (seenIds.has(raw.id)) throw new Error(`duplicate environment variable id: ${raw.id}`);
    seenNames.add(name);
    seenIds.add(raw.id);
    let value = raw.value;
    const previous = byId.get(raw.id);
    if (value === HIDDEN_VALUE && previous) value = previous.value;
    else if (valueType === 'number' ? typeof value !== 'number' : typeof value !== 'string') {
      throw new Error(`environment variable ${name}: value must be a ${valueType === 'number' ? 'number' : 'string'}`);
    }
    const description = typeof raw.description === 'string' ? raw.description : '';
    return { id: raw.id, name, value, value_type: valueType, description, selector: ['env', name] };
  });
}

export function buildConvVars(list: unknown): ConvVar[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new Error('conversation_variables must be a list');
  return list.map((raw) => {
    if (!isObject(raw)) throw new Error('conversation variable must be a mapping');
    const name = raw.name;
    if (typeof name !== 'string' || !name) throw new Error('missing name');
    const valueType = String(raw.value_type ?? '');
    if (!CONV_TYPES.has(valueType)) throw new Error(`not supported value type ${valueType}`);
    const id = typeof raw.id === 'string' && raw.id ? raw.id : randomUUID();
    const description = typeof raw.description === 'string' ? raw.description : '';
    return { id, name, value: raw.value ?? null, value_type: valueType, description, selector: ['conversation', name] };
  });
}

/** Like Dify's obfuscated_token: keeps a hint of long secrets, hides short ones. */
/** Secrets read back from a workflow: Dify 1.8.1 and 1.12.1 show twenty asterisks, whatever the value. */
export function obfuscate(value: unknown): unknown {
  if (typeof value !== 'string' || !value) return value;
  return '*'.repeat(20);
}

export function parseVersion(text: string): [number, number, number] | null {
  const match = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(text.trim());
  if (!match) return null;
  return [Number(match[1]), Number(match[2] ?? 0), Number(match[3] ?? 0)];
}

/** Contract §3 `check_version_compatibility`; null when the version does not parse. */
export function checkVersion(imported: string, current: string): 'completed' | 'completed-with-warnings' | 'pending' | null {
  const imp = parseVersion(imported);
  const cur = parseVersion(current);
  if (!imp || !cur) return null;
  const cmp = imp[0] - cur[0] || imp[1] - cur[1] || imp[2] - cur[2];
  if (cmp > 0) return 'pending';
  if (imp[0] < cur[0]) return 'pending';
  if (imp[1] < cur[1]) return 'completed-with-warnings';
  return 'completed';
}

/** Export drops tool credentials unless secrets are included (contract §2). */
function scrubGraph(graph: Record<string, unknown>, includeSecret: boolean): Record<string, unknown> {
  const copy = clone(graph);
  if (includeSecret || !Array.isArray(copy.nodes)) return copy;
  for (const node of copy.nodes as Array<Record<string, unknown>>) {
    const data = isObject(node?.data) ? node.data : null;
    if (!data) continue;
    if (data.type === 'tool') delete data.credential_id;
    const tools = (data.agent_parameters as { tools?: { value?: unknown } } | undefined)?.tools?.value;
    if (Array.isArray(tools)) for (const tool of tools) if (isObject(tool)) delete tool.credential_id;
  }
  return copy;
}

export function buildWorkflowDsl(workflow: WorkflowRecord, includeSecret: boolean): Record<string, unknown> {
  return {
    graph: scrubGraph(workflow.graph, includeSecret),
    features: clone(workflow.features),
    environment_variables: workflow.environment_variables.map((v) =>
      v.value_type === 'secret' && !includeSecret ? { ...clone(v), value: '' } : clone(v),
    ),
    conversation_variables: clone(workflow.conversation_variables),
  };
}

/** The DSL object Dify's make_app_dsl builds; `workflow` null exports model_config (chat-like apps). */
/**
 * `dependencies`: what the export lists (plugins.ts exportDependencies); the state snapshot shows the
 * ones the last import declared.
 */
export function buildAppDsl(
  app: AppRecord,
  workflow: WorkflowRecord | null,
  dslVersion: string,
  includeSecret: boolean,
  dependencies: unknown[] = app.dependencies,
): StateDsl {
  const dsl: StateDsl = {
    version: dslVersion,
    kind: 'app',
    app: {
      name: app.name,
      mode: app.mode,
      // app_dsl_service.export_dsl (1.8–1.12) writes no icon_type, and swaps the icon of emoji apps for 🤖
      // (icon kept only when icon_type is "image", then with the default background).
      icon: app.icon_type === 'image' ? app.icon : '🤖',
      icon_background: app.icon_type === 'image' ? '#FFEAD5' : app.icon_background,
      description: app.description,
      use_icon_as_answer_icon: app.use_icon_as_answer_icon,
    },
    dependencies: clone(dependencies),
  };
  if (workflow) dsl.workflow = buildWorkflowDsl(workflow, includeSecret) as StateDsl['workflow'];
  else dsl.model_config = clone(app.model_config ?? {});
  return dsl;
}

/** PyYAML's yaml.dump sorts keys; so do we, so exports diff the same way. */
export function dumpYaml(value: unknown): string {
  return stringifyPyYaml(value, { sortKeys: true });
}
