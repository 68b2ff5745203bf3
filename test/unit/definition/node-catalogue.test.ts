// The node catalogue's facts, one small graph each: outputs that depend on node data (structured
// output, parameters, groups, error strategies), per-round variables of containers, branch handles,
// sys.* by app mode, typed variables, and the DSL version a server takes.
import { describe, expect, it } from 'vitest';
import { formatCanonical } from '../../../src/definition/canonical.js';
import { createReporter } from '../../../src/definition/diagnostics.js';
import { assertDslFitsServer, checkDslVersion, maxDslVersionFor } from '../../../src/definition/dsl-version.js';
import { parseDefinitionText } from '../../../src/definition/load.js';
import type { AppMode, Definition, DslEdge, DslNode } from '../../../src/definition/types.js';
import { validateDefinitions } from '../../../src/definition/validate.js';
import { isUserError } from '../../../src/support/errors.js';

type N = Pick<DslNode, 'id' | 'parentId'> & { data: Record<string, unknown> };

const start: N = { id: 'start', data: { type: 'start', title: 'Start', variables: [{ variable: 'q', type: 'text-input' }] } };
const end = (...selector: string[]): N => ({
  id: 'end',
  data: { type: 'end', title: 'End', outputs: [{ variable: 'out', value_selector: selector }] },
});
const answer = (text: string): N => ({ id: 'answer', data: { type: 'answer', title: 'Answer', answer: text } });
const chain = (...ids: string[]): DslEdge[] => ids.slice(1).map((id, i) => ({ id: `e${i}`, source: ids[i], target: id }));

function validate(mode: AppMode, nodes: N[], edges: DslEdge[], variables: { env?: unknown[]; conversation?: unknown[] } = {}) {
  const definition = {
    name: 'cat',
    version: '1.0.0',
    app: { '*': '00000000-0000-4000-8000-000000000001' },
    dsl: {
      version: '0.5.0',
      kind: 'app',
      app: { name: 'cat', mode },
      workflow: {
        environment_variables: variables.env ?? [],
        conversation_variables: variables.conversation ?? [],
        features: {},
        graph: { nodes: nodes.map((n) => ({ type: 'custom', ...n })), edges },
      },
    },
  } as unknown as Definition;
  const report = validateDefinitions([parseDefinitionText('workflows/cat.json', formatCanonical(definition))]).files[0];
  return { errors: report.errors.map((e) => `${e.path}: ${e.message}`), warnings: report.warnings.map((w) => `${w.path}: ${w.message}`) };
}

function validateDslVersion(definition: Definition) {
  const file = parseDefinitionText('workflows/v.json', formatCanonical(definition));
  const reporter = createReporter(file);
  checkDslVersion(reporter, definition.dsl);
  return { errors: reporter.errors.length, warnings: reporter.warnings.length };
}

const llm = (extra: Record<string, unknown> = {}): N => ({ id: 'llm', data: { type: 'llm', title: 'LLM', ...extra } });

