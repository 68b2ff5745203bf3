// The plan document (comment, summary, `plan` output) and its JSON twin (`changes`).
import { describe, expect, it } from 'vitest';
import type { WorkflowVersion } from '../../../src/dify/types.js';
import { buildFailedPlan, buildLivePlan, buildOfflinePlan } from '../../../src/plan/build.js';
import { planMarker, renderPlanReport, toChangesJson } from '../../../src/report/plan-comment.js';
import { asPublished, sampleDefinition } from './sample.js';

function updatePlan(name = 'summarizer') {
  const before = sampleDefinition('1.0.0');
  const after = sampleDefinition('1.1.0');
  after.dsl.workflow!.graph.nodes.find((n) => n.id === 'code')!.data.code = Array.from({ length: 40 }, (_, i) => `line ${i}`).join('\n');
  return buildLivePlan({
    name,
    file: `workflows/${name}.json`,
    environment: 'production',
    appId: 'app-1',
    versionTo: '1.1.0',
    dsl: after.dsl,
    unmapped: [],
    published: asPublished(before.dsl, { name: '1.0.0' }) as WorkflowVersion,
    release: null,
    draftYaml: null,
  });
}

describe('renderPlanReport', () => {
  it('heads the plan with a table of every definition and its outcome', () => {
    const invalid = buildFailedPlan({
      name: 'broken',
      file: 'workflows/broken.json',
      environment: 'production',
      mode: 'live',
      versionTo: '2.0.0',
      status: 'invalid',
      error: 'invalid: workflows/broken.json:3:5: bad',
    });
    const text = renderPlanReport({
      environment: 'production',
      mode: 'live',
      basis: 'definitions changed between aaaaaaa and bbbbbbb',
      plans: [updatePlan(), invalid],
    });
    expect(
      text.startsWith(
        '## dify-gitops plan: production\n\nPlanned: definitions changed between aaaaaaa and bbbbbbb.\n\n| Workflow | Version | Plan |\n| --- | --- | --- |\n',
      ),
    ).toBe(true);
    expect(text).toContain('| `summarizer` | 1.0.0 → 1.1.0 | ✏️ 1 node changed |');
    expect(text).toContain('| `broken` | – → 2.0.0 | ❌ invalid |');
    expect(text).toContain(
      '<details open>\n<summary>❌ <code>broken</code> 2.0.0: invalid</summary>\n\n`workflows/broken.json` · production\n\n**Invalid:** workflows/broken.json:3:5: bad\n\n</details>\n',
    );
    expect(text).not.toContain('**Deploy:** invalid');
    expect(text).not.toMatch(/\d{4}-\d\d-\d\dT/); // no timestamps: the same inputs give the same bytes
  });

  it('names the commit planned and links the run', () => {
    const text = renderPlanReport({
      environment: 'production',
      mode: 'live',
      basis: 'definitions changed between a and b',
      plans: [],
      sha: '0123456789abcdef0123456789abcdef01234567',
      runUrl: 'https://github.example/acme/flows/actions/runs/42',
    });
    expect(text).toContain(
      'Planned for commit [`0123456`](https://github.example/acme/flows/commit/0123456789abcdef0123456789abcdef01234567) · [workflow run](https://github.example/acme/flows/actions/runs/42).',
    );
    // Without a run, the commit is named but not linked.
    expect(renderPlanReport({ environment: 'p', mode: 'live', basis: 'x', plans: [], sha: 'abcdef0123' })).toContain(
      'Planned for commit `abcdef0`.',
    );
  });

  it('says when nothing changed', () => {
    expect(renderPlanReport({ environment: 'staging', mode: 'live', basis: 'definitions changed between a and b', plans: [] })).toBe(
      '## dify-gitops plan: staging\n\nPlanned: definitions changed between a and b.\n\nNo definition changed: nothing to deploy.\n',
    );
  });

  it('reads as a sentence when no base ref narrows the plan', () => {
    const text = renderPlanReport({
      environment: 'production',
      mode: 'live',
      basis: 'every definition (no base ref was given)',
      plans: [updatePlan()],
    });
    expect(text).toContain('\n\nPlanned: every definition (no base ref was given).\n\n');
    expect(text).not.toContain('Definitions every definition');
  });

  it('shows an errored definition\'s error plainly: no versions, no "Deploy:"', () => {
    const failed = buildFailedPlan({
      name: 'alpha',
      file: 'workflows/alpha.json',
      environment: 'production',
      mode: 'live',
      versionTo: '1.1.0',
      status: 'error',
      error: 'Dify answered 502 for GET /console/api/apps/x/workflows/publish\n  → Check that Dify is up, then run again.',
    });
    const text = renderPlanReport({ environment: 'production', mode: 'live', basis: 'x', plans: [failed] });
    expect(text).toContain('| `alpha` | – → 1.1.0 | ❌ not planned |');
    expect(text).toContain(
      '<summary>❌ <code>alpha</code> 1.1.0: not planned</summary>\n\n`workflows/alpha.json` · production\n\n**Error:** Dify answered 502 for GET /console/api/apps/x/workflows/publish\n  → Check that Dify is up, then run again.\n',
    );
    expect(text).not.toContain('unnamed version');
    expect(text).not.toContain('**Deploy:**');
  });

  it('explains an offline plan and what it was compared with', () => {
    const plan = buildOfflinePlan({
      file: 'workflows/summarizer.json',
      environment: 'production',
      base: sampleDefinition(),
      head: sampleDefinition('1.0.1'),
    });
    const text = renderPlanReport({
      environment: 'production',
      mode: 'offline',
      offlineReason: 'This pull request comes from a fork.',
      baseRef: 'origin/main',
      basis: 'changed between a and b',
      plans: [plan],
    });
    expect(text).toContain(
      '> **Offline plan.** This pull request comes from a fork. The definitions were validated offline and compared with the base `origin/main`, not with the live apps.',
    );
    expect(text).toContain('| `summarizer` | 1.0.0 → 1.0.1 | ✅ no workflow change |');
  });
});

describe('changes output', () => {
  it('lists per definition the versions, no-op flag and node changes', () => {
    expect(toChangesJson([updatePlan()])).toEqual([
      {
        name: 'summarizer',
        file: 'workflows/summarizer.json',
        environment: 'production',
        mode: 'live',
        status: 'update',
        app_id: 'app-1',
        version_from: '1.0.0',
        version_to: '1.1.0',
        noop: false,
        nodes: { added: [], removed: [], changed: [{ id: 'code', type: 'code', title: 'Trim', fields: ['code'] }] },
        edges: { added: 0, removed: 0, changed: 0 },
        variables: [],
        features_changed: false,
        app_changed: false,
        dependencies: { added: [], removed: [] },
        drift: null,
        draft: null,
        notes: [],
        error: null,
      },
    ]);
  });
});

describe('planMarker', () => {
  it('is one marker per environment, safe inside an HTML comment', () => {
    expect(planMarker('production')).toBe('dify-gitops:plan:production');
    expect(planMarker('a--b>')).not.toMatch(/--|>/);
  });
});
