// `eval` in-process against the emulator, real git and the loopback GitHub API: a pull request's
// candidate regresses one case. The draft is put back, nothing is published, the report, summary
// and the eval section of the sticky plan comment show the regression; a later plan keeps it.
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runEval } from '../../src/commands/eval.js';
import { runPlan } from '../../src/commands/plan.js';
import type { Definition } from '../../src/definition/types.js';
import { publishedWorkflowHash, workflowHash } from '../../src/definition/workflow-hash.js';
import { createGit } from '../../src/git/git.js';
import { readActionSettings } from '../../src/settings.js';
import { createCaptureSink } from '../support/capture-sink.js';
import { createDeployWorld, type DeployWorld, EMAIL, echoDefinition, PASSWORD } from '../support/deploy-world.js';
import { settingsFor } from '../support/settings.js';
import { type Cancellation, createCancellation } from '../../src/support/cancellation.js';

const A = '33333333-3333-4333-8333-333333333333';
let world: DeployWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

function version(v: string, marker: string): Definition {
  const d = echoDefinition('helpdesk', A, v);
  d.dsl.workflow!.graph.nodes.find((n) => n.data.type === 'start')!.data.title = marker;
  d.evals = {
    gates: { max_pass_rate_drop: 0, max_token_increase_pct: 50 },
    cases: ['refund', 'invoice'].map((q) => ({ name: q, inputs: { query: q }, expect: { equals: { query: q }, max_tokens: 100 } })),
  };
  return d;
}

async function run(w: DeployWorld, command: 'eval' | 'plan', base: string, pr: number, cancel?: Cancellation) {
  const event = path.join(w.repo.dir, '..', 'event.json');
  await writeFile(
    event,
    JSON.stringify({
      pull_request: { number: pr, base: { sha: base, repo: { full_name: 'acme/flows' } }, head: { repo: { full_name: 'acme/flows' } } },
    }),
  );
  const env: Record<string, string> = {
    GITHUB_WORKSPACE: w.repo.dir,
    GITHUB_API_URL: w.github.url,
    GITHUB_REPOSITORY: 'acme/flows',
    GITHUB_EVENT_PATH: event,
    GITHUB_EVENT_NAME: 'pull_request',
    INPUT_COMMAND: command,
    'INPUT_DIFY-URL': w.emulator.url,
    'INPUT_DIFY-EMAIL': EMAIL,
    'INPUT_DIFY-PASSWORD': PASSWORD,
    'INPUT_TIMEOUT-SECONDS': '5',
    'INPUT_BACKUP-DIR': path.join(w.repo.dir, '..', 'backups'),
    'INPUT_EVAL-REPORT': path.join(w.repo.dir, '..', 'eval.json'),
    'INPUT_GITHUB-TOKEN': 'ghs_test_token',
  };
  const sink = createCaptureSink();
  const settings = readActionSettings(env);
  const git = createGit(w.repo.dir);
  const result =
    command === 'eval'
      ? await runEval(settings, settingsFor(settings, 'eval').options, { git, sink, env, cancel })
      : await runPlan(settings, settingsFor(settings, 'plan').options, { git, sink });
  return { ...result, sink };
}

