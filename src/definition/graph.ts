// Graph integrity of workflow and advanced-chat DSLs: what Dify's importer does not check but
// a run or publish would trip over later.
import type { AppMode, DslNode } from './types.js';
import type { Reporter } from './diagnostics.js';
import { checkGraphShape } from './graph-shape.js';
import { describeNode, GRAPH_POINTER, type GraphIndex, type ValidEdge } from './graph-index.js';

const CONTAINER_TYPES = new Set(['iteration', 'loop']);

export function checkGraph(reporter: Reporter, index: GraphIndex, mode: AppMode): void {
  const { nodes, edges, byId } = index;
  const nodePointer = (i: number) => `${GRAPH_POINTER}/nodes/${i}`;

  nodes.forEach((node, i) => {
    const first = byId.get(node.id);
    if (first !== node) {
      reporter.error(
        `${nodePointer(i)}/id`,
        `node id "${node.id}" is already used by node #${index.indexOf.get(first!)}; node ids must be unique, so give this node a new id and update its edges and references`,
      );
    }
    if (node.parentId !== undefined) {
      const parent = byId.get(node.parentId);
      if (!parent) {
        reporter.error(
          `${nodePointer(i)}/parentId`,
          `parentId "${node.parentId}" names no node; point it at the iteration or loop node that contains this node`,
        );
      } else if (!CONTAINER_TYPES.has(parent.data.type)) {
        reporter.error(
          `${nodePointer(i)}/parentId`,
          `parentId "${node.parentId}" names ${describeNode(parent)}, a "${parent.data.type}" node; only iteration and loop nodes can contain other nodes`,
        );
      }
    }
  });

  edges.forEach((edge, i) => {
    const source = byId.get(edge.source);
    const target = byId.get(edge.target);
    const where = `${GRAPH_POINTER}/edges/${i}`;
    if (!source)
      reporter.error(`${where}/source`, `edge source "${edge.source}" is not a node id; connect the edge to an existing node or remove it`);
    if (!target)
      reporter.error(`${where}/target`, `edge target "${edge.target}" is not a node id; connect the edge to an existing node or remove it`);
    if (source && target && source.parentId !== target.parentId) {
      reporter.error(
        where,
        `edge from ${describeNode(source)} to ${describeNode(target)} crosses an iteration/loop boundary; connect nodes only within the same container`,
      );
    }
  });

  const starts = nodes.filter((node) => node.data.type === 'start');
  const entries = index.entries;
  if (entries.length === 0) {
    reporter.error(`${GRAPH_POINTER}/nodes`, 'the graph has no start node; add a Start node (data.type "start") and connect it');
  }
  for (const extra of starts.slice(1)) {
    reporter.error(
      `${nodePointer(index.indexOf.get(extra)!)}/data/type`,
      `second start node ${describeNode(extra)}; a graph must have exactly one start node, so remove or merge it`,
    );
  }

  const terminal = mode === 'workflow' ? 'end' : 'answer';
  if (entries.length > 0 && ![...index.reached].some((node) => node.parentId === undefined && node.data.type === terminal)) {
    const entry = entries[0];
    reporter.error(
      `${nodePointer(index.indexOf.get(entry)!)}`,
      mode === 'workflow'
        ? `no end node is reachable from ${describeNode(entry)}; a workflow app ends in End nodes, so connect the flow to one`
        : `no answer node is reachable from ${describeNode(entry)}; a chatflow (${mode}) replies through Answer nodes, so connect the flow to one`,
    );
  }
  checkGraphShape(reporter, index, mode);

  // Cycles: only edges between top-level nodes; container bodies repeat by their own structure.
  const outside = index.valid.filter(({ source }) => source.parentId === undefined);
  for (const closing of findCycleEdges(outside)) {
    reporter.error(
      `${GRAPH_POINTER}/edges/${closing.i}`,
      `edge from ${describeNode(closing.source)} to ${describeNode(closing.target)} closes a cycle; remove it and use a Loop or Iteration node to repeat steps`,
    );
  }
}

/** Back edges found by an iterative depth-first search (one per cycle found). */
function findCycleEdges(edges: ValidEdge[]): ValidEdge[] {
  const next = new Map<DslNode, ValidEdge[]>();
  for (const e of edges) {
    const list = next.get(e.source);
    if (list) list.push(e);
    else next.set(e.source, [e]);
  }
  const state = new Map<DslNode, 1 | 2>(); // 1 = on the current path, 2 = done
  const closing: ValidEdge[] = [];
  for (const root of next.keys()) {
    if (state.has(root)) continue;
    const stack: Array<{ node: DslNode; k: number }> = [{ node: root, k: 0 }];
    state.set(root, 1);
    while (stack.length > 0) {
      const frame = stack[stack.length - 1];
      const out = next.get(frame.node) ?? [];
      if (frame.k >= out.length) {
        state.set(frame.node, 2);
        stack.pop();
        continue;
      }
      const e = out[frame.k++];
      const s = state.get(e.target);
      if (s === 1) closing.push(e);
      else if (s === undefined) {
        state.set(e.target, 1);
        stack.push({ node: e.target, k: 0 });
      }
    }
  }
  return closing.sort((a, b) => a.i - b.i);
}
