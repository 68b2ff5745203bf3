// The pure plan: each kind of change is found and rendered exactly; noise is not a change.
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { Definition, DslNode } from '../../../src/definition/types.js';
import type { WorkflowVersion } from '../../../src/dify/types.js';
import { buildLivePlan, buildOfflinePlan } from '../../../src/plan/build.js';
import { renderDefinitionPlan } from '../../../src/report/plan-render.js';
import { dslContentHash } from '../../../src/definition/canonical.js';
import { asPublished, sampleDefinition } from './sample.js';

const node = (d: Definition, id: string): DslNode => d.dsl.workflow!.graph.nodes.find((n) => n.id === id)!;

/** Plan `after` against `before` published live, as the plan command would. */
function livePlan(before: Definition, after: Definition, marks: { name?: string; comment?: string } = { name: before.version }) {
  return buildLivePlan({
    name: after.name,
    file: 'workflows/summarizer.json',
    environment: 'production',
    appId: 'app-1',
    versionTo: after.version,
    dsl: after.dsl,
    unmapped: [],
    published: asPublished(before.dsl, marks) as WorkflowVersion,
    release: { tag: `summarizer@v${before.version}`, dsl: before.dsl },
    draftYaml: null,
  });
}
const render = (plan: ReturnType<typeof livePlan>) => renderDefinitionPlan(plan).join('\n');

type Edit = (d: Definition) => void;
const cases: Array<{
  name: string;
  edit: Edit;
  nodes: { added?: string[]; removed?: string[]; changed?: Record<string, string[]> };
  shows: string[];
}> = [
  {
    name: 'node added',
    edit: (d) =>
      d.dsl.workflow!.graph.nodes.push({
        id: 'fmt',
        type: 'custom',
        data: { type: 'template-transform', title: 'Format', template: '{{ x }}' },
      }),
    nodes: { added: ['fmt'] },
    shows: ['- ➕ added `template-transform` **Format** (`fmt`)'],
  },
  {
    name: 'node removed',
    edit: (d) => (d.dsl.workflow!.graph.nodes = d.dsl.workflow!.graph.nodes.filter((n) => n.id !== 'code')),
    nodes: { removed: ['code'] },
    shows: ['- ➖ removed `code` **Trim** (`code`)'],
  },
  {
    name: 'prompt changed',
    edit: (d) =>
      ((node(d, 'llm').data.prompt_template as Array<{ text: string }>)[0].text =
        'You summarize text.\nBe very brief.\nUse a {{#env.TONE#}} tone.'),
    nodes: { changed: { llm: ['prompt_template'] } },
    shows: [
      '`prompt_template` (1 change, word by word):',
      '<pre>[system]\nYou summarize text.\nBe <ins><b>very </b></ins>brief.\nUse a {{#env.TONE#}} tone.\n[user]\n{{#start.text#}}</pre>',
    ],
  },
  {
    name: 'model and parameters changed',
    edit: (d) => {
      const model = node(d, 'llm').data.model as { name: string; completion_params: Record<string, unknown> };
      model.name = 'gpt-4o-mini';
      model.completion_params = { temperature: 0.2, max_tokens: 512 };
    },
    nodes: { changed: { llm: ['model'] } },
    shows: [
      '- `model.completion_params.max_tokens`: _(unset)_ → `512`',
      '- `model.completion_params.temperature`: `0.7` → `0.2`',
      '- `model.name`: `"gpt-4o"` → `"gpt-4o-mini"`',
    ],
  },
  {
    name: 'code changed',
    edit: (d) => (node(d, 'code').data.code = 'def main(text: str) -> dict:\n    return {"result": text.strip()[:500]}\n'),
    nodes: { changed: { code: ['code'] } },
    shows: [
      '```diff\n@@ -1,3 +1,3 @@\n def main(text: str) -> dict:\n-    return {"result": text.strip()}\n+    return {"result": text.strip()[:500]}\n \n```',
    ],
  },
  {
    name: 'edge rewired',
    edit: (d) =>
      (d.dsl.workflow!.graph.edges = [
        d.dsl.workflow!.graph.edges[0],
        { id: 'llm-end', source: 'llm', sourceHandle: 'source', target: 'end', targetHandle: 'target' },
        d.dsl.workflow!.graph.edges[2],
      ]),
    nodes: {},
    shows: ['#### Edges', '- ➕ Summarize → End (`llm[source] → end[target]`)', '- ➖ Summarize → Trim (`llm[source] → code[target]`)'],
  },
  {
    name: 'variable changed, added and removed',
    edit: (d) => {
      d.dsl.workflow!.environment_variables![0].value = 'formal';
      d.dsl.workflow!.environment_variables!.push({ id: 'e3', name: 'LIMIT', value: 500, value_type: 'number', description: 'max chars' });
      d.dsl.workflow!.environment_variables = d.dsl.workflow!.environment_variables!.filter((v) => v.name !== 'SEARCH_KEY');
    },
    nodes: {},
    shows: [
      '- ➕ added environment variable `LIMIT`\n  - `description`: _(unset)_ → `"max chars"`\n  - `value`: _(unset)_ → `500`',
      '- ➖ removed environment variable `SEARCH_KEY` (secret: values are never shown or compared)',
      '- ✏️ changed environment variable `TONE`\n  - `value`: `"friendly"` → `"formal"`',
    ],
  },
  {
    name: 'features changed',
    edit: (d) => {
      d.dsl.workflow!.features!.opening_statement = 'Hello!';
      d.dsl.workflow!.features!.retriever_resource = { enabled: false };
    },
    nodes: {},
    shows: ['#### Features\n\n- `opening_statement`: `""` → `"Hello!"`\n- `retriever_resource.enabled`: `true` → `false`'],
  },
];

