// A picture of a definition's graph for the plan: a Mermaid flowchart (GitHub draws ```mermaid
// blocks) with the nodes the change adds, changes and removes coloured, and its new and removed
// edges drawn thick and dashed. Titles are user text: every character that could mean something
// to Mermaid or to Markdown is written as a Mermaid entity code.
import type { WorkflowDiff } from '../plan/diff.js';
import type { GraphChange, ShapeEdge, ShapeNode } from '../plan/graph-shape.js';

type Status = 'added' | 'removed' | 'changed' | 'same';

/** Past this a flowchart is a blur (and nears Mermaid's text limit on GitHub): say so instead. */
const MAX_NODES = 150;
const MAX_EDGES = 300;
const MAX_TITLE_CHARS = 60;

const CLASSES: Record<Exclude<Status, 'same'>, string> = {
  added: 'fill:#dafbe1,stroke:#1a7f37,color:#0f5323,stroke-width:2px',
  changed: 'fill:#fff8c5,stroke:#9a6700,color:#4d2d00,stroke-width:2px',
  removed: 'fill:#ffebe9,stroke:#cf222e,color:#82071e,stroke-width:2px,stroke-dasharray:5 5',
};
const MARK: Record<Status, string> = { added: '➕ ', changed: '✏️ ', removed: '➖ ', same: '' };
const LINK = { added: 'stroke:#1a7f37,stroke-width:3px', removed: 'stroke:#cf222e,stroke-dasharray:5 5' };

/** Whether the change touches the graph itself: nodes or edges (not only variables or features). */
export function graphChanged(diff: WorkflowDiff): boolean {
  const { nodes, edges } = diff;
  return [nodes.added, nodes.removed, nodes.changed, edges.added, edges.removed, edges.changed].some((list) => list.length > 0);
}

/** The flowchart section, or nothing when the graph did not change. */
export function renderGraph(graph: GraphChange | undefined, diff: WorkflowDiff | undefined): string[] {
  if (!graph || !diff || !graphChanged(diff)) return [];
  const after = new Set(graph.after.nodes.map((n) => n.id));
  const before = new Set(graph.before.nodes.map((n) => n.id));
  const changed = new Set(diff.nodes.changed.map((n) => n.id));
  const nodes: Drawn[] = [
    ...graph.after.nodes.map((n) => ({ ...n, status: statusOf(n.id, before, changed) })),
    ...graph.before.nodes.filter((n) => !after.has(n.id)).map((n) => ({ ...n, status: 'removed' as const })),
  ];
  const ids = new Map(nodes.map((n, i) => [n.id, `n${i}`]));
  const afterKeys = new Set(graph.after.edges.map((e) => e.key));
  const edges: Array<ShapeEdge & { status: 'added' | 'removed' | 'same' }> = [
    ...graph.after.edges.map((e) => ({
      ...e,
      status: diff.edges.added.some((a) => a.key === e.key) ? ('added' as const) : ('same' as const),
    })),
    ...graph.before.edges.filter((e) => !afterKeys.has(e.key)).map((e) => ({ ...e, status: 'removed' as const })),
  ].filter((e) => ids.has(e.source) && ids.has(e.target));
  const head = ['#### Graph', ''];
  if (nodes.length > MAX_NODES || edges.length > MAX_EDGES) {
    return [...head, `_${nodes.length} nodes and ${edges.length} edges: too many to draw; the changes are listed below._`, ''];
  }
  const lines = ['```mermaid', 'flowchart LR', ...drawNodes(nodes, ids)];
  const styled: Record<'added' | 'removed', number[]> = { added: [], removed: [] };
  edges.forEach((e, i) => {
    const arrow = e.status === 'added' ? '==>' : e.status === 'removed' ? '-.->' : '-->';
    const label = e.handle !== 'source' && e.handle !== '' ? `|"${mermaidText(clip(e.handle))}"|` : '';
    lines.push(`  ${ids.get(e.source)} ${arrow}${label} ${ids.get(e.target)}`);
    if (e.status !== 'same') styled[e.status].push(i);
  });
  const containers = new Set(nodes.flatMap((n) => (n.parent && ids.has(n.parent) ? [n.parent] : [])));
  for (const status of ['added', 'changed', 'removed'] as const) {
    const members = nodes.filter((n) => n.status === status && !containers.has(n.id)).map((n) => ids.get(n.id));
    if (members.length) lines.push(`  classDef ${status} ${CLASSES[status]}`, `  class ${members.join(',')} ${status}`);
    // An iteration or loop is drawn as a subgraph, which takes a style rather than a class.
    for (const n of nodes) if (n.status === status && containers.has(n.id)) lines.push(`  style ${ids.get(n.id)} ${CLASSES[status]}`);
  }
  for (const status of ['added', 'removed'] as const) {
    if (styled[status].length) lines.push(`  linkStyle ${styled[status].join(',')} ${LINK[status]}`);
  }
  lines.push('```', '');
  const key = legend(nodes, styled);
  return [...head, ...lines, ...(key ? [key, ''] : [])];
}

