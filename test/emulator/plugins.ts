// The workspace's plugins, and the `dependencies` an export derives from them. Dify (1.8–1.12,
// services/app_dsl_service.py _extract_dependencies_from_workflow_graph + services/plugin/
// dependencies_analysis.py generate_dependencies) does not store the dependencies an import declared:
// every export lists the installed plugins that the exported workflow's nodes use.
import type { Ctx } from './context.js';
import { isObject } from './dsl.js';
import type { WorkflowRecord } from './state.js';

const UNIQUE_KEYS = ['marketplace_plugin_unique_identifier', 'plugin_unique_identifier', 'github_plugin_unique_identifier'];

export interface InstalledPlugin {
  /** `langgenius/openai` */
  pluginId: string;
  /** `langgenius/openai:0.2.0@<checksum>` */
  unique: string;
  source: 'marketplace' | 'github' | 'package';
  /** github installs: the repo, version and package Dify keeps in the installation's meta. */
  meta: Record<string, unknown>;
}

/**
 * What the workspace has installed: the `installedPlugins` option's plugins (from the marketplace),
 * and every plugin an app's import declared, except identifiers containing "missing".
 */
export function listInstalledPlugins(ctx: Ctx): InstalledPlugin[] {
  const found = new Map<string, InstalledPlugin>();
  const add = (unique: string, source: InstalledPlugin['source'], meta: Record<string, unknown>) => {
    if (!unique.includes(':') || unique.includes('missing') || found.has(unique)) return;
    found.set(unique, { pluginId: unique.split(':')[0], unique, source, meta });
  };
  for (const unique of ctx.options.installedPlugins) add(unique, 'marketplace', {});
  for (const app of ctx.store.apps.values()) {
    for (const dep of app.dependencies) {
      if (!isObject(dep) || !isObject(dep.value)) continue;
      const value = dep.value;
      const source = dep.type === 'github' || dep.type === 'package' ? dep.type : 'marketplace';
      for (const key of UNIQUE_KEYS) if (typeof value[key] === 'string') add(value[key] as string, source, value);
    }
  }
  return [...found.values()].sort((a, b) => (a.unique < b.unique ? -1 : a.unique > b.unique ? 1 : 0));
}

/** The export's `dependencies`: installed plugins the workflow's nodes use, shaped as Dify dumps PluginDependency. */
export function exportDependencies(ctx: Ctx, workflow: WorkflowRecord | null): unknown[] {
  if (!workflow) return [];
  const used = new Set(pluginIdsOf(workflow.graph));
  return listInstalledPlugins(ctx)
    .filter((p) => used.has(p.pluginId))
    .map((p) => {
      if (p.source === 'github') {
        const { repo = null, version = null, package: pkg = null } = p.meta;
        return {
          type: 'github',
          value: { repo, version, package: pkg, github_plugin_unique_identifier: p.unique },
          current_identifier: null,
        };
      }
      if (p.source === 'package')
        return { type: 'package', value: { plugin_unique_identifier: p.unique, version: null }, current_identifier: null };
      return { type: 'marketplace', value: { marketplace_plugin_unique_identifier: p.unique, version: null }, current_identifier: null };
    });
}

/** Plugin ids a graph's nodes name: tool providers, and the model providers of model-using nodes. */
function pluginIdsOf(graph: unknown): string[] {
  const nodes = isObject(graph) && Array.isArray(graph.nodes) ? graph.nodes : [];
  const ids: Array<string | undefined> = [];
  for (const node of nodes) {
    const data = isObject(node) && isObject(node.data) ? node.data : {};
    const model = (value: unknown) => (isObject(value) ? modelPluginId(value.provider) : undefined);
    switch (data.type) {
      case 'tool':
        ids.push(providerPluginId(data.provider_id, 'tool'));
        break;
      case 'llm':
      case 'question-classifier':
      case 'parameter-extractor':
        ids.push(model(data.model));
        break;
      case 'knowledge-retrieval':
        ids.push(...retrievalPluginIds(data));
        break;
    }
  }
  return ids.filter((id): id is string => id !== undefined);
}

function retrievalPluginIds(data: Record<string, unknown>): Array<string | undefined> {
  if (data.retrieval_mode === 'single') {
    const config = isObject(data.single_retrieval_config) ? data.single_retrieval_config : {};
    return [isObject(config.model) ? modelPluginId(config.model.provider) : undefined];
  }
  const config = isObject(data.multiple_retrieval_config) ? data.multiple_retrieval_config : {};
  if (config.reranking_mode === 'reranking_model' && isObject(config.reranking_model))
    return [modelPluginId(config.reranking_model.provider)];
  const vector = isObject(config.weights) && isObject(config.weights.vector_setting) ? config.weights.vector_setting : {};
  if (config.reranking_mode === 'weighted_score') return [modelPluginId(vector.embedding_provider_name)];
  return [];
}

function modelPluginId(provider: unknown): string | undefined {
  return providerPluginId(provider, 'model');
}

/**
 * models/provider_ids.py: `org/plugin/provider`, or a bare `name` read as `langgenius/name/name`;
 * langgenius's google models live in the `gemini` plugin, and four of its tools in `<name>_tool`.
 * Anything else (a workflow or API tool's uuid) names no plugin.
 */
function providerPluginId(value: unknown, kind: 'tool' | 'model'): string | undefined {
  if (typeof value !== 'string') return undefined;
  const full = /^[a-z0-9_-]+\/[a-z0-9_-]+\/[a-z0-9_-]+$/.test(value)
    ? value
    : /^[a-z0-9_-]+$/.test(value)
      ? `langgenius/${value}/${value}`
      : undefined;
  if (!full) return undefined;
  let [org, plugin, provider] = full.split('/');
  if (org === 'langgenius' && kind === 'model' && provider === 'google') plugin = 'gemini';
  if (org === 'langgenius' && kind === 'tool' && ['jina', 'siliconflow', 'stepfun', 'gitee_ai'].includes(provider))
    plugin = `${provider}_tool`;
  return `${org}/${plugin}`;
}

/** Used by the plugin list route: one row per installed plugin. */
export function pluginRows(ctx: Ctx): Array<Record<string, unknown>> {
  return listInstalledPlugins(ctx).map((p) => ({
    plugin_id: p.pluginId,
    plugin_unique_identifier: p.unique,
    version: p.unique.split(':')[1]?.split('@')[0] ?? '',
    name: p.pluginId.split('/').pop(),
    source: p.source,
  }));
}
