// Line-by-line diff of two texts (Myers' O(ND) algorithm), rendered as unified-diff hunks.
// Written here rather than taken from a package: plans must be byte-stable across versions,
// and prompts and code nodes are small enough that the simple form is fast.

export interface DiffLine {
  op: ' ' | '-' | '+';
  text: string;
}

/** Above this many edits the exact diff is not worth its memory: show a full replacement instead. */
const MAX_EDITS = 2000;

export function diffLines(before: string[], after: string[]): DiffLine[] {
  // Common head and tail never take part in the search; most edits to a prompt are local.
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start++;
  let endA = before.length;
  let endB = after.length;
  while (endA > start && endB > start && before[endA - 1] === after[endB - 1]) {
    endA--;
    endB--;
  }
  const same = (text: string): DiffLine => ({ op: ' ', text });
  return [
    ...before.slice(0, start).map(same),
    ...diffMiddle(before.slice(start, endA), after.slice(start, endB)),
    ...before.slice(endA).map(same),
  ];
}

function diffMiddle(a: string[], b: string[]): DiffLine[] {
  const del = (text: string): DiffLine => ({ op: '-', text });
  const add = (text: string): DiffLine => ({ op: '+', text });
  if (a.length === 0 || b.length === 0) return [...a.map(del), ...b.map(add)];
  const n = a.length;
  const m = b.length;
  const max = Math.min(n + m, MAX_EDITS);
  const offset = n + m;
  const v = new Int32Array(2 * offset + 2);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) return backtrack(trace, a, b, offset);
    }
  }
  return [...a.map(del), ...b.map(add)];
}

function backtrack(trace: Int32Array[], a: string[], b: string[], offset: number): DiffLine[] {
  const out: DiffLine[] = [];
  let x = a.length;
  let y = b.length;
  for (let d = trace.length - 1; d >= 0; d--) {
    const v = trace[d];
    const k = x - y;
    const prevK = k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1]) ? k + 1 : k - 1;
    const prevX = v[offset + prevK];
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) out.push({ op: ' ', text: a[--x] }), y--;
    if (d === 0) break;
    if (x === prevX) out.push({ op: '+', text: b[--y] });
    else out.push({ op: '-', text: a[--x] });
  }
  return out.reverse();
}

export interface UnifiedDiff {
  /** Hunk headers and prefixed lines, ready for a ```diff block. */
  lines: string[];
  /** Diff lines left out to respect the cap. */
  omitted: number;
  added: number;
  removed: number;
}

/** Unified-diff hunks (`@@ -a,b +c,d @@`) with `context` unchanged lines around each change. */
export function renderUnifiedDiff(before: string, after: string, options: { context?: number; maxLines?: number } = {}): UnifiedDiff {
  const context = options.context ?? 3;
  const maxLines = options.maxLines ?? 60;
  const diff = diffLines(splitLines(before), splitLines(after));
  const changed = diff.flatMap((line, i) => (line.op === ' ' ? [] : [i]));
  const all: string[] = [];
  let i = 0;
  while (i < changed.length) {
    // Grow the hunk while the next change is close enough for the contexts to touch.
    let j = i;
    while (j + 1 < changed.length && changed[j + 1] - changed[j] <= 2 * context + 1) j++;
    const from = Math.max(0, changed[i] - context);
    const to = Math.min(diff.length, changed[j] + context + 1);
    all.push(hunkHeader(diff, from, to), ...diff.slice(from, to).map((l) => `${l.op}${l.text}`));
    i = j + 1;
  }
  const shown = all.slice(0, maxLines);
  return {
    lines: shown,
    omitted: all.length - shown.length,
    added: diff.filter((l) => l.op === '+').length,
    removed: diff.filter((l) => l.op === '-').length,
  };
}

function hunkHeader(diff: DiffLine[], from: number, to: number): string {
  const before = diff.slice(0, from);
  const startA = before.filter((l) => l.op !== '+').length + 1;
  const startB = before.filter((l) => l.op !== '-').length + 1;
  const slice = diff.slice(from, to);
  const countA = slice.filter((l) => l.op !== '+').length;
  const countB = slice.filter((l) => l.op !== '-').length;
  return `@@ -${countA ? startA : startA - 1},${countA} +${countB ? startB : startB - 1},${countB} @@`;
}

/** "" is no lines at all, so adding a prompt to an empty one shows only additions. */
export function splitLines(text: string): string[] {
  return text === '' ? [] : text.replace(/\r\n/g, '\n').split('\n');
}
