// Eval cases in a definition and in <name>.evals.jsonl beside it: the real loader and validator
// over files in a temporary folder, each problem located by file, line, column and JSON path.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatCanonical } from '../../../src/definition/canonical.js';
import { loadDefinitionFiles } from '../../../src/definition/load.js';
import type { FileReport } from '../../../src/definition/types.js';
import { validateDefinitions } from '../../../src/definition/validate.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const variables = [
  { variable: 'query', type: 'text-input', required: true },
  { variable: 'limit', type: 'number', required: false },
  { variable: 'strict', type: 'checkbox', required: false },
];

function definition(evals: unknown, mode = 'workflow') {
  const end =
    mode === 'workflow'
      ? { type: 'end', title: 'End', outputs: [{ variable: 'text', value_selector: ['start', 'query'] }] }
      : { type: 'answer', title: 'Answer', answer: '{{#start.query#}}' };
  return {
    $schema: '../schema/definition.schema.json',
    name: 'graded',
    version: '1.0.0',
    app: { '*': '11111111-1111-4111-8111-111111111111' },
    evals,
    dsl: {
      version: '0.3.1',
      kind: 'app',
      app: { name: 'graded', mode },
      workflow: {
        environment_variables: [],
        conversation_variables: [],
        graph: {
          nodes: [
            { id: 'start', data: { type: 'start', title: 'Start', variables } },
            { id: 'end', data: end },
          ],
          edges: [{ id: 'e1', source: 'start', target: 'end' }],
        },
      },
    },
  };
}

async function check(value: unknown, jsonl?: string): Promise<{ report: FileReport; text: string }> {
  dir = mkdtempSync(join(tmpdir(), 'evals-'));
  const text = formatCanonical(value);
  writeFileSync(join(dir, 'graded.json'), text);
  if (jsonl !== undefined) writeFileSync(join(dir, 'graded.evals.jsonl'), jsonl);
  const files = await loadDefinitionFiles(dir, dir);
  return { report: validateDefinitions(files).files[0], text };
}

const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('eval cases', () => {
  it('accepts inline and JSONL cases and hands commands one list', async () => {
    const inline = {
      name: 'echo',
      inputs: { query: 'hi', limit: 3, strict: true },
      expect: { equals: { text: 'hi' }, regex: { text: '^h' }, max_tokens: 10 },
    };
    const gates = { min_pass_rate: 0.9, max_pass_rate_drop: 0.05, max_p95_latency_ms: 3000, max_token_increase_pct: 20 };
    const line = JSON.stringify({ name: 'from file', inputs: { query: 'x' }, expect: { contains: { text: 'x' } } });
    const { report } = await check(definition({ cases: [inline], gates, concurrency: 8 }), `${line}\n\n`);
    expect(report.errors).toEqual([]);
    expect(report.definition?.evals?.cases?.map((c) => c.name)).toEqual(['echo', 'from file']);
    expect(report.definition?.evals?.gates).toEqual(gates);
  });

  it('refuses undeclared inputs, wrong input types, unknown outputs and bad patterns, at their place', async () => {
    const cases = [
      { name: 'a', inputs: { query: 'hi', qurey: 'x', limit: '3' }, expect: { contains: { answer: 'x' }, regex: { text: '(' } } },
      { name: 'a', inputs: { limit: 1 }, expect: {} },
    ];
    const { report, text } = await check(definition({ cases }));
    const found = report.errors.map((d) => [d.path, d.line, d.message]);
    expect(found).toEqual(
      expect.arrayContaining([
        [
          '/evals/cases/0/inputs/qurey',
          lineOf(text, '"qurey"'),
          expect.stringMatching(/input "qurey" is not declared by the start node \(declared: "query", "limit", "strict"\)/),
        ],
        [
          '/evals/cases/0/inputs/limit',
          lineOf(text, '"limit": "3"'),
          expect.stringMatching(/"limit" is a number variable, so it takes a number, not a string/),
        ],
        [
          '/evals/cases/0/expect/contains/answer',
          expect.any(Number),
          expect.stringMatching(/no output "answer" \(its End nodes output "text"\)/),
        ],
        ['/evals/cases/0/expect/regex/text', expect.any(Number), expect.stringMatching(/not a valid regular expression/)],
        ['/evals/cases/1/name', expect.any(Number), expect.stringMatching(/"a" is also used at \/evals\/cases\/0/)],
        ['/evals/cases/1/inputs', expect.any(Number), expect.stringMatching(/missing required input "query"/)],
      ]),
    );
    expect(report.ok).toBe(false);
  });

  it('locates JSONL problems by the JSONL file, its line and the path inside the case', async () => {
    const good = JSON.stringify({ name: 'ok', inputs: { query: 'x' }, expect: {} });
    const typo = JSON.stringify({ name: 'typo', inputs: { query: 'x' }, expect: { equal: { text: 'x' } } });
    const typed = JSON.stringify({ name: 'ok', inputs: { query: 7 }, expect: {} });
    const { report } = await check(definition(undefined), `${good}\n${typo}\nnot json\n${typed}\n`);
    const jsonl = report.errors.filter((d) => d.file.endsWith('graded.evals.jsonl')).map((d) => [d.line, d.path, d.message]);
    expect(jsonl).toEqual([
      [2, '/expect/equal', expect.stringMatching(/unknown property "equal"; did you mean "equals"\?/)],
      [3, '', expect.stringMatching(/each line must be one eval case as a JSON object/)],
      [4, '/name', expect.stringMatching(/"ok" is also used at .*graded\.evals\.jsonl:1/)],
      [4, '/inputs/query', expect.stringMatching(/takes a string, not a number/)],
    ]);
    expect(report.errors.find((d) => d.line === 2)?.column).toBe(typo.indexOf('"equal"') + 1);
  });

  it('asks chatflow cases for a query and the "answer" output; refuses evals on apps without a draft to run', async () => {
    const chat = await check(
      definition({ cases: [{ name: 'c', inputs: { query: 'x' }, expect: { contains: { text: 'x' } } }] }, 'advanced-chat'),
    );
    expect(chat.report.errors.map((d) => d.message)).toEqual([
      expect.stringMatching(/has no "query"; chatflow apps are run with a chat message/),
      expect.stringMatching(/a chatflow run has one output, "answer"/),
    ]);
    const gates = await check(definition({ gates: { min_pass_rate: 1.5 } }));
    expect(gates.report.errors.map((d) => d.path)).toEqual(['/evals/gates/min_pass_rate']);
  });
});
