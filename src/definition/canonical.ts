// Canonical text and content hashes. Canonical text = keys sorted exactly as
// fast-json-stable-stringify sorts them, 2-space indent, trailing newline, so diffs stay small
// and hashes stay stable. JSON.stringify cannot be used on a key-sorted copy: JS objects always
// put integer-like keys ("1", "10") first, which would break the sort order.
import stableStringify from 'fast-json-stable-stringify';
import { isRecord } from './diagnostics.js';

const INDENT = '  ';

export function formatCanonical(value: unknown): string {
  const parts: string[] = [];
  writeValue(value, '', parts);
  parts.push('\n');
  return parts.join('');
}

/** True when `text` is byte-for-byte the canonical form of `value` (its parsed content). */
export function isCanonical(text: string, value: unknown): boolean {
  return text === formatCanonical(value);
}

/** 1-based number of the first line where `text` differs from its canonical form, or undefined. */
export function findFirstNonCanonicalLine(text: string, value: unknown): number | undefined {
  const expected = formatCanonical(value);
  if (text === expected) return undefined;
  const limit = Math.min(text.length, expected.length);
  let line = 1;
  for (let i = 0; i < limit; i++) {
    if (text.charCodeAt(i) !== expected.charCodeAt(i)) return line;
    if (text.charCodeAt(i) === 0x0a) line++;
  }
  return line;
}

function writeValue(input: unknown, indent: string, parts: string[]): void {
  let value = input;
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON(): unknown }).toJSON();
  }
  if (value === null || value === undefined || typeof value === 'function' || typeof value === 'symbol') {
    parts.push('null');
  } else if (typeof value === 'number') {
    parts.push(Number.isFinite(value) ? JSON.stringify(value) : 'null');
  } else if (typeof value === 'string' || typeof value === 'boolean') {
    parts.push(JSON.stringify(value));
  } else if (typeof value === 'bigint') {
    parts.push(value.toString());
  } else if (Array.isArray(value)) {
    if (value.length === 0) return void parts.push('[]');
    const inner = indent + INDENT;
    parts.push('[\n');
    value.forEach((item, i) => {
      parts.push(inner);
      writeValue(item, inner, parts);
      parts.push(i === value.length - 1 ? '\n' : ',\n');
    });
    parts.push(indent, ']');
  } else {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((key) => record[key] !== undefined && typeof record[key] !== 'function')
      .sort();
    if (keys.length === 0) return void parts.push('{}');
    const inner = indent + INDENT;
    parts.push('{\n');
    keys.forEach((key, i) => {
      parts.push(inner, JSON.stringify(key), ': ');
      writeValue(record[key], inner, parts);
      parts.push(i === keys.length - 1 ? '\n' : ',\n');
    });
    parts.push(indent, '}');
  }
}

/** sha256 hex of the stable (key-sorted, compact) JSON of `value`. */
export function contentHash(value: unknown): string {
  // node:crypto takes ~20 ms to load: it is fetched when the first hash is needed, not at start-up.
  return process.getBuiltinModule('node:crypto').createHash('sha256').update(stableStringify(value)).digest('hex');
}

// Fields the Dify editor rewrites when a node is merely moved or clicked.
const NODE_UI_FIELDS = new Set([
  'position',
  'positionAbsolute',
  'width',
  'height',
  'selected',
  'dragging',
  'sourcePosition',
  'targetPosition',
  'zIndex',
]);
const EDGE_UI_FIELDS = new Set(['selected', 'zIndex']);
const CONTAINER_TYPES = new Set(['iteration', 'loop']);

/**
 * Hash of what a DSL *does*, for comparing a live export with the repo: ignores editor layout noise,
 * secret values (an export blanks them) and the DSL format `version` (the server stamps its own).
 */
export function dslContentHash(dsl: unknown): string {
  return contentHash(normalizeDslForHash(dsl));
}

export function normalizeDslForHash(dsl: unknown): unknown {
  if (!isRecord(dsl)) return dsl;
  const { version: _formatVersion, ...rest } = dsl;
  const workflow = rest.workflow;
  if (!isRecord(workflow)) return rest;
  const out: Record<string, unknown> = { ...workflow };
  if (isRecord(workflow.graph)) {
    const { viewport: _viewport, ...graph } = workflow.graph;
    if (Array.isArray(graph.nodes)) graph.nodes = graph.nodes.map(normalizeNode);
    if (Array.isArray(graph.edges)) graph.edges = graph.edges.map((edge) => omitKeys(edge, EDGE_UI_FIELDS));
    out.graph = graph;
  }
  if (Array.isArray(workflow.environment_variables)) {
    out.environment_variables = workflow.environment_variables.map((variable) =>
      isRecord(variable) && variable.value_type === 'secret' ? { ...variable, value: '' } : variable,
    );
  }
  return { ...rest, workflow: out };
}

function normalizeNode(node: unknown): unknown {
  if (!isRecord(node)) return node;
  const out = omitKeys(node, NODE_UI_FIELDS) as Record<string, unknown>;
  if (isRecord(node.data)) {
    const data: Record<string, unknown> = { ...node.data };
    delete data.selected;
    // Containers keep their on-canvas size in data as well.
    if (CONTAINER_TYPES.has(String(data.type))) {
      delete data.width;
      delete data.height;
    }
    out.data = data;
  }
  return out;
}

function omitKeys(value: unknown, keys: Set<string>): unknown {
  if (!isRecord(value)) return value;
  // fromEntries defines own properties, so even a "__proto__" key survives as data.
  return Object.fromEntries(Object.entries(value).filter(([key]) => !keys.has(key)));
}
