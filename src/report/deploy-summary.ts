// The deploy's job summary table and step outputs.
import type { ReportSink } from './sink.js';
import type { DefinitionOutcome, Result } from '../outcomes.js';
import { Outputs } from '../inputs.js';
import { escapeCell } from './markdown.js';
import { renderEvalComparison } from './eval-summary.js';

const ICON: Record<Result, string> = {
  deployed: '✅ deployed',
  skipped: '⏭️ unchanged',
  'would-deploy': '📝 would deploy',
  'rolled-back': '↩️ rolled back',
  failed: '❌ failed',
  'restore-failed': '🚨 NOT restored',
};

export function renderDeploySummary(run: { environment: string; dryRun?: boolean }, outcomes: DefinitionOutcome[], note?: string): string {
  const lines = [`## dify-gitops: deploy to ${run.environment}${run.dryRun ? ' (dry run)' : ''}`, ''];
  if (note) lines.push(note, '');
  if (outcomes.length) {
    lines.push('| Workflow | Version | Environment | Result | Checks | Duration | Tag |', '| --- | --- | --- | --- | --- | --- | --- |');
    for (const o of outcomes) {
      const checks = o.checks
        ? `${o.checks.passed}/${o.checks.total}${o.checks.retries ? ` (${o.checks.retries} retr${o.checks.retries === 1 ? 'y' : 'ies'})` : ''}`
        : '–';
      lines.push(
        `| ${escapeCell(o.name)} | ${escapeCell(o.version)} | ${escapeCell(o.environment)} | ${ICON[o.result]} | ${checks} | ${(o.durationMs / 1000).toFixed(1)} s | ${o.tag ? `\`${escapeCell(o.tag)}\`` : '–'} |`,
      );
    }
  }
  const details = outcomes.filter((o) => o.error || o.restoredTo || o.notes.length);
  if (details.length) lines.push('', '### Details', '');
  for (const o of details) {
    lines.push(`**${escapeCell(o.name)}**`);
    if (o.error) lines.push(`- Error: ${escapeCell(o.error)}`);
    if (o.restoredTo)
      lines.push(
        `- Restored to \`${escapeCell(o.restoredTo)}\`${o.verifiedHash ? `; live content sha256 \`${o.verifiedHash.slice(0, 16)}\` verified equal to it` : ''}`,
      );
    if (o.backupFile) lines.push(`- Backup of the pre-deploy draft: \`${escapeCell(o.backupFile)}\``);
    if (o.manualCommand) lines.push(`- Finish the restore by hand: \`${escapeCell(o.manualCommand)}\``);
    for (const n of o.notes) lines.push(`- ${escapeCell(n)}`);
    lines.push('');
  }
  const evaluated = outcomes.filter((o) => o.evaluation);
  if (evaluated.length) lines.push('### Evals: candidate against live', '');
  for (const o of evaluated)
    lines.push(...renderEvalComparison({ name: o.name, file: o.file, environment: o.environment, comparison: o.evaluation }));
  return `${lines.join('\n')}\n`;
}

export function reportDeployOutputs(sink: ReportSink, outcomes: DefinitionOutcome[]): void {
  const pick = (...results: Result[]) => outcomes.filter((o) => results.includes(o.result));
  sink.output(Outputs.deployed, JSON.stringify(pick('deployed').map((o) => ({ name: o.name, version: o.version, tag: o.tag }))));
  sink.output(
    Outputs.skipped,
    JSON.stringify(
      pick('skipped', 'would-deploy').map((o) => ({
        name: o.name,
        version: o.version,
        reason: o.result === 'skipped' ? 'already live' : 'dry run',
      })),
    ),
  );
  sink.output(
    Outputs.failed,
    JSON.stringify(
      pick('failed', 'rolled-back', 'restore-failed').map((o) => ({ name: o.name, version: o.version, result: o.result, error: o.error })),
    ),
  );
  sink.output(Outputs.tags, JSON.stringify(outcomes.flatMap((o) => (o.tag ? [o.tag] : []))));
}
