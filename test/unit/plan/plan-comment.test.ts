// The plan as reviewers read it: folded sections, long prompts diffed word by word, user text that
// cannot break the document, changes-only, and GitHub's comment size limit.
import { describe, expect, it } from 'vitest';
import type { Definition, DslNode } from '../../../src/definition/types.js';
import type { WorkflowVersion } from '../../../src/dify/types.js';
import { readFileSync } from 'node:fs';
import { buildLivePlan, buildOfflinePlan } from '../../../src/plan/build.js';
import { COMMENT_LIMIT, renderPlanReport, SUMMARY_LIMIT, type PlanReport } from '../../../src/report/plan-comment.js';
import { planForTerminal } from '../../../src/report/plan-terminal.js';
import { asPublished, sampleDefinition } from './sample.js';

const node = (d: Definition, id: string): DslNode => d.dsl.workflow!.graph.nodes.find((n) => n.id === id)!;
const system = (d: Definition) => (node(d, 'llm').data.prompt_template as Array<{ text: string }>)[0];

/** A system prompt of about 2,000 characters whose last sentence names a language. */
function longPrompt(language: string): string {
  const sentences = Array.from({ length: 40 }, (_, i) => `Rule ${i + 1}: keep the summary faithful to the source.`);
  return `${sentences.join(' ')} Always answer in ${language}.`;
}

function plan(name: string, edit: (before: Definition, after: Definition) => void) {
  const before = sampleDefinition('1.0.0');
  const after = sampleDefinition('1.1.0');
  edit(before, after);
  return buildLivePlan({
    name,
    file: `workflows/${name}.json`,
    environment: 'production',
    appId: 'app-1',
    versionTo: after.version,
    dsl: after.dsl,
    unmapped: [],
    published: asPublished(before.dsl, { name: before.version }) as WorkflowVersion,
    release: null,
    draftYaml: null,
  });
}

const oneWord = (name = 'summarizer') =>
  plan(name, (before, after) => {
    system(before).text = longPrompt('English');
    system(after).text = longPrompt('French');
  });
const report = (plans: PlanReport['plans'], more: Partial<PlanReport> = {}): PlanReport => ({
  environment: 'production',
  mode: 'live',
  basis: 'definitions changed between a and b',
  plans,
  runUrl: 'https://github.example/acme/flows/actions/runs/42',
  ...more,
});

/** The section of `name`, from its <details> to its </details>. */
function section(text: string, name: string): string {
  const start = text.indexOf(`<details`, text.indexOf(`| \`${name}\``));
  return text.slice(start, text.indexOf('\n</details>', start) + 11);
}

