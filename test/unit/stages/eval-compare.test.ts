// The eval verdict, table-driven: case expectations, side statistics, regressions and gates.
import { describe, expect, it } from 'vitest';
import type { EvalCase } from '../../../src/definition/types.js';
import type { RunResult } from '../../../src/dify/types.js';
import { type CaseRun, compareEval, percentile } from '../../../src/stages/eval-compare.js';
import { judgeEvalCase } from '../../../src/stages/eval-expect.js';

const run = (patch: Partial<RunResult> = {}): RunResult => ({
  status: 'succeeded',
  outputs: { text: 'Hello, Ada' },
  elapsedMs: 100,
  ...patch,
});
const evalCase = (expect: EvalCase['expect']): EvalCase => ({ name: 'c', inputs: {}, expect });

describe('judgeEvalCase', () => {
  it.each([
    ['equals', { equals: { text: 'Hello, Ada' } }, run(), []],
    ['equals on structure', { equals: { data: { a: [1] } } }, run({ outputs: { data: { a: [1] } } }), []],
    ['equals missed', { equals: { text: 'Hi' } }, run(), ['output "text" is "Hello, Ada", expected "Hi"']],
    ['regex', { regex: { text: '^Hello, \\w+$' } }, run(), []],
    ['regex missed', { regex: { text: '^Bye' } }, run(), ['output "text" does not match /^Bye/ (got "Hello, Ada")']],
    ['contains on a chat answer', { contains: { answer: 'Ada' } }, run({ outputs: {}, answer: 'Hi Ada' }), []],
    ['max_tokens', { max_tokens: 10 }, run({ tokens: 11 }), ['used 11 tokens, over the limit of 10']],
    ['max_tokens unreported', { max_tokens: 10 }, run(), ['the run reported no token count, so max_tokens 10 cannot be checked']],
    ['max_latency_ms', { max_latency_ms: 50 }, run(), ['took 100 ms, over the budget of 50 ms']],
    [
      'json_output (forgiving)',
      { json_output: { field: 'text', schema: { required: ['a'] } } },
      run({ outputs: { text: '```json\n{"a": 1,}\n```' } }),
      [],
    ],
    ['status', {}, run({ status: 'failed', error: 'boom' }), ['status is "failed", expected "succeeded": boom']],
  ] as const)('%s', (_label, expectation, result, failures) => {
    expect(judgeEvalCase(evalCase(expectation as EvalCase['expect']), result)).toEqual(failures);
  });
});

const side = (spec: Array<[name: string, passed: boolean, ms: number, tokens: number]>): CaseRun[] =>
  spec.map(([name, passed, elapsedMs, tokens]) => ({ name, passed, failures: passed ? [] : ['x'], elapsedMs, tokens }));

describe('compareEval', () => {
  it('computes pass rate, nearest-rank percentiles, tokens and price per currency', () => {
    const runs = side([
      ['a', true, 100, 10],
      ['b', false, 300, 20],
    ]);
    runs[0].price = { amount: 0.5, currency: 'USD' };
    runs[1].price = { amount: 0.25, currency: 'USD' };
    const { candidate } = compareEval(runs, undefined);
    expect(candidate).toEqual({ cases: 2, passed: 1, passRate: 0.5, p50Ms: 100, p95Ms: 300, tokens: 30, price: { USD: 0.75 } });
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(percentile([], 95)).toBe(0);
  });

  it('flags cases live passes and the candidate fails, and applies every gate', () => {
    const live = side([
      ['a', true, 100, 100],
      ['b', true, 100, 100],
      ['c', false, 100, 100],
    ]);
    const candidate = side([
      ['a', true, 900, 150],
      ['b', false, 100, 150],
      ['c', true, 100, 150],
    ]);
    const gates = { min_pass_rate: 0.9, max_pass_rate_drop: 0, max_p95_latency_ms: 500, max_token_increase_pct: 20 };
    const result = compareEval(candidate, live, gates);
    expect(result.regressions).toEqual(['b']);
    expect(result.gates.map((g) => [g.gate, g.passed])).toEqual([
      ['min_pass_rate', false],
      ['max_pass_rate_drop', true],
      ['max_p95_latency_ms', false],
      ['max_token_increase_pct', false],
    ]);
    expect(result.gates[3].message).toBe('tokens 300 live → 450 candidate (+50.0%, allowed +20%)');
    expect(result.passed).toBe(false);
  });

  it('passes gates at their limit, and skips the comparing gates when nothing is live', () => {
    const candidate = side([
      ['a', true, 100, 120],
      ['b', false, 200, 120],
    ]);
    const live = side([
      ['a', true, 100, 100],
      ['b', true, 100, 100],
    ]);
    expect(compareEval(candidate, live, { max_pass_rate_drop: 0.5, max_token_increase_pct: 20, min_pass_rate: 0.5 }).passed).toBe(true);
    const first = compareEval(candidate, undefined, { max_pass_rate_drop: 0, max_token_increase_pct: 0 });
    expect(first.passed).toBe(true);
    expect(first.gates.map((g) => g.message)).toEqual([
      'max_pass_rate_drop: not applied, nothing is live to compare with',
      'max_token_increase_pct: not applied, nothing is live to compare with',
    ]);
  });
});
