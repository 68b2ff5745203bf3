// Drift (live vs last release) and pull (live draft → definition), as pure functions.
import { VERSION } from '../../../src/version.js';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { Definition } from '../../../src/definition/types.js';
import type { WorkflowVersion } from '../../../src/dify/types.js';
import { buildDriftResult } from '../../../src/plan/drift.js';
import { renderDriftIssue, renderDriftSummary, toDriftedJson } from '../../../src/report/plan-drift.js';
import { rewriteFromExport } from '../../../src/plan/pull-rewrite.js';
import { mapDatasetAliases } from '../../../src/definition/workflow-parts.js';
import { parsePyYaml } from '../../../src/support/pyyaml.js';
import { asPublished, sampleDefinition } from './sample.js';

const exported = (d: Definition) => stringify({ ...d.dsl, version: '0.6.0' });
const input = (release: Definition, published: Definition | null, draft: Definition | null) => ({
  name: 'summarizer',
  file: 'workflows/summarizer.json',
  environment: 'production',
  appId: 'app-1',
  release: { tag: 'summarizer@v1.0.0', dsl: release.dsl },
  published: published ? (asPublished(published.dsl, { name: '1.0.0' }) as WorkflowVersion) : null,
  draftYaml: draft ? exported(draft) : null,
});

describe('drift', () => {
  it('is in sync when the published version and the draft equal the release (layout aside)', () => {
    const release = sampleDefinition();
    const draft = sampleDefinition();
    draft.dsl.workflow!.graph.nodes[0].position = { x: 999, y: 999 };
    const result = buildDriftResult(input(release, release, draft));
    expect(result).toMatchObject({ status: 'in-sync', published: { drifted: false }, draft: { drifted: false } });
    expect(toDriftedJson([result])).toEqual([]);
  });

  it('finds unpublished edits in the draft', () => {
    const release = sampleDefinition();
    const draft = sampleDefinition();
    draft.dsl.workflow!.graph.nodes[1].data.title = 'Summarize (edited)';
    const result = buildDriftResult(input(release, release, draft));
    expect(result).toMatchObject({ status: 'drifted', published: { drifted: false }, draft: { drifted: true, sameAsPublished: false } });
    expect(toDriftedJson([result])).toEqual([
      {
        name: 'summarizer',
        file: 'workflows/summarizer.json',
        environment: 'production',
        app_id: 'app-1',
        tag: 'summarizer@v1.0.0',
        published: false,
        draft: true,
      },
    ]);
    const summary = renderDriftSummary('production', [result]);
    expect(summary).toContain('| `summarizer` | `summarizer@v1.0.0` | ✅ matches | ⚠️ differs | ⚠️ drifted |');
    expect(summary).toContain('**Draft** (unpublished edits) differs from `summarizer@v1.0.0`: 1 node changed.');
    expect(summary).toContain('- `title`: `"Summarize"` → `"Summarize (edited)"`');
  });

  it('finds a published edit, and says when the draft holds the same edits', () => {
    const release = sampleDefinition();
    const live = sampleDefinition();
    live.dsl.workflow!.features!.opening_statement = 'Hi';
    const result = buildDriftResult(input(release, live, live));
    expect(result).toMatchObject({ status: 'drifted', published: { drifted: true }, draft: { drifted: true, sameAsPublished: true } });
    const issue = renderDriftIssue(result);
    expect(issue).toContain('**Published version (`1.0.0`)** differs from `summarizer@v1.0.0`: features changed.');
    expect(issue).toContain('**Draft:** holds the same edits as the published version.');
    expect(issue).toContain(`npx dify-gitops@${VERSION} pull summarizer`);
    expect(renderDriftIssue(result)).toBe(issue);
  });

  it('a released app with nothing published has drifted; a never-released one has not', () => {
    const release = sampleDefinition();
    expect(buildDriftResult(input(release, null, release)).status).toBe('drifted');
    expect(buildDriftResult({ ...input(release, release, release), release: null }).status).toBe('unreleased');
  });
});

