// What gets imported into one environment: app id, knowledge bases mapped, secrets injected.
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { prepareTarget, resolveAppId } from '../../../src/stages/target.js';
import type { UserError } from '../../../src/support/errors.js';
import type { Definition, DslNode } from '../../../src/definition/types.js';
import { echoDefinition } from '../../support/deploy-world.js';

function withKnowledge(datasets: Definition['datasets']): Definition {
  const d = echoDefinition('faq', { staging: 'app-s', production: 'app-p' });
  const node: DslNode = {
    id: 'kr',
    type: 'custom',
    data: { type: 'knowledge-retrieval', title: 'FAQ lookup', dataset_ids: ['faq'], query_variable_selector: ['sys', 'query'] },
  };
  d.dsl.workflow!.graph.nodes.push(node);
  d.datasets = datasets;
  return d;
}

describe('prepareTarget', () => {
  it('picks the app of the environment, and names the known ones when it is missing', () => {
    const d = withKnowledge({ faq: { staging: 'ds-s', production: 'ds-p' } });
    expect(resolveAppId(d, 'staging')).toBe('app-s');
    expect(() => resolveAppId(d, 'qa')).toThrow(/no app for environment "qa"/);
    try {
      resolveAppId(d, 'qa');
    } catch (error) {
      expect((error as UserError).hint).toMatch(/it has: staging, production/);
    }
  });

  it("maps knowledge-base aliases to the environment's dataset ids", () => {
    const target = prepareTarget(withKnowledge({ faq: { staging: 'ds-s', production: 'ds-p' } }), 'production', {});
    const imported = parse(target.yaml);
    const kr = imported.workflow.graph.nodes.find((n: DslNode) => n.id === 'kr');
    expect(kr.data.dataset_ids).toEqual(['ds-p']);
    expect(target.appId).toBe('app-p');
  });

  it('refuses, before any write, a knowledge base without an id for the environment', () => {
    const d = withKnowledge({ faq: { staging: 'ds-s' } });
    let error: UserError | undefined;
    try {
      prepareTarget(d, 'production', {});
    } catch (e) {
      error = e as UserError;
    }
    expect(error?.message).toMatch(/"FAQ lookup" uses dataset "faq", which has no id for environment "production"/);
    expect(error?.code).toBe('definition.incomplete');
    expect(error?.location?.path).toBe(`/dsl/workflow/graph/nodes/${d.dsl.workflow!.graph.nodes.length - 1}/data/dataset_ids`);
  });

  it('injects declared secrets into the imported YAML only, and refuses a missing one', () => {
    const d = echoDefinition('s', 'app-1');
    d.dsl.workflow!.environment_variables = [{ id: 'e1', name: 'API_KEY', value: '', value_type: 'secret', description: '' }];
    d.secrets = { API_KEY: 'MY_API_KEY' };
    const target = prepareTarget(d, 'production', { MY_API_KEY: 'sk-test-value-1234567890' });
    expect(parse(target.yaml).workflow.environment_variables[0].value).toBe('sk-test-value-1234567890');
    expect(JSON.stringify(target.dsl)).not.toContain('sk-test-value');
    expect(target.secretValues).toEqual(['sk-test-value-1234567890']);
    expect(() => prepareTarget(d, 'production', {})).toThrow(
      /Secret API_KEY of s has no value: environment variable MY_API_KEY is not set/,
    );
  });

  it('keeps the DSL version a YAML string, so Dify does not read it as a float', () => {
    const d = echoDefinition('v', 'app-1');
    d.dsl.version = '0.4';
    expect(prepareTarget(d, 'production', {}).yaml).toMatch(/^version: "0\.4"$/m);
  });

  it("hashes the same content the same way whatever the environment's secrets", () => {
    const d = echoDefinition('h', 'app-1');
    d.dsl.workflow!.environment_variables = [{ id: 'e1', name: 'K', value: '', value_type: 'secret', description: '' }];
    d.secrets = { K: 'K' };
    expect(prepareTarget(d, 'production', { K: 'one-secret' }).hash).toBe(prepareTarget(d, 'production', { K: 'another-secret' }).hash);
  });
});
