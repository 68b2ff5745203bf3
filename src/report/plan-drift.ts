// Drift as Markdown (job summary, one issue per drifted workflow) and as the `drifted` output.
import { cliCommand } from '../version.js';
import type { ReportSink } from './sink.js';
import type { DriftResult } from '../plan/drift.js';
import { renderDiff, summarizeDiff } from './plan-render.js';
import { Outputs } from '../inputs.js';
import { code, escapeCell } from './markdown.js';

const STATUS: Record<DriftResult['status'], string> = {
  'in-sync': '✅ in sync',
  drifted: '⚠️ drifted',
  unreleased: '➖ never released',
  error: '❌ not checked',
};

export function renderDriftSummary(environment: string, results: DriftResult[]): string {
  const lines = [`## dify-gitops drift: ${environment}`, ''];
  const drifted = results.filter((r) => r.status === 'drifted');
  const failed = results.filter((r) => r.status === 'error');
  const counts = [
    drifted.length ? `${drifted.length} of ${results.length} workflow(s) differ from their last release.` : '',
    failed.length ? `${failed.length} of ${results.length} workflow(s) could not be checked.` : '',
  ].filter(Boolean);
  lines.push(counts.length ? counts.join(' ') : `All ${results.length} workflow(s) match their last release.`, '');
  if (results.length) {
    lines.push('| Workflow | Release | Published | Draft | Status |', '| --- | --- | --- | --- | --- |');
    for (const r of results) {
      const cells = [code(r.name), r.tag ? code(r.tag) : '–', side(r, 'published'), side(r, 'draft'), STATUS[r.status]];
      lines.push(`| ${cells.map(escapeCell).join(' | ')} |`);
    }
    lines.push('');
  }
  for (const r of results) {
    if (r.status === 'drifted') lines.push(...renderDriftDetails(r));
    if (r.status === 'error') lines.push(`### ❌ ${code(r.name)}`, '', r.error ?? 'not checked', '');
  }
  return `${lines.join('\n').replace(/\n+$/, '')}\n`;
}

function side(r: DriftResult, which: 'published' | 'draft'): string {
  if (r.status === 'error' || r.status === 'unreleased') return '–';
  const s = r[which];
  if (!s) return which === 'published' ? '⚠️ nothing published' : 'no draft';
  return s.drifted ? '⚠️ differs' : '✅ matches';
}

/** One workflow's drift: what changed in the published version and in the draft since the release. */
export function renderDriftDetails(r: DriftResult): string[] {
  const lines = [
    `### ⚠️ ${code(r.name)}`,
    '',
    [code(r.file), r.appId ? `app ${code(r.appId)}` : '', r.environment].filter(Boolean).join(' · '),
    '',
  ];
  const tag = code(r.tag ?? '?');
  if (!r.published) lines.push(`**Published:** the app has no published version, but ${tag} was released.`, '');
  else if (r.published.drifted) {
    const name = r.published.versionName ? ` (${code(r.published.versionName)})` : '';
    lines.push(`**Published version${name}** differs from ${tag}: ${summarizeDiff(r.published.diff!)}.`, '');
    if (r.published.matchesRelease)
      lines.push(`It is release ${code(r.published.matchesRelease)}, not the latest one: was it rolled back?`, '');
    lines.push(...renderDiff(r.published.diff!));
  } else lines.push(`**Published version** matches ${tag}.`, '');
  if (r.draft?.drifted) {
    if (r.draft.sameAsPublished && r.published?.drifted) lines.push('**Draft:** holds the same edits as the published version.', '');
    else
      lines.push(`**Draft** (unpublished edits) differs from ${tag}: ${summarizeDiff(r.draft.diff!)}.`, '', ...renderDiff(r.draft.diff!));
  }
  return lines;
}

export function driftMarker(name: string, environment: string): string {
  return `dify-gitops:drift:${name}:${environment}`.replace(/-{2,}|>/g, '_');
}

export function driftIssueTitle(r: DriftResult): string {
  return `Drift: ${r.name} (${r.environment}) differs from ${r.tag}`;
}

/** No run link or time in the body: an unchanged drift leaves the issue untouched on the next run. */
export function renderDriftIssue(r: DriftResult): string {
  const lines = [
    `The live app of **${r.name}** in **${r.environment}** no longer matches its last release ${code(r.tag ?? '?')}: it was changed outside git (in Dify's UI?). The next deploy of ${code(r.name)} overwrites these edits.`,
    '',
    `- To keep them: run \`${cliCommand(`pull ${r.name}`)}\`` +
      ' (or the action with `command: pull`), review the diff, bump `version` and merge.',
    '- To discard them: run the action with `command: rollback`, `workflow: ' + r.name + '`, `to: latest`.',
    '',
    ...renderDriftDetails(r).slice(1),
  ];
  return `${lines.join('\n').replace(/\n+$/, '')}\n`;
}

export function toDriftedJson(results: DriftResult[]): unknown[] {
  return results
    .filter((r) => r.status === 'drifted')
    .map((r) => ({
      name: r.name,
      file: r.file,
      environment: r.environment,
      app_id: r.appId ?? null,
      tag: r.tag,
      published: r.published ? r.published.drifted : true,
      draft: r.draft?.drifted ?? false,
    }));
}

export function reportDriftOutputs(sink: ReportSink, results: DriftResult[]): void {
  sink.output(Outputs.drifted, JSON.stringify(toDriftedJson(results)));
}
