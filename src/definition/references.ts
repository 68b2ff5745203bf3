// Variable references inside node data: selector arrays (["node_id", "var"]) and {{#node_id.var#}}
// templates in any string, conditions, iterators and loop break conditions included. Each must name an
// output the referenced node produces (node-catalogue.ts), of a node that has run by then
// (ordering.ts). Dify accepts a DSL with dangling references at import and fails at run time.
import type { AppMode, DifyDsl, DslNode } from './types.js';
import { isRecord, type Reporter } from './diagnostics.js';
import { describeNode, GRAPH_POINTER, type GraphIndex } from './graph-index.js';
import { escapePointerToken } from './json-locate.js';
import { isNoteNode, kindOf, type NodeKind, outputsOf, systemVariables } from './node-catalogue.js';
import { createOrdering, type Ordering } from './ordering.js';

// Dify's own pattern for a variable template (core/workflow/entities/variable_pool / VARIABLE_PATTERN).
const TEMPLATE_RE = /\{\{#([a-zA-Z0-9_]{1,50}(?:\.[a-zA-Z_][a-zA-Z0-9_]{0,29}){1,10})#\}\}/g;
/** Selector heads that are Dify's own scopes, not nodes, and that this check does not enumerate. */
const OPEN_SCOPES = new Set(['userinput', 'rag']);

interface RefContext {
  reporter: Reporter;
  index: GraphIndex;
  ordering: Ordering;
  mode: AppMode;
  sys: Set<string>;
  env: Set<string>;
  conversation: Set<string>;
  node: DslNode;
  kind: NodeKind | undefined;
  seen: Set<string>;
}

export function checkReferences(reporter: Reporter, dsl: DifyDsl, index: GraphIndex): void {
  const env = new Set((dsl.workflow?.environment_variables ?? []).map((v) => v?.name));
  const conversation = new Set((dsl.workflow?.conversation_variables ?? []).map((v) => v?.name));
  const mode = dsl.app.mode;
  const shared = { reporter, index, ordering: createOrdering(index), mode, sys: systemVariables(mode), env, conversation };
  index.nodes.forEach((node, i) => {
    // Notes are layout; a node under a duplicate id is reported as such, not read twice.
    if (isNoteNode(node) || index.byId.get(node.id) !== node) return;
    const ctx: RefContext = { ...shared, node, kind: kindOf(node.data.type), seen: new Set() };
    walk(ctx, node.data, `${GRAPH_POINTER}/nodes/${i}/data`, '');
  });
}

function walk(ctx: RefContext, value: unknown, pointer: string, key: string): void {
  if (typeof value === 'string') {
    if (value.includes('{{#')) checkTemplates(ctx, value, pointer);
    return;
  }
  if (Array.isArray(value)) {
    if (value.length > 0 && isStringArray(value) && isSelectorKey(ctx, key, value)) {
      checkSelector(ctx, value, pointer, key);
      return;
    }
    const list = ctx.kind?.selectorListKeys?.includes(key) === true;
    value.forEach((item, i) => {
      const at = `${pointer}/${i}`;
      if (list && Array.isArray(item) && item.length > 0 && isStringArray(item)) checkSelector(ctx, item, at, key);
      else walk(ctx, item, at, '');
    });
    return;
  }
  if (!isRecord(value)) return;
  // Tool/agent parameters, assigner items and loop variables: {type|input_type|value_type: "variable", value: [...]}.
  const isVariableValue = [value.type, value.input_type, value.value_type].includes('variable') && Array.isArray(value.value);
  for (const k of Object.keys(value)) {
    const child = value[k];
    const at = `${pointer}/${escapePointerToken(k)}`;
    if (k === 'value' && isVariableValue && isStringArray(child) && child.length > 0) checkSelector(ctx, child, at, k);
    else walk(ctx, child, at, k);
  }
}

function isSelectorKey(ctx: RefContext, key: string, value: string[]): boolean {
  if (/selector$/i.test(key)) return true;
  return ctx.kind?.selectorKeys?.includes(key) === true && value.length >= 2;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function checkTemplates(ctx: RefContext, text: string, pointer: string): void {
  for (const match of text.matchAll(TEMPLATE_RE)) {
    checkSelector(ctx, match[1].split('.'), pointer, '', match[0]);
  }
}

/** What the reference is, in the words of Dify's editor. */
function roleOf(pointer: string, key: string, template?: string): string {
  if (pointer.includes('/break_conditions/')) return 'loop break condition';
  if (pointer.includes('/conditions/')) return 'condition';
  if (key === 'iterator_selector') return 'iterator';
  return template ? 'template' : 'selector';
}

function checkSelector(ctx: RefContext, selector: string[], pointer: string, key: string, template?: string): void {
  const { node: reader } = ctx;
  const shown = `${roleOf(pointer, key, template)} ${template ?? JSON.stringify(selector)} in ${describeNode(reader)}`;
  const report = (message: string) => {
    const id = `${pointer}\n${message}`;
    if (ctx.seen.has(id)) return;
    ctx.seen.add(id);
    ctx.reporter.error(pointer, `${shown} ${message}`);
  };
  const [head, name] = selector;
  if (selector.length < 2) {
    report('needs a node id and a variable name, e.g. ["start", "query"]; pick the variable again in Dify');
    return;
  }
  if (OPEN_SCOPES.has(head)) return;
  if (head === 'sys') {
    if (!ctx.sys.has(name)) {
      const list = [...ctx.sys].map((v) => `sys.${v}`).join(', ');
      report(`reads sys.${name}, which a "${ctx.mode}" app does not have (it has ${list}); pick one of those`);
    }
    return;
  }
  if (head === 'env' || head === 'conversation') {
    const declared = head === 'env' ? ctx.env : ctx.conversation;
    const what = head === 'env' ? 'environment' : 'conversation';
    if (!declared.has(name)) {
      report(`uses ${what} variable "${name}", which is not declared; add it to workflow.${what}_variables or fix the name`);
    }
    return;
  }
  const target = ctx.index.byId.get(head);
  if (!target || isNoteNode(target)) {
    report(`refers to node "${head}", which does not exist; select an existing node's variable`);
    return;
  }
  const message = resolve(ctx, target, name);
  if (message) report(message);
}

/** Why `target`'s `name` cannot be read by the context's node, or undefined when it can. */
function resolve(ctx: RefContext, target: DslNode, name: string): string | undefined {
  const kind = kindOf(target.data.type);
  const inner = kind?.inner?.(target.data) ?? [];
  const type = target.data.type;
  const placement = ctx.ordering.place(target, ctx.node);
  switch (placement.kind) {
    case 'self':
      if (inner.includes(name)) return undefined;
      if (kind?.role === 'container') {
        return `reads "${name}" of the ${type} itself, which has no such variable inside it (it has ${listOf(inner)}); add it as a ${type} variable or fix the name`;
      }
      return `reads "${name}" of the node itself; a node cannot read its own outputs, so pick a variable of a node that runs before it`;
    case 'encloses-reader':
      if (inner.includes(name)) return undefined;
      return `reads "${name}" of the ${type} ${describeNode(target)} it runs inside; inside it only ${listOf(inner)} exist (its outputs are set after its last round), so read one of those or read it from a node after the ${type}`;
    case 'enclosed':
      return `reads ${describeNode(target)}, which is inside ${placement.container.data.type} ${describeNode(placement.container)}; only nodes inside that ${placement.container.data.type} can read it, so read the ${placement.container.data.type}'s output instead`;
    case 'not-before':
      // A node that never runs is reported once, as unreachable; what it reads then does not matter.
      if (!ctx.index.reached.has(ctx.node)) return undefined;
      return `reads ${describeNode(target)}, which does not run before it (no path of edges leads from it to this node); read a node that runs earlier, or connect ${describeNode(target)} before this node`;
    default: {
      const { names, open } = outputsOf(target);
      if (names.has(name) || open) return undefined;
      if (inner.includes(name)) {
        return `reads ${type} ${describeNode(target)}'s "${name}", which only nodes inside that ${type} can use; use its "output" instead`;
      }
      return `reads "${name}", which ${describeNode(target)} does not produce (a "${type}" node here produces ${listOf([...names])}); pick one of those or fix the name`;
    }
  }
}

function listOf(names: string[]): string {
  return names.length === 0 ? 'no variables' : names.map((n) => `"${n}"`).join(', ');
}