describe('outputs that depend on node data', () => {
  it('an LLM has structured_output only when it is switched on', () => {
    const off = validate('workflow', [start, llm(), end('llm', 'structured_output')], chain('start', 'llm', 'end'));
    expect(off.errors).toEqual([expect.stringMatching(/reads "structured_output", which "LLM" \(llm\) does not produce/)]);
    const on = validate(
      'workflow',
      [start, llm({ structured_output_enabled: true }), end('llm', 'structured_output')],
      chain('start', 'llm', 'end'),
    );
    expect(on.errors).toEqual([]);
  });

  it('a parameter extractor produces its parameters and __is_success/__reason, nothing else', () => {
    const pe = { id: 'pe', data: { type: 'parameter-extractor', title: 'PE', query: ['start', 'q'], parameters: [{ name: 'city' }] } };
    for (const name of ['city', '__is_success', '__reason']) {
      expect(validate('workflow', [start, pe, end('pe', name)], chain('start', 'pe', 'end')).errors).toEqual([]);
    }
    expect(validate('workflow', [start, pe, end('pe', 'country')], chain('start', 'pe', 'end')).errors).toEqual([
      expect.stringMatching(/produces "city", "__is_success", "__reason", "__usage"/),
    ]);
    const badQuery = { ...pe, data: { ...pe.data, query: ['start', 'missing'] } };
    expect(validate('workflow', [start, badQuery, end('pe', 'city')], chain('start', 'pe', 'end')).errors).toEqual([
      expect.stringMatching(/^\/dsl\/workflow\/graph\/nodes\/1\/data\/query: selector \["start","missing"\]/),
    ]);
  });

  it('an aggregator with groups produces one output per group', () => {
    const agg = {
      id: 'agg',
      data: {
        type: 'variable-aggregator',
        title: 'Agg',
        advanced_settings: { group_enabled: true, groups: [{ group_name: 'g1', variables: [['start', 'q']] }] },
      },
    };
    expect(validate('workflow', [start, agg, end('agg', 'g1', 'output')], chain('start', 'agg', 'end')).errors).toEqual([]);
    expect(validate('workflow', [start, agg, end('agg', 'output')], chain('start', 'agg', 'end')).errors).toEqual([
      expect.stringMatching(/produces "g1"/),
    ]);
  });

  it('an error strategy adds error_message and error_type, and default values their keys', () => {
    const code = (strategy: string) => ({
      id: 'code',
      data: {
        type: 'code',
        title: 'Code',
        outputs: { r: { type: 'string' } },
        error_strategy: strategy,
        default_value: [{ key: 'r', type: 'string', value: '' }],
      },
    });
    expect(
      validate('workflow', [start, code('default-value'), end('code', 'error_message')], chain('start', 'code', 'end')).errors,
    ).toEqual([]);
    expect(validate('workflow', [start, code('none'), end('code', 'error_message')], chain('start', 'code', 'end')).errors).toHaveLength(1);
  });

  it('a webhook trigger produces its headers (with "-" read as "_"), params and body fields', () => {
    const hook = {
      id: 'hook',
      data: { type: 'trigger-webhook', title: 'Hook', headers: [{ name: 'X-Request-Id' }], params: [{ name: 'page' }], body: [] },
    };
    for (const name of ['X_Request_Id', 'page'])
      expect(validate('workflow', [hook, end('hook', name)], chain('hook', 'end')).errors).toEqual([]);
    expect(validate('workflow', [hook, end('hook', 'X-Request-Id')], chain('hook', 'end')).errors).toHaveLength(1);
  });
});

describe('containers', () => {
  const iteration: N = {
    id: 'it',
    data: { type: 'iteration', title: 'Each', iterator_selector: ['start', 'q'], output_selector: ['t', 'output'], start_node_id: 'its' },
  };
  const itStart: N = { id: 'its', parentId: 'it', data: { type: 'iteration-start', title: '' } };
  const inner = (...selector: string[]): N => ({
    id: 't',
    parentId: 'it',
    data: { type: 'template-transform', title: 'T', template: '{{ x }}', variables: [{ variable: 'x', value_selector: selector }] },
  });
  const graph = (child: N, last: N) =>
    validate('workflow', [start, iteration, itStart, child, last], [...chain('start', 'it', 'end'), ...chain('its', 't')]);

  it('children read item and index; nodes after read output', () => {
    expect(graph(inner('it', 'item'), end('it', 'output')).errors).toEqual([]);
    expect(graph(inner('start', 'q'), end('it', 'output')).errors).toEqual([]);
  });

  it("a child cannot read the iteration's output, nor a node after it a child's", () => {
    expect(graph(inner('it', 'output'), end('it', 'output')).errors).toEqual([
      expect.stringMatching(/reads "output" of the iteration "Each" \(it\) it runs inside; inside it only "item", "index" exist/),
    ]);
    expect(graph(inner('it', 'item'), end('t', 'output')).errors).toEqual([
      expect.stringMatching(/reads "T" \(t\), which is inside iteration "Each" \(it\); only nodes inside that iteration can read it/),
    ]);
  });

  it('a loop-start outside a loop is refused', () => {
    const stray = { id: 'ls', data: { type: 'loop-start', title: '' } };
    expect(validate('workflow', [start, stray, end('start', 'q')], chain('start', 'ls', 'end')).errors).toContainEqual(
      expect.stringMatching(/^\/dsl\/workflow\/graph\/nodes\/1: .*exists only inside a loop node/),
    );
  });
});

