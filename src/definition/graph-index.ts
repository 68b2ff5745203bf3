// The graph's lookups shared by the graph, reference and smoke checks: nodes by id, the edges a run
// can follow, the graph's entries, and which nodes a run reaches.
import type { DifyDsl, DslEdge, DslNode } from './types.js';

export const GRAPH_POINTER = '/dsl/workflow/graph';

/** Node lookups shared by the graph and reference checks. */
export interface GraphIndex {
  nodes: DslNode[];
  edges: DslEdge[];
  /** First node with each id. */
  byId: Map<string, DslNode>;
  /** Index of each node in `nodes` (first occurrence). */
  indexOf: Map<DslNode, number>;
  /** Edges whose ends exist and share a container: the ones a run can follow. */
  valid: ValidEdge[];
  /** The graph's entries: its first start node and every trigger. */
  entries: DslNode[];
  /** Nodes a run can reach: from the entries, and inside each container from its start node. */
  reached: Set<DslNode>;
}

export function createGraphIndex(dsl: DifyDsl): GraphIndex | undefined {
  const graph = dsl.workflow?.graph;
  if (!graph || !Array.isArray(graph.nodes) || !Array.isArray(graph.edges)) return undefined;
  const byId = new Map<string, DslNode>();
  const indexOf = new Map<DslNode, number>();
  graph.nodes.forEach((node, i) => {
    indexOf.set(node, i);
    if (!byId.has(node.id)) byId.set(node.id, node);
  });
  const valid: ValidEdge[] = [];
  graph.edges.forEach((edge, i) => {
    const source = byId.get(edge.source);
    const target = byId.get(edge.target);
    if (source && target && source.parentId === target.parentId) valid.push({ edge, i, source, target });
  });
  const entries = [
    ...graph.nodes.filter((node) => node.data?.type === 'start').slice(0, 1),
    ...graph.nodes.filter((node) => node.data?.type?.startsWith('trigger-')),
  ];
  const reached = reachableFrom(entries, valid);
  for (const container of graph.nodes) {
    const start = byId.get(String(container.data?.start_node_id ?? ''));
    if (start?.parentId === container.id) for (const node of reachableFrom([start], valid)) reached.add(node);
  }
  return { nodes: graph.nodes, edges: graph.edges, byId, indexOf, valid, entries, reached };
}

export function describeNode(node: DslNode): string {
  return node.data.title ? `"${node.data.title}" (${node.id})` : `"${node.id}"`;
}

/** True when `node` sits (directly or deeper) inside the container `containerId`. */
export function isInside(index: GraphIndex, node: DslNode, containerId: string): boolean {
  const seen = new Set<string>();
  let current: DslNode | undefined = node;
  while (current?.parentId !== undefined && !seen.has(current.parentId)) {
    if (current.parentId === containerId) return true;
    seen.add(current.parentId);
    current = index.byId.get(current.parentId);
  }
  return false;
}

/** An edge whose two ends exist in the same container (or both at the top level). */
export type ValidEdge = { edge: DslEdge; i: number; source: DslNode; target: DslNode };

export function reachableFrom(entries: DslNode[], edges: ValidEdge[]): Set<DslNode> {
  const next = new Map<DslNode, DslNode[]>();
  for (const { source, target } of edges) {
    const list = next.get(source);
    if (list) list.push(target);
    else next.set(source, [target]);
  }
  const seen = new Set<DslNode>(entries);
  const queue = [...entries];
  while (queue.length > 0) {
    const node = queue.pop()!;
    for (const target of next.get(node) ?? []) {
      if (!seen.has(target)) {
        seen.add(target);
        queue.push(target);
      }
    }
  }
  return seen;
}