describe('command: eval', () => {
  it('reports a regressing candidate against live, puts the draft back and publishes nothing', async () => {
    world = await createDeployWorld();
    const w = world;
    const v1 = version('1.0.0', 'Start');
    w.seed(v1, { published: true, draft: true });
    const base = await w.commit([v1], 'v1');
    w.emulator.scriptRules(A, [
      { when: { workflow_contains: 'Start v2', inputs: { query: 'refund' } }, outputs: { query: 'sorry' }, tokens: 150 },
      { when: { workflow_contains: 'Start v2' }, tokens: 60 },
      { tokens: 50 },
    ]);
    await w.commit([version('1.1.0', 'Start v2')], 'v2: a new prompt');
    const pr = w.github.addIssue({ title: 'New prompt', pull: true });
    const before = w.emulator.state().apps[0];

    const result = await run(w, 'eval', base, pr);
    expect(result.exitCode, result.sink.text()).toBe(1);
    const after = w.emulator.state().apps[0];
    expect(after.published).toHaveLength(1);
    expect(after.workflow_id).toBe(before.workflow_id);
    expect(publishedWorkflowHash(after.draft!.dsl.workflow)).toBe(workflowHash(v1.dsl));

    const reportText = readFileSync(path.join(w.repo.dir, '..', 'eval.json'), 'utf8');
    // The live side ran with the app's key: it reaches no sink.
    for (const key of after.api_keys) expect(`${result.sink.text()}\n${reportText}`).not.toContain(key.token);
    const report = JSON.parse(reportText);
    expect(report.ok).toBe(false);
    expect(report.definitions[0]).toMatchObject({
      name: 'helpdesk',
      passed: false,
      regressions: ['refund'],
      candidate: { cases: 2, passed: 1, tokens: 210 },
      live: { cases: 2, passed: 2, tokens: 100 },
    });
    expect(report.definitions[0].gates.map((g: { gate: string; passed: boolean }) => [g.gate, g.passed])).toEqual([
      ['max_pass_rate_drop', false],
      ['max_token_increase_pct', false],
    ]);
    const summary = result.sink.summaries.join('\n');
    expect(summary).toContain('## dify-gitops eval: production');
    expect(summary).toMatch(/\| 🔻 refund \| ❌ \d+ ms \| ✅ \d+ ms \| output "query" is "sorry", expected "refund" \|/);
    expect(summary).toContain('| Tokens | 210 | 100 | +110 ⚠️ |');

    // The eval is a section of the plan comment; a plan run afterwards keeps it.
    const comments = () => w.github.state.comments.filter((c) => c.issue_number === pr);
    expect(comments()).toHaveLength(1);
    expect(String(comments()[0].body)).toContain('🔻 refund');
    const plan = await run(w, 'plan', base, pr);
    expect(plan.exitCode, plan.sink.text()).toBe(0);
    expect(comments()).toHaveLength(1);
    expect(String(comments()[0].body)).toContain('## dify-gitops plan: production');
    expect(String(comments()[0].body)).toContain('🔻 refund');
  });

  it('passes a candidate that meets its gates, and keeps a first draft it had nothing to put back for', async () => {
    world = await createDeployWorld();
    const w = world;
    const v1 = version('1.0.0', 'Start');
    w.seed(v1);
    const base = await w.commit([echoDefinition('other', '44444444-4444-4444-8444-444444444444')], 'unrelated');
    await w.commit([v1], 'first version');
    const result = await run(w, 'eval', base, w.github.addIssue({ title: 'x', pull: true }));
    expect(result.exitCode, result.sink.text()).toBe(0);
    expect((result.json as { definitions: Array<{ passed: boolean; live: unknown }> }).definitions[0]).toMatchObject({
      passed: true,
      live: null,
    });
    expect(result.sink.text()).toContain('the app had no draft before: the candidate stays in it, unpublished');
    expect(w.emulator.state().apps[0].published).toHaveLength(0);
  });

  it('cancelled mid-eval: starts no further run and still puts the draft back', async () => {
    world = await createDeployWorld();
    const w = world;
    const v1 = version('1.0.0', 'Start');
    w.seed(v1, { published: true, draft: true });
    const base = await w.commit([v1], 'v1');
    const v2 = version('1.1.0', 'Start v2');
    v2.evals!.concurrency = 1;
    v2.evals!.cases = ['a', 'b', 'c', 'd'].map((q) => ({ name: q, inputs: { query: q }, expect: { equals: { query: q } } }));
    await w.commit([v2], 'v2');
    w.emulator.scriptRules(A, [{ when: { version: 'draft' }, latency_ms: 400 }]);
    const cancel = createCancellation();
    const draftRuns = () => w.emulator.state().requests.filter((r) => r.path === `/console/api/apps/${A}/workflows/draft/run`).length;
    const watcher = (async () => {
      while (draftRuns() === 0) await new Promise((r) => setTimeout(r, 5));
      cancel.cancel('SIGINT');
    })();
    const result = await run(w, 'eval', base, w.github.addIssue({ title: 'x', pull: true }), cancel);
    await watcher;
    cancel.dispose();
    expect(result.exitCode).toBe(1);
    expect(draftRuns()).toBeLessThan(4);
    const app = w.emulator.state().apps[0];
    expect(publishedWorkflowHash(app.draft!.dsl.workflow)).toBe(workflowHash(v1.dsl));
    expect(app.published).toHaveLength(1);
    expect(result.sink.text()).toContain('draft put back from the backup');
  });
});
