// What each Dify node type produces, reads and branches on, read from Dify 1.12.1's own source
// (api/core/workflow/nodes/*, api/core/workflow/enums.py, graph_engine/error_handler.py). The graph and
// reference checks ask this catalogue instead of knowing node types themselves; the entries are in
// node-kinds.ts. A type it does not know is a warning only, so a new Dify release never breaks a build.
import type { AppMode, DslNode } from './types.js';
import { NODE_KINDS, type NodeKind, namesIn } from './node-kinds.js';

export type { NodeData, NodeKind } from './node-kinds.js';

/** Dify's note nodes ("custom-note") are layout only: Dify drops them before building the graph (graph.py). */
export function isNoteNode(node: DslNode): boolean {
  return node.type === 'custom-note';
}

export function kindOf(type: string): NodeKind | undefined {
  return Object.hasOwn(NODE_KINDS, type) ? NODE_KINDS[type] : undefined;
}

export const KNOWN_NODE_TYPES: readonly string[] = Object.keys(NODE_KINDS).sort();

/**
 * Every output of a node, the error strategy's included: a node that may fail into its fail branch or
 * default values also yields error_message and error_type, plus the default values' keys
 * (graph_engine/error_handler.py).
 */
export function outputsOf(node: DslNode): { names: Set<string>; open: boolean } {
  const kind = kindOf(node.data.type);
  const names = new Set(kind ? kind.outputs(node.data) : []);
  const strategy = node.data.error_strategy;
  if (strategy === 'fail-branch' || strategy === 'default-value') {
    names.add('error_message');
    names.add('error_type');
  }
  if (strategy === 'default-value') for (const key of namesIn(node.data.default_value, 'key')) names.add(key);
  return { names, open: !kind || kind.openOutputs === true };
}

/** The handles edges may leave `node` through; undefined when the node's type decides at run time. */
export function handlesOf(node: DslNode): Set<string> | undefined {
  const kind = kindOf(node.data.type);
  if (!kind) return undefined;
  if (!kind.handles) return undefined;
  const handles = new Set(kind.handles(node.data));
  // enums.py FailBranchSourceHandle; the editor draws the success path as the plain "source" handle.
  if (node.data.error_strategy === 'fail-branch') for (const h of ['source', 'fail-branch', 'success-branch']) handles.add(h);
  return handles;
}

/**
 * `sys.*` by app mode: what the app runners put into SystemVariable (core/app/apps/workflow/app_runner.py,
 * core/app/apps/advanced_chat/app_runner.py); a chatflow has the conversation, a workflow the timestamp.
 */
export function systemVariables(mode: AppMode): Set<string> {
  const common = ['files', 'user_id', 'app_id', 'workflow_id', 'workflow_run_id'];
  if (mode === 'workflow') return new Set([...common, 'timestamp']);
  return new Set([...common, 'query', 'conversation_id', 'dialogue_count']);
}
