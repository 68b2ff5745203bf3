// Graph reading: publish-time checks, the execution path, selectors and {{#node.var#}} templates.
import { isObject } from './dsl.js';
import { badParam } from './http.js';

export interface GraphNode {
  id: string;
  parentId?: string;
  data: { type: string; title?: string; [key: string]: unknown };
}

interface GraphEdge {
  source: string;
  target: string;
  sourceHandle?: string;
}

const MODEL_NODES = new Set(['llm', 'question-classifier', 'parameter-extractor']);
const BRANCH_NODES = new Set(['if-else', 'question-classifier']);

export function graphNodes(graph: Record<string, unknown>): GraphNode[] {
  return Array.isArray(graph.nodes) ? (graph.nodes as GraphNode[]) : [];
}

function graphEdges(graph: Record<string, unknown>): GraphEdge[] {
  return Array.isArray(graph.edges) ? (graph.edges as GraphEdge[]) : [];
}

export function findStart(graph: Record<string, unknown>): GraphNode | null {
  return graphNodes(graph).find((n) => n.data.type === 'start' && !n.parentId) ?? null;
}

/**
 * Dify validates graphs when publishing, not when importing; the emulator refuses what could
 * never run: no or several start nodes, no end (workflow) / answer (chatflow), dangling edges,
 * model nodes without a model.
 */
export function checkPublishable(mode: string, graph: Record<string, unknown>): void {
  const nodes = graphNodes(graph);
  const ids = new Set(nodes.map((n) => n.id));
  const starts = nodes.filter((n) => n.data.type === 'start' && !n.parentId);
  if (starts.length !== 1) throw badParam(`Workflow must have exactly one start node (found ${starts.length})`);
  const exit = mode === 'workflow' ? 'end' : 'answer';
  if (!nodes.some((n) => n.data.type === exit)) throw badParam(`Workflow must have at least one ${exit} node`);
  for (const edge of graphEdges(graph)) {
    for (const end of [edge.source, edge.target]) {
      if (!ids.has(end)) throw badParam(`Edge ${edge.source} -> ${edge.target} references a missing node ${end}`);
    }
  }
  for (const node of nodes) {
    if (!MODEL_NODES.has(node.data.type)) continue;
    const model = isObject(node.data.model) ? node.data.model : {};
    if (!model.provider || !model.name) {
      throw badParam(`Model is not configured in node "${node.data.title ?? node.id}"; choose a model provider and name`);
    }
  }
}

export interface PathStep {
  node: GraphNode;
  predecessor: string | null;
}

/** Top-level nodes reached from the start node; branch nodes follow their first branch only. */
export function planPath(graph: Record<string, unknown>): PathStep[] {
  const start = findStart(graph);
  if (!start) return [];
  const byId = new Map(graphNodes(graph).map((n) => [n.id, n]));
  const edges = graphEdges(graph);
  const steps: PathStep[] = [{ node: start, predecessor: null }];
  const seen = new Set([start.id]);
  for (let i = 0; i < steps.length; i += 1) {
    const node = steps[i].node;
    let outgoing = edges.filter((e) => e.source === node.id);
    if (BRANCH_NODES.has(node.data.type) && outgoing.length > 0) {
      const handle = outgoing[0].sourceHandle;
      outgoing = outgoing.filter((e) => e.sourceHandle === handle);
    }
    for (const edge of outgoing) {
      const next = byId.get(edge.target);
      if (!next || seen.has(next.id) || next.parentId) continue;
      seen.add(next.id);
      steps.push({ node: next, predecessor: node.id });
    }
  }
  return steps;
}

export interface Scope {
  startId: string | null;
  inputs: Record<string, unknown>;
  sys: Record<string, unknown>;
  conversation: Record<string, unknown>;
  env: Record<string, unknown>;
}

/** A selector's value, or undefined when it points at a node the emulator does not execute. */
export function resolveSelector(selector: unknown, scope: Scope): unknown {
  if (!Array.isArray(selector) || selector.length < 2) return undefined;
  const [head, name, ...rest] = selector.map(String);
  let value: unknown;
  if (head === scope.startId) value = scope.inputs[name];
  else if (head === 'sys') value = scope.sys[name];
  else if (head === 'conversation') value = scope.conversation[name];
  else if (head === 'env') value = scope.env[name];
  else return undefined;
  for (const key of rest) value = isObject(value) ? value[key] : undefined;
  return value ?? null;
}

export function renderTemplate(template: string, scope: Scope): string {
  return template.replace(/\{\{#([^#]+?)#\}\}/g, (_all, ref: string) => {
    const value = resolveSelector(ref.split('.'), scope);
    if (value === undefined || value === null) return '';
    return typeof value === 'string' ? value : JSON.stringify(value);
  });
}
