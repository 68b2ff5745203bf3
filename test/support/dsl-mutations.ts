// The table of broken definitions, one family per kind of mistake validation must catch, each made by
// mutating a real DSL fixture. A case applies to whichever fixtures have the shape it breaks, and says
// where (JSON pointer into the definition) the error must be reported.
import type { DifyDsl, DslNode } from '../../src/definition/types.js';
import { outputsOf } from '../../src/definition/node-catalogue.js';

export type Family =
  | 'outputs not produced'
  | 'conditions on missing variables'
  | 'references to later nodes'
  | 'graph not fitting mode'
  | 'unreachable nodes'
  | 'bad branch handles'
  | 'malformed container internals'
  | 'ill-typed or duplicated variables'
  | 'nonsense DSL versions';

export interface MutationCase {
  family: Family;
  name: string;
  /** Breaks the DSL in place; returns the pointer (from /dsl) the error belongs at, or undefined when the fixture lacks the shape. */
  mutate(dsl: DifyDsl): string | undefined;
  message: RegExp;
}

const G = '/dsl/workflow/graph';
type Selector = { node: DslNode; i: number; path: string; holder: Record<string, unknown> | unknown[]; key: string | number };

function nodesOf(dsl: DifyDsl): DslNode[] {
  return dsl.workflow?.graph?.nodes ?? [];
}

/** Every selector array (key ending in "selector") in node data, with where it sits. */
function selectors(dsl: DifyDsl): Selector[] {
  const ids = new Set(nodesOf(dsl).map((n) => n.id));
  const out: Selector[] = [];
  nodesOf(dsl).forEach((node, i) => {
    const visit = (value: unknown, path: string) => {
      if (Array.isArray(value)) value.forEach((v, k) => visit(v, `${path}/${k}`));
      else if (value && typeof value === 'object') {
        for (const [key, v] of Object.entries(value)) {
          if (/selector$/.test(key) && Array.isArray(v) && v.length >= 2 && ids.has(String(v[0]))) {
            out.push({ node, i, path: `${G}/nodes/${i}/data${path}/${key}`, holder: value as Record<string, unknown>, key });
          } else visit(v, `${path}/${key}`);
        }
      }
    };
    visit(node.data, '');
  });
  return out;
}

