// A definition's plan as Markdown, for a PR comment and the job summary. Pure and deterministic:
// the same plan always renders to the same bytes (no clock, no locale, everything sorted).
import { cliCommand } from '../version.js';
import type { DefinitionPlan } from '../plan/build.js';
import type { FieldChange, ValueChange, WorkflowDiff } from '../plan/diff.js';
import { isEmptyDiff } from '../plan/diff.js';
import { renderUnifiedDiff } from '../plan/text-diff.js';
import { findCredential } from '../definition/secrets.js';

const STATUS_ICON: Record<DefinitionPlan['status'], string> = {
  create: '🆕',
  update: '✏️',
  republish: '🔁',
  release: '🏷️',
  noop: '✅',
  unchanged: '✅',
  invalid: '❌',
  error: '❌',
};
/** Diff lines shown per text field, and value changes per field, before a "not shown" note. */
const MAX_DIFF_LINES = 60;
const MAX_VALUE_CHANGES = 20;
const MAX_VALUE_CHARS = 100;

export function renderDefinitionPlan(plan: DefinitionPlan): string[] {
  const where = [code(plan.file), plan.appId ? `app ${code(plan.appId)}` : '', plan.environment].filter(Boolean).join(' · ');
  if (plan.status === 'invalid' || plan.status === 'error') return renderFailure(plan, where);
  const from = plan.versionFrom ?? (plan.mode === 'live' ? (plan.status === 'create' ? 'nothing published' : 'unnamed version') : 'new');
  const lines = [`### ${STATUS_ICON[plan.status]} ${code(plan.name)}: ${from} → ${plan.versionTo}`, ''];
  lines.push(where, '', `**${plan.mode === 'live' ? 'Deploy' : 'Change'}:** ${describeStatus(plan)}`, '');
  for (const note of plan.notes) lines.push(`- ⚠️ ${note}`);
  if (plan.notes.length) lines.push('');
  if (plan.drift) lines.push(...renderDrift(plan));
  if (plan.draft) lines.push(...renderDraft(plan));
  if (plan.diff && (plan.status === 'create' ? plan.diff.nodes.added.length : !isEmptyDiff(plan.diff))) {
    lines.push(...(plan.status === 'create' ? renderFirstVersion(plan.diff) : renderDiff(plan.diff)));
  }
  return lines;
}

/** No versions and no "Deploy:" for a definition that was not planned: only what went wrong. */
function renderFailure(plan: DefinitionPlan, where: string): string[] {
  const invalid = plan.status === 'invalid';
  const error = (plan.error ?? 'could not be planned.').replace(/^invalid: /, '');
  return [
    `### ❌ ${code(plan.name)} ${plan.versionTo}: ${invalid ? 'invalid' : 'not planned'}`,
    '',
    where,
    '',
    `**${invalid ? 'Invalid' : 'Error'}:** ${error}`,
    '',
  ];
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
    case 'release':
      return `no content change, and the live version is verified with it: the deploy imports nothing, runs the smoke checks against the live app, re-marks it as ${plan.versionTo} and tags it.`;
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
    diff.app.length ? 'app settings changed' : '',
    describeCounts(['plugin dependency', 'plugin dependencies'], {
      added: diff.dependencies.added.length,
      removed: diff.dependencies.removed.length,
      changed: 0,
    }),
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : 'no workflow change';
}

/** "2 edges added", or "3 nodes (1 added, 2 changed)" when there are several kinds. */
function describeCounts(word: string | [string, string], counts: Record<'added' | 'removed' | 'changed', number>): string {
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
  return [
    head,
    '',
    `<details><summary>Live edits since ${escapeHtml(drift.tag)} (${summarizeDiff(drift.diff)})</summary>`,
    '',
    ...renderDiff(drift.diff),
    '</details>',
    '',
  ];
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
    for (const v of diff.variables) {
      const icon = v.change === 'added' ? '➕' : v.change === 'removed' ? '➖' : '✏️';
      const label = `- ${icon} ${v.change} ${v.scope} variable ${code(v.name)}`;
      const changes = v.changes.filter((c) => !(v.secret && c.path === 'value'));
      lines.push(v.secret ? `${label} (secret: values are never shown or compared)` : label);
      lines.push(...renderValueList(changes).map((l) => `  ${l}`));
    }
    lines.push('');
  }
  if (diff.features.length) lines.push('#### Features', '', ...renderValueList(diff.features), '');
  if (diff.graph.length) lines.push('#### Graph settings', '', ...renderValueList(diff.graph), '');
  if (diff.app.length) lines.push('#### App', '', ...renderValueList(diff.app), '');
  const { dependencies } = diff;
  if (dependencies.added.length || dependencies.removed.length) {
    lines.push(
      '#### Plugin dependencies',
      '',
      ...dependencies.added.map((d) => `- ➕ ${code(d)}`),
      ...dependencies.removed.map((d) => `- ➖ ${code(d)}`),
      '',
    );
  }
  return lines;
}

function renderField(field: FieldChange): string[] {
  if (field.kind === 'values') {
    return [...renderValueList(field.changes.map((c) => ({ ...c, path: c.path ? `${field.field}.${c.path}` : field.field }))), ''];
  }
  const diff = renderUnifiedDiff(field.before, field.after, { maxLines: MAX_DIFF_LINES });
  const shown = diff.lines.map((line) => (line.startsWith('@@') ? line : line[0] + hideCredential(line.slice(1))));
  const fence = fenceFor(shown.join('\n'));
  const lines = [`${code(field.field)} (+${diff.added} −${diff.removed} lines):`, '', `${fence}diff`, ...shown, fence];
  if (diff.omitted) lines.push(`_${diff.omitted} more diff line(s) not shown._`);
  return [...lines, ''];
}

function renderValueList(changes: ValueChange[]): string[] {
  const shown = changes
    .slice(0, MAX_VALUE_CHANGES)
    .map((c) => `- ${code(c.path || '(value)')}: ${formatValue(c.before)} → ${formatValue(c.after)}`);
  if (changes.length > shown.length) shown.push(`- _${changes.length - shown.length} more change(s) not shown._`);
  return shown;
}

function formatValue(value: unknown): string {
  if (value === undefined) return '_(unset)_';
  let text = hideCredential(JSON.stringify(value) ?? 'null');
  if (text.length > MAX_VALUE_CHARS) text = `${text.slice(0, MAX_VALUE_CHARS - 1)}…`;
  return code(text);
}

/**
 * The repo side was checked for pasted credentials, but the live side (edited in Dify's UI) was not,
 * and plans end up in PR comments and issues: a line that looks like a key is replaced, never shown.
 */
function hideCredential(text: string): string {
  const found = findCredential(text);
  return found ? `‹hidden: looks like a ${found.kind} (${found.masked})›` : text;
}

/** Inline code that survives backticks inside the text. */
export function code(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const ticks = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${text}${pad}${ticks}`;
}

/** A code fence longer than any backtick run in the block, so a prompt cannot close it early. */
function fenceFor(body: string): string {
  const longest = Math.max(0, ...(body.match(/`{3,}/g) ?? []).map((run) => run.length));
  return '`'.repeat(Math.max(3, longest + 1));
}

function escapeInline(text: string): string {
  return text.replace(/[\\*_`<>[\]|]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** `word` is the singular, or [singular, plural] for a word that does not take -s. */
function plural(n: number, word: string | [string, string]): string {
  const [one, many] = typeof word === 'string' ? [word, `${word}s`] : word;
  return `${n} ${n === 1 ? one : many}`;
}
