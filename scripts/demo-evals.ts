// The demo's eval-gated release: a pull request whose new prompt answers one case worse than live.
// `eval` shows the regression in the sticky plan comment; the merge's deploy refuses it with nothing
// published; a fixed candidate then passes its gates and is released. The emulator's run rules
// make the candidate answer by its content, as a real model would answer a different prompt.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Emulator } from '../test/emulator/server.js';
import type { GitHubApi } from '../test/support/github-api.js';
import type { TempRepo } from '../test/support/git-repo.js';
import { REPO_ROOT, type ActionRun } from '../test/support/run-action.js';
import type { Definition } from '../src/definition/types.js';
import { formatCanonical } from '../src/definition/canonical.js';

export interface DemoWorld {
  emulator: Emulator;
  repo: TempRepo;
  github: GitHubApi;
  action(name: string, inputs: Record<string, string>, env?: Record<string, string>): Promise<ActionRun>;
  step(title: string): void;
  check(ok: boolean, what: string): void;
  /** The published version's marked name (the release it is). */
  liveName(): string | undefined;
  /** The last commit the repository's deploys saw, and where the push event file goes. */
  head: string;
  eventFile: string;
}

const QUESTIONS = ['refund', 'invoice', 'password reset'];

function candidate(base: Definition, version: string, prompt: string): Definition {
  const d = structuredClone(base);
  d.version = version;
  d.dsl.workflow!.graph.nodes.find((n) => n.data.type === 'start')!.data.title = prompt;
  d.evals = {
    gates: { min_pass_rate: 1, max_pass_rate_drop: 0, max_token_increase_pct: 25 },
    cases: QUESTIONS.map((q) => ({ name: `answers "${q}"`, inputs: { query: q }, expect: { equals: { query: q }, max_tokens: 200 } })),
  };
  return d;
}

export async function evalGatedRelease(world: DemoWorld, passthrough: Definition, appId: string): Promise<void> {
  const { emulator, repo, github, step, check } = world;
  world.step('7. Eval-gated release: passthrough with a new prompt, compared with live on 3 cases');
  const bundle = await readFile(path.join(REPO_ROOT, 'dist/index.js'), 'utf8').catch(() => '');
  if (process.env.DIFY_GITOPS_ACTION_ENTRY !== 'source' && !bundle.includes('eval-report')) {
    console.log('  (skipped: the committed dist/ predates the eval command; run `npm run build`, or set DIFY_GITOPS_ACTION_ENTRY=source)');
    return;
  }
  // Live answers every case with 100 tokens; "prompt B" gets the refund question wrong; "prompt C" is fine.
  emulator.scriptRules(appId, [
    {
      when: { workflow_contains: 'prompt B', inputs: { query: 'refund' } },
      outputs: { query: 'Sorry, I cannot help with that.' },
      tokens: 110,
    },
    { when: { workflow_contains: 'prompt C' }, tokens: 105 },
    { tokens: 100 },
  ]);
  const regressing = candidate(passthrough, '1.2.0', 'Start (prompt B)');
  const base = world.head;
  const prHead = await repo.commit({ 'workflows/passthrough.json': formatCanonical(regressing) }, 'passthrough: prompt B');
  const pr = github.addIssue({ title: 'passthrough: prompt B', pull: true });
  const prEvent = path.join(repo.dir, '..', 'pull.json');
  await writeFile(
    prEvent,
    JSON.stringify({
      pull_request: {
        number: pr,
        base: { sha: base, repo: { full_name: 'acme/dify-apps' } },
        head: { sha: prHead, repo: { full_name: 'acme/dify-apps' } },
      },
    }),
  );
  const evaluated = await world.action(
    '7-eval-pull-request',
    { command: 'eval' },
    { GITHUB_EVENT_PATH: prEvent, GITHUB_EVENT_NAME: 'pull_request' },
  );
  const comment = github.state.comments.find((c) => c.issue_number === pr);
  check(evaluated.code === 1, 'eval fails the pull request check: the candidate regresses');
  check(
    String(comment?.body ?? '').includes('🔻 answers "refund"'),
    'the sticky comment shows the regressed case (answers "refund": passed live, fails the candidate)',
  );

  step('8. Merged anyway: the deploy runs the evals on the imported draft and refuses to publish');
  await writeFile(world.eventFile, JSON.stringify({ before: base, after: prHead }));
  const refused = await world.action('8-deploy-refused', { command: 'deploy' }, { GITHUB_EVENT_PATH: world.eventFile });
  check(refused.code === 1, 'the deploy fails: a gate failed');
  check(world.liveName() === '1.0.0', 'nothing was published: Dify still serves passthrough 1.0.0');
  check(refused.summary.includes('🔻 answers "refund"'), 'the job summary lists the regressed case');

  step('9. The fix: prompt C passes every case within the token budget, and is released');
  const fixed = candidate(passthrough, '1.2.1', 'Start (prompt C)');
  const fixHead = await repo.commit({ 'workflows/passthrough.json': formatCanonical(fixed) }, 'passthrough: prompt C');
  await writeFile(world.eventFile, JSON.stringify({ before: prHead, after: fixHead }));
  const released = await world.action('9-deploy-fixed', { command: 'deploy' }, { GITHUB_EVENT_PATH: world.eventFile });
  check(released.code === 0, 'the deploy succeeds: every gate passed, then the smoke checks');
  check(world.liveName() === '1.2.1', 'Dify serves passthrough 1.2.1');
}
