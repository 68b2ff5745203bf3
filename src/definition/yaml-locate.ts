// Parses a DSL file kept as YAML (as Dify exports it) the way PyYAML reads it, and records where
// every value and key starts, so a check that names a JSON Pointer into the DSL can point at a
// line and column of the YAML file: the twin of json-locate.ts for the sibling form.
import type { Document, Node } from 'yaml';
import { loadYaml } from '../support/on-demand.cjs';
import { isAmbiguousForPyYaml, PYYAML_PARSE_OPTIONS } from '../support/pyyaml.js';
import { escapePointerToken, type Position } from './json-locate.js';

/** A real export has no aliases; a low cap stops "billion laughs" expansion. */
const MAX_ALIAS_COUNT = 100;

export interface LocatedYaml {
  value: unknown;
  /** Pointer → where its value starts (nearest ancestor when absent). */
  locate(pointer: string): Position;
  /** Pointer → where its key starts (the value's place when it has none). */
  locateKey(pointer: string): Position;
}

export type ParseYamlResult = ({ ok: true } & LocatedYaml) | { ok: false; error: Position & { message: string } };

/** Parses `text`; never throws. Syntax errors, duplicate keys and alias bombs come back as `error`. */
export function parseYamlWithLocations(text: string): ParseYamlResult {
  const { LineCounter, parseDocument } = loadYaml();
  const lines = new LineCounter();
  const position = (offset: number): Position => {
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };
  const doc = parseDocument(text, { ...PYYAML_PARSE_OPTIONS, uniqueKeys: true, lineCounter: lines });
  const problem = doc.errors[0];
  if (problem) {
    const at = problem.linePos?.[0];
    const message = problem.message.split('\n')[0];
    return { ok: false, error: { message, line: at?.line ?? 1, column: at?.col ?? 1 } };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    return {
      ok: false,
      error: { message: `${(error as Error).message}; a Dify export never needs this many aliases`, line: 1, column: 1 },
    };
  }
  // Dify never exports these (its dumper quotes them), so only a hand edit writes one: say where.
  const ambiguous = findAmbiguousScalar(doc);
  if (ambiguous) {
    const { line, column } = position(ambiguous.offset);
    const text = ambiguous.text;
    return {
      ok: false,
      error: {
        message: `plain ${text} is text here but something else (a number, a date) to PyYAML, which Dify reads the DSL with; quote it ("${text}") to keep it text, or write the value plainly (e.g. 1000 for 1_000)`,
        line,
        column,
      },
    };
  }
  const valueOffsets = new Map<string, number>();
  const keyOffsets = new Map<string, number>();
  record(doc.contents, '', valueOffsets, keyOffsets);
  const locate = (pointer: string): Position => {
    for (let current = pointer; ; current = current.slice(0, current.lastIndexOf('/'))) {
      const offset = valueOffsets.get(current);
      if (offset !== undefined) return position(offset);
      if (current === '') return { line: 1, column: 1 };
    }
  };
  const locateKey = (pointer: string): Position => {
    const offset = keyOffsets.get(pointer);
    return offset === undefined ? locate(pointer) : position(offset);
  };
  return { ok: true, value, locate, locateKey };
}

/** Walks the node tree alongside the pointers toJS gives the same values. */
function record(node: Node | null | unknown, pointer: string, values: Map<string, number>, keys: Map<string, number>): void {
  if (!node || typeof node !== 'object' || !('range' in node)) return;
  const range = (node as Node).range;
  if (range) values.set(pointer, range[0]);
  const { isMap, isPair, isScalar, isSeq } = loadYaml();
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const child = `${pointer}/${escapePointerToken(key)}`;
      if (isScalar(pair.key) && pair.key.range) keys.set(child, pair.key.range[0]);
      // An empty value (`key:`) has no range of its own: it sits where its key is.
      if (pair.value === null && isScalar(pair.key) && pair.key.range) values.set(child, pair.key.range[0]);
      record(pair.value, child, values, keys);
    }
  } else if (isSeq(node)) {
    for (const [i, item] of node.items.entries()) record(item, `${pointer}/${i}`, values, keys);
  }
}

/** The first unquoted scalar we read as text that PyYAML would read as something else (`1_000`, `12:30`, `2024-01-01`). */
function findAmbiguousScalar(doc: Document.Parsed): { text: string; offset: number } | undefined {
  const { Scalar, visit } = loadYaml();
  let found: { text: string; offset: number } | undefined;
  visit(doc, {
    Scalar(_key, node) {
      if (node.type !== Scalar.PLAIN || typeof node.value !== 'string' || !isAmbiguousForPyYaml(node.value)) return;
      found = { text: node.value, offset: node.range?.[0] ?? 0 };
      return visit.BREAK;
    },
  });
  return found;
}