describe('pull rewrite', () => {
  function withDatasets(): Definition {
    const d = sampleDefinition();
    d.app = { production: '11111111-1111-4111-8111-111111111111' };
    d.datasets = { faq: { production: 'aaaaaaaa-0000-4000-8000-000000000001' } };
    d.dsl.workflow!.graph.nodes.push({
      id: 'kb',
      type: 'custom',
      data: { type: 'knowledge-retrieval', title: 'FAQ', dataset_ids: ['faq'] },
    });
    return d;
  }

  it('keeps the envelope, maps dataset ids back to aliases and keeps secrets blank', () => {
    const current = withDatasets();
    const live = mapDatasetAliases(current, 'production').dsl;
    live.workflow!.graph.nodes[1].data.title = 'Summarize (edited in the UI)';
    const { definition, warnings } = rewriteFromExport(current, stringify({ ...live, version: '0.6.0' }), 'production', 'app');
    expect(warnings).toEqual([]);
    expect(definition).toMatchObject({
      name: 'summarizer',
      version: '1.0.0',
      app: current.app,
      datasets: current.datasets,
      secrets: { SEARCH_KEY: 'SEARCH_KEY' },
      smoke: [],
    });
    expect(definition.dsl.version).toBe('0.3.1'); // the definition's, not the one the server stamps
    expect(definition.dsl.workflow!.graph.nodes.find((n) => n.id === 'kb')!.data.dataset_ids).toEqual(['faq']);
    expect(definition.dsl.workflow!.graph.nodes[1].data.title).toBe('Summarize (edited in the UI)');
  });

  it('the YAML form gets the export byte for byte, unless dataset ids had to become aliases', () => {
    const plain = { ...sampleDefinition(), dsl_file: 'summarizer.dify.yml' };
    const edited = structuredClone(plain.dsl);
    edited.workflow!.graph.nodes[1].data.title = 'Edited';
    const yaml = `# as Dify gave it\n${stringify({ ...edited, version: '0.6.0' })}`;
    expect(rewriteFromExport(plain, yaml, 'production', 'app')).toMatchObject({ dslText: yaml, warnings: [], unchanged: false });

    const current = { ...withDatasets(), dsl_file: 'summarizer.dify.yml' };
    const live = mapDatasetAliases(current, 'production').dsl;
    live.workflow!.graph.nodes[1].data.title = 'Edited';
    const pulled = rewriteFromExport(current, stringify(live), 'production', 'app');
    expect(pulled.dslText).not.toContain('aaaaaaaa-0000-4000-8000-000000000001');
    expect(parsePyYaml(pulled.dslText)).toMatchObject({
      workflow: {
        graph: {
          nodes: expect.arrayContaining([expect.objectContaining({ id: 'kb', data: expect.objectContaining({ dataset_ids: ['faq'] }) })]),
        },
      },
    });
    expect(pulled.warnings).toEqual([
      expect.stringMatching(/summarizer\.dify\.yml is written from the export with dataset ids replaced by their aliases/),
    ]);
  });

  it('the YAML form never gets a secret value an export carried', () => {
    const current = { ...sampleDefinition(), dsl_file: 'summarizer.dify.yml' };
    const live = structuredClone(current.dsl);
    for (const v of live.workflow!.environment_variables!) if (v.value_type === 'secret') v.value = 'sk-live-value-123';
    live.workflow!.graph.nodes[1].data.title = 'Edited';
    const pulled = rewriteFromExport(current, stringify(live), 'production', 'app');
    expect(pulled.dslText).not.toContain('sk-live-value-123');
    expect(pulled.warnings).toEqual([expect.stringMatching(/secret values blanked/)]);
  });

  it('an export equal to the definition but for what Dify stamps on it (DSL version, selectors, layout) is unchanged', () => {
    const current = withDatasets();
    const live = mapDatasetAliases(current, 'production').dsl;
    for (const v of live.workflow!.environment_variables!)
      Object.assign(v, { selector: ['env', v.name], value: v.value_type === 'secret' ? '' : v.value });
    live.workflow!.graph.nodes[0].position = { x: 1, y: 1 };
    const pulled = rewriteFromExport(current, stringify({ ...live, version: '0.6.0' }), 'production', 'app');
    expect(pulled.unchanged).toBe(true);
    expect(pulled.definition).toBe(current);
    expect(pulled.warnings).toEqual([]);
  });

  it('a rename in the UI is an edit: the app block is compared for the keys the definition writes', () => {
    const current = withDatasets();
    const live = mapDatasetAliases(current, 'production').dsl;
    live.app = { ...live.app, name: 'Summarizer (renamed)', some_new_server_field: true };
    const pulled = rewriteFromExport(current, stringify(live), 'production', 'app');
    expect(pulled.unchanged).toBe(false);
    expect(pulled.definition.dsl.app.name).toBe('Summarizer (renamed)');
    const stampedOnly = rewriteFromExport(
      current,
      stringify({ ...mapDatasetAliases(current, 'production').dsl, app: { ...current.dsl.app, some_new_server_field: true } }),
      'production',
      'app',
    );
    expect(stampedOnly.unchanged).toBe(true);
  });

  it("a real edit is rewritten in the repo's form: no API-only variable fields the repo did not have", () => {
    const current = withDatasets();
    current.dsl.workflow!.conversation_variables = [
      { id: 'c1', name: 'history', value: '', value_type: 'string', description: '', selector: ['conversation', 'history'] } as never,
    ];
    const live = mapDatasetAliases(current, 'production').dsl;
    live.workflow!.graph.nodes[1].data.title = 'Summarize (edited)';
    for (const v of live.workflow!.environment_variables!) Object.assign(v, { selector: ['env', v.name], edited: true });
    live.workflow!.environment_variables!.push({
      id: 'e3',
      name: 'LIMIT',
      value: 5,
      value_type: 'number',
      description: '',
      selector: ['env', 'LIMIT'],
    } as never);
    const { definition, unchanged } = rewriteFromExport(current, stringify({ ...live, version: '0.6.0' }), 'production', 'app');
    expect(unchanged).toBe(false);
    expect(definition.dsl.version).toBe('0.3.1');
    expect(definition.dsl.workflow!.environment_variables).toEqual([
      { id: 'e1', name: 'TONE', value: 'friendly', value_type: 'string', description: '' },
      { id: 'e2', name: 'SEARCH_KEY', value: '', value_type: 'secret', description: '' },
      { id: 'e3', name: 'LIMIT', value: 5, value_type: 'number', description: '' },
    ]);
    // The repo's conversation variable had a selector (as real exports do): it stays.
    expect(definition.dsl.workflow!.conversation_variables).toEqual([
      { id: 'c1', name: 'history', value: '', value_type: 'string', description: '', selector: ['conversation', 'history'] },
    ]);
  });

  it('refuses to write a definition whose live app holds a pasted credential', () => {
    const current = withDatasets();
    const live = mapDatasetAliases(current, 'production').dsl;
    (live.workflow!.graph.nodes[1].data.prompt_template as Array<{ text: string }>)[0].text = 'key: sk-proj-4f8a1c9e7b2d6f0a3e5c8b1d9f7a';
    expect(() => rewriteFromExport(current, stringify(live), 'production', 'app')).toThrow(
      'The live app of summarizer holds what looks like a OpenAI-style API key (sk-proj********) at /dsl/workflow/graph/nodes/1/data/prompt_template/0/text; nothing was written.',
    );
  });

  it("refuses as well when the credential sits in the app's settings (read from its detail, not the export)", () => {
    const current = withDatasets();
    const live = mapDatasetAliases(current, 'production').dsl;
    const app = { id: 'app-1', name: 'summarizer', mode: 'workflow', description: 'key: sk-proj-4f8a1c9e7b2d6f0a3e5c8b1d9f7a' };
    expect(() => rewriteFromExport(current, stringify(live), 'production', 'app', app)).toThrow(
      'holds what looks like a OpenAI-style API key (sk-proj********) at /dsl/app/description; nothing was written.',
    );
  });

  it('blanks and declares a new secret, drops a stale one, and flags unknown dataset ids', () => {
    const current = withDatasets();
    const live = mapDatasetAliases(current, 'production').dsl;
    live.workflow!.environment_variables = [
      { id: 'e9', name: 'NEW_KEY', value: 'sk-should-never-be-kept-0123456789', value_type: 'secret', description: '' },
    ];
    live.workflow!.graph.nodes.find((n) => n.id === 'kb')!.data.dataset_ids = ['bbbbbbbb-0000-4000-8000-000000000002'];
    const { definition, warnings } = rewriteFromExport(current, stringify(live), 'production', 'app');
    expect(definition.secrets).toEqual({ NEW_KEY: 'NEW_KEY' });
    expect(definition.dsl.workflow!.environment_variables![0].value).toBe('');
    expect(JSON.stringify(definition)).not.toContain('sk-should-never');
    expect(warnings).toEqual([
      'Dataset id bbbbbbbb-0000-4000-8000-000000000002 has no alias for production: add it under "datasets" and use the alias in the knowledge-retrieval node.',
      'New secret variable NEW_KEY: declared as "secrets": {"NEW_KEY": "NEW_KEY"}; provide NEW_KEY to the deploy job.',
      'Secret SEARCH_KEY is no longer a secret variable in the live app: removed from "secrets".',
    ]);
  });
});
