// doctor's job summary: one table, failures first.
import { escapeCell } from './markdown.js';

export interface DoctorCheck {
  /** server, credentials, account, or a definition's name. */
  subject: string;
  check: string;
  status: 'ok' | 'warn' | 'fail';
  detail: string;
  /** Where a definition's problem is, for the annotation. */
  file?: string;
  path?: string;
  line?: number;
  column?: number;
}

const ICON = { fail: '❌', warn: '⚠️', ok: '✅' } as const;
const ORDER = { fail: 0, warn: 1, ok: 2 } as const;

export function renderDoctorSummary(checks: DoctorCheck[], environment: string): string {
  const failed = checks.filter((c) => c.status === 'fail').length;
  const warned = checks.filter((c) => c.status === 'warn').length;
  const verdict = failed ? `${failed} check(s) failed` : warned ? `ready, with ${warned} warning(s)` : 'ready to deploy';
  const rows = [...checks]
    .sort((a, b) => ORDER[a.status] - ORDER[b.status])
    .map((c) => `| ${ICON[c.status]} | ${escapeCell(c.subject)} | ${escapeCell(c.check)} | ${escapeCell(c.detail)} |`);
  return [
    `## dify-gitops doctor · ${environment}: ${verdict}`,
    '',
    '| | Subject | Check | Result |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
