// Release notes say what changed in the graph, in a reviewer's words, not as a JSON diff.
import { describe, expect, it } from 'vitest';
import { summarizeChanges } from '../../../src/definition/change-summary.js';
import { echoDefinition } from '../../support/deploy-world.js';

describe('summarizeChanges', () => {
  it('describes a first release', () => {
    expect(summarizeChanges(undefined, echoDefinition('a', 'x'))).toEqual(['First release of a (2 nodes).']);
  });

  it('names added, removed and changed nodes with the fields that changed, edges and variables', () => {
    const before = echoDefinition('a', 'x', '1.0.0');
    const after = echoDefinition('a', 'x', '1.1.0');
    const graph = after.dsl.workflow!.graph;
    const start = graph.nodes.find((n) => n.data.type === 'start')!;
    start.data.title = 'Begin';
    graph.nodes.push({ id: 'llm', type: 'custom', data: { type: 'llm', title: 'Answer' } });
    graph.edges.push({ id: 'e2', source: start.id, target: 'llm' });
    after.dsl.workflow!.environment_variables = [{ id: 'v', name: 'REGION', value: 'eu', value_type: 'string' }];
    expect(summarizeChanges(before, after)).toEqual([
      'Version 1.0.0 → 1.1.0.',
      'Changed start node "Begin": title.',
      'Added llm node "Answer".',
      'Edges: 1 added, 0 removed.',
      'Added environment variable REGION.',
    ]);
  });

  it('ignores layout-only changes', () => {
    const before = echoDefinition('a', 'x', '1.0.0');
    const after = echoDefinition('a', 'x', '1.0.1');
    for (const n of after.dsl.workflow!.graph.nodes) n.position = { x: 999, y: 999 };
    expect(summarizeChanges(before, after)).toEqual([
      'Version 1.0.0 → 1.0.1.',
      'No change to the workflow itself (envelope only: smoke checks, description or metadata).',
    ]);
  });
});