describe('plan: each kind of change', () => {
  it.each(cases)('$name', ({ edit, nodes, shows }) => {
    const before = sampleDefinition('1.0.0');
    const after = sampleDefinition('1.1.0');
    edit(after);
    const plan = livePlan(before, after);
    expect(plan.status).toBe('update');
    expect(plan.noop).toBe(false);
    expect(plan.diff!.nodes.added.map((n) => n.id)).toEqual(nodes.added ?? []);
    expect(plan.diff!.nodes.removed.map((n) => n.id)).toEqual(nodes.removed ?? []);
    expect(Object.fromEntries(plan.diff!.nodes.changed.map((n) => [n.id, n.fields.map((f) => f.field)]))).toEqual(nodes.changed ?? {});
    const text = render(plan);
    expect(text).toContain('<summary>✏️ <code>summarizer</code>: 1.0.0 → 1.1.0 · ');
    for (const s of shows) expect(text).toContain(s);
    // Exact and stable: the same inputs render the same bytes.
    expect(render(livePlan(before, after))).toBe(text);
  });

  it('never shows a secret value, even when the repo side carries one', () => {
    const before = sampleDefinition();
    const after = sampleDefinition('1.1.0');
    after.dsl.workflow!.environment_variables![1].value = 'sk-live-abcdefghijklmnopqrstuvwxyz';
    const text = render(livePlan(before, after));
    expect(text).not.toContain('sk-live');
    expect(text).not.toContain('sk-ab');
  });
});

describe('plan: credentials pasted into the live app', () => {
  it('are hidden from the plan, in prompts and in values', () => {
    const live = sampleDefinition();
    const key = 'sk-proj-4f8a1c9e7b2d6f0a3e5c8b1d9f7a';
    (node(live, 'llm').data.prompt_template as Array<{ text: string }>)[0].text =
      `You summarize text.\nAPI key: ${key}\nUse a {{#env.TONE#}} tone.`;
    live.dsl.workflow!.environment_variables![0].value = `Bearer ${key}`;
    const text = render(livePlan(live, sampleDefinition('1.1.0')));
    expect(text).not.toContain(key);
    expect(text).toContain('‹hidden: looks like a OpenAI-style API key (sk-proj********)›');
    expect(text).toContain('- `value`: `‹hidden: looks like a');
  });
});

