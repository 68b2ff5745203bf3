// Diffs of two texts (Myers' O(ND) algorithm): line by line as unified-diff hunks (code), and word
// by word as hunks of context and changed words (prompts). Written here rather than taken from a
// package: plans must be byte-stable across versions, and prompts and code are small enough that
// the simple form is fast.

export interface DiffLine {
  op: ' ' | '-' | '+';
  text: string;
}

/** Above this many edits the exact diff is not worth its memory: show a full replacement instead. */
const MAX_EDITS = 2000;

export function diffLines(before: string[], after: string[]): DiffLine[] {
  return diffSequences(before, after);
}

/** The edit script between two sequences of tokens (lines or words), equal tokens compared exactly. */
function diffSequences(before: string[], after: string[], maxEdits = MAX_EDITS): DiffLine[] {
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
    ...diffMiddle(before.slice(start, endA), after.slice(start, endB), maxEdits),
    ...before.slice(endA).map(same),
  ];
}

function diffMiddle(a: string[], b: string[], maxEdits: number): DiffLine[] {
  const del = (text: string): DiffLine => ({ op: '-', text });
  const add = (text: string): DiffLine => ({ op: '+', text });
  if (a.length === 0 || b.length === 0) return [...a.map(del), ...b.map(add)];
  const n = a.length;
  const m = b.length;
  const max = Math.min(n + m, maxEdits);
  // One spare diagonal on each side, so the slices kept for backtracking never start below zero.
  const offset = n + m + 1;
  const v = new Int32Array(2 * offset + 2);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    // Only diagonals -d-1..d+1 are read back at step d: O(D²) memory, not O(D·(N+M)).
    trace.push(v.slice(offset - d - 1, offset + d + 2));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) return backtrack(trace, a, b);
    }
  }
  return [...a.map(del), ...b.map(add)];
}

function backtrack(trace: Int32Array[], a: string[], b: string[]): DiffLine[] {
  const out: DiffLine[] = [];
  let x = a.length;
  let y = b.length;
  for (let d = trace.length - 1; d >= 0; d--) {
    const at = (k: number) => trace[d][k + d + 1];
    const k = x - y;
    const prevK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const prevX = at(prevK);
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

/** A run of tokens: kept (context), removed or added. */
export interface WordSegment {
  op: ' ' | '-' | '+';
  text: string;
}

export interface WordHunk {
  segments: WordSegment[];
  /** Text before the hunk (or after it) was left out. */
  clippedStart: boolean;
  clippedEnd: boolean;
}

export interface WordDiff {
  hunks: WordHunk[];
  /** Places where words were removed, added or replaced. */
  changes: number;
}

/**
 * Words, runs of whitespace, and single punctuation marks; CJK characters one by one, since
 * Chinese and Japanese prompts have no spaces between words.
 */
export function splitWords(text: string): string[] {
  return text.match(/\s+|[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]|[\p{L}\p{N}\p{M}_]+|[^\s]/gu) ?? [];
}

/** Word by word, the changes of a long text with `context` words either side (git's --word-diff). */
export function diffWords(before: string, after: string, options: { context?: number; maxEdits?: number } = {}): WordDiff {
  const context = options.context ?? 10;
  const tokens = diffSequences(splitWords(before), splitWords(after), options.maxEdits ?? 1000);
  const changed = tokens.flatMap((t, i) => (t.op === ' ' ? [] : [i]));
  const hunks: WordHunk[] = [];
  let i = 0;
  while (i < changed.length) {
    let j = i;
    while (j + 1 < changed.length && wordsBetween(tokens, changed[j], changed[j + 1]) <= 2 * context) j++;
    let from = reach(tokens, changed[i], -1, context);
    // Clipped context starts at a word, not at the punctuation or space before it.
    while (from > 0 && from < changed[i] && !WORD.test(tokens[from].text)) from++;
    let to = reach(tokens, changed[j], 1, context) + 1;
    while (to < tokens.length && to - 1 > changed[j] && !/\S/.test(tokens[to - 1].text)) to--;
    hunks.push({ segments: joinSegments(tokens.slice(from, to)), clippedStart: from > 0, clippedEnd: to < tokens.length });
    i = j + 1;
  }
  // A replacement is one removal followed by one addition: one change, not two.
  const changes = hunks
    .flatMap((h) => h.segments.map((s, k) => (s.op === '+' ? 1 : s.op === '-' && h.segments[k + 1]?.op !== '+' ? 1 : 0)))
    .reduce<number>((n, x) => n + x, 0);
  return { hunks, changes };
}

/** Context is counted in words: punctuation and spaces come along for free. */
const WORD = /[\p{L}\p{N}]/u;

function wordsBetween(tokens: DiffLine[], from: number, to: number): number {
  return tokens.slice(from + 1, to).filter((t) => WORD.test(t.text)).length;
}

/** The index `words` kept words away from `start` in direction `step`, stopping at either end. */
function reach(tokens: DiffLine[], start: number, step: 1 | -1, words: number): number {
  let at = start;
  let seen = 0;
  while (at + step >= 0 && at + step < tokens.length) {
    const next = tokens[at + step];
    if (next.op === ' ' && WORD.test(next.text) && ++seen > words) break;
    at += step;
  }
  return at;
}

/**
 * Runs of one kind become one segment, and a change reads as one removal then one addition:
 * whitespace kept between two changed words is folded into both, so "a b" → "x y" shows as
 * [-a b-][+x y+] rather than four pieces.
 */
function joinSegments(tokens: DiffLine[]): WordSegment[] {
  const out: WordSegment[] = [];
  let i = 0;
  while (i < tokens.length) {
    if (tokens[i].op === ' ') {
      let text = '';
      while (i < tokens.length && tokens[i].op === ' ') text += tokens[i++].text;
      out.push({ op: ' ', text });
      continue;
    }
    let removed = '';
    let added = '';
    while (i < tokens.length) {
      const t = tokens[i];
      if (t.op === '-') removed += t.text;
      else if (t.op === '+') added += t.text;
      else if (!/\S/.test(t.text) && tokens[i + 1] && tokens[i + 1].op !== ' ') {
        removed += t.text;
        added += t.text;
      } else break;
      i++;
    }
    if (removed) out.push({ op: '-', text: removed });
    if (added) out.push({ op: '+', text: added });
  }
  return out;
}
