// The one comparison behind plan, drift and pull: what an app *is*, reduced to the same shape on
// either side (a repo or release DSL, or what Dify serves) and compared the same way. It covers the
// app block (name, description, icon), the workflow (graph, features, variables: normalised as the
// content hashes normalise them) and the plugin dependencies, so "the live app differs" means one
// thing in all three commands.
import stableStringify from 'fast-json-stable-stringify';
import type { AppInfo } from '../dify/types.js';
import { isRecord } from '../definition/diagnostics.js';
import { partsFromDsl, type WorkflowParts } from '../definition/workflow-parts.js';
import { parsePyYaml } from '../support/pyyaml.js';
import { compareText, diffValues, diffWorkflows, EMPTY_WORKFLOW, isEmptyDiff, type WorkflowDiff } from './diff.js';

/** The app settings an import writes and Dify's editor edits; a key absent is not known on that side. */
export interface AppBlock {
  name?: string;
  description?: string;
  icon_type?: string;
  icon?: string;
  icon_background?: string;
}

export const APP_BLOCK_KEYS = ['name', 'description', 'icon_type', 'icon', 'icon_background'] as const;

export interface AppState {
  app: AppBlock;
  workflow: WorkflowParts;
  /** Normalised plugin dependencies; null when that side cannot say (nothing exported). */
  dependencies: unknown[] | null;
}

/** Dify's icon types; anything else is imported as `emoji` (app_dsl_service._create_or_update_app, 1.8–1.12). */
const ICON_TYPES = new Set(['emoji', 'image', 'link']);

/**
 * A repo or release DSL (datasets already mapped for the environment), with its app block as an
 * import would leave the app: Dify writes `icon_type` (emoji unless valid) and `icon` ("" when absent,
 * "None" when null) on every import, and keeps the live name, description and background when the DSL
 * has none.
 */
export function stateFromDsl(dsl: unknown): AppState {
  const record = isRecord(dsl) ? dsl : {};
  const block = isRecord(record.app) ? record.app : {};
  const app: AppBlock = {
    icon_type: typeof block.icon_type === 'string' && ICON_TYPES.has(block.icon_type) ? block.icon_type : 'emoji',
    // Dify writes str(icon): `icon: null` is the text "None" (1.12.1, checked against a live server).
    icon: block.icon === undefined ? '' : block.icon === null ? 'None' : String(block.icon),
  };
  for (const key of ['name', 'description', 'icon_background'] as const) {
    if (typeof block[key] === 'string') app[key] = block[key] as string;
  }
  return { app, workflow: partsFromDsl(record), dependencies: normalizeDependencies(record.dependencies) };
}

/**
 * What is live: the app's settings as its detail reports them (an export cannot be used for them:
 * Dify 1.12.1 exports every emoji icon as 🤖 and no icon_type), the workflow parts (published
 * version or draft), and the dependencies of an export of that same workflow.
 */
export function stateFromLive(input: { app?: AppInfo; workflow: WorkflowParts | null; exportedDsl?: unknown }): AppState {
  const app: AppBlock = {};
  for (const key of APP_BLOCK_KEYS) {
    const value = input.app?.[key];
    if (typeof value === 'string') app[key] = value;
  }
  const exported = isRecord(input.exportedDsl) ? input.exportedDsl : undefined;
  return {
    app,
    workflow: input.workflow ?? EMPTY_WORKFLOW,
    dependencies: exported ? normalizeDependencies(exported.dependencies) : null,
  };
}

/** Before → after, every family: app block, workflow and dependencies. */
export function compareStates(before: AppState, after: AppState): WorkflowDiff {
  return {
    ...diffWorkflows(before.workflow, after.workflow),
    app: diffAppBlocks(before.app, after.app),
    dependencies: diffDependencies(before.dependencies, after.dependencies),
  };
}

export function sameState(a: AppState, b: AppState): boolean {
  return isEmptyDiff(compareStates(a, b));
}

/** Whether a diff changes the workflow itself (graph, features, variables), not only the app block or dependencies. */
export function workflowChanged(diff: WorkflowDiff): boolean {
  return !isEmptyDiff({ ...diff, app: [], dependencies: { added: [], removed: [] } });
}

