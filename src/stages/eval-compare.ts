// The numbers of an eval and its verdict: per side (pass rate, latency p50/p95, tokens, price),
// per case (a regression is a case live passes and the candidate fails), and the definition's
// gates applied to the two sides. Pure: it is tested table-driven.
import type { EvalGates } from '../definition/types.js';

export interface CaseRun {
  name: string;
  passed: boolean;
  failures: string[];
  elapsedMs: number;
  tokens?: number;
  price?: { amount: number; currency: string };
}

export interface SideStats {
  cases: number;
  passed: number;
  /** 0–1; 0 for no cases. */
  passRate: number;
  p50Ms: number;
  p95Ms: number;
  /** Sum over the cases that reported tokens. */
  tokens: number;
  /** Summed where Dify reports a price (chat runs), per currency. */
  price?: Record<string, number>;
}

export interface GateResult {
  gate: keyof EvalGates;
  limit: number;
  /** The measured value; undefined when it cannot be measured (no live version to compare with). */
  actual?: number;
  passed: boolean;
  message: string;
}

export interface CaseComparison {
  name: string;
  candidate: CaseRun;
  live?: CaseRun;
  /** Live passed, the candidate failed. */
  regressed: boolean;
}

export interface EvalComparison {
  candidate: SideStats;
  live?: SideStats;
  cases: CaseComparison[];
  regressions: string[];
  gates: GateResult[];
  /** Every gate passed (no gates: true). */
  passed: boolean;
}

/** Nearest-rank percentile, the usual reading of "p95 latency". */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function summarizeSide(runs: CaseRun[]): SideStats {
  const latencies = runs.map((r) => r.elapsedMs);
  const passed = runs.filter((r) => r.passed).length;
  const stats: SideStats = {
    cases: runs.length,
    passed,
    passRate: runs.length === 0 ? 0 : passed / runs.length,
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    tokens: runs.reduce((sum, r) => sum + (r.tokens ?? 0), 0),
  };
  for (const run of runs) {
    if (!run.price) continue;
    stats.price ??= {};
    stats.price[run.price.currency] = (stats.price[run.price.currency] ?? 0) + run.price.amount;
  }
  return stats;
}

export function compareEval(candidateRuns: CaseRun[], liveRuns: CaseRun[] | undefined, gates: EvalGates = {}): EvalComparison {
  const candidate = summarizeSide(candidateRuns);
  const live = liveRuns ? summarizeSide(liveRuns) : undefined;
  const byName = new Map((liveRuns ?? []).map((r) => [r.name, r]));
  const cases = candidateRuns.map((run) => {
    const other = byName.get(run.name);
    return { name: run.name, candidate: run, live: other, regressed: Boolean(other?.passed && !run.passed) };
  });
  const results = checkGates(gates, candidate, live);
  return {
    candidate,
    live,
    cases,
    regressions: cases.filter((c) => c.regressed).map((c) => c.name),
    gates: results,
    passed: results.every((g) => g.passed),
  };
}

const pct = (rate: number) => `${(rate * 100).toFixed(1)}%`;

export function checkGates(gates: EvalGates, candidate: SideStats, live: SideStats | undefined): GateResult[] {
  const results: GateResult[] = [];
  const noLive = (gate: keyof EvalGates, limit: number): GateResult => ({
    gate,
    limit,
    passed: true,
    message: `${gate}: not applied, nothing is live to compare with`,
  });
  if (gates.min_pass_rate !== undefined) {
    const passed = candidate.passRate >= gates.min_pass_rate;
    results.push({
      gate: 'min_pass_rate',
      limit: gates.min_pass_rate,
      actual: candidate.passRate,
      passed,
      message: `pass rate ${pct(candidate.passRate)} ${passed ? '≥' : '<'} the minimum ${pct(gates.min_pass_rate)}`,
    });
  }
  if (gates.max_pass_rate_drop !== undefined) {
    if (!live) results.push(noLive('max_pass_rate_drop', gates.max_pass_rate_drop));
    else {
      const drop = live.passRate - candidate.passRate;
      // Rates are ratios of small integers: compare with a tolerance so 0.1 - 0.0 is not "over" 0.1.
      const passed = drop <= gates.max_pass_rate_drop + 1e-9;
      results.push({
        gate: 'max_pass_rate_drop',
        limit: gates.max_pass_rate_drop,
        actual: drop,
        passed,
        message: `pass rate ${pct(live.passRate)} live → ${pct(candidate.passRate)} candidate (drop ${pct(Math.max(0, drop))}, allowed ${pct(gates.max_pass_rate_drop)})`,
      });
    }
  }
  if (gates.max_p95_latency_ms !== undefined) {
    const passed = candidate.p95Ms <= gates.max_p95_latency_ms;
    results.push({
      gate: 'max_p95_latency_ms',
      limit: gates.max_p95_latency_ms,
      actual: candidate.p95Ms,
      passed,
      message: `p95 latency ${Math.round(candidate.p95Ms)} ms ${passed ? '≤' : '>'} the maximum ${gates.max_p95_latency_ms} ms`,
    });
  }
  if (gates.max_token_increase_pct !== undefined) {
    if (!live) results.push(noLive('max_token_increase_pct', gates.max_token_increase_pct));
    else {
      const increase =
        live.tokens === 0
          ? candidate.tokens === 0
            ? 0
            : Number.POSITIVE_INFINITY
          : ((candidate.tokens - live.tokens) / live.tokens) * 100;
      const passed = increase <= gates.max_token_increase_pct + 1e-9;
      const shown = Number.isFinite(increase) ? `${increase >= 0 ? '+' : ''}${increase.toFixed(1)}%` : 'from 0';
      results.push({
        gate: 'max_token_increase_pct',
        limit: gates.max_token_increase_pct,
        actual: Number.isFinite(increase) ? increase : undefined,
        passed,
        message: `tokens ${live.tokens} live → ${candidate.tokens} candidate (${shown}, allowed +${gates.max_token_increase_pct}%)`,
      });
    }
  }
  return results;
}
