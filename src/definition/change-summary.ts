// What changed between two versions of a definition, in reviewer's words: used in release notes.
import type { Definition, DslNode } from './types.js';
import { normalizeDslForHash } from './canonical.js';
import stableStringify from 'fast-json-stable-stringify';

export function summarizeChanges(before: Definition | undefined, after: Definition): string[] {
  if (!before) return [`First release of ${after.name} (${nodesOf(after).length} nodes).`];
  const lines: string[] = [];
  if (before.version !== after.version) lines.push(`Version ${before.version} → ${after.version}.`);
  const oldNodes = new Map(nodesOf(before).map((n) => [n.id, n]));
  const newNodes = new Map(nodesOf(after).map((n) => [n.id, n]));
  for (const [id, node] of newNodes) {
    const old = oldNodes.get(id);
    if (!old) lines.push(`Added ${describe(node)}.`);
    else {
      const fields = changedFields(old, node);
      if (fields.length) lines.push(`Changed ${describe(node)}: ${fields.join(', ')}.`);
    }
  }
  for (const [id, node] of oldNodes) if (!newNodes.has(id)) lines.push(`Removed ${describe(node)}.`);
  const edgeKey = (e: { source: string; target: string; sourceHandle?: string }) => `${e.source}:${e.sourceHandle ?? 'source'}→${e.target}`;
  const oldEdges = new Set((before.dsl.workflow?.graph.edges ?? []).map(edgeKey));
  const newEdges = new Set((after.dsl.workflow?.graph.edges ?? []).map(edgeKey));
  const added = [...newEdges].filter((e) => !oldEdges.has(e)).length;
  const removed = [...oldEdges].filter((e) => !newEdges.has(e)).length;
  if (added || removed) lines.push(`Edges: ${added} added, ${removed} removed.`);
  const vars = (d: Definition) => new Set((d.dsl.workflow?.environment_variables ?? []).map((v) => v.name));
  for (const name of vars(after)) if (!vars(before).has(name)) lines.push(`Added environment variable ${name}.`);
  for (const name of vars(before)) if (!vars(after).has(name)) lines.push(`Removed environment variable ${name}.`);
  if (stableStringify(before.dsl.workflow?.features ?? {}) !== stableStringify(after.dsl.workflow?.features ?? {}))
    lines.push('Changed app features.');
  if (lines.length === (before.version !== after.version ? 1 : 0))
    lines.push('No change to the workflow itself (envelope only: smoke checks, description or metadata).');
  return lines;
}

function nodesOf(d: Definition): DslNode[] {
  const normalized = normalizeDslForHash(d.dsl) as Definition['dsl'];
  return normalized.workflow?.graph.nodes ?? [];
}

function describe(node: DslNode): string {
  return `${node.data.type} node "${node.data.title ?? node.id}"`;
}

/** Top-level data fields that differ, e.g. prompt_template, model, code. */
function changedFields(a: DslNode, b: DslNode): string[] {
  const keys = new Set([...Object.keys(a.data), ...Object.keys(b.data)]);
  return [...keys].filter((k) => stableStringify(a.data[k] ?? null) !== stableStringify(b.data[k] ?? null)).sort();
}