describe('branch handles', () => {
  const classifier: N = {
    id: 'qc',
    data: { type: 'question-classifier', title: 'QC', query_variable_selector: ['sys', 'query'], classes: [{ id: 'a', name: 'A' }] },
  };

  it('a question classifier branches by class id only', () => {
    const ok = validate(
      'advanced-chat',
      [start, classifier, answer('hi')],
      [...chain('start', 'qc'), { id: 'x', source: 'qc', sourceHandle: 'a', target: 'answer' }],
    );
    expect(ok.errors).toEqual([]);
    const bad = validate(
      'advanced-chat',
      [start, classifier, answer('hi')],
      [...chain('start', 'qc'), { id: 'x', source: 'qc', sourceHandle: 'source', target: 'answer' }],
    );
    expect(bad.errors).toEqual([
      expect.stringMatching(/^\/dsl\/workflow\/graph\/edges\/1\/sourceHandle: .*handle "source".* use one of "a"$/),
    ]);
  });

  it('the old if-else form branches true/false; a fail-branch node also by fail-branch', () => {
    const legacy = { id: 'if', data: { type: 'if-else', title: 'If', conditions: [{ variable_selector: ['start', 'q'] }] } };
    expect(
      validate(
        'workflow',
        [start, legacy, end('start', 'q')],
        [...chain('start', 'if'), { id: 'x', source: 'if', sourceHandle: 'true', target: 'end' }],
      ).errors,
    ).toEqual([]);
    const http = (strategy?: string) => ({
      id: 'h',
      data: { type: 'http-request', title: 'H', url: 'https://x', error_strategy: strategy },
    });
    const edges = [...chain('start', 'h'), { id: 'x', source: 'h', sourceHandle: 'fail-branch', target: 'end' }];
    expect(validate('workflow', [start, http('fail-branch'), end('h', 'error_message')], edges).errors).toEqual([]);
    expect(validate('workflow', [start, http(), end('h', 'body')], edges).errors).toEqual([expect.stringMatching(/handle "fail-branch"/)]);
  });
});

describe('app modes, sys and unknown types', () => {
  it('sys.* follows the app mode', () => {
    expect(validate('advanced-chat', [start, answer('{{#sys.query#}} {{#sys.dialogue_count#}}')], chain('start', 'answer')).errors).toEqual(
      [],
    );
    expect(validate('workflow', [start, end('sys', 'timestamp')], chain('start', 'end')).errors).toEqual([]);
    expect(validate('advanced-chat', [start, answer('{{#sys.timestamp#}}')], chain('start', 'answer')).errors).toEqual([
      expect.stringMatching(/reads sys\.timestamp, which a "advanced-chat" app does not have/),
    ]);
  });

  it('a node type the catalogue does not know is a warning, and its outputs are not checked', () => {
    const future = { id: 'f', data: { type: 'quantum-oracle', title: 'Oracle' } };
    const { errors, warnings } = validate('workflow', [start, future, end('f', 'anything')], chain('start', 'f', 'end'));
    expect(errors).toEqual([]);
    expect(warnings).toContainEqual(
      expect.stringMatching(/^\/dsl\/workflow\/graph\/nodes\/1\/data\/type: .*"quantum-oracle", which dify-gitops does not know/),
    );
  });

  it('note nodes are layout: never unreachable, never unknown', () => {
    const note = { id: 'n', type: 'custom-note', data: { type: '', title: '', text: 'hello' } };
    const result = validate('workflow', [start, note as N, end('start', 'q')], chain('start', 'end'));
    expect(result.errors).toEqual([]);
    expect(result.warnings.filter((w) => !w.includes('canonical'))).toEqual([]);
    const untyped = { id: 'u', data: { type: '', title: 'U' } };
    expect(validate('workflow', [start, untyped, end('start', 'q')], chain('start', 'u', 'end')).errors).toEqual([
      expect.stringMatching(/^\/dsl\/workflow\/graph\/nodes\/1\/data\/type: "U" \(u\) has an empty node type/),
    ]);
  });
});