/** The app block and dependency changes of a diff, without its workflow changes. */
export function withoutWorkflow(diff: WorkflowDiff): WorkflowDiff {
  return { ...diffWorkflows(EMPTY_WORKFLOW, EMPTY_WORKFLOW), app: diff.app, dependencies: diff.dependencies };
}

/** Only keys both sides know are compared: a DSL without a name keeps the live one, so it cannot differ. */
export function diffAppBlocks(before: AppBlock, after: AppBlock): ReturnType<typeof diffValues> {
  const pick = (block: AppBlock, other: AppBlock) =>
    Object.fromEntries(APP_BLOCK_KEYS.filter((k) => block[k] !== undefined && other[k] !== undefined).map((k) => [k, block[k]]));
  return diffValues(pick(before, after), pick(after, before), '');
}

function diffDependencies(before: unknown[] | null, after: unknown[] | null): WorkflowDiff['dependencies'] {
  if (before === null || after === null) return { added: [], removed: [] };
  const keys = (list: unknown[]) => new Map(list.map((d) => [stableStringify(d), d]));
  const a = keys(before);
  const b = keys(after);
  const label = (list: Map<string, unknown>, other: Map<string, unknown>) =>
    [...list.entries()]
      .filter(([key]) => !other.has(key))
      .map(([, d]) => describeDependency(d))
      .sort(compareText);
  return { added: label(b, a), removed: label(a, b) };
}

/**
 * Dependencies as Dify's export writes them, without its nulls (`version`, `current_identifier`) and
 * in a stable order: Dify builds the list from a set of plugin ids, so its order means nothing.
 */
export function normalizeDependencies(list: unknown): unknown[] {
  if (!Array.isArray(list)) return [];
  const seen = new Map(list.map((d) => withoutNulls(d)).map((d) => [stableStringify(d), d]));
  return [...seen.keys()].sort(compareText).map((key) => seen.get(key));
}

function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (!isRecord(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== null && v !== undefined)
      .map(([k, v]) => [k, withoutNulls(v)]),
  );
}

/** `marketplace langgenius/openai:0.2.0@…`: the type and the plugin's unique identifier. */
export function describeDependency(dep: unknown): string {
  const record = isRecord(dep) ? dep : {};
  const value = isRecord(record.value) ? record.value : {};
  const unique = ['marketplace_plugin_unique_identifier', 'github_plugin_unique_identifier', 'plugin_unique_identifier']
    .map((key) => value[key])
    .find((v): v is string => typeof v === 'string' && v !== '');
  return `${String(record.type ?? 'plugin')} ${unique ?? stableStringify(value)}`;
}

/**
 * The live state from an exported YAML (the draft, or a published version exported by id). The
 * export's name and description are the app's; its icon is not (see stateFromLive), so the icon is
 * known only from the app's detail.
 */
export function stateFromExport(app: AppInfo | undefined, yaml: string): AppState {
  const dsl = parsePyYaml(yaml);
  const exported = isRecord(dsl) && isRecord(dsl.app) ? dsl.app : {};
  const state = stateFromLive({ app, workflow: partsFromDsl(isRecord(dsl) ? dsl : {}), exportedDsl: dsl });
  for (const key of ['name', 'description'] as const) {
    if (state.app[key] === undefined && typeof exported[key] === 'string') state.app[key] = exported[key] as string;
  }
  return state;
}

/**
 * The app block to write back into a definition (pull): the export's block, with the settings the
 * app's detail reports. Where the detail says nothing (the /openapi surface has no icon), the
 * definition keeps its own icon rather than the export's stand-in 🤖.
 */
export function pulledAppBlock(exported: Record<string, unknown>, repo: Record<string, unknown>, live: AppBlock): Record<string, unknown> {
  const block: Record<string, unknown> = { ...exported };
  for (const key of ['icon', 'icon_background', 'icon_type'] as const) {
    if (key in repo) block[key] = repo[key];
    else delete block[key];
  }
  for (const key of APP_BLOCK_KEYS) if (live[key] !== undefined) block[key] = live[key];
  // icon_type "emoji" is what an import assumes anyway: written only where the definition had it.
  if (block.icon_type === 'emoji' && !('icon_type' in repo)) delete block.icon_type;
  return block;
}