describe('plan: what is not a change', () => {
  it('moving, resizing and selecting nodes, the viewport and edge selection give an empty plan', () => {
    const before = sampleDefinition();
    const after = sampleDefinition('1.0.1');
    const wf = after.dsl.workflow!;
    wf.graph.viewport = { x: -300, y: 12, zoom: 0.7 };
    for (const n of wf.graph.nodes)
      Object.assign(n, {
        position: { x: 1, y: 2 },
        positionAbsolute: { x: 1, y: 2 },
        selected: true,
        width: 300,
        height: 120,
        dragging: false,
      });
    node(after, 'llm').data.selected = true;
    for (const e of wf.graph.edges) Object.assign(e, { selected: true, zIndex: 1000, id: `renamed-${e.id}` });
    wf.graph.nodes.reverse();
    const plan = livePlan(before, after);
    expect(plan.status).toBe('republish');
    expect(render(plan)).not.toContain('####');
  });

  it("is a no-op when the live version carries this definition's content hash", () => {
    const d = sampleDefinition();
    const plan = livePlan(d, d, {
      name: '1.0.0',
      comment: `✓ sha256:${dslContentHash(d.dsl).slice(0, 16)} commit abc dify-gitops summarizer@1.0.0`,
    });
    expect(plan).toMatchObject({ status: 'noop', noop: true, versionFrom: '1.0.0' });
    expect(render(plan)).toBe(
      '<details>\n<summary>✅ <code>summarizer</code>: 1.0.0 → 1.0.0 · no-op</summary>\n\n`workflows/summarizer.json` · app `app-1` · production\n\n**Deploy:** no-op: the live version already carries this content.\n\n</details>\n',
    );
  });

  it('an app never published plans as its first version, listing the nodes', () => {
    const d = sampleDefinition();
    const plan = buildLivePlan({
      name: d.name,
      file: 'workflows/summarizer.json',
      environment: 'production',
      appId: 'app-1',
      versionTo: '1.0.0',
      dsl: d.dsl,
      unmapped: [],
      published: null,
      release: null,
      draftYaml: null,
    });
    expect(plan).toMatchObject({ status: 'create', versionFrom: null, noop: false });
    const text = render(plan);
    expect(text).toContain('<details open>\n<summary>🆕 <code>summarizer</code>: nothing published → 1.0.0 · first version</summary>');
    expect(text).toContain(
      'creates the first published version (1.0.0): 4 nodes added, 3 edges added, 2 variables added, features changed.',
    );
    expect(text).toContain('- `llm` **Summarize** (`llm`)');
  });
});

describe('plan: drift from the last release', () => {
  it('warns when the live app was edited after the release, and shows the edits (release → live)', () => {
    const release = sampleDefinition('1.0.0');
    const live = sampleDefinition('1.0.0');
    node(live, 'code').data.title = 'Trim (hotfix)';
    const next = sampleDefinition('1.1.0');
    node(next, 'llm').data.desc = 'summarizes';
    const plan = buildLivePlan({
      name: 'summarizer',
      file: 'workflows/summarizer.json',
      environment: 'production',
      appId: 'app-1',
      versionTo: '1.1.0',
      dsl: next.dsl,
      unmapped: [],
      published: asPublished(live.dsl) as WorkflowVersion,
      release: { tag: 'summarizer@v1.0.0', dsl: release.dsl },
      draftYaml: null,
    });
    expect(plan.drift).toMatchObject({ tag: 'summarizer@v1.0.0', adoptedByThisChange: false });
    const text = render(plan);
    expect(text).toContain('> **Drift:** the live app differs from the last release `summarizer@v1.0.0`');
    expect(text).toContain('<details><summary>Live edits since summarizer@v1.0.0 (1 node changed)</summary>');
    expect(text).toContain('- `title`: `"Trim"` → `"Trim (hotfix)"`');
    expect(text).toContain('<summary>✏️ <code>summarizer</code>: unnamed version → 1.1.0 · 2 nodes changed · ⚠️ live drifted</summary>');
  });

  it('says nothing is lost when the change brings the repo up to the live edits', () => {
    const release = sampleDefinition('1.0.0');
    const live = sampleDefinition('1.1.0');
    node(live, 'code').data.title = 'Trim (hotfix)';
    const plan = buildLivePlan({
      name: 'summarizer',
      file: 'f',
      environment: 'production',
      appId: 'a',
      versionTo: '1.1.0',
      dsl: live.dsl,
      unmapped: [],
      published: asPublished(live.dsl) as WorkflowVersion,
      release: { tag: 'summarizer@v1.0.0', dsl: release.dsl },
      draftYaml: null,
    });
    expect(plan.status).toBe('republish');
    expect(plan.drift?.adoptedByThisChange).toBe(true);
    expect(render(plan)).toContain('this change brings the repository up to date with it: nothing live is lost');
  });
});

