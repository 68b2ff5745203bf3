// "Runs before": where a referenced node stands relative to the node that reads it. A node can read
// only what has run by then: a node upstream of it in the same container (or upstream of a container
// it is inside), the container it is inside (that container's per-round variables), or, for a
// container itself, the nodes it contains (an iteration's output_selector, a loop's break conditions).
import type { DslNode } from './types.js';
import { type GraphIndex, isInside } from './graph-index.js';

export type Placement =
  /** The reader reads itself. */
  | { kind: 'self' }
  /** The target is a container the reader is inside. */
  | { kind: 'encloses-reader' }
  /** The reader is a container and the target is inside it. */
  | { kind: 'inside-reader' }
  /** The target is inside `container`, which the reader is not in. */
  | { kind: 'enclosed'; container: DslNode }
  /** Upstream (`before`) or not, comparing the target with the reader or the reader's container at the target's level. */
  | { kind: 'before' }
  | { kind: 'not-before' };

export interface Ordering {
  place(target: DslNode, reader: DslNode): Placement;
}

export function createOrdering(index: GraphIndex): Ordering {
  const previous = new Map<DslNode, DslNode[]>();
  for (const { source, target } of index.valid) {
    const list = previous.get(target);
    if (list) list.push(source);
    else previous.set(target, [source]);
  }
  const upstream = new Map<DslNode, Set<DslNode>>();
  const upstreamOf = (node: DslNode): Set<DslNode> => {
    let seen = upstream.get(node);
    if (seen) return seen;
    seen = new Set();
    const queue = [node];
    while (queue.length > 0) {
      for (const source of previous.get(queue.pop()!) ?? []) {
        if (!seen.has(source)) {
          seen.add(source);
          queue.push(source);
        }
      }
    }
    upstream.set(node, seen);
    return seen;
  };

  return {
    place(target, reader) {
      if (target === reader) return { kind: 'self' };
      if (isInside(index, reader, target.id)) return { kind: 'encloses-reader' };
      if (isInside(index, target, reader.id)) return { kind: 'inside-reader' };
      // The reader itself, or the container of the reader that sits at the target's level.
      let level: DslNode | undefined = reader;
      const seen = new Set<DslNode>();
      while (level && level.parentId !== target.parentId && !seen.has(level)) {
        seen.add(level);
        level = level.parentId === undefined ? undefined : index.byId.get(level.parentId);
      }
      if (!level || level.parentId !== target.parentId) {
        const container = target.parentId === undefined ? undefined : index.byId.get(target.parentId);
        return container ? { kind: 'enclosed', container } : { kind: 'not-before' };
      }
      return upstreamOf(level).has(target) ? { kind: 'before' } : { kind: 'not-before' };
    },
  };
}
