// The plan for one environment as one Markdown document: the sticky PR comment, the job summary
// and the `plan` output are all this text. Its JSON twin is the `changes` output.
import { cliCommand } from '../version.js';
import type { ReportSink } from './sink.js';
import type { DefinitionPlan } from '../plan/build.js';
import type { WorkflowDiff } from '../plan/diff.js';
import { describePlan, planWantsAttention, renderDefinitionPlan } from './plan-render.js';
import { Outputs } from '../inputs.js';
import { code, escapeCell } from './markdown.js';

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
  /** List only the definitions a deploy would change (and those that failed to plan). */
  changesOnly?: boolean;
}

export interface RenderLimit {
  /** The most the document may hold. */
  max: number;
  /** GitHub counts a comment in characters and a job summary in bytes. */
  unit: 'chars' | 'bytes';
  /**
   * Over the limit, a comment keeps only the table and points at the job summary (which has room
   * for every diff); the job summary itself keeps as many sections as fit.
   */
  overflow: 'table' | 'sections';
}

/** GitHub refuses comments over 65,536 characters; leave room for the marker. */
export const COMMENT_LIMIT: RenderLimit = { max: 60_000, unit: 'chars', overflow: 'table' };
/** A step's job summary holds at most 1 MiB; leave room for the validation summary beside it. */
export const SUMMARY_LIMIT: RenderLimit = { max: 900_000, unit: 'bytes', overflow: 'sections' };

/** The hidden marker of the one plan comment per environment on a pull request. */
export function planMarker(environment: string): string {
  return `dify-gitops:plan:${environment.replace(/-{2,}|>/g, '_')}`;
}

export function renderPlanReport(report: PlanReport, limit: RenderLimit = COMMENT_LIMIT): string {
  const size = (text: string) => (limit.unit === 'bytes' ? Buffer.byteLength(text) : text.length);
  const head = renderHead(report);
  const shown = report.changesOnly ? report.plans.filter(planWantsAttention) : report.plans;
  const hidden = report.plans.length - shown.length;
  const hiddenNote = hidden ? [`_${plural(hidden, 'definition')} without changes not listed (changes-only)._`, ''] : [];
  if (report.plans.length === 0) return finish([...head, 'No definition changed: nothing to deploy.']);
  if (shown.length === 0) return finish([...head, 'No definition changes anything: nothing to deploy.', '', ...hiddenNote]);
  const rows = shown.map(tableRow);
  const sections = shown.map((p) => renderDefinitionPlan(p).join('\n'));
  const full = finish([...head, ...TABLE_HEAD, ...rows, '', ...hiddenNote, ...sections]);
  if (size(full) <= limit.max) return full;
  if (limit.overflow === 'sections')
    return finish(fitSections([...head, ...TABLE_HEAD, ...rows, '', ...hiddenNote], sections, limit.max, size));
  // The comment: the table alone, and where to read the rest.
  const where = report.runUrl ? `the [job summary](${report.runUrl})` : "this run's job summary";
  const note = [
    '> [!NOTE]',
    `> **This plan is too long for a pull request comment** (${thousands(size(full))} characters; GitHub allows 65,536), so only its table is shown here. Every diff is in ${where}, or run \`${cliCommand('plan')}\` locally.`,
    '',
  ];
  return finish([...fitRows([...head, ...note, ...TABLE_HEAD], rows, limit.max - size(hiddenNote.join('\n')), size), '', ...hiddenNote]);
}

/** As many sections as fit after `top`, then how many did not. */
function fitSections(top: string[], sections: string[], max: number, size: (text: string) => number): string[] {
  const out = [...top];
  let length = size(out.join('\n'));
  for (const [i, section] of sections.entries()) {
    if (length + size(section) + 400 > max) {
      const rest = plural(sections.length - i, 'more definition');
      out.push(`_Details of ${rest} do not fit in one job summary: run \`${cliCommand('plan')}\` locally to see them._`);
      break;
    }
    out.push(section);
    length += size(section) + 1;
  }
  return out;
}

/** Even the table can be too long (hundreds of definitions with long names): count the rows left out. */
function fitRows(top: string[], rows: string[], max: number, size: (text: string) => number): string[] {
  const out = [...top];
  let length = size(out.join('\n'));
  for (const [i, row] of rows.entries()) {
    if (length + size(row) + 200 > max) {
      out.push(`| … | | ${plural(rows.length - i, 'more definition')}: see the job summary |`);
      break;
    }
    out.push(row);
    length += size(row) + 1;
  }
  return out;
}

const TABLE_HEAD = ['| Workflow | Version | Plan |', '| --- | --- | --- |'];

function renderHead(report: PlanReport): string[] {
  const head = [`## dify-gitops plan: ${report.environment}`, ''];
  if (report.mode === 'offline') {
    head.push(
      '> [!NOTE]',
      `> **Offline plan.** ${report.offlineReason ?? 'No Dify credentials were given.'} The definitions were validated offline and compared with ${report.baseRef ? `the base ${code(report.baseRef)}` : 'their latest releases'}, not with the live apps.`,
      '',
    );
  }
  head.push(`Planned: ${report.basis}.`, '');
  const context = [
    report.sha && `commit ${commitLink(report.sha, report.runUrl)}`,
    report.runUrl && `[workflow run](${report.runUrl})`,
  ].filter(Boolean);
  if (context.length) head.push(`Planned for ${context.join(' · ')}.`, '');
  return head;
}

/** The short SHA, linked to the commit when the run's URL says where the repository lives. */
function commitLink(sha: string, runUrl: string | undefined): string {
  const repository = runUrl?.match(/^(https?:\/\/[^ ]+?)\/actions\/runs\/\d+/)?.[1];
  return repository ? `[${code(sha.slice(0, 7))}](${repository}/commit/${sha})` : code(sha.slice(0, 7));
}

function tableRow(p: DefinitionPlan): string {
  return `| ${escapeCell(code(p.name))} | ${escapeCell(`${p.versionFrom ?? '–'} → ${p.versionTo}`)} | ${escapeCell(describePlan(p))} |`;
}

function finish(lines: string[]): string {
  return `${lines.join('\n').replace(/\n+$/, '')}\n`;
}

/** 65536 → "65,536", the same on every runner (no locale). */
function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
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