describe('the plan comment', () => {
  it('shows a one-word change at the end of a 2,000-character prompt, highlighted, in a folded section', () => {
    expect(longPrompt('English').length).toBeGreaterThan(2000);
    const text = renderPlanReport(report([oneWord()]));
    const folded = section(text, 'summarizer');
    expect(folded.startsWith('<details open>\n<summary>✏️ <code>summarizer</code>: 1.0.0 → 1.1.0 · 1 node changed</summary>')).toBe(true);
    expect(folded).toContain('`prompt_template` (1 change, word by word):');
    expect(folded).toContain(
      '<pre>…keep the summary faithful to the source. Always answer in <del>English</del><ins><b>French</b></ins>.\n[user]\n{{#start.text#}}</pre>',
    );
    // Context, not the whole prompt: the reader sees the change, not 2,000 characters around it.
    expect(folded).not.toContain('Rule 1:');
  });

  it('bounds a prompt rewritten throughout, saying how many passages it left out, and shows whitespace changes', () => {
    const rewritten = plan('summarizer', (before, after) => {
      system(before).text = Array.from({ length: 400 }, (_, i) => `old${i} ${'x'.repeat(40)} a b c d e f g h i j k`).join(' ');
      system(after).text = Array.from({ length: 400 }, (_, i) => `new${i} ${'x'.repeat(40)} a b c d e f g h i j k`).join(' ');
    });
    const text = renderPlanReport(report([rewritten]));
    const block = text.slice(text.indexOf('<pre>'), text.indexOf('</pre>'));
    expect(block.length).toBeLessThan(9000);
    expect(block).toContain('<del>old0</del><ins><b>new0</b></ins>');
    expect(text).toContain('…</pre>\n\n_The rest of the changes to this field are not shown._');
    const spaced = plan('summarizer', (_before, after) => {
      system(after).text = 'You summarize text.\n\nBe brief.\nUse a {{#env.TONE#}} tone.';
    });
    expect(renderPlanReport(report([spaced]))).toContain(
      '<pre>[system]\nYou summarize text.<del>↵\n</del><ins><b>↵\n↵\n</b></ins>Be brief.',
    );
  });

  it('folds definitions that change nothing, and lists only changes in changes-only mode', () => {
    const same = plan('steady', () => {});
    const noop = { ...same, status: 'noop' as const, noop: true };
    const text = renderPlanReport(report([oneWord(), noop]));
    expect(text).toContain('<details>\n<summary>✅ <code>steady</code>: 1.0.0 → 1.1.0 · no-op</summary>');
    expect(text).toContain('<details open>\n<summary>✏️ <code>summarizer</code>');
    const only = renderPlanReport(report([oneWord(), noop], { changesOnly: true }));
    expect(only).not.toContain('steady');
    expect(only).toContain('| `summarizer` |');
    expect(only).toContain('_1 definition without changes not listed (changes-only)._');
    expect(renderPlanReport(report([noop], { changesOnly: true }))).toContain(
      'No definition changes anything: nothing to deploy.\n\n_1 definition without changes not listed (changes-only)._',
    );
  });

  it('keeps user text from breaking the document: HTML, fences, mentions and Mermaid syntax are escaped', () => {
    const hostile = plan('summarizer', (_before, after) => {
      system(after).text =
        'You summarize text.\nBe brief </pre></details><script>alert(1)</script> @octocat ``` #1\nUse a {{#env.TONE#}} tone.';
      node(after, 'llm').data.title = 'Sum"] --> x[<b>evil</b>]; click x';
      node(after, 'code').data.code = 'def main(text: str) -> dict:\n```\n    return {"result": text}\n';
    });
    const text = renderPlanReport(report([hostile]));
    expect(text).not.toContain('<script>');
    expect(text).toContain('&lt;/pre&gt;&lt;/details&gt;&lt;script&gt;alert(1)&lt;/script&gt; @octocat ``` #1');
    // Only our own tags open and close blocks.
    expect(text.match(/<details/g)).toHaveLength(1);
    expect(text.match(/<\/details>/g)).toHaveLength(1);
    expect(text.match(/<\/pre>/g)).toHaveLength(1);
    // A code diff holding ``` gets a longer fence.
    expect(text).toContain('````diff\n');
    // The Mermaid label: quotes, brackets, tags and semicolons as entity codes.
    const mermaid = text.slice(text.indexOf('```mermaid'), text.indexOf('```', text.indexOf('```mermaid') + 3));
    expect(mermaid).toContain('["#9999;#65039; Sum#34;#93; #45;#45;#62; x#91;#60;b#62;evil#60;#47;b#62;#93;#59; click x"]');
  });

  it('draws the changed graph with added, changed and removed nodes coloured', () => {
    const rewired = plan('summarizer', (_before, after) => {
      const wf = after.dsl.workflow!;
      wf.graph.nodes = wf.graph.nodes.filter((n) => n.id !== 'code');
      wf.graph.nodes.push({ id: 'fmt', type: 'custom', data: { type: 'template-transform', title: 'Format', template: '{{ x }}' } });
      node(after, 'llm').data.title = 'Summarize well';
      wf.graph.edges = [
        wf.graph.edges[0],
        { id: 'a', source: 'llm', sourceHandle: 'source', target: 'fmt', targetHandle: 'target' },
        { id: 'b', source: 'fmt', sourceHandle: 'source', target: 'end', targetHandle: 'target' },
      ];
    });
    const text = renderPlanReport(report([rewired]));
    expect(text).toContain(
      [
        '#### Graph',
        '',
        '```mermaid',
        'flowchart LR',
        '  n0(["Start"])',
        '  n1["#9999;#65039; Summarize well"]',
        '  n2(["End"])',
        '  n3["#10133; Format"]',
        '  n4["#10134; Trim"]',
        '  n0 --> n1',
        '  n1 ==> n3',
        '  n3 ==> n2',
        '  n1 -.-> n4',
        '  n4 -.-> n2',
        '  classDef added fill:#dafbe1,stroke:#1a7f37,color:#0f5323,stroke-width:2px',
        '  class n3 added',
        '  classDef changed fill:#fff8c5,stroke:#9a6700,color:#4d2d00,stroke-width:2px',
        '  class n1 changed',
        '  classDef removed fill:#ffebe9,stroke:#cf222e,color:#82071e,stroke-width:2px,stroke-dasharray:5 5',
        '  class n4 removed',
        '  linkStyle 1,2 stroke:#1a7f37,stroke-width:3px',
        '  linkStyle 3,4 stroke:#cf222e,stroke-dasharray:5 5',
        '```',
        '',
        '_➕ added · ✏️ changed · ➖ removed · thick: new edge · dashed: removed edge_',
      ].join('\n'),
    );
    // Rewired edges alone: no node is coloured, the legend names the edges.
    const rewiredOnly = plan('summarizer', (_before, after) => {
      const { edges } = after.dsl.workflow!.graph;
      edges.splice(1, 2, { id: 'x', source: 'llm', sourceHandle: 'source', target: 'end', targetHandle: 'target' });
    });
    const picture = renderPlanReport(report([rewiredOnly]));
    expect(picture).toContain(
      '  n1 ==> n3\n  n1 -.-> n2\n  n2 -.-> n3\n  linkStyle 1 stroke:#1a7f37,stroke-width:3px\n  linkStyle 2,3 stroke:#cf222e,stroke-dasharray:5 5\n```',
    );
    expect(picture).toContain('```\n\n_thick: new edge · dashed: removed edge_\n');
    expect(picture).not.toContain('classDef');
    // A change of variables alone draws no graph.
    const vars = plan('summarizer', (_b, after) => (after.dsl.workflow!.environment_variables![0].value = 'formal'));
    expect(renderPlanReport(report([vars]))).not.toContain('```mermaid');
  });
});

