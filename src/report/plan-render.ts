// A definition's plan as Markdown, for a PR comment and the job summary: one folded <details>
// section per definition, open when the deploy would change something. Pure and deterministic:
// the same plan always renders to the same bytes (no clock, no locale, everything sorted).
import { cliCommand } from '../version.js';
import type { DefinitionPlan } from '../plan/build.js';
import type { FieldChange, ValueChange, WorkflowDiff } from '../plan/diff.js';
import { isEmptyDiff } from '../plan/diff.js';
import { code, escapeHtml, escapeInline } from './markdown.js';
import { hideCredential, renderTextChange, renderWordDiff } from './text-render.js';
import { renderGraph } from './plan-graph.js';

const STATUS_ICON: Record<DefinitionPlan['status'], string> = {
  create: '🆕',
  update: '✏️',
  republish: '🔁',
  noop: '✅',
  unchanged: '✅',
  invalid: '❌',
  error: '❌',
};
/** Value changes listed per field before a "not shown" note; longer values get a word diff. */
const MAX_VALUE_CHANGES = 20;
const MAX_VALUE_CHARS = 100;

/** A deploy would write something (or the definition needs fixing): its section starts open. */
export function planWantsAttention(plan: Pick<DefinitionPlan, 'status'>): boolean {
  return !(plan.status === 'noop' || plan.status === 'unchanged');
}

export function renderDefinitionPlan(plan: DefinitionPlan): string[] {
  const where = [code(plan.file), plan.appId ? `app ${code(plan.appId)}` : '', plan.environment].filter(Boolean).join(' · ');
  const failed = plan.status === 'invalid' || plan.status === 'error';
  const body = failed ? renderFailure(plan, where) : renderBody(plan, where);
  const name = `<code>${escapeHtml(plan.name)}</code>`;
  const title = failed
    ? `${name} ${escapeHtml(plan.versionTo)}: ${plan.status === 'invalid' ? 'invalid' : 'not planned'}`
    : `${name}: ${escapeHtml(`${versionFrom(plan)} → ${plan.versionTo} · ${describeOutcome(plan)}`)}`;
  return [
    `<details${planWantsAttention(plan) ? ' open' : ''}>`,
    `<summary>${STATUS_ICON[plan.status]} ${title}</summary>`,
    '',
    ...trimEnd(body),
    '',
    '</details>',
    '',
  ];
}

function versionFrom(plan: DefinitionPlan): string {
  return plan.versionFrom ?? (plan.mode === 'live' ? (plan.status === 'create' ? 'nothing published' : 'unnamed version') : 'new');
}

function renderBody(plan: DefinitionPlan, where: string): string[] {
  const lines = [where, '', `**${plan.mode === 'live' ? 'Deploy' : 'Change'}:** ${describeStatus(plan)}`, ''];
  for (const note of plan.notes) lines.push(`- ⚠️ ${note}`);
  if (plan.notes.length) lines.push('');
  if (plan.drift) lines.push(...renderDrift(plan));
  if (plan.draft) lines.push(...renderDraft(plan));
  lines.push(...renderGraph(plan.graph, plan.diff));
  if (plan.diff && (plan.status === 'create' ? plan.diff.nodes.added.length : !isEmptyDiff(plan.diff))) {
    lines.push(...(plan.status === 'create' ? renderFirstVersion(plan.diff) : renderDiff(plan.diff)));
  }
  if (plan.app?.length) lines.push('#### App', '', ...renderValues(plan.app), '');
  return lines;
}

/** No versions and no "Deploy:" for a definition that was not planned: only what went wrong. */
function renderFailure(plan: DefinitionPlan, where: string): string[] {
  const invalid = plan.status === 'invalid';
  const error = (plan.error ?? 'could not be planned.').replace(/^invalid: /, '');
  return [where, '', `**${invalid ? 'Invalid' : 'Error'}:** ${error}`, ''];
}

/** One line per definition, for the table: "✏️ 1 node changed · ⚠️ live drifted". */
export function describePlan(p: DefinitionPlan): string {
  return `${STATUS_ICON[p.status]} ${describeOutcome(p)}`;
}