describe('plan: unpublished edits in the draft', () => {
  const exported = (d: Definition) => stringify({ ...d.dsl, version: '0.6.0' });
  function draftPlan(
    repo: Definition,
    published: Definition | null,
    draft: Definition,
    marks: { name?: string; comment?: string } = { name: '1.0.0' },
  ) {
    return buildLivePlan({
      name: 'summarizer',
      file: 'workflows/summarizer.json',
      environment: 'production',
      appId: 'app-1',
      versionTo: repo.version,
      dsl: repo.dsl,
      unmapped: [],
      published: published ? (asPublished(published.dsl, marks) as WorkflowVersion) : null,
      release: { tag: 'summarizer@v1.0.0', dsl: sampleDefinition().dsl },
      draftYaml: exported(draft),
    });
  }

  it("warns, with the draft's edits, that the merge overwrites them", () => {
    const draft = sampleDefinition();
    node(draft, 'code').data.title = 'Trim (draft)';
    const next = sampleDefinition('1.1.0');
    node(next, 'llm').data.desc = 'summarizes';
    const plan = draftPlan(next, sampleDefinition(), draft);
    expect(plan.drift).toBeUndefined(); // the published version is the release
    expect(plan.draft).toMatchObject({ against: 'published', againstName: '1.0.0', adoptedByThisChange: false });
    const text = render(plan);
    expect(text).toContain(
      "> **Unpublished edits:** the draft in Dify's editor differs from the published version `1.0.0`. Unpublished edits in Dify's editor would be overwritten by this merge",
    );
    expect(text).toContain('<details><summary>Unpublished draft edits (1 node changed)</summary>');
    expect(text).toContain('- `title`: `"Trim"` → `"Trim (draft)"`'); // published → draft
    expect(render(draftPlan(next, sampleDefinition(), draft))).toBe(text); // byte-stable
  });

  it('says nothing when the draft equals the published version, layout aside', () => {
    const draft = sampleDefinition();
    node(draft, 'llm').position = { x: 1, y: 1 };
    expect(draftPlan(sampleDefinition('1.1.0'), sampleDefinition(), draft).draft).toBeUndefined();
  });

  it('compares with the last release when nothing is published, and notes when the change adopts the draft', () => {
    const draft = sampleDefinition('1.1.0');
    node(draft, 'code').data.title = 'Trim (draft)';
    const unpublished = draftPlan(sampleDefinition('1.1.0'), null, draft);
    expect(unpublished.draft).toMatchObject({ against: 'release', againstName: 'summarizer@v1.0.0', adoptedByThisChange: false });
    expect(render(unpublished)).toContain('differs from the last release `summarizer@v1.0.0` (nothing is published)');
    const adopted = draftPlan(draft, sampleDefinition(), draft);
    expect(adopted.draft?.adoptedByThisChange).toBe(true);
    expect(render(adopted)).toContain('this change brings the repository up to date with them: nothing in the draft is lost');
  });

  it('a no-op deploy does not import, so it leaves the draft alone and warns of nothing', () => {
    const d = sampleDefinition();
    const draft = sampleDefinition();
    node(draft, 'code').data.title = 'Trim (draft)';
    const plan = draftPlan(d, d, draft, {
      name: '1.0.0',
      comment: `✓ sha256:${dslContentHash(d.dsl).slice(0, 16)} commit abc dify-gitops summarizer@1.0.0`,
    });
    expect(plan.status).toBe('noop');
    expect(plan.draft).toBeUndefined();
  });
});

