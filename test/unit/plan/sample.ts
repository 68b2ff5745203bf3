// A small but complete workflow (start → llm → code → end) to change field by field in plan tests.
import type { Definition, DifyDsl } from '../../../src/definition/types.js';

export function sampleDsl(): DifyDsl {
  return {
    version: '0.3.1',
    kind: 'app',
    app: { name: 'summarizer', mode: 'workflow', description: 'Summarizes text.', icon: '🤖' },
    dependencies: [],
    workflow: {
      conversation_variables: [],
      environment_variables: [
        { id: 'e1', name: 'TONE', value: 'friendly', value_type: 'string', description: '' },
        { id: 'e2', name: 'SEARCH_KEY', value: '', value_type: 'secret', description: '' },
      ],
      features: { opening_statement: '', retriever_resource: { enabled: true } },
      graph: {
        viewport: { x: 0, y: 0, zoom: 1 },
        edges: [
          {
            id: 'start-source-llm-target',
            source: 'start',
            sourceHandle: 'source',
            target: 'llm',
            targetHandle: 'target',
            type: 'custom',
            data: { sourceType: 'start', targetType: 'llm' },
          },
          {
            id: 'llm-source-code-target',
            source: 'llm',
            sourceHandle: 'source',
            target: 'code',
            targetHandle: 'target',
            type: 'custom',
            data: { sourceType: 'llm', targetType: 'code' },
          },
          {
            id: 'code-source-end-target',
            source: 'code',
            sourceHandle: 'source',
            target: 'end',
            targetHandle: 'target',
            type: 'custom',
            data: { sourceType: 'code', targetType: 'end' },
          },
        ],
        nodes: [
          {
            id: 'start',
            type: 'custom',
            position: { x: 80, y: 282 },
            width: 244,
            height: 90,
            data: {
              type: 'start',
              title: 'Start',
              desc: '',
              variables: [{ variable: 'text', label: 'text', type: 'paragraph', required: true }],
            },
          },
          {
            id: 'llm',
            type: 'custom',
            position: { x: 380, y: 282 },
            data: {
              type: 'llm',
              title: 'Summarize',
              desc: '',
              model: { provider: 'openai', name: 'gpt-4o', mode: 'chat', completion_params: { temperature: 0.7 } },
              prompt_template: [
                { id: 'p1', role: 'system', text: 'You summarize text.\nBe brief.\nUse a {{#env.TONE#}} tone.' },
                { id: 'p2', role: 'user', text: '{{#start.text#}}' },
              ],
              context: { enabled: false, variable_selector: [] },
              vision: { enabled: false },
            },
          },
          {
            id: 'code',
            type: 'custom',
            position: { x: 680, y: 282 },
            data: {
              type: 'code',
              title: 'Trim',
              desc: '',
              code_language: 'python3',
              code: 'def main(text: str) -> dict:\n    return {"result": text.strip()}\n',
              variables: [{ variable: 'text', value_selector: ['llm', 'text'] }],
              outputs: { result: { type: 'string', children: null } },
            },
          },
          {
            id: 'end',
            type: 'custom',
            position: { x: 980, y: 282 },
            data: { type: 'end', title: 'End', desc: '', outputs: [{ variable: 'summary', value_selector: ['code', 'result'] }] },
          },
        ],
      },
    },
  };
}

export function sampleDefinition(version = '1.0.0'): Definition {
  return {
    name: 'summarizer',
    version,
    app: { '*': '11111111-1111-4111-8111-111111111111' },
    secrets: { SEARCH_KEY: 'SEARCH_KEY' },
    smoke: [],
    dsl: sampleDsl(),
  };
}

/** The definition's workflow as Dify's publish endpoint returns it (extra fields, secrets obfuscated). */
export function asPublished(dsl: DifyDsl, marks: { name?: string; comment?: string } = {}) {
  const w = structuredClone(dsl.workflow!);
  return {
    id: 'wf-1',
    version: '2026-01-01 00:00:00',
    marked_name: marks.name ?? '',
    marked_comment: marks.comment ?? '',
    created_at: 1,
    graph: w.graph,
    features: w.features,
    environment_variables: (w.environment_variables ?? []).map((v) => ({
      ...v,
      value: v.value_type === 'secret' ? 'sk-ab************yz' : v.value,
      selector: ['env', v.name],
      edited: true,
    })),
    conversation_variables: w.conversation_variables ?? [],
  };
}
