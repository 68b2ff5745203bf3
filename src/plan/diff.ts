// What differs between two normalised workflows, as data: nodes added, removed and changed (with
// the fields that changed), edges, variables and features; app-state.ts adds the app block and the
// dependencies. Pure and ordered, so the same two inputs always give the same diff and the same plan.
import stableStringify from 'fast-json-stable-stringify';
import type { DslEdge, DslNode } from '../definition/types.js';
import { isRecord } from '../definition/diagnostics.js';
import type { PlanVariable, WorkflowParts } from '../definition/workflow-parts.js';

export interface NodeRef {
  id: string;
  type: string;
  title: string;
}

/** One changed field. `text`: shown as a line diff (prompts, code); `values`: leaf paths before → after. */
export type FieldChange =
  | { field: string; kind: 'text'; before: string; after: string }
  | { field: string; kind: 'values'; changes: ValueChange[] };

export interface ValueChange {
  /** Dotted path below the field, "" for the field itself. */
  path: string;
  /** undefined: absent on that side. */
  before: unknown;
  after: unknown;
}

export interface NodeChange extends NodeRef {
  fields: FieldChange[];
}

export interface EdgeRef {
  /** `source[handle] → target[handle]`: edge ids are derived from these, and differ between exports. */
  key: string;
  /** Node titles, for reading (ids when a node has no title). */
  from: string;
  to: string;
}

export interface VariableChange {
  scope: 'environment' | 'conversation';
  name: string;
  change: 'added' | 'removed' | 'changed';
  secret: boolean;
  changes: ValueChange[];
}

export interface WorkflowDiff {
  nodes: { added: NodeRef[]; removed: NodeRef[]; changed: NodeChange[] };
  edges: { added: EdgeRef[]; removed: EdgeRef[]; changed: EdgeRef[] };
  variables: VariableChange[];
  features: ValueChange[];
  /** Graph-level keys other than nodes and edges. */
  graph: ValueChange[];
  /** The app block (name, description, icon): see app-state.ts. Empty when only workflows were compared. */
  app: ValueChange[];
  /** Plugin dependencies, as `type identifier` labels. */
  dependencies: { added: string[]; removed: string[] };
}

/** Fields whose values are prose or code: reviewers need to see the lines that changed. */
const TEXT_FIELDS = new Set([
  'prompt_template',
  'code',
  'template',
  'instruction',
  'query_prompt_template',
  'answer',
  'text',
  'system_prompt',
]);

export function diffWorkflows(before: WorkflowParts, after: WorkflowParts): WorkflowDiff {
  const oldNodes = new Map(before.graph.nodes.map((n) => [n.id, n]));
  const newNodes = new Map(after.graph.nodes.map((n) => [n.id, n]));
  const added = [...newNodes.values()].filter((n) => !oldNodes.has(n.id)).map(refOf);
  const removed = [...oldNodes.values()].filter((n) => !newNodes.has(n.id)).map(refOf);
  const changed: NodeChange[] = [];
  for (const node of newNodes.values()) {
    const old = oldNodes.get(node.id);
    if (!old || same(old, node)) continue;
    changed.push({ ...refOf(node), fields: diffNode(old, node) });
  }
  return {
    nodes: { added: sortRefs(added), removed: sortRefs(removed), changed: sortRefs(changed) },
    edges: diffEdges(before.graph.edges, after.graph.edges, (id) => newNodes.get(id) ?? oldNodes.get(id)),
    variables: [
      ...diffVariables('environment', before.environment_variables, after.environment_variables),
      ...diffVariables('conversation', before.conversation_variables, after.conversation_variables),
    ],
    features: diffValues(before.features, after.features, ''),
    graph: diffValues(omit(before.graph, ['nodes', 'edges']), omit(after.graph, ['nodes', 'edges']), ''),
    app: [],
    dependencies: { added: [], removed: [] },
  };
}

export function isEmptyDiff(diff: WorkflowDiff): boolean {
  const { nodes, edges } = diff;
  return [
    nodes.added,
    nodes.removed,
    nodes.changed,
    edges.added,
    edges.removed,
    edges.changed,
    diff.variables,
    diff.features,
    diff.graph,
    diff.app,
    diff.dependencies.added,
    diff.dependencies.removed,
  ].every((list) => list.length === 0);
}

/** A workflow with nothing in it: the "before" of an app that was never published. */
export const EMPTY_WORKFLOW: WorkflowParts = {
  graph: { nodes: [], edges: [] },
  features: {},
  environment_variables: [],
  conversation_variables: [],
};

function diffNode(a: DslNode, b: DslNode): FieldChange[] {
  const fields: FieldChange[] = [];
  // Node-level keys (type, parentId, extent, …) first as `node.<key>`, then data fields by name.
  const outer = diffValues(omit(a, ['id', 'data']), omit(b, ['id', 'data']), '');
  for (const change of outer) fields.push({ field: `node.${change.path}`, kind: 'values', changes: [{ ...change, path: '' }] });
  const dataA: Record<string, unknown> = isRecord(a.data) ? a.data : {};
  const dataB: Record<string, unknown> = isRecord(b.data) ? b.data : {};
  for (const key of unionKeys(dataA, dataB)) {
    if (same(dataA[key], dataB[key])) continue;
    const textA = asText(key, dataA[key]);
    const textB = asText(key, dataB[key]);
    if (textA !== null && textB !== null) fields.push({ field: key, kind: 'text', before: textA, after: textB });
    else fields.push({ field: key, kind: 'values', changes: diffValues(dataA[key], dataB[key], '') });
  }
  return fields;
}