describe('kinds of change without a section of their own', () => {
  it('are shown generically, never dropped', () => {
    const p = plan('summarizer', (_before, after) => (after.dsl.workflow!.environment_variables![0].value = 'formal'));
    Object.assign(p.diff!, {
      model_settings: [{ path: 'langgenius/openai.version', before: '0.0.1', after: '0.0.2' }],
      app_block: [{ kind: 'icon', from: '🤖', to: '🧠' }],
      empty: [],
    });
    const text = renderPlanReport(report([p]));
    expect(text).toContain('1 variable changed, app block changed, model settings changed');
    expect(text).toContain('#### App block\n\n- `{"kind":"icon","from":"🤖","to":"🧠"}`\n');
    expect(text).toContain('#### Model settings\n\n- `langgenius/openai.version`: `"0.0.1"` → `"0.0.2"`\n');
    expect(text).not.toContain('Empty');
  });
});

describe('the graph of an iteration', () => {
  it('draws the nodes inside an iteration as a subgraph named after it', () => {
    const base = JSON.parse(readFileSync(new URL('../../../workflows/iteration-format.json', import.meta.url), 'utf8')) as Definition;
    const head = structuredClone(base);
    head.version = '1.1.0';
    const template = head.dsl.workflow!.graph.nodes.find((n) => n.data.type === 'template-transform')!;
    template.data.template = 'item: {{ arg1 }}';
    const text = renderPlanReport(
      report([buildOfflinePlan({ file: 'workflows/iteration-format.json', environment: 'production', base, head })]),
    );
    expect(text).toContain(
      [
        '  n0(["Start"])',
        '  subgraph n1 ["Iteration"]',
        '    n2(("iteration#45;start"))',
        '    n4["#9999;#65039; Template"]',
        '  end',
        '  n3["Code"]',
        '  n5(["End"])',
      ].join('\n'),
    );
    expect(text).toContain('<pre><del>output</del><ins><b>item</b></ins>: {{ arg1 }}</pre>');
  });
});

describe('300 changed definitions', () => {
  const plans = Array.from({ length: 300 }, (_, i) => oneWord(`summarizer-${String(i).padStart(3, '0')}`));

  it('fall back to the table, a link to the job summary and a note, under 65,536 characters', () => {
    const text = renderPlanReport(report(plans), COMMENT_LIMIT);
    expect(`<!-- dify-gitops:plan:production -->\n${text}`.length).toBeLessThan(65_536);
    expect(text).toMatch(/\*\*This plan is too long for a pull request comment\*\* \(\d{3},\d{3} characters; GitHub allows 65,536\)/);
    expect(text).toContain('Every diff is in the [job summary](https://github.example/acme/flows/actions/runs/42)');
    expect(text.match(/^\| `summarizer-\d{3}` \| 1\.0\.0 → 1\.1\.0 \| ✏️ 1 node changed \|$/gm)).toHaveLength(300);
    expect(text).not.toContain('<details');
  });

  it('count the rows a table too long for the comment leaves out', () => {
    const long = plans.map((p, i) => ({ ...p, name: `${'a-very-long-definition-name-'.repeat(8)}${i}` }));
    const text = renderPlanReport(report(long), COMMENT_LIMIT);
    expect(text.length).toBeLessThan(COMMENT_LIMIT.max);
    const shown = text.match(/^\| `a-very/gm)!.length;
    expect(shown).toBeLessThan(300);
    expect(text).toContain(`| … | | ${300 - shown} more definitions: see the job summary |`);
  });

  it('all fit in the job summary, each word highlighted', () => {
    const text = renderPlanReport(report(plans), SUMMARY_LIMIT);
    expect(Buffer.byteLength(text)).toBeLessThan(SUMMARY_LIMIT.max);
    expect(text.match(/<del>English<\/del><ins><b>French<\/b><\/ins>/g)).toHaveLength(300);
    // Past its limit the summary keeps what fits and says how many more there are.
    const capped = renderPlanReport(report(plans), { ...SUMMARY_LIMIT, max: 20_000 });
    expect(Buffer.byteLength(capped)).toBeLessThan(20_000);
    expect(capped).toMatch(/_Details of \d+ more definitions do not fit in one job summary/);
  });
});

describe('the plan in a terminal', () => {
  it('reads as plain text: word changes as [-old-]{+new+}, no HTML, no picture', () => {
    const hostile = plan('summarizer', (before, after) => {
      system(before).text = longPrompt('English');
      system(after).text = longPrompt('French <b> & "friends"');
    });
    const text = planForTerminal(renderPlanReport(report([hostile])));
    expect(text).toContain('### ✏️ `summarizer`: 1.0.0 → 1.1.0 · 1 node changed\n');
    expect(text).toContain('…keep the summary faithful to the source. Always answer in [-English-]{+French <b> & "friends"+}.');
    expect(text).not.toMatch(/<\/?(details|summary|pre|del|ins)>|```mermaid|&lt;|&amp;/);
  });
});
