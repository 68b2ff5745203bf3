// A run meets its smoke check's `expect`, or each miss is named in words a reviewer understands.
import { describe, expect, it } from 'vitest';
import { checkExpectations } from '../../../src/stages/smoke-expect.js';
import type { SmokeCheck } from '../../../src/definition/types.js';
import type { RunResult } from '../../../src/dify/types.js';

const run = (patch: Partial<RunResult>): RunResult => ({ status: 'succeeded', outputs: {}, elapsedMs: 100, ...patch });
const check = (expect: SmokeCheck['expect']): SmokeCheck => ({ name: 'c', inputs: {}, expect });

describe('checkExpectations', () => {
  it.each<[string, SmokeCheck['expect'], Partial<RunResult>, RegExp[]]>([
    ['passes a succeeded run with no expectations', {}, {}, []],
    [
      'status defaults to succeeded',
      {},
      { status: 'failed', error: 'model timeout' },
      [/status is "failed", expected "succeeded": model timeout/],
    ],
    ['an expected failure passes', { status: 'failed' }, { status: 'failed' }, []],
    [
      'outputs schema',
      { outputs: { type: 'object', required: ['n'], properties: { n: { type: 'number' } } } },
      { outputs: { n: 'five' } },
      [/outputs do not match the schema: \/n must be number/],
    ],
    ['contains on text', { contains: { text: 'Paris' } }, { outputs: { text: 'The capital is Paris.' } }, []],
    [
      'contains missing',
      { contains: { text: 'Paris' } },
      { outputs: { text: 'Lyon' } },
      [/output "text" does not contain "Paris" \(got Lyon\)/],
    ],
    ['contains on a chat answer', { contains: { answer: 'hi' } }, { answer: 'hi there' }, []],
    ['latency budget', { max_latency_ms: 50 }, { elapsedMs: 120 }, [/took 120 ms, over the budget of 50 ms/]],
    [
      'json_output forgiving: fences and trailing commas',
      { json_output: { field: 'text', schema: { type: 'object', required: ['items'] } } },
      { outputs: { text: 'Sure!\n```json\n{"items": [1, 2,],}\n```' } },
      [],
    ],
    [
      'json_output schema miss',
      { json_output: { field: 'text', schema: { type: 'object', required: ['items'] } } },
      { outputs: { text: '{"other": 1}' } },
      [/JSON in output "text" does not match the schema: \/ must have required property 'items'/],
    ],
    [
      'json_output not JSON',
      { json_output: { field: 'text', schema: {} } },
      { outputs: { text: 'no json here' } },
      [/output "text" is not JSON even after cleanup/],
    ],
    ['json_output not text', { json_output: { field: 'n', schema: {} } }, { outputs: { n: 3 } }, [/output "n" is not text/]],
  ])('%s', (_name, expectation, result, misses) => {
    const failures = checkExpectations(check(expectation), run(result));
    expect(failures).toHaveLength(misses.length);
    misses.forEach((m, i) => expect(failures[i]).toMatch(m));
  });
});