/** The text a field reads as, or null when it is not prose. Chat prompts become `[role]` sections. */
function asText(key: string, value: unknown): string | null {
  if (value === undefined) return TEXT_FIELDS.has(key) ? '' : null;
  if (typeof value === 'string') return TEXT_FIELDS.has(key) || value.includes('\n') ? value : null;
  if (key === 'prompt_template' || key === 'query_prompt_template') {
    if (isRecord(value) && typeof value.text === 'string') return value.text;
    if (Array.isArray(value) && value.every((m) => isRecord(m))) {
      return value
        .map((m) => `[${String(m.role ?? 'message')}]\n${String(m.edition_type === 'jinja2' ? (m.jinja2_text ?? '') : (m.text ?? ''))}`)
        .join('\n');
    }
  }
  return null;
}

function diffEdges(before: DslEdge[], after: DslEdge[], nodeOf: (id: string) => DslNode | undefined): WorkflowDiff['edges'] {
  const index = (edges: DslEdge[]) => new Map(edges.map((e) => [edgeKey(e), e]));
  const a = index(before);
  const b = index(after);
  const title = (id: string) => {
    const node = nodeOf(id);
    return node ? refOf(node).title : id;
  };
  const ref = (e: DslEdge): EdgeRef => ({ key: edgeKey(e), from: title(e.source), to: title(e.target) });
  const byKey = (x: EdgeRef, y: EdgeRef) => compareText(x.key, y.key);
  // Edge ids are generated by the editor; compare what an edge connects and carries, not its id.
  const body = (e: DslEdge) => stableStringify(omit(e, ['id']));
  return {
    added: [...b.values()]
      .filter((e) => !a.has(edgeKey(e)))
      .map(ref)
      .sort(byKey),
    removed: [...a.values()]
      .filter((e) => !b.has(edgeKey(e)))
      .map(ref)
      .sort(byKey),
    changed: [...b.values()]
      .filter((e) => a.has(edgeKey(e)) && body(a.get(edgeKey(e))!) !== body(e))
      .map(ref)
      .sort(byKey),
  };
}

export function edgeKey(e: DslEdge): string {
  return `${e.source}[${e.sourceHandle ?? 'source'}] → ${e.target}[${e.targetHandle ?? 'target'}]`;
}

function diffVariables(scope: VariableChange['scope'], before: PlanVariable[], after: PlanVariable[]): VariableChange[] {
  const a = new Map(before.map((v) => [v.name, v]));
  const b = new Map(after.map((v) => [v.name, v]));
  const out: VariableChange[] = [];
  for (const name of [...new Set([...a.keys(), ...b.keys()])].sort(compareText)) {
    const old = a.get(name);
    const now = b.get(name);
    const secret = old?.value_type === 'secret' || now?.value_type === 'secret';
    if (!old) out.push({ scope, name, change: 'added', secret, changes: diffValues({}, omit(now!, ['name']), '') });
    else if (!now) out.push({ scope, name, change: 'removed', secret, changes: [] });
    else if (!same(old, now))
      out.push({ scope, name, change: 'changed', secret, changes: diffValues(omit(old, ['name']), omit(now, ['name']), '') });
  }
  return out;
}

/** Leaf-level differences: objects are walked key by key, arrays element by element when equally long. */
export function diffValues(a: unknown, b: unknown, path: string): ValueChange[] {
  if (same(a, b)) return [];
  if (isRecord(a) && isRecord(b)) return unionKeys(a, b).flatMap((key) => diffValues(a[key], b[key], join(path, key)));
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length)
    return a.flatMap((item, i) => diffValues(item, b[i], join(path, String(i))));
  return [{ path, before: a, after: b }];
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function unionKeys(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort(compareText);
}

function omit(value: unknown, keys: string[]): Record<string, unknown> {
  if (!isRecord(value)) return {};
  return Object.fromEntries(Object.entries(value).filter(([k]) => !keys.includes(k)));
}

function same(a: unknown, b: unknown): boolean {
  return stableStringify(a ?? null) === stableStringify(b ?? null);
}

function refOf(node: DslNode): NodeRef {
  const data = isRecord(node.data) ? node.data : ({} as DslNode['data']);
  return {
    id: String(node.id),
    type: String(data.type ?? '?'),
    title: typeof data.title === 'string' && data.title ? data.title : String(node.id),
  };
}

function sortRefs<T extends NodeRef>(refs: T[]): T[] {
  return refs.sort((x, y) => compareText(x.title, y.title) || compareText(x.id, y.id));
}

/** Code-unit order, never locale order: the plan must read the same on every runner. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
