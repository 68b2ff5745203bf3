// The project's own Dify DSL fixtures (test/fixtures/dify-dsl/): every check the suite relies on,
// and every node type the validation knows appears in at least one of them.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePyYaml } from '../../src/support/pyyaml.js';
import { DSL_FIXTURES_DIR, dslFixtureFiles, nodeTypes } from '../support/dify-dsl.js';
import { describeDslFixtureChecks } from '../support/dsl-fixture-checks.js';

const FILES = dslFixtureFiles(DSL_FIXTURES_DIR);

/** Node types the validation, the plan and the emulator treat specially, plus the common rest. */
const NODE_TYPES = [
  'start',
  'end',
  'answer',
  'llm',
  'code',
  'template-transform',
  'if-else',
  'http-request',
  'tool',
  'agent',
  'assigner',
  'iteration',
  'iteration-start',
  'loop',
  'loop-start',
  'knowledge-retrieval',
  'question-classifier',
  'parameter-extractor',
  'document-extractor',
  'list-operator',
  'variable-aggregator',
  'trigger-schedule',
  'trigger-webhook',
];

describe('the project DSL fixtures', () => {
  it('are all there', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(11);
  });

  it('cover every node type, both app modes with a graph, and environment and conversation variables', () => {
    const dsls = FILES.map((file) => parsePyYaml(readFileSync(path.join(DSL_FIXTURES_DIR, file), 'utf8')) as Record<string, any>);
    const types = new Set(dsls.flatMap(nodeTypes));
    expect(NODE_TYPES.filter((type) => !types.has(type))).toEqual([]);
    expect(new Set(dsls.map((dsl) => dsl.app.mode))).toEqual(new Set(['workflow', 'advanced-chat']));
    expect(dsls.some((dsl) => dsl.workflow.environment_variables.length > 0)).toBe(true);
    expect(dsls.some((dsl) => dsl.workflow.conversation_variables.length > 0)).toBe(true);
  });
});

describeDslFixtureChecks('project fixtures', DSL_FIXTURES_DIR, FILES);
