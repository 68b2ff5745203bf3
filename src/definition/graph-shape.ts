// The graph's shape against the node catalogue: node types that fit the app's mode, containers whose
// start node exists inside them, every node reachable from an entry, and every edge leaving through a
// handle its source offers. Dify imports all of these without a word; a run then stalls or fails.
import type { AppMode, DslNode } from './types.js';
import type { Reporter } from './diagnostics.js';
import { describeNode, GRAPH_POINTER, type GraphIndex } from './graph-index.js';
import { handlesOf, isNoteNode, KNOWN_NODE_TYPES, kindOf } from './node-catalogue.js';

/** Which container each container-internal node type belongs in. */
const HOME_OF: Record<string, string> = { 'iteration-start': 'iteration', 'loop-start': 'loop', 'loop-end': 'loop' };

export function checkGraphShape(reporter: Reporter, index: GraphIndex, mode: AppMode): void {
  const at = (node: DslNode, rest = '') => `${GRAPH_POINTER}/nodes/${index.indexOf.get(node)}${rest}`;
  const nodes = index.nodes.filter((node) => !isNoteNode(node) && index.byId.get(node.id) === node);
  for (const node of nodes) checkType(reporter, node, mode, at(node, '/data/type'));
  for (const node of nodes) checkContainerLinks(reporter, index, node, at);
  checkReachable(reporter, index, nodes, at);
  checkHandles(reporter, index);
}

function checkType(reporter: Reporter, node: DslNode, mode: AppMode, pointer: string): void {
  const type = node.data.type;
  const kind = kindOf(type);
  if (type === '') {
    reporter.error(
      pointer,
      `${describeNode(node)} has an empty node type; only Dify's note nodes ("type": "custom-note") have one, so set its data.type`,
    );
    return;
  }
  if (!kind) {
    reporter.warn(
      pointer,
      `${describeNode(node)} has node type "${type}", which dify-gitops does not know (it knows ${KNOWN_NODE_TYPES.length} Dify node types); its outputs and branches are not checked, so check the type's spelling or update dify-gitops`,
    );
    return;
  }
  if (kind.modes && !kind.modes.includes(mode)) {
    const instead = type === 'end' ? ': reply with an Answer node instead' : type === 'answer' ? ': end with an End node instead' : '';
    reporter.error(
      pointer,
      `${describeNode(node)} is a "${type}" node, which Dify offers only in ${kind.modes.join(', ')} apps; this app's mode is "${mode}"${instead}`,
    );
  }
}

/** A container's start node, its children's parent, and the ids children carry for the editor. */
function checkContainerLinks(reporter: Reporter, index: GraphIndex, node: DslNode, at: (n: DslNode, rest?: string) => string): void {
  const home = HOME_OF[node.data.type];
  const parent = node.parentId === undefined ? undefined : index.byId.get(node.parentId);
  if (home && parent?.data.type !== home && (node.parentId === undefined || parent)) {
    reporter.error(
      node.parentId === undefined ? at(node) : at(node, '/parentId'),
      `${describeNode(node)} is a "${node.data.type}" node, which exists only inside a ${home} node; set its parentId to the ${home} that starts with it, or delete it`,
    );
  }
  for (const key of ['iteration_id', 'loop_id'] as const) {
    const claimed = node.data[key];
    if (typeof claimed === 'string' && parent && claimed !== node.parentId) {
      reporter.error(
        at(node, `/data/${key}`),
        `${describeNode(node)} says ${key} "${claimed}" but its parentId is "${node.parentId}"; make both name the container the node is in`,
      );
    }
  }
  if (kindOf(node.data.type)?.role !== 'container') return;
  const startId = node.data.start_node_id;
  if (typeof startId !== 'string' || startId === '') {
    reporter.error(
      typeof startId === 'string' ? at(node, '/data/start_node_id') : at(node, '/data'),
      `${node.data.type} ${describeNode(node)} has no start_node_id; set it to the id of the ${node.data.type}-start node inside it`,
    );
    return;
  }
  const start = index.byId.get(startId);
  if (!start || start.parentId !== node.id) {
    reporter.error(
      at(node, '/data/start_node_id'),
      start
        ? `start_node_id "${startId}" of ${describeNode(node)} names ${describeNode(start)}, which is not inside it; name the ${node.data.type}-start node whose parentId is "${node.id}"`
        : `start_node_id "${startId}" of ${describeNode(node)} names no node; set it to the id of the ${node.data.type}-start node inside it`,
    );
  }
}

/** Top-level nodes run from the graph's entries; a container's children from its start node. */
function checkReachable(reporter: Reporter, index: GraphIndex, nodes: DslNode[], at: (n: DslNode, rest?: string) => string): void {
  if (index.entries.length === 0) return; // "no start node" says it all
  for (const node of nodes) {
    const role = kindOf(node.data.type)?.role;
    if (index.reached.has(node) || role === 'start' || role === 'trigger') continue;
    const parent = node.parentId === undefined ? undefined : index.byId.get(node.parentId);
    if (node.parentId !== undefined && !parent) continue; // reported as a bad parentId
    // Without a start node inside, the container's own error says enough: do not also flag each child.
    if (parent && index.byId.get(String(parent.data.start_node_id ?? ''))?.parentId !== parent.id) continue;
    const from = parent ? `the start of its container ${describeNode(parent)}` : 'the start node';
    reporter.error(at(node), `${describeNode(node)} is not reachable from ${from}, so it never runs; connect an edge into it or delete it`);
  }
}

function checkHandles(reporter: Reporter, index: GraphIndex): void {
  index.edges.forEach((edge, i) => {
    const source = index.byId.get(edge.source);
    const offered = source && handlesOf(source);
    if (!source || !offered) return;
    const handle = edge.sourceHandle ?? 'source';
    if (offered.has(handle)) return;
    const where = `${GRAPH_POINTER}/edges/${i}${edge.sourceHandle === undefined ? '' : '/sourceHandle'}`;
    reporter.error(
      where,
      offered.size === 0
        ? `edge ${edge.id ?? i} leaves ${describeNode(source)}, a "${source.data.type}" node, which has no outgoing handles; remove the edge`
        : `edge ${edge.id ?? i} leaves ${describeNode(source)} through handle "${handle}", which a "${source.data.type}" node with this data does not offer; use one of ${[...offered].map((h) => `"${h}"`).join(', ')}`,
    );
  });
}