type Drawn = ShapeNode & { status: Status };

/** Nodes in the DSL's order; an iteration's or loop's nodes inside it, as a subgraph named after it. */
function drawNodes(nodes: Drawn[], ids: Map<string, string>): string[] {
  const inside = (n: Drawn) => n.parent !== undefined && n.parent !== n.id && ids.has(n.parent);
  const children = new Map<string, Drawn[]>();
  for (const n of nodes.filter(inside)) children.set(n.parent!, [...(children.get(n.parent!) ?? []), n]);
  const seen = new Set<string>();
  const draw = (n: Drawn, indent: string): string[] => {
    // A parent cycle in a hand-edited DSL must not recurse forever.
    if (seen.has(n.id)) return [];
    seen.add(n.id);
    const label = `${MARK[n.status]}${clip(n.title)}`;
    const kids = children.get(n.id);
    if (!kids) return [`${indent}${ids.get(n.id)}${shape(n.type, label)}`];
    return [`${indent}subgraph ${ids.get(n.id)} ["${mermaidText(label)}"]`, ...kids.flatMap((k) => draw(k, `${indent}  `)), `${indent}end`];
  };
  const drawn = nodes.filter((n) => !inside(n)).flatMap((n) => draw(n, '  '));
  // Nodes whose parents form a loop belong to no drawn subgraph: draw them on their own.
  return [...drawn, ...nodes.filter((n) => !seen.has(n.id)).map((n) => `  ${ids.get(n.id)}${shape(n.type, clip(n.title))}`)];
}

function statusOf(id: string, before: Set<string>, changed: Set<string>): Status {
  return !before.has(id) ? 'added' : changed.has(id) ? 'changed' : 'same';
}

/** Start and end nodes as stadiums, branches as diamonds, an iteration's start as a circle, the rest as boxes. */
function shape(type: string, title: string): string {
  const text = `"${mermaidText(title)}"`;
  if (type === 'start' || type === 'end' || type === 'answer') return `([${text}])`;
  if (type === 'if-else' || type === 'question-classifier') return `{${text}}`;
  if (type === 'iteration-start' || type === 'loop-start') return `((${text}))`;
  return `[${text}]`;
}

function legend(nodes: Array<{ status: Status }>, edges: Record<'added' | 'removed', number[]>): string {
  const parts = [
    ...(['added', 'changed', 'removed'] as const).filter((s) => nodes.some((n) => n.status === s)).map((s) => `${MARK[s].trim()} ${s}`),
    edges.added.length ? 'thick: new edge' : '',
    edges.removed.length ? 'dashed: removed edge' : '',
  ].filter(Boolean);
  return parts.length ? `_${parts.join(' · ')}_` : '';
}

function clip(text: string): string {
  const chars = [...text.replace(/\s+/g, ' ').trim()];
  return chars.length > MAX_TITLE_CHARS ? `${chars.slice(0, MAX_TITLE_CHARS - 1).join('')}…` : chars.join('');
}

/**
 * Letters, digits and spaces as they are; every other character as `#<code point>;`, which Mermaid
 * reads as that character, so no quote, bracket, pipe or tag in a title reaches Mermaid's parser.
 */
export function mermaidText(text: string): string {
  return [...text].map((ch) => (/[\p{L}\p{N} ]/u.test(ch) ? ch : `#${ch.codePointAt(0)};`)).join('');
}
