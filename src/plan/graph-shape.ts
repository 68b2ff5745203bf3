// The shape of a workflow graph (which nodes there are and what connects to what), kept in a plan so
// the report can draw it. Ids, titles, types and branch handles only: no prompts, no values.
import { isRecord } from '../definition/diagnostics.js';
import type { WorkflowParts } from '../definition/workflow-parts.js';
import { edgeKey } from './diff.js';

export interface ShapeNode {
  id: string;
  type: string;
  title: string;
  /** The iteration or loop the node runs inside. */
  parent?: string;
}

export interface ShapeEdge {
  /** As the diff names edges (`source[handle] → target[handle]`), so both can be matched. */
  key: string;
  source: string;
  target: string;
  /** The branch an edge leaves by (an if-else case, a classifier class); "source" for the only one. */
  handle: string;
}

export interface GraphShape {
  nodes: ShapeNode[];
  edges: ShapeEdge[];
}

/** The graph before and after the change, in the DSL's order. */
export interface GraphChange {
  before: GraphShape;
  after: GraphShape;
}

export function shapeOf(parts: WorkflowParts): GraphShape {
  return {
    nodes: parts.graph.nodes.map((node) => {
      const data = isRecord(node.data) ? node.data : { type: '?' };
      const shape: ShapeNode = {
        id: String(node.id),
        type: String(data.type ?? '?'),
        // Untitled nodes (an iteration's start) read better by their kind than by a timestamp id.
        title: typeof data.title === 'string' && data.title ? data.title : String(data.type ?? node.id),
      };
      if (typeof node.parentId === 'string' && node.parentId) shape.parent = node.parentId;
      return shape;
    }),
    edges: parts.graph.edges.map((e) => ({
      key: edgeKey(e),
      source: String(e.source),
      target: String(e.target),
      handle: String(e.sourceHandle ?? 'source'),
    })),
  };
}
