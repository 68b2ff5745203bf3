// The one shape both sides of a plan are reduced to before comparing: the workflow part of a DSL
// (graph, features, variables) normalised exactly as the content hashes normalise it, so "no
// change in the plan" and "equal hashes" always agree. Layout, selection and secret values drop out.
import { parsePyYaml } from '../support/pyyaml.js';
import type { Definition, DifyDsl, DslEdge, DslNode } from './types.js';
import { contentHash, normalizeDslForHash } from './canonical.js';
import { isRecord } from './diagnostics.js';

export interface PlanVariable {
  name: string;
  value_type: unknown;
  value: unknown;
  description: unknown;
}

export interface WorkflowParts {
  graph: { nodes: DslNode[]; edges: DslEdge[]; [k: string]: unknown };
  features: Record<string, unknown>;
  environment_variables: PlanVariable[];
  conversation_variables: PlanVariable[];
}

interface RawParts {
  graph?: unknown;
  features?: unknown;
  environment_variables?: unknown;
  conversation_variables?: unknown;
}

/** From a repo DSL (`definition.dsl`, datasets already mapped for the environment when comparing with live). */
export function partsFromDsl(dsl: { workflow?: RawParts } | undefined): WorkflowParts {
  return normalizeParts(dsl?.workflow ?? {});
}

/** From Dify's Workflow object (GET …/workflows/publish). */
export function partsFromPublished(workflow: RawParts): WorkflowParts {
  return normalizeParts(workflow);
}

/** From an exported YAML (the live draft). */
export function partsFromExport(yaml: string): WorkflowParts {
  const dsl = parsePyYaml(yaml);
  return partsFromDsl(isRecord(dsl) ? (dsl as { workflow?: RawParts }) : undefined);
}

/** Equals workflowHash / publishedWorkflowHash of the same content. */
export function hashParts(parts: WorkflowParts): string {
  return contentHash(parts);
}

function normalizeParts(raw: RawParts): WorkflowParts {
  const workflow = {
    graph: raw.graph ?? {},
    features: raw.features ?? {},
    // The API serialises variables with extra fields (id, selector, edited, …): compare what they mean.
    environment_variables: pickVariables(raw.environment_variables),
    conversation_variables: pickVariables(raw.conversation_variables),
  };
  const normalized = (normalizeDslForHash({ workflow }) as { workflow: WorkflowParts }).workflow;
  const graph: Record<string, unknown> = isRecord(normalized.graph) ? normalized.graph : {};
  return {
    ...normalized,
    graph: {
      ...graph,
      nodes: Array.isArray(graph.nodes) ? (graph.nodes as DslNode[]) : [],
      edges: Array.isArray(graph.edges) ? (graph.edges as DslEdge[]) : [],
    },
    features: isRecord(normalized.features) ? normalized.features : {},
  };
}

function pickVariables(list: unknown): PlanVariable[] {
  if (!Array.isArray(list)) return [];
  return list.map((v: Record<string, unknown>) => ({
    name: String(v?.name ?? ''),
    value_type: v?.value_type,
    value: v?.value_type === 'secret' ? '' : v?.value,
    description: v?.description ?? '',
  }));
}

/**
 * The repo DSL as it would be imported into `environment`: knowledge-base aliases replaced by that
 * environment's dataset ids. Unlike the deploy, a missing id does not stop a plan: it is reported.
 */
export function mapDatasetAliases(definition: Definition, environment: string): { dsl: DifyDsl; unmapped: string[] } {
  const dsl = structuredClone(definition.dsl);
  const unmapped = new Set<string>();
  for (const node of knowledgeNodes(dsl)) {
    node.data.dataset_ids = (node.data.dataset_ids as unknown[]).map((alias) => {
      const ids = definition.datasets?.[String(alias)];
      const id = ids?.[environment] ?? ids?.['*'];
      if (!id) unmapped.add(String(alias));
      return id ?? alias;
    });
  }
  return { dsl, unmapped: [...unmapped].sort() };
}

/** The reverse, for pull: this environment's dataset ids back to the definition's aliases. */
export function mapDatasetIds(dsl: DifyDsl, datasets: Definition['datasets'], environment: string): { dsl: DifyDsl; unknown: string[] } {
  const out = structuredClone(dsl);
  const aliasOf = new Map(
    Object.entries(datasets ?? {}).flatMap(([alias, ids]) => {
      const id = ids[environment] ?? ids['*'];
      return id ? [[id, alias] as const] : [];
    }),
  );
  const unknown = new Set<string>();
  for (const node of knowledgeNodes(out)) {
    node.data.dataset_ids = (node.data.dataset_ids as unknown[]).map((id) => {
      const alias = aliasOf.get(String(id));
      if (!alias) unknown.add(String(id));
      return alias ?? id;
    });
  }
  return { dsl: out, unknown: [...unknown].sort() };
}

function knowledgeNodes(dsl: DifyDsl): DslNode[] {
  const nodes = dsl.workflow?.graph?.nodes;
  if (!Array.isArray(nodes)) return [];
  return nodes.filter((n) => isRecord(n) && isRecord(n.data) && n.data.type === 'knowledge-retrieval' && Array.isArray(n.data.dataset_ids));
}
