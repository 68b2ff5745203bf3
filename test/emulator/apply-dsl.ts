// Applying a parsed DSL to an app (Dify's _create_or_update_app): validate everything first,
// then write, so a failed import leaves the app untouched.
import { decryptDatasetId, mapDatasetIds } from './dataset-ids.js';
import { parsePyYaml } from '../../src/support/pyyaml.js';
import type { Ctx } from './context.js';
import { buildConvVars, buildEnvVars, clone, isObject } from './dsl.js';
import { createAppRecord, writeDraft, type AppRecord } from './state.js';

export const APP_MODES = ['workflow', 'advanced-chat', 'chat', 'agent-chat', 'completion'];
export const WORKFLOW_MODES = ['workflow', 'advanced-chat'];
const DEPENDENCY_TYPES = new Set(['github', 'marketplace', 'package']);
const ICON_TYPES = new Set(['emoji', 'image', 'link']);

export interface Overrides {
  name?: string;
  description?: string;
  icon_type?: string;
  icon?: string;
  icon_background?: string;
}

/** PyYAML safe_load: YAML 1.1 booleans (yes/no/on/off) but y/n stay strings; throws the parser's error. */
export function parseYaml(text: string): unknown {
  return parsePyYaml(text);
}

export function pythonTypeName(value: unknown): string {
  if (typeof value === 'number') return Number.isInteger(value) ? "<class 'int'>" : "<class 'float'>";
  if (typeof value === 'boolean') return "<class 'bool'>";
  if (Array.isArray(value)) return "<class 'list'>";
  if (value instanceof Date) return "<class 'datetime.date'>";
  if (isObject(value)) return "<class 'dict'>";
  return "<class 'NoneType'>";
}

function validateDependencies(list: unknown): unknown[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new Error('dependencies must be a list');
  list.forEach((dep, i) => {
    if (!isObject(dep) || !DEPENDENCY_TYPES.has(String(dep.type)) || !isObject(dep.value)) {
      throw new Error(`dependencies[${i}]: expected {type: github|marketplace|package, value: {...}}`);
    }
  });
  return clone(list);
}

/** Only the shape a graph needs to be stored and walked; deeper checks happen at publish. */
export function validateGraphShape(graph: unknown): Record<string, unknown> {
  if (!isObject(graph)) throw new Error('Invalid graph: graph must be a mapping');
  const nodes = graph.nodes ?? [];
  const edges = graph.edges ?? [];
  if (!Array.isArray(nodes)) throw new Error('Invalid graph: nodes must be a list');
  if (!Array.isArray(edges)) throw new Error('Invalid graph: edges must be a list');
  const ids = new Set<string>();
  nodes.forEach((node, i) => {
    if (!isObject(node) || typeof node.id !== 'string' || !node.id) {
      throw new Error(`Invalid graph: nodes[${i}] needs a string id`);
    }
    if (!isObject(node.data) || typeof node.data.type !== 'string') {
      throw new Error(`Invalid graph: node ${node.id} needs data.type`);
    }
    if (ids.has(node.id)) throw new Error(`Invalid graph: duplicate node id ${node.id}`);
    ids.add(node.id);
  });
  edges.forEach((edge, i) => {
    if (!isObject(edge) || typeof edge.source !== 'string' || typeof edge.target !== 'string') {
      throw new Error(`Invalid graph: edges[${i}] needs string source and target`);
    }
  });
  return graph;
}

/**
 * Creates or overwrites an app from a DSL object. Throws Error(message) on invalid content;
 * the import turns that into a failed Import. Never publishes.
 */
export function applyDsl(
  ctx: Ctx,
  data: Record<string, unknown>,
  existing: AppRecord | null,
  overrides: Overrides,
  id?: string,
): AppRecord {
  const appData = data.app as Record<string, unknown>;
  const mode = appData.mode;
  if (!mode) throw new Error('loss app mode');
  if (typeof mode !== 'string' || !APP_MODES.includes(mode)) throw new Error(`'${String(mode)}' is not a valid AppMode`);
  // Dify does not compare modes on overwrite; a mismatch would corrupt the app, so refuse it.
  if (existing && existing.mode !== mode) {
    throw new Error(`App mode mismatch: the app is ${existing.mode} but the DSL says ${mode}`);
  }
  const dependencies = validateDependencies(data.dependencies);
  let draftParts: Parameters<typeof writeDraft>[1] | null = null;
  let modelConfig: Record<string, unknown> | null = null;
  if (WORKFLOW_MODES.includes(mode)) {
    const workflow = data.workflow;
    if (!isObject(workflow)) throw new Error('Missing workflow data for workflow/advanced chat app');
    const features = workflow.features ?? {};
    if (!isObject(features)) throw new Error('Invalid features: must be a mapping');
    const graph = validateGraphShape(workflow.graph ?? {});
    mapDatasetIds({ workflow: { graph } }, (value) => decryptDatasetId(value, ctx.workspace.id));
    draftParts = {
      graph,
      features,
      environment_variables: buildEnvVars(workflow.environment_variables, existing?.draft?.environment_variables),
      conversation_variables: buildConvVars(workflow.conversation_variables),
    };
  } else {
    if (!isObject(data.model_config)) throw new Error('Missing model_config for chat/agent-chat/completion app');
    modelConfig = clone(data.model_config);
  }

  const app = existing ?? createAppRecord({ id, name: '', mode });
  const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
  app.name = overrides.name || (str(appData.name) ?? app.name);
  app.description = overrides.description || (str(appData.description) ?? app.description);
  const iconType = overrides.icon_type || str(appData.icon_type);
  app.icon_type = iconType && ICON_TYPES.has(iconType) ? iconType : 'emoji';
  // Dify 1.12.1 (app_dsl_service._create_or_update_app): `icon or str(app_data.get("icon", ""))`, so a DSL
  // without an icon clears it, and `icon: null` becomes the text "None" (checked against a live 1.12.1).
  app.icon = overrides.icon || (appData.icon === undefined ? '' : pythonStr(appData.icon));
  app.icon_background = overrides.icon_background || (str(appData.icon_background) ?? app.icon_background);
  if (!existing) app.use_icon_as_answer_icon = appData.use_icon_as_answer_icon === true;
  app.dependencies = dependencies;
  if (draftParts) writeDraft(app, draftParts);
  else app.model_config = modelConfig;
  if (!existing) ctx.store.apps.set(app.id, app);
  return app;
}

/** Plugins the workspace lacks: emulator rule, any identifier containing "missing". */
export function leakedDependencies(app: AppRecord): unknown[] {
  return app.dependencies.filter((dep) => {
    const value = isObject(dep) && isObject(dep.value) ? dep.value : {};
    return ['marketplace_plugin_unique_identifier', 'plugin_unique_identifier', 'github_plugin_unique_identifier'].some(
      (key) => typeof value[key] === 'string' && (value[key] as string).includes('missing'),
    );
  });
}

/** What Python's str() makes of a YAML scalar: None, True and False are spelled as Python spells them. */
function pythonStr(value: unknown): string {
  if (value === null) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return String(value);
}
