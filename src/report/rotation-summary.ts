// rotate-keys' job summary and step outputs. Key ids only: they name keys, they do not open them.
import { Outputs } from '../inputs.js';
import { escapeCell } from './markdown.js';
import type { ReportSink } from './sink.js';
import { formatDuration } from '../rotation/duration.js';
import type { SecretRedeploy } from '../rotation/redeploy-secrets.js';
import type { KeyRotation } from '../rotation/rotate-key.js';

const REDEPLOY_ICON: Record<SecretRedeploy['result'], string> = {
  redeployed: '✅ redeployed',
  skipped: '⏭️ no secrets',
  failed: '❌ failed',
  'rolled-back': '↩️ rolled back',
  'restore-failed': '🚨 NOT restored',
};

export interface RotationReport {
  environment: string;
  graceMs: number;
  ledgerWhere: string;
  rotations: KeyRotation[];
  redeploys: SecretRedeploy[];
  /** Why nothing was revoked, when the run did not fully succeed. */
  revocationSkipped?: string;
}

/** The `rotated` output: what changed, per workflow and environment. */
export function rotatedList(rotations: readonly KeyRotation[]) {
  return rotations
    .filter((r) => r.result === 'rotated')
    .map((r) => ({
      name: r.name,
      environment: r.environment,
      new_key_id: r.newKeyId!,
      revoked_key_ids: [...r.prunedKeyIds, ...r.revokedKeyIds],
    }));
}

/** `token` is set only when exactly one key was rotated; the runner masks it (registered earlier). */
export function reportRotationOutputs(sink: ReportSink, rotations: readonly KeyRotation[], token: string | undefined): void {
  sink.output(Outputs.rotated, JSON.stringify(rotatedList(rotations)));
  if (token) sink.output(Outputs.apiKey, token, { secret: true });
}

export function renderRotationSummary(report: RotationReport): string {
  const lines = [`## dify-gitops: rotate API keys (${escapeCell(report.environment)})`, ''];
  lines.push(`Grace for replaced keys: ${formatDuration(report.graceMs)}. Ledger: ${escapeCell(report.ledgerWhere)}.`, '');
  if (report.rotations.length) {
    lines.push(
      '| Workflow | Environment | Result | New key id | Handed to | Replaced key (revocable from) | Revoked |',
      '| --- | --- | --- | --- | --- | --- | --- |',
    );
    for (const r of report.rotations) {
      const replaced = r.replacedKeyId
        ? `\`${r.replacedKeyId}\`${r.retireAfter && r.result === 'rotated' ? ` (${r.retireAfter})` : ''}`
        : '–';
      const revoked = [...r.prunedKeyIds, ...r.revokedKeyIds].map((id) => `\`${id}\``).join(', ') || '–';
      const result = r.result === 'rotated' ? '✅ rotated' : '❌ failed';
      lines.push(
        `| ${escapeCell(r.name)} | ${escapeCell(r.environment)} | ${result} | ${r.newKeyId && r.result === 'rotated' ? `\`${r.newKeyId}\`` : '–'} | ${escapeCell(r.handedTo.join(', ') || '–')} | ${replaced} | ${revoked} |`,
      );
    }
  }
  if (report.redeploys.length) {
    lines.push('', '### Secret redeploys', '', '| Workflow | Result | Checks |', '| --- | --- | --- |');
    for (const d of report.redeploys) {
      const checks = d.checks ? `${d.checks.passed}/${d.checks.total}` : '–';
      lines.push(`| ${escapeCell(d.name)} | ${REDEPLOY_ICON[d.result]} | ${checks} |`);
    }
  }
  if (report.revocationSkipped) lines.push('', `**${escapeCell(report.revocationSkipped)}**`);
  const details = [...report.rotations, ...report.redeploys].filter((o) => o.error || o.notes.length);
  if (details.length) lines.push('', '### Details', '');
  for (const o of details) {
    lines.push(`**${escapeCell(o.name)}**`);
    if (o.error) lines.push(`- Error: ${escapeCell(o.error)}`);
    for (const n of o.notes) lines.push(`- ${escapeCell(n)}`);
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}