/** Every string in node data holding a {{#node.var#}} template of an existing node. */
function templates(dsl: DifyDsl): Array<{ holder: Record<string, unknown>; key: string; path: string; head: string; name: string }> {
  const ids = new Set(nodesOf(dsl).map((n) => n.id));
  const out: Array<{ holder: Record<string, unknown>; key: string; path: string; head: string; name: string }> = [];
  nodesOf(dsl).forEach((node, i) => {
    const visit = (value: unknown, path: string) => {
      if (Array.isArray(value)) value.forEach((v, k) => visit(v, `${path}/${k}`));
      else if (value && typeof value === 'object') {
        for (const [key, v] of Object.entries(value)) {
          const m = typeof v === 'string' ? /\{\{#([A-Za-z0-9_]+)\.([A-Za-z_][A-Za-z0-9_]*)#\}\}/.exec(v) : null;
          if (m && ids.has(m[1]))
            out.push({ holder: value as Record<string, unknown>, key, path: `${G}/nodes/${i}/data${path}/${key}`, head: m[1], name: m[2] });
          else visit(v, `${path}/${key}`);
        }
      }
    };
    visit(node.data, '');
  });
  return out;
}

/** Nodes downstream of `from` (same container), following edges. */
function downstream(dsl: DifyDsl, from: DslNode): DslNode[] {
  const byId = new Map(nodesOf(dsl).map((n) => [n.id, n]));
  const seen = new Set<DslNode>();
  const queue = [from];
  while (queue.length > 0) {
    const node = queue.pop()!;
    for (const e of dsl.workflow?.graph?.edges ?? []) {
      const next = byId.get(e.target);
      if (e.source === node.id && next && !seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return [...seen];
}

/** A node whose outputs the catalogue knows in full (not a tool's), other than a container. */
function closedTarget(dsl: DifyDsl, id: string): boolean {
  const node = nodesOf(dsl).find((n) => n.id === id);
  return node !== undefined && !['iteration', 'loop'].includes(node.data.type) && !outputsOf(node).open;
}

const typed = (dsl: DifyDsl, type: string) => nodesOf(dsl).findIndex((n) => n.data.type === type);
const edgeFrom = (dsl: DifyDsl, pred: (source: DslNode, handle: string) => boolean) =>
  (dsl.workflow?.graph?.edges ?? []).findIndex((e) => {
    const source = nodesOf(dsl).find((n) => n.id === e.source);
    return source !== undefined && pred(source, e.sourceHandle ?? 'source');
  });

export const MUTATIONS: MutationCase[] = [
  {
    family: 'outputs not produced',
    name: 'a selector names an output its node does not produce',
    mutate: (dsl) => {
      const s = selectors(dsl).find((x) => closedTarget(dsl, (x.holder as any)[x.key][0]));
      if (!s) return undefined;
      (s.holder as any)[s.key] = [(s.holder as any)[s.key][0], 'no_such_output'];
      return s.path;
    },
    message: /reads "no_such_output", which .* does not produce \(a ".*" node here produces/,
  },
  {
    family: 'outputs not produced',
    name: 'a {{#…#}} template names an output its node does not produce',
    mutate: (dsl) => {
      const t = templates(dsl).find((x) => closedTarget(dsl, x.head));
      if (!t) return undefined;
      t.holder[t.key] = String(t.holder[t.key]).replace(`{{#${t.head}.${t.name}#}}`, `{{#${t.head}.no_such_output#}}`);
      return t.path;
    },
    message: /\{\{#.*\.no_such_output#\}\} in .* does not produce/,
  },
  {
    family: 'outputs not produced',
    name: 'a workflow reads sys.query, which only chatflows have',
    mutate: (dsl) => {
      if (dsl.app.mode !== 'workflow') return undefined;
      const s = selectors(dsl).find((x) => x.node.data.type === 'end');
      if (!s) return undefined;
      (s.holder as any)[s.key] = ['sys', 'query'];
      return s.path;
    },
    message: /reads sys\.query, which a "workflow" app does not have/,
  },
  {
    family: 'conditions on missing variables',
    name: 'an if-else condition or loop break condition reads a variable that does not exist',
    mutate: (dsl) => {
      const s = selectors(dsl).find((x) => /\/(break_)?conditions\//.test(x.path));
      if (!s) return undefined;
      (s.holder as any)[s.key] = [(s.holder as any)[s.key][0], 'no_such_variable'];
      return s.path;
    },
    message: /condition \[".*","no_such_variable"\] in .* (does not produce|has no such variable)/,
  },
  {
    family: 'references to later nodes',
    name: 'a node reads the output of a node downstream of it',
    mutate: (dsl) => {
      for (const s of selectors(dsl)) {
        if (s.node.data.type === 'end' || ['iteration', 'loop'].includes(s.node.data.type)) continue;
        const later = downstream(dsl, s.node).find((n) => n !== s.node && outputsOf(n).names.size > 0);
        if (!later) continue;
        (s.holder as any)[s.key] = [later.id, [...outputsOf(later).names][0]];
        return s.path;
      }
      return undefined;
    },
    message: /reads .*, which does not run before it \(no path of edges leads from it to this node\)/,
  },
  {
    family: 'graph not fitting mode',
    name: 'a workflow ends in an Answer node, or a chatflow in an End node',
    mutate: (dsl) => {
      const i = typed(dsl, dsl.app.mode === 'workflow' ? 'end' : 'answer');
      if (i < 0) return undefined;
      nodesOf(dsl)[i].data.type = dsl.app.mode === 'workflow' ? 'answer' : 'end';
      return `${G}/nodes/${i}/data/type`;
    },
    message: /is a "(answer|end)" node, which Dify offers only in (advanced-chat|workflow) apps; this app's mode is/,
  },
  {
    family: 'unreachable nodes',
    name: 'a node no edge leads to',
    mutate: (dsl) => {
      const edges = dsl.workflow!.graph.edges;
      const i = edges.findIndex((e) => nodesOf(dsl).find((n) => n.id === e.target)?.parentId === undefined);
      if (i < 0) return undefined;
      const target = edges[i].target;
      dsl.workflow!.graph.edges = edges.filter((e) => e.target !== target);
      return `${G}/nodes/${nodesOf(dsl).findIndex((n) => n.id === target)}`;
    },
    message: /is not reachable from the start node, so it never runs/,
  },
  {
    family: 'bad branch handles',
    name: 'an edge leaves through a handle its source does not offer',
    mutate: (dsl) => {
      const i = edgeFrom(dsl, () => true);
      if (i < 0) return undefined;
      dsl.workflow!.graph.edges[i].sourceHandle = 'no-such-branch';
      return `${G}/edges/${i}/sourceHandle`;
    },
    message: /through handle "no-such-branch", which a ".*" node with this data does not offer; use one of/,
  },
  {
    family: 'bad branch handles',
    name: 'an if-else or question-classifier edge names a branch that is gone',
    mutate: (dsl) => {
      const i = edgeFrom(dsl, (source, handle) => ['if-else', 'question-classifier'].includes(source.data.type) && handle !== 'false');
      if (i < 0) return undefined;
      dsl.workflow!.graph.edges[i].sourceHandle = 'deleted-case';
      return `${G}/edges/${i}/sourceHandle`;
    },
    message: /through handle "deleted-case", which a "(if-else|question-classifier)" node/,
  },
  {
    family: 'malformed container internals',
    name: "a container's start_node_id names no node",
    mutate: (dsl) => {
      const i = nodesOf(dsl).findIndex((n) => ['iteration', 'loop'].includes(n.data.type));
      if (i < 0) return undefined;
      nodesOf(dsl)[i].data.start_node_id = 'no-such-start';
      return `${G}/nodes/${i}/data/start_node_id`;
    },
    message: /start_node_id "no-such-start" of .* names no node/,
  },
  {
    family: 'malformed container internals',
    name: 'a child names a container that does not exist',
    mutate: (dsl) => {
      const i = nodesOf(dsl).findIndex((n) => n.parentId !== undefined);
      if (i < 0) return undefined;
      nodesOf(dsl)[i].parentId = 'no-such-container';
      return `${G}/nodes/${i}/parentId`;
    },
    message: /parentId "no-such-container" names no node/,
  },
  {
    family: 'ill-typed or duplicated variables',
    name: 'a number variable holds text',
    mutate: (dsl) => {
      const list = (dsl.workflow!.environment_variables ??= []);
      list.push({ id: 'e5a0c0de-0000-4000-8000-000000000001', name: 'RETRIES', value: 'three', value_type: 'number', description: '' });
      return `/dsl/workflow/environment_variables/${list.length - 1}/value`;
    },
    message: /environment variable "RETRIES" is declared number but its value is a string/,
  },
  {
    family: 'ill-typed or duplicated variables',
    name: 'a variable name appears twice',
    mutate: (dsl) => {
      const key = dsl.workflow?.conversation_variables?.length ? 'conversation_variables' : 'environment_variables';
      const list = (dsl.workflow![key] ??= []) as unknown as Array<Record<string, unknown>>;
      if (list.length === 0)
        list.push({ id: 'e5a0c0de-0000-4000-8000-000000000002', name: 'REGION', value: 'eu', value_type: 'string', description: '' });
      list.push({ ...list[0], id: 'e5a0c0de-0000-4000-8000-000000000003' });
      return `/dsl/workflow/${key}/${list.length - 1}/name`;
    },
    message: /variable ".*" is declared twice \(also #0\)/,
  },
  {
    family: 'nonsense DSL versions',
    name: 'a DSL version Dify never released',
    mutate: (dsl) => {
      dsl.version = '9.9.9';
      return '/dsl/version';
    },
    message: /DSL version "9\.9\.9" is not one Dify has released/,
  },
];

export const FAMILIES: readonly Family[] = [...new Set(MUTATIONS.map((m) => m.family))];
