// Setting changes in a plan: short ones as a list (`path`: old → new), long ones (descriptions,
// opening statements, any value past 100 characters) as a word diff below it, and kinds of change
// the report has no section for shown generically.
import type { ValueChange, WorkflowDiff } from '../plan/diff.js';
import { code } from './markdown.js';
import { hideCredential, renderWordDiff } from './text-render.js';

/** Value changes listed per field before a "not shown" note; longer values get a word diff. */
const MAX_VALUE_CHANGES = 20;
const MAX_VALUE_CHARS = 100;

const KNOWN_PARTS = new Set(['nodes', 'edges', 'variables', 'features', 'graph', 'app', 'dependencies']);

/**
 * Kinds of change the diff may grow (the app block, dependencies…) that have no section of their
 * own here yet: non-empty lists under any other key, shown generically rather than dropped.
 */
export function otherChanges(diff: WorkflowDiff): Array<[string, unknown[]]> {
  return Object.entries(diff as unknown as Record<string, unknown>)
    .filter((entry): entry is [string, unknown[]] => !KNOWN_PARTS.has(entry[0]) && Array.isArray(entry[1]) && entry[1].length > 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Value changes as the other sections show them; any other entry as its JSON. */
export function renderOther(changes: unknown[]): string[] {
  const isValueChange = (c: unknown): c is ValueChange =>
    typeof c === 'object' && c !== null && 'path' in c && ('before' in c || 'after' in c);
  if (changes.every(isValueChange)) return renderValues(changes);
  const items = changes.slice(0, MAX_VALUE_CHANGES).map((c) => {
    const json = JSON.stringify(c) ?? 'null';
    return `- ${code(hideCredential(json.length > 200 ? `${json.slice(0, 199)}…` : json))}`;
  });
  if (changes.length > MAX_VALUE_CHANGES) items.push(`- _${changes.length - MAX_VALUE_CHANGES} more change(s) not shown._`);
  return items;
}

/** "dependencies" → "dependencies", "appBlock" / "app_block" → "app block". */
export function words(key: string): string {
  return key
    .replace(/[_-]+/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
}

export function sentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A list of short changes, then a word diff for each long one. */
export function renderValues(changes: ValueChange[]): string[] {
  const { items, blocks } = listValues(changes, '');
  return blocks.length ? [...items, '', ...blocks] : items;
}

export function listValues(changes: ValueChange[], label: string): { items: string[]; blocks: string[] } {
  const items: string[] = [];
  const blocks: string[] = [];
  for (const c of changes.slice(0, MAX_VALUE_CHANGES)) {
    const path = code(c.path || '(value)');
    const [before, after] = [formatValue(c.before), formatValue(c.after)];
    if (before.length <= MAX_VALUE_CHARS && after.length <= MAX_VALUE_CHARS) {
      items.push(
        `- ${path}: ${before === '' ? '_(unset)_' : code(hideCredential(before))} → ${after === '' ? '_(unset)_' : code(hideCredential(after))}`,
      );
      continue;
    }
    // A long value is never cut at a fixed width: that could hide the very words that changed.
    items.push(`- ${path}: changed (shown below)`);
    blocks.push(...renderWordDiff(`${label}${path}`, textOf(c.before), textOf(c.after)));
  }
  if (changes.length > MAX_VALUE_CHANGES) items.push(`- _${changes.length - MAX_VALUE_CHANGES} more change(s) not shown._`);
  return { items, blocks };
}

/** JSON as the list shows it; "" for a value absent on that side. */
function formatValue(value: unknown): string {
  return value === undefined ? '' : (JSON.stringify(value) ?? 'null');
}

function textOf(value: unknown): string {
  return typeof value === 'string' ? value : formatValue(value);
}
