// What a pull did, as Markdown: the job summary table, and the body of the pull request that
// proposes the rewritten definitions.
import { escapeCell } from './markdown.js';

export interface PullOutcome {
  name: string;
  file: string;
  /** The DSL file the definition keeps its DSL in, rewritten with it. */
  dslFile?: string;
  changed: boolean;
  warnings: string[];
  error?: string;
}

export interface PulledFile {
  name: string;
  file: string;
  dslFile?: string;
  warnings: string[];
}

export function renderPullSummary(environment: string, outcomes: PullOutcome[]): string {
  const lines = [`## dify-gitops pull: ${environment}`, '', '| Workflow | File | Result |', '| --- | --- | --- |'];
  for (const o of outcomes) {
    const result = o.error ? `❌ ${o.error.split('\n')[0]}` : o.changed ? '✏️ rewritten from the live draft' : '✅ unchanged';
    lines.push(`| ${escapeCell(o.name)} | \`${escapeCell(o.file)}\` | ${escapeCell(result)} |`);
  }
  const warnings = outcomes.flatMap((o) => o.warnings.map((w) => `- **${escapeCell(o.name)}**: ${escapeCell(w)}`));
  if (warnings.length) lines.push('', '### To finish by hand', '', ...warnings);
  return `${lines.join('\n')}\n`;
}

export function renderPullRequestBody(environment: string, pulled: PulledFile[]): string {
  const lines = [
    `These definitions were rewritten from their live drafts in **${environment}** by \`dify-gitops pull\`, so edits made in Dify's UI can be reviewed and kept.`,
    '',
    ...pulled.map((p) => `- \`${p.name}\` (\`${p.file}\`${p.dslFile ? `, its DSL in \`${p.dslFile}\`` : ''})`),
    '',
    'Before merging: bump each `version`, and check the plan comment (a deploy publishes exactly this).',
  ];
  const warnings = pulled.flatMap((p) => p.warnings.map((w) => `- **${p.name}**: ${w}`));
  if (warnings.length) lines.push('', '### To finish by hand', '', ...warnings);
  return `${lines.join('\n')}\n`;
}
