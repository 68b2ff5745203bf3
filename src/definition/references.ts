// Variable references inside node data: selector arrays (["node_id", "var"]) and
// {{#node_id.var#}} templates in any string. Dify accepts a DSL with dangling references at
// import and fails at run time, so we catch them before deploy.
import type { DifyDsl, DslNode } from './types.js';
import { isRecord, type Reporter } from './diagnostics.js';
import { describeNode, GRAPH_POINTER, isInside, type GraphIndex } from './graph.js';
import { escapePointerToken } from './json-locate.js';

// Dify's own pattern for a variable template (core/workflow/entities/variable_pool / VARIABLE_PATTERN).
const TEMPLATE_RE = /\{\{#([a-zA-Z0-9_]{1,50}(?:\.[a-zA-Z_][a-zA-Z0-9_]{0,29}){1,10})#\}\}/g;
/** Selector heads that are not node ids. `userinput` and `rag` are Dify's own scopes. */
const BUILTIN_SCOPES = new Set(['sys', 'userinput', 'rag']);
/** Keys that hold a selector array in some node types (list-operator `variable`, parameter-extractor `query`). */
const SELECTOR_KEYS = new Set(['variable', 'query']);

interface RefContext {
  reporter: Reporter;
  index: GraphIndex;
  env: Set<string>;
  conversation: Set<string>;
  node: DslNode;
  seen: Set<string>;
}

export function checkReferences(reporter: Reporter, dsl: DifyDsl, index: GraphIndex): void {
  const env = new Set((dsl.workflow?.environment_variables ?? []).map((v) => v.name));
  const conversation = new Set((dsl.workflow?.conversation_variables ?? []).map((v) => v.name));
  index.nodes.forEach((node, i) => {
    const ctx: RefContext = { reporter, index, env, conversation, node, seen: new Set() };
    walk(ctx, node.data, `${GRAPH_POINTER}/nodes/${i}/data`, '');
  });
}

function walk(ctx: RefContext, value: unknown, pointer: string, key: string): void {
  if (typeof value === 'string') {
    if (value.includes('{{#')) checkTemplates(ctx, value, pointer);
    return;
  }
  if (Array.isArray(value)) {
    if (value.length > 0 && isStringArray(value) && isSelectorKey(key, value)) {
      checkSelector(ctx, value, pointer);
      return;
    }
    // variable-aggregator: `variables: [["node", "var"], …]`
    const nested = key === 'variables';
    value.forEach((item, i) => {
      const at = `${pointer}/${i}`;
      if (nested && Array.isArray(item) && item.length > 0 && isStringArray(item)) checkSelector(ctx, item, at);
      else walk(ctx, item, at, '');
    });
    return;
  }
  if (!isRecord(value)) return;
  // Tool/agent parameters and assigner items: {type|input_type: "variable", value: [...]}.
  const isVariableValue = (value.type === 'variable' || value.input_type === 'variable') && Array.isArray(value.value);
  for (const k of Object.keys(value)) {
    const child = value[k];
    const at = `${pointer}/${escapePointerToken(k)}`;
    if (k === 'value' && isVariableValue && isStringArray(child) && child.length > 0) checkSelector(ctx, child, at);
    else walk(ctx, child, at, k);
  }
}

function isSelectorKey(key: string, value: string[]): boolean {
  if (/selector$/i.test(key)) return true;
  return SELECTOR_KEYS.has(key) && value.length >= 2;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function checkTemplates(ctx: RefContext, text: string, pointer: string): void {
  for (const match of text.matchAll(TEMPLATE_RE)) {
    checkSelector(ctx, match[1].split('.'), pointer, match[0]);
  }
}

function checkSelector(ctx: RefContext, selector: string[], pointer: string, template?: string): void {
  const shown = template ?? JSON.stringify(selector);
  const report = (message: string) => {
    const key = `${pointer}\n${message}`;
    if (ctx.seen.has(key)) return;
    ctx.seen.add(key);
    ctx.reporter.error(pointer, message);
  };
  const [head, name] = selector;
  if (selector.length < 2) {
    report(
      `selector ${shown} in ${describeNode(ctx.node)} needs a node id and a variable name, e.g. ["start", "query"]; pick the variable again in Dify`,
    );
    return;
  }
  if (BUILTIN_SCOPES.has(head)) return;
  if (head === 'env') {
    if (!ctx.env.has(name)) {
      report(
        `${shown} in ${describeNode(ctx.node)} uses environment variable "${name}", which is not declared; add it to workflow.environment_variables or fix the name`,
      );
    }
    return;
  }
  if (head === 'conversation') {
    if (!ctx.conversation.has(name)) {
      report(
        `${shown} in ${describeNode(ctx.node)} uses conversation variable "${name}", which is not declared; add it to workflow.conversation_variables or fix the name`,
      );
    }
    return;
  }
  const target = ctx.index.byId.get(head);
  if (!target) {
    report(`${shown} in ${describeNode(ctx.node)} refers to node "${head}", which does not exist; select an existing node's variable`);
    return;
  }
  // An iteration's current item and index exist only for the nodes inside it.
  if (target.data.type === 'iteration' && (name === 'item' || name === 'index') && !isInside(ctx.index, ctx.node, head)) {
    report(
      `${shown} in ${describeNode(ctx.node)} reads iteration ${describeNode(target)}'s "${name}", which only nodes inside that iteration can use; use its "output" instead`,
    );
  }
}
