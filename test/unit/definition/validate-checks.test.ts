// Each broken definition under test/fixtures/definitions must fail with the right JSON pointer
// and the exact line and column of the offending value (or key).
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseDefinitionText } from '../../../src/definition/load.js';
import { validateDefinitions } from '../../../src/definition/validate.js';
import type { Diagnostic, FileReport } from '../../../src/definition/types.js';

const FIXTURES = new URL('../../fixtures/definitions/', import.meta.url);

async function validateFixture(name: string): Promise<FileReport> {
  const text = await readFile(new URL(`${name}.json`, FIXTURES), 'utf8');
  return validateDefinitions([parseDefinitionText(`test/fixtures/definitions/${name}.json`, text)]).files[0];
}

type Expected = [path: string, line: number, column: number, message: RegExp];

function pick(diagnostics: Diagnostic[]): Array<[string, number, number, string]> {
  return diagnostics.map((d) => [d.path, d.line, d.column, d.message]);
}

const CASES: Record<string, Expected[]> = {
  'schema-errors': [
    ['/version', 4, 14, /semantic version such as 1\.2\.0; got "1\.0"/],
    ['/app', 5, 10, /"app" is a bare app id, which names no environment.*\{"\*": "not-a-uuid"\}/],
    ['/smoek', 6, 3, /unknown property "smoek"; did you mean "smoke"\?/],
  ],
  'dsl-shape': [
    ['/dsl/version', 10, 16, /must be a string, not a number; write it as a string such as "0\.3\.1"/],
    ['/dsl/kind', 11, 13, /must be "app"; got "application"/],
    ['/dsl/app/mode', 12, 38, /must be one of "workflow", .*; got "wrkflow"/],
  ],
  'dsl-missing-graph': [['/dsl/workflow', 13, 17, /missing required property "graph"/]],
  'name-mismatch': [['/name', 3, 11, /must equal the file's base name "name-mismatch"/]],
  'graph-duplicate-id': [
    ['/dsl/workflow/graph/nodes/0', 18, 11, /no end node is reachable/],
    ['/dsl/workflow/graph/nodes/1/id', 19, 19, /node id "start" is already used by node #0/],
    ['/dsl/workflow/graph/edges/0/target', 22, 54, /edge target "end" is not a node id/],
  ],
  'graph-dangling-edge': [['/dsl/workflow/graph/edges/1/target', 23, 54, /edge target "ghost" is not a node id/]],
  'graph-no-start': [
    ['/dsl/workflow/graph/nodes', 17, 18, /no start node/],
    [
      '/dsl/workflow/graph/nodes/1/data/outputs/0/value_selector',
      19,
      120,
      /reads "query", which "Start" \(start\) does not produce \(a "llm" node/,
    ],
  ],
  'graph-two-starts': [['/dsl/workflow/graph/nodes/1/data/type', 19, 47, /second start node "Second" \(start2\)/]],
  'graph-unreachable-end': [
    ['/dsl/workflow/graph/nodes/0', 18, 11, /no end node is reachable from "Start" \(start\); a workflow app ends in End nodes/],
    ['/dsl/workflow/graph/nodes/1', 19, 11, /"End" \(end\) is not reachable from the start node/],
    ['/dsl/workflow/graph/edges/0', 22, 11, /leaves "End" \(end\), a "end" node, which has no outgoing handles/],
  ],
  'graph-cycle': [['/dsl/workflow/graph/edges/2', 26, 11, /from "B" \(b\) to "A" \(a\) closes a cycle/]],
  'graph-bad-parent': [
    ['/dsl/workflow/graph/nodes/1/parentId', 19, 40, /a "end" node; only iteration and loop nodes/],
    ['/dsl/workflow/graph/nodes/2/parentId', 20, 41, /parentId "nowhere" names no node/],
  ],
  'ref-missing-node': [
    ['/dsl/workflow/graph/nodes/1/data/outputs/0/value_selector', 19, 120, /\["ghost","text"\] in "End" \(end\) refers to node "ghost"/],
    ['/dsl/workflow/graph/nodes/2/data/prompt_template/0/text', 20, 113, /\{\{#nobody\.text#\}\} in "LLM" \(llm\) refers to node "nobody"/],
  ],
  'ref-undeclared-variables': [
    ['/dsl/workflow/graph/nodes/1/data/note', 19, 75, /environment variable "MISSING_KEY", which is not declared/],
    ['/dsl/workflow/graph/nodes/1/data/outputs/0/value_selector', 19, 153, /conversation variable "memory", which is not declared/],
  ],
  'ref-iteration-item-outside': [
    ['/dsl/workflow/graph/nodes/3/data/outputs/0/value_selector', 21, 120, /only nodes inside that iteration can use/],
  ],
  'secret-with-value': [
    ['/dsl/workflow/environment_variables/0', 15, 9, /"API_KEY" has no entry in "secrets"/],
    ['/dsl/workflow/environment_variables/0/value', 15, 39, /"API_KEY" has a value in the DSL; set it to ""/],
  ],
  'secret-unknown-mapping': [
    ['/secrets/NOT_DECLARED', 6, 16, /declares no environment variable "NOT_DECLARED"/],
    ['/secrets/PLAIN', 6, 42, /declared with value_type "string"/],
  ],
  'credential-in-prompt': [
    ['/dsl/workflow/features/opening_statement', 16, 42, /bearer token: Bearer eyJh\*{8}\)/],
    ['/dsl/workflow/graph/nodes/2/data/prompt_template/0/text', 21, 115, /OpenAI-style API key: sk-abcd\*{8}\)/],
  ],
  'smoke-errors': [
    ['/smoke/0/inputs', 7, 33, /missing required input "query"/],
    ['/smoke/0/expect/contains/answer', 7, 78, /no output "answer" \(its End nodes output "query"\)/],
    ['/smoke/1/name', 8, 15, /"echo" is also used by smoke check #0/],
    ['/smoke/1/expect/outputs', 8, 75, /not a valid JSON Schema/],
  ],
  'bad-json': [['', 5, 1, /invalid JSON: trailing comma before "}"; remove it/]],
};

describe('broken definitions', () => {
  for (const [name, expected] of Object.entries(CASES)) {
    it(`${name} fails at the right place`, async () => {
      const report = await validateFixture(name);
      expect(report.ok).toBe(false);
      const actual = pick(report.errors);
      expect(actual.map(([p, l, c]) => [p, l, c])).toEqual(expected.map(([p, l, c]) => [p, l, c]));
      expected.forEach(([, , , message], i) => expect(actual[i][3]).toMatch(message));
      for (const d of report.errors) expect(d.file).toBe(`test/fixtures/definitions/${name}.json`);
    });
  }

  it('the unbroken twin of these fixtures has no errors', async () => {
    const report = await validateFixture('mini-valid');
    expect(report.errors).toEqual([]);
    expect(report).toMatchObject({ ok: true, name: 'mini-valid', version: '1.0.0' });
  });

  it('never echoes a full credential', async () => {
    const report = await validateFixture('credential-in-prompt');
    const text = report.errors.map((d) => d.message).join('\n');
    expect(text).not.toContain('sk-abcdEFGH1234567890abcdefXYZ');
    expect(text).not.toContain('abc123def456');
  });

  it('warns about unknown smoke inputs at the input name', async () => {
    const report = await validateFixture('smoke-errors');
    const warning = report.warnings.find((d) => d.path === '/smoke/0/inputs/qurey');
    expect(warning).toMatchObject({ line: 7, column: 35, severity: 'warning' });
  });

  it('flags non-canonical text as a warning at the first differing line', async () => {
    const report = await validateFixture('mini-valid');
    expect(report.warnings).toHaveLength(1);
    expect(report.warnings[0]).toMatchObject({ path: '', line: 3, column: 1, severity: 'warning' });
    expect(report.warnings[0].message).toMatch(/canonical form.*dify-gitops fmt/);
  });
});
