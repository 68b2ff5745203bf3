// The job summary for validate: a table per file, then every problem with its place.
import type { ValidationReport } from '../definition/types.js';
import { escapeCell } from './markdown.js';

export function renderValidationSummary(report: ValidationReport, baseRef?: string): string {
  const lines: string[] = [];
  lines.push(`## dify-gitops: validate ${report.ok ? '✅' : '❌'}`, '');
  if (baseRef) lines.push(`Versions compared against \`${baseRef}\`.`, '');
  lines.push('| Definition | Version | File | Result |', '| --- | --- | --- | --- |');
  for (const f of report.files) {
    const result = f.ok ? (f.warnings.length ? `✅ ${f.warnings.length} warning(s)` : '✅') : `❌ ${f.errors.length} error(s)`;
    lines.push(`| ${escapeCell(f.name ?? '?')} | ${escapeCell(f.version ?? '?')} | \`${escapeCell(f.file)}\` | ${result} |`);
  }
  const problems = [...report.files.flatMap((f) => [...f.errors, ...f.warnings]), ...(report.warnings ?? [])];
  if (problems.length) {
    lines.push('', '### Problems', '');
    for (const d of problems) {
      lines.push(
        `- **${d.severity}** \`${escapeCell(d.file)}:${d.line}:${d.column}\` \`${escapeCell(d.path || '/')}\`: ${escapeCell(d.message)}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