/** What the deploy would do, in a few words (the section's folded title). */
function describeOutcome(p: DefinitionPlan): string {
  const drift =
    (p.drift && !p.drift.adoptedByThisChange ? ' · ⚠️ live drifted' : '') +
    (p.draft && !p.draft.adoptedByThisChange ? ' · ⚠️ unpublished draft edits' : '');
  switch (p.status) {
    case 'create':
      return (p.mode === 'live' ? 'first version' : 'new definition') + drift;
    case 'update':
      return `${p.diff ? summarizeDiff(p.diff) : 'changed'}${drift}`;
    case 'republish':
      return `same content, published again${drift}`;
    case 'noop':
      return 'no-op';
    case 'unchanged':
      return 'no workflow change';
    case 'invalid':
      return 'invalid';
    case 'error':
      return 'not planned';
  }
}

function describeStatus(plan: DefinitionPlan): string {
  const counts = plan.diff ? summarizeDiff(plan.diff) : '';
  switch (plan.status) {
    case 'create':
      return plan.mode === 'live' ? `creates the first published version (${plan.versionTo}): ${counts}.` : `new definition: ${counts}.`;
    case 'update':
      return plan.mode === 'live' ? `imports and publishes ${plan.versionTo}: ${counts}.` : `${counts}.`;
    case 'republish':
      return `no workflow change, but the live version does not carry this definition's content hash: the deploy publishes it again as ${plan.versionTo}.`;
    case 'noop':
      return 'no-op: the live version already carries this content.';
    case 'unchanged':
      return 'no workflow change (envelope only: version, smoke checks, description or metadata).';
    case 'invalid':
    case 'error':
      return plan.error ?? 'could not be planned.';
  }
}

function renderDraft(plan: DefinitionPlan): string[] {
  const draft = plan.draft!;
  const against =
    draft.against === 'published'
      ? `the published version${draft.againstName ? ` ${code(draft.againstName)}` : ''}`
      : `the last release ${code(draft.againstName ?? '?')} (nothing is published)`;
  const head = draft.adoptedByThisChange
    ? `> [!NOTE]\n> The draft in Dify's editor holds edits that differ from ${against}, and this change brings the repository up to date with them: nothing in the draft is lost.`
    : `> [!WARNING]\n> **Unpublished edits:** the draft in Dify's editor differs from ${against}. Unpublished edits in Dify's editor would be overwritten by this merge. To keep them, bring them into the repository first (\`${cliCommand(`pull ${plan.name}`)}\` writes the draft into the definition) and combine them with this change.`;
  const summary = `Unpublished draft edits (${summarizeDiff(draft.diff)})`;
  return [head, '', `<details><summary>${escapeHtml(summary)}</summary>`, '', ...renderDiff(draft.diff), '</details>', ''];
}

