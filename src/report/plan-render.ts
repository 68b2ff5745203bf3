// A definition's plan as Markdown, for a PR comment and the job summary: one folded <details>
// section per definition, open when the deploy would change something. Pure and deterministic:
// the same plan always renders to the same bytes (no clock, no locale, everything sorted).
import { cliCommand } from '../version.js';
import type { DefinitionPlan } from '../plan/build.js';
import type { FieldChange, WorkflowDiff } from '../plan/diff.js';
import { isEmptyDiff } from '../plan/diff.js';
import { code, escapeHtml, escapeInline } from './markdown.js';
import { renderTextChange } from './text-render.js';
import { listValues, otherChanges, renderOther, renderValues, sentence, words } from './plan-values.js';
import { renderGraph } from './plan-graph.js';

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
    case 'release':
      return `same content, released as ${p.versionTo}${drift}`;
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
    ...otherChanges(diff).map(([key]) => `${words(key)} changed`),
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
  if (diff.app.length) lines.push('#### App', '', ...renderValues(diff.app), '');
  const plugins = diff.dependencies;
  if (plugins.added.length || plugins.removed.length) {
    const entries = [...plugins.added.map((d) => `- ➕ ${code(d)}`), ...plugins.removed.map((d) => `- ➖ ${code(d)}`)];
    lines.push('#### Plugin dependencies', '', ...entries, '');
  }
  for (const [key, changes] of otherChanges(diff)) lines.push(`#### ${sentence(words(key))}`, '', ...renderOther(changes), '');
  return lines;
}

function renderField(field: FieldChange): string[] {
  if (field.kind === 'text') return renderTextChange(field.field, field.before, field.after);
  return [...renderValues(field.changes.map((c) => ({ ...c, path: c.path ? `${field.field}.${c.path}` : field.field }))), ''];
}

function trimEnd(lines: string[]): string[] {
  let end = lines.length;
  while (end > 0 && lines[end - 1] === '') end--;
  return lines.slice(0, end);
}

/** `word` is the singular, or [singular, plural] for a word that does not take -s. */
function plural(n: number, word: string | [string, string]): string {
  const [one, many] = typeof word === 'string' ? [word, `${word}s`] : word;
  return `${n} ${n === 1 ? one : many}`;
}
