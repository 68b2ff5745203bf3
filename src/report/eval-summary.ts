// An eval as Markdown (job summary, the section of the sticky plan comment, the deploy summary)
// and as JSON (the report file and --json): candidate against live, the gates, and every
// regressed case first, since those are what a reviewer must look at.
import type { CaseComparison, EvalComparison, SideStats } from '../stages/eval-compare.js';
import { escapeCell } from './markdown.js';

export interface EvalEntry {
  name: string;
  file: string;
  environment: string;
  /** Where the candidate ran: the app's draft (restored afterwards) during eval, or a deploy's import. */
  comparison?: EvalComparison;
  /** Why there is no comparison (no cases, a failure before the runs). */
  error?: string;
  skipped?: string;
  backupFile?: string;
  manualCommand?: string;
  /** The pull request's preview app in Dify, where the candidate ran. */
  previewUrl?: string;
}

const pct = (rate: number) => `${(rate * 100).toFixed(0)}%`;
const ms = (value: number) => `${Math.round(value)} ms`;

function price(side: SideStats | undefined): string {
  if (!side?.price) return '–';
  return Object.entries(side.price)
    .map(([currency, amount]) => `${Number(amount.toFixed(6))} ${currency}`)
    .join(', ');
}

function delta(candidate: number, live: number | undefined, unit: (n: number) => string, lowerIsBetter = true): string {
  if (live === undefined) return '–';
  const diff = candidate - live;
  if (Math.abs(diff) < 1e-9) return '±0';
  // Flag only what a reviewer should look at: worse by more than a tenth of live's value (noise aside).
  const worse = (lowerIsBetter ? diff > 0 : diff < 0) && Math.abs(diff) > Math.abs(live) * 0.1;
  return `${diff > 0 ? '+' : '−'}${unit(Math.abs(diff))}${worse ? ' ⚠️' : ''}`;
}

/** The numbers and verdict for one definition. */
export function renderEvalComparison(entry: EvalEntry): string[] {
  const lines = [`### ${escapeCell(entry.name)} (${escapeCell(entry.environment)})`, ''];
  if (entry.previewUrl) lines.push(`The candidate ran in its [preview app](${entry.previewUrl}).`, '');
  if (entry.skipped) return [...lines, entry.skipped, ''];
  const c = entry.comparison;
  if (!c) {
    lines.push(`❌ ${escapeCell(entry.error ?? 'not evaluated')}`);
    if (entry.backupFile) lines.push('', `Backup of the draft: \`${escapeCell(entry.backupFile)}\``);
    if (entry.manualCommand) lines.push('', `Restore it by hand: \`${escapeCell(entry.manualCommand)}\``);
    return [...lines, ''];
  }
  const verdict = c.passed ? '✅ every gate passed' : '❌ a gate failed: this candidate would not be published';
  const regressed = c.regressions.length ? ` · 🔻 ${c.regressions.length} regressed case(s)` : '';
  lines.push(`${verdict}${regressed}`, '');
  const live = c.live;
  lines.push('| | Candidate | Live | Δ |', '| --- | --- | --- | --- |');
  lines.push(
    `| Pass rate | ${c.candidate.passed}/${c.candidate.cases} (${pct(c.candidate.passRate)}) | ${live ? `${live.passed}/${live.cases} (${pct(live.passRate)})` : '–'} | ${delta(c.candidate.passRate * 100, live && live.passRate * 100, (n) => `${n.toFixed(0)} pts`, false)} |`,
  );
  lines.push(`| Latency p50 | ${ms(c.candidate.p50Ms)} | ${live ? ms(live.p50Ms) : '–'} | ${delta(c.candidate.p50Ms, live?.p50Ms, ms)} |`);
  lines.push(`| Latency p95 | ${ms(c.candidate.p95Ms)} | ${live ? ms(live.p95Ms) : '–'} | ${delta(c.candidate.p95Ms, live?.p95Ms, ms)} |`);
  lines.push(
    `| Tokens | ${c.candidate.tokens} | ${live ? live.tokens : '–'} | ${delta(c.candidate.tokens, live?.tokens, (n) => String(n))} |`,
  );
  if (c.candidate.price || live?.price) lines.push(`| Price | ${price(c.candidate)} | ${price(live)} | |`);
  lines.push('');
  if (c.gates.length) {
    lines.push('Gates:', '');
    for (const g of c.gates) lines.push(`- ${g.passed ? '✅' : '❌'} ${escapeCell(g.message)}`);
    lines.push('');
  }
  const ordered = [...c.cases].sort((a, b) => rank(a) - rank(b));
  lines.push('| Case | Candidate | Live | Why |', '| --- | --- | --- | --- |');
  for (const k of ordered) {
    const why = k.candidate.passed ? '' : (k.candidate.failures[0] ?? '');
    lines.push(
      `| ${k.regressed ? '🔻 ' : ''}${escapeCell(k.name)} | ${mark(k.candidate.passed)} ${ms(k.candidate.elapsedMs)} | ${k.live ? `${mark(k.live.passed)} ${ms(k.live.elapsedMs)}` : '–'} | ${escapeCell(truncate(why))} |`,
    );
  }
  return [...lines, ''];
}