/** "3 nodes (1 added, 2 changed), 2 edges added, features changed", or "no workflow change". */
export function summarizeDiff(diff: WorkflowDiff): string {
  const parts = [
    describeCounts('node', { added: diff.nodes.added.length, removed: diff.nodes.removed.length, changed: diff.nodes.changed.length }),
    describeCounts('edge', { added: diff.edges.added.length, removed: diff.edges.removed.length, changed: diff.edges.changed.length }),
    describeCounts('variable', {
      added: diff.variables.filter((v) => v.change === 'added').length,
      removed: diff.variables.filter((v) => v.change === 'removed').length,
      changed: diff.variables.filter((v) => v.change === 'changed').length,
    }),
    diff.features.length ? 'features changed' : '',
    diff.graph.length ? 'graph settings changed' : '',
    ...otherChanges(diff).map(([key]) => `${words(key)} changed`),
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : 'no workflow change';
}

/** "2 edges added", or "3 nodes (1 added, 2 changed)" when there are several kinds. */
function describeCounts(word: string, counts: Record<'added' | 'removed' | 'changed', number>): string {
  const kinds = (['added', 'removed', 'changed'] as const).filter((k) => counts[k]);
  const total = kinds.reduce((n, k) => n + counts[k], 0);
  if (kinds.length === 0) return '';
  if (kinds.length === 1) return `${plural(total, word)} ${kinds[0]}`;
  return `${plural(total, word)} (${kinds.map((k) => `${counts[k]} ${k}`).join(', ')})`;
}

function renderDrift(plan: DefinitionPlan): string[] {
  const drift = plan.drift!;
  const head = drift.adoptedByThisChange
    ? `> [!NOTE]\n> The live app differs from the last release ${code(drift.tag)} (edited outside git), and this change brings the repository up to date with it: nothing live is lost.`
    : `> [!WARNING]\n> **Drift:** the live app differs from the last release ${code(drift.tag)}: someone changed it outside git (in Dify's UI?). Deploying this change overwrites those edits.`;
  const summary = `Live edits since ${drift.tag} (${summarizeDiff(drift.diff)})`;
  return [head, '', `<details><summary>${escapeHtml(summary)}</summary>`, '', ...renderDiff(drift.diff), '</details>', ''];
}

function renderFirstVersion(diff: WorkflowDiff): string[] {
  const lines = ['#### Nodes', ''];
  for (const n of diff.nodes.added) lines.push(`- ${code(n.type)} **${escapeInline(n.title)}** (${code(n.id)})`);
  return [...lines, ''];
}

export function renderDiff(diff: WorkflowDiff): string[] {
  const lines: string[] = [];
  const { added, removed, changed } = diff.nodes;
  if (added.length || removed.length || changed.length) {
    lines.push('#### Nodes', '');
    for (const n of added) lines.push(`- ➕ added ${code(n.type)} **${escapeInline(n.title)}** (${code(n.id)})`);
    for (const n of removed) lines.push(`- ➖ removed ${code(n.type)} **${escapeInline(n.title)}** (${code(n.id)})`);
    for (const n of changed)
      lines.push(
        `- ✏️ changed ${code(n.type)} **${escapeInline(n.title)}** (${code(n.id)}): ${n.fields.map((f) => code(f.field)).join(', ')}`,
      );
    lines.push('');
    for (const n of changed) {
      lines.push(`**${escapeInline(n.title)}** (${code(n.id)})`, '');
      for (const field of n.fields) lines.push(...renderField(field));
    }
  }
  const { edges } = diff;
  if (edges.added.length || edges.removed.length || edges.changed.length) {
    lines.push('#### Edges', '');
    const edge = (icon: string, e: (typeof edges.added)[number]) =>
      `- ${icon} ${escapeInline(e.from)} → ${escapeInline(e.to)} (${code(e.key)})`;
    lines.push(
      ...edges.added.map((e) => edge('➕', e)),
      ...edges.removed.map((e) => edge('➖', e)),
      ...edges.changed.map((e) => edge('✏️', e)),
      '',
    );
  }
  if (diff.variables.length) {
    lines.push('#### Variables', '');
    const blocks: string[] = [];
    for (const v of diff.variables) {
      const icon = v.change === 'added' ? '➕' : v.change === 'removed' ? '➖' : '✏️';
      const label = `- ${icon} ${v.change} ${v.scope} variable ${code(v.name)}`;
      const values = listValues(
        v.changes.filter((c) => !(v.secret && c.path === 'value')),
        `${v.scope} variable ${code(v.name)}: `,
      );
      lines.push(v.secret ? `${label} (secret: values are never shown or compared)` : label);
      lines.push(...values.items.map((l) => `  ${l}`));
      blocks.push(...values.blocks);
    }
    lines.push('', ...blocks);
  }
  if (diff.features.length) lines.push('#### Features', '', ...renderValues(diff.features), '');
  if (diff.graph.length) lines.push('#### Graph settings', '', ...renderValues(diff.graph), '');
  for (const [key, changes] of otherChanges(diff)) lines.push(`#### ${sentence(words(key))}`, '', ...renderOther(changes), '');
  return lines;
}

const KNOWN_PARTS = new Set(['nodes', 'edges', 'variables', 'features', 'graph']);

/**
 * Kinds of change the diff may grow (the app block, dependencies…) that have no section of their
 * own here yet: non-empty lists under any other key, shown generically rather than dropped.
 */
function otherChanges(diff: WorkflowDiff): Array<[string, unknown[]]> {
  return Object.entries(diff as unknown as Record<string, unknown>)
    .filter((entry): entry is [string, unknown[]] => !KNOWN_PARTS.has(entry[0]) && Array.isArray(entry[1]) && entry[1].length > 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Value changes as the other sections show them; any other entry as its JSON. */
function renderOther(changes: unknown[]): string[] {
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
function words(key: string): string {
  return key
    .replace(/[_-]+/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
}

function sentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function renderField(field: FieldChange): string[] {
  if (field.kind === 'text') return renderTextChange(field.field, field.before, field.after);
  return [...renderValues(field.changes.map((c) => ({ ...c, path: c.path ? `${field.field}.${c.path}` : field.field }))), ''];
}

/** A list of short changes, then a word diff for each long one. */
function renderValues(changes: ValueChange[]): string[] {
  const { items, blocks } = listValues(changes, '');
  return blocks.length ? [...items, '', ...blocks] : items;
}

function listValues(changes: ValueChange[], label: string): { items: string[]; blocks: string[] } {
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

function trimEnd(lines: string[]): string[] {
  let end = lines.length;
  while (end > 0 && lines[end - 1] === '') end--;
  return lines.slice(0, end);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