describe('variables', () => {
  const env = (value_type: string, value: unknown, name = 'V') => ({ id: `id-${name}`, name, value_type, value, description: '' });
  const run = (list: unknown[]) => validate('workflow', [start, end('start', 'q')], chain('start', 'end'), { env: list }).errors;

  it('values fit their types, as variable_factory builds them', () => {
    expect(run([env('integer', 3, 'A'), env('float', 0.5, 'B'), env('boolean', true, 'C'), env('array[object]', [{}], 'D')])).toEqual([]);
    expect(run([env('integer', 1.5)])).toEqual([expect.stringMatching(/\/value: .*declared integer but its value is a fractional number/)]);
    expect(run([env('array[string]', [1])])).toEqual([
      expect.stringMatching(/declared array\[string\] but its value is an array holding items of another type/),
    ]);
    expect(run([env('string', null)])).toEqual([expect.stringMatching(/^\/dsl\/workflow\/environment_variables\/0: .*has no value/)]);
    expect(run([env('file', 'x')])).toEqual([expect.stringMatching(/\/value_type: .*value_type "file", which Dify does not take/)]);
  });

  it('never echoes a mistyped value', () => {
    expect(run([env('number', 'sk-live-abcdef')]).join('\n')).not.toContain('sk-live-abcdef');
  });
});

describe('the DSL version', () => {
  const withVersion = (version: string) => {
    const d = { dsl: { version } } as Definition;
    return validateDslVersion(d);
  };

  it('is one Dify released; a plausible next one is a warning, so a new Dify does not break the build', () => {
    expect(withVersion('0.5.0')).toEqual({ errors: 0, warnings: 0 });
    expect(withVersion('0.7.0')).toEqual({ errors: 0, warnings: 1 });
    for (const nonsense of ['0.3.7', '9.9.9', '0.6.0-beta', '1', 'banana'])
      expect(withVersion(nonsense)).toEqual({ errors: 1, warnings: 0 });
  });
});

describe('the DSL version a server takes', () => {
  it('is bounded by the Dify versions whose source we read', () => {
    expect(maxDslVersionFor('1.8.1')).toBe('0.4.0');
    expect(maxDslVersionFor('v1.8.0')).toBe('0.4.0');
    expect(maxDslVersionFor('1.9.2')).toBe('0.5.0');
    expect(maxDslVersionFor('1.12.1')).toBe('0.5.0');
    expect(maxDslVersionFor('1.13.0')).toBeUndefined();
    expect(maxDslVersionFor(undefined)).toBeUndefined();
  });

  it('refuses a newer DSL unless allowed, and says nothing without a known bound', () => {
    const dsl = { version: '0.5.0' } as Definition['dsl'];
    let refused: unknown;
    try {
      assertDslFitsServer(dsl, '1.8.1', false);
    } catch (error) {
      refused = error;
    }
    expect(isUserError(refused, 'deploy.import')).toBe(true);
    expect((refused as { location?: { path?: string } }).location?.path).toBe('/dsl/version');
    expect(() => assertDslFitsServer(dsl, '1.8.1', true)).not.toThrow();
    expect(() => assertDslFitsServer(dsl, '1.13.0', false)).not.toThrow();
    expect(() => assertDslFitsServer(dsl, '1.12.1', false)).not.toThrow();
  });
});