describe('offline plan (fork pull requests)', () => {
  it('compares the definition with its base version, app block included', () => {
    const base = sampleDefinition('1.0.0');
    const head = sampleDefinition('1.1.0');
    head.dsl.app.description = 'Summarizes any text.';
    node(head, 'code').data.code = 'def main(text):\n    return {"result": text}\n';
    const plan = buildOfflinePlan({ file: 'workflows/summarizer.json', environment: 'production', base, head });
    expect(plan).toMatchObject({ mode: 'offline', status: 'update', versionFrom: '1.0.0', versionTo: '1.1.0', noop: null });
    const text = render(plan);
    expect(text).toContain('**Change:** 1 node changed, app settings changed.');
    expect(text).toContain('#### App\n\n- `description`: `"Summarizes text."` → `"Summarizes any text."`');
  });

  it('an envelope-only change has no workflow change', () => {
    const head = sampleDefinition('1.0.1');
    head.smoke = [{ name: 'works', inputs: { text: 'x' }, expect: {} }];
    expect(buildOfflinePlan({ file: 'f', environment: 'production', base: sampleDefinition(), head }).status).toBe('unchanged');
  });
});

describe('content live and verified', () => {
  const verified = (d: Definition) => ({
    name: '1.0.0',
    comment: `✓ sha256:${dslContentHash(d.dsl).slice(0, 16)} commit abc dify-gitops summarizer@1.0.0`,
  });
  const plan = (d: Definition, extra: { app?: Record<string, string>; publishedYaml?: string } = {}) =>
    buildLivePlan({
      name: d.name,
      file: 'workflows/summarizer.json',
      environment: 'production',
      appId: 'app-1',
      versionTo: d.version,
      dsl: d.dsl,
      unmapped: [],
      published: asPublished(d.dsl, verified(d)) as WorkflowVersion,
      release: { tag: 'summarizer@v1.0.0', dsl: d.dsl },
      draftYaml: null,
      app: { id: 'app-1', name: d.dsl.app.name, mode: 'workflow', icon_type: 'emoji', icon: String(d.dsl.app.icon ?? ''), ...extra.app },
      publishedYaml: extra.publishedYaml,
    });

  it('a bumped version with the same content is a release: no import, smoke checks, marks and a tag', () => {
    const bumped = { ...sampleDefinition('1.0.1'), dsl: sampleDefinition().dsl };
    const p = plan(bumped);
    expect(p).toMatchObject({ status: 'release', noop: false });
    expect(render(p)).toContain(
      'the deploy imports nothing, runs the smoke checks against the live app, re-marks it as 1.0.1 and tags it.',
    );
    expect(plan(sampleDefinition())).toMatchObject({ status: 'noop', noop: true });
  });

  it('an app renamed in the UI is an update that renames it back, shown as drift', () => {
    const p = plan(sampleDefinition(), { app: { name: 'Renamed in the UI', icon: '🚀' } });
    expect(p.status).toBe('update');
    const text = render(p);
    expect(text).toContain('app settings changed');
    expect(text).toContain('- `name`: `"Renamed in the UI"` → `"summarizer"`');
    expect(text).toContain('> **Drift:** the live app differs from the last release `summarizer@v1.0.0`');
  });

  it('plugin dependencies only the live export has: listed, with a note that an import cannot change them', () => {
    const d = sampleDefinition();
    const dependency = { type: 'marketplace', value: { marketplace_plugin_unique_identifier: 'langgenius/openai:0.2.0@x', version: null } };
    const p = plan(d, { publishedYaml: stringify({ ...d.dsl, dependencies: [dependency] }) });
    expect(p.status).toBe('noop');
    expect(p.notes.join('\n')).toContain('an import cannot change them; "pull summarizer" writes them into the definition');
    expect(render(p)).toContain('#### Plugin dependencies\n\n- ➖ `marketplace langgenius/openai:0.2.0@x`');
  });
});