const mark = (passed: boolean) => (passed ? '✅' : '❌');
const rank = (k: CaseComparison) => (k.regressed ? 0 : k.candidate.passed ? 2 : 1);
const truncate = (text: string) => (text.length > 160 ? `${text.slice(0, 160)}…` : text);

/** The whole eval: a heading, then one block per definition. */
export function renderEvalReport(run: { environment: string; sha?: string; runUrl?: string }, entries: EvalEntry[]): string {
  const lines = [`## dify-gitops eval: ${escapeCell(run.environment)}`, ''];
  const context = [run.sha && `commit \`${run.sha.slice(0, 7)}\``, run.runUrl && `[workflow run](${run.runUrl})`].filter(Boolean);
  if (context.length)
    lines.push(`Evaluated ${context.join(' · ')}: each candidate against the version live in ${escapeCell(run.environment)}.`, '');
  if (entries.length === 0) lines.push('No selected definition has eval cases.', '');
  for (const entry of entries) lines.push(...renderEvalComparison(entry));
  return `${lines.join('\n').replace(/\n+$/, '')}\n`;
}

/** The JSON report: snake_case like the action's other outputs. */
export function toEvalJson(entries: EvalEntry[]): unknown[] {
  const side = (s: SideStats | undefined) =>
    s && {
      cases: s.cases,
      passed: s.passed,
      pass_rate: s.passRate,
      p50_ms: s.p50Ms,
      p95_ms: s.p95Ms,
      tokens: s.tokens,
      price: s.price ?? null,
    };
  return entries.map((e) => ({
    name: e.name,
    file: e.file,
    environment: e.environment,
    passed: e.comparison?.passed ?? (e.skipped ? null : false),
    skipped: e.skipped ?? null,
    error: e.error ?? null,
    candidate: side(e.comparison?.candidate) ?? null,
    live: side(e.comparison?.live) ?? null,
    regressions: e.comparison?.regressions ?? [],
    gates: (e.comparison?.gates ?? []).map((g) => ({
      gate: g.gate,
      limit: g.limit,
      actual: g.actual ?? null,
      passed: g.passed,
      message: g.message,
    })),
    cases: (e.comparison?.cases ?? []).map((k) => ({
      name: k.name,
      regressed: k.regressed,
      candidate: {
        passed: k.candidate.passed,
        ms: k.candidate.elapsedMs,
        tokens: k.candidate.tokens ?? null,
        failures: k.candidate.failures,
      },
      live: k.live ? { passed: k.live.passed, ms: k.live.elapsedMs, tokens: k.live.tokens ?? null, failures: k.live.failures } : null,
    })),
    preview_url: e.previewUrl ?? null,
    backup_file: e.backupFile ?? null,
    manual_command: e.manualCommand ?? null,
  }));
}
