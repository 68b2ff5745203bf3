// The plan for one environment as one Markdown document: the sticky PR comment, the job summary
// and the `plan` output are all this text. Its JSON twin is the `changes` output.
import { cliCommand } from '../version.js';
import type { ReportSink } from './sink.js';
import type { DefinitionPlan } from '../plan/build.js';
import type { WorkflowDiff } from '../plan/diff.js';
import { code, renderDefinitionPlan, summarizeDiff } from './plan-render.js';
import { Outputs } from '../inputs.js';
import { escapeCell } from './markdown.js';

export interface PlanReport {
  environment: string;
  mode: 'live' | 'offline';
  /** Why the plan is offline (fork pull request, no credentials); shown at the top. */
  offlineReason?: string;
  /** The ref offline plans compare against. */
  baseRef?: string;
  /** How the definitions were chosen, e.g. "definitions changed between abc1234 and def5678". */
  basis: string;
  plans: DefinitionPlan[];
  /** The commit planned (a pull request's head), and the run that planned it: reviewers see both. */
  sha?: string;
  runUrl?: string;
}

/** GitHub refuses comments over 65,536 characters; leave room for the marker. */
const MAX_COMMENT_CHARS = 60_000;

/** The hidden marker of the one plan comment per environment on a pull request. */
export function planMarker(environment: string): string {
  return `dify-gitops:plan:${environment.replace(/-{2,}|>/g, '_')}`;
}

export function renderPlanReport(report: PlanReport, options: { maxChars?: number } = {}): string {
  const head = [`## dify-gitops plan: ${report.environment}`, ''];
  if (report.mode === 'offline') {
    head.push(
      '> [!NOTE]',
      `> **Offline plan.** ${report.offlineReason ?? 'No Dify credentials were given.'} The definitions were validated offline and compared with ${report.baseRef ? `the base ${code(report.baseRef)}` : 'their latest releases'}, not with the live apps.`,
      '',
    );
  }
  head.push(`Planned: ${report.basis}.`, '');
  const context = [report.sha && `commit ${code(report.sha.slice(0, 7))}`, report.runUrl && `[workflow run](${report.runUrl})`].filter(
    Boolean,
  );
  if (context.length) head.push(`Planned for ${context.join(' · ')}.`, '');
  if (report.plans.length === 0) return `${[...head, 'No definition changed: nothing to deploy.'].join('\n')}\n`;
  head.push('| Workflow | Version | Plan |', '| --- | --- | --- |');
  for (const p of report.plans)
    head.push(
      `| ${escapeCell(code(p.name))} | ${escapeCell(`${p.versionFrom ?? '–'} → ${p.versionTo}`)} | ${escapeCell(describeRow(p))} |`,
    );
  head.push('');
  const max = options.maxChars ?? MAX_COMMENT_CHARS;
  const out = [...head];
  let length = out.join('\n').length;
  for (const [i, p] of report.plans.entries()) {
    const section = renderDefinitionPlan(p).join('\n');
    if (length + section.length > max) {
      out.push(
        `_Details of ${report.plans.length - i} more definition(s) are too long for one comment: see the job summary, or run \`${cliCommand('plan')}\` locally._`,
        '',
      );
      break;
    }
    out.push(section);
    length += section.length + 1;
  }
  return `${out.join('\n').replace(/\n+$/, '')}\n`;
}

function describeRow(p: DefinitionPlan): string {
  const drift =
    (p.drift && !p.drift.adoptedByThisChange ? ' · ⚠️ live drifted' : '') +
    (p.draft && !p.draft.adoptedByThisChange ? ' · ⚠️ unpublished draft edits' : '');
  switch (p.status) {
    case 'create':
      return (p.mode === 'live' ? '🆕 first version' : '🆕 new definition') + drift;
    case 'update':
      return `✏️ ${p.diff ? summarizeDiff(p.diff) : 'changed'}${drift}`;
    case 'republish':
      return `🔁 same content, published again${drift}`;
    case 'release':
      return `🏷️ same content, released as ${p.versionTo}${drift}`;
    case 'noop':
      return '✅ no-op';
    case 'unchanged':
      return '✅ no workflow change';
    case 'invalid':
      return '❌ invalid';
    case 'error':
      return '❌ not planned';
  }
}

/** The `changes` output: one entry per definition, snake_case like the other outputs. */
export function toChangesJson(plans: DefinitionPlan[]): unknown[] {
  return plans.map((p) => ({
    name: p.name,
    file: p.file,
    environment: p.environment,
    mode: p.mode,
    status: p.status,
    app_id: p.appId ?? null,
    version_from: p.versionFrom,
    version_to: p.versionTo,
    noop: p.noop,
    nodes: {
      added: p.diff?.nodes.added ?? [],
      removed: p.diff?.nodes.removed ?? [],
      changed: (p.diff?.nodes.changed ?? []).map(({ fields, ...ref }) => ({ ...ref, fields: fields.map((f) => f.field) })),
    },
    edges: {
      added: p.diff?.edges.added.length ?? 0,
      removed: p.diff?.edges.removed.length ?? 0,
      changed: p.diff?.edges.changed.length ?? 0,
    },
    variables: (p.diff?.variables ?? []).map((v) => ({ scope: v.scope, name: v.name, change: v.change })),
    features_changed: (p.diff?.features.length ?? 0) > 0,
    app_changed: (p.diff?.app.length ?? 0) > 0,
    dependencies: { added: p.diff?.dependencies.added ?? [], removed: p.diff?.dependencies.removed ?? [] },
    drift: p.drift ? { tag: p.drift.tag, adopted: p.drift.adoptedByThisChange, nodes_changed: countNodes(p.drift.diff) } : null,
    draft: p.draft
      ? {
          against: p.draft.against,
          against_name: p.draft.againstName,
          adopted: p.draft.adoptedByThisChange,
          nodes_changed: countNodes(p.draft.diff),
        }
      : null,
    notes: p.notes,
    error: p.error ?? null,
  }));
}

function countNodes(diff: WorkflowDiff): number {
  return diff.nodes.added.length + diff.nodes.removed.length + diff.nodes.changed.length;
}

export function reportPlanOutputs(sink: ReportSink, markdown: string, plans: DefinitionPlan[]): void {
  sink.output(Outputs.plan, markdown);
  sink.output(Outputs.changes, JSON.stringify(toChangesJson(plans)));
  sink.output(Outputs.hasChanges, String(planHasChanges(plans)));
}

/** A deploy would write something: a new app version, an update, a republish, or a release's marks and tag. */
export function planHasChanges(plans: Pick<DefinitionPlan, 'status'>[]): boolean {
  return plans.some((p) => p.status === 'create' || p.status === 'update' || p.status === 'republish' || p.status === 'release');
}
