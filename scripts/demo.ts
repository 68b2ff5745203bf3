// `npm run demo`: the whole release process on a laptop, no Dify needed. Starts the bundled Dify
// emulator, makes a throw-away repository with the example definitions, and runs the built action
// (dist/index.js) exactly as a GitHub runner would: deploy, a pull request's plan comment, a bad
// change rolled back automatically, a manual rollback, a key rotation, an eval-gated release (a
// regressing candidate refused, the fix released: scripts/demo-evals.ts), and a fleet fanned out
// across runners behind an access proxy. Exits non-zero if any step did not do what it says.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startEmulator, type Emulator } from '../test/emulator/server.js';
import { createTempRepo, type TempRepo } from '../test/support/git-repo.js';
import { startGitHubApi, type GitHubApi } from '../test/support/github-api.js';
import { REPO_ROOT, runAction, type ActionRun } from '../test/support/run-action.js';
import type { Definition } from '../src/definition/types.js';
import { formatCanonical } from '../src/definition/canonical.js';
import { loadDefinitionFiles } from '../src/definition/load.js';
import { runFleetStep } from './demo-fleet.js';
import { evalGatedRelease } from './demo-evals.js';

const EMAIL = 'demo@example.com';
const PASSWORD = 'demo-password-1234';
const GITHUB_TOKEN = 'ghs_demo_token_not_real';
const OUT = path.join(REPO_ROOT, 'demo-output');
const started = performance.now();

/** What the emulator answers for apps whose nodes it cannot execute (code, loops, iteration). */
const SCRIPTED: Record<string, Array<Record<string, unknown>>> = {
  'iteration-format': [{ output: ['output: apple', 'output: banana', 'output: cherry'] }],
  'loop-counter': [{ num: 5 }],
  'parallel-branches': [
    { 1: 'Code 1', 2: 'Code 2' },
    { 2: 'Code 2', 3: 'Code 3' },
  ],
  'http-search': [{ status_code: 200, body: '{"slideshow": {}}' }],
};

function step(title: string) {
  console.log(`\n━━ ${title} ${'━'.repeat(Math.max(0, 70 - title.length))}`);
}

function check(ok: boolean, what: string): void {
  console.log(`${ok ? '  ✔' : '  ✘'} ${what}`);
  if (!ok) {
    process.exitCode = 1;
    throw new Error(`demo step failed: ${what}`);
  }
}

/** The Actions log as a person reads it: groups as headers, no masking or debug commands. */
function showLog(run: ActionRun): void {
  for (const line of run.stdout.split('\n')) {
    if (
      !line ||
      line.startsWith('::debug::') ||
      line.startsWith('::add-mask::') ||
      line.startsWith('::endgroup::') ||
      line.startsWith('::set-output')
    )
      continue;
    if (line.startsWith('::group::')) console.log(`  ▸ ${line.slice(9)}`);
    else if (line.startsWith('::error')) console.log(`  ERROR ${line.replace(/^::error[^:]*::/, '')}`);
    else if (line.startsWith('::warning')) console.log(`  WARNING ${line.replace(/^::warning[^:]*::/, '')}`);
    else console.log(`    ${line}`);
  }
}

async function main() {
  await mkdir(OUT, { recursive: true });
  const emulator = await startEmulator({ email: EMAIL, password: PASSWORD });
  const repo = await createTempRepo();
  // A loopback stand-in for GitHub's REST API (as GitHub Enterprise users point GITHUB_API_URL at theirs).
  const github = await startGitHubApi({ token: GITHUB_TOKEN, repository: 'acme/dify-apps' });
  try {
    await run(emulator, repo, github);
    console.log(
      `\nDemo finished in ${((performance.now() - started) / 1000).toFixed(1)} s. Job summaries: ${path.relative(process.cwd(), OUT)}/`,
    );
  } finally {
    await Promise.all([emulator.close(), repo.cleanup(), github.close()]);
  }
}

async function run(emulator: Emulator, repo: TempRepo, github: GitHubApi) {
  const { defs, texts } = await loadExamples();
  const appOf = (d: Definition) => (typeof d.app === 'string' ? d.app : (d.app.production ?? d.app['*']));
  for (const d of defs) {
    emulator.seedApp({ id: appOf(d), mode: d.dsl.app.mode, name: d.dsl.app.name });
    const outputs = SCRIPTED[d.name];
    if (outputs)
      emulator.scriptRuns(
        appOf(d),
        outputs.map((o) => ({ status: 'succeeded' as const, outputs: o })),
      );
  }
  const files: Record<string, string> = {
    'schema/definition.schema.json': await readFile(path.join(REPO_ROOT, 'schema/definition.schema.json'), 'utf8'),
  };
  Object.assign(files, texts);
  const first = await repo.commit(files, 'Put our Dify apps under git');
  const action = async (name: string, inputs: Record<string, string>, env: Record<string, string> = {}, workspace = repo.dir) => {
    const result = await runAction({
      workspace,
      inputs: { 'dify-url': emulator.url, 'dify-email': EMAIL, 'dify-password': PASSWORD, 'github-token': GITHUB_TOKEN, ...inputs },
      env: {
        SEARCH_API_KEY: 'demo-search-key-not-real',
        GITHUB_API_URL: github.url,
        GITHUB_REPOSITORY: 'acme/dify-apps',
        GITHUB_SERVER_URL: 'https://github.example',
        GITHUB_RUN_ID: '1',
        ...env,
      },
    });
    showLog(result);
    await writeFile(path.join(OUT, `${name}.md`), result.summary);
    return result;
  };
  const live = (d: Definition) => {
    const app = emulator.state().apps.find((a) => a.id === appOf(d))!;
    return app.published.find((p) => p.id === app.workflow_id);
  };

  step(`1. Pull request check: validate ${defs.length} definitions`);
  const validate = await action('1-validate', { command: 'validate' });
  check(validate.code === 0 && validate.outputs.valid === 'true', `all ${defs.length} definitions are valid`);

  step('2. Merge to main: deploy every definition');
  const deploy = await action('2-deploy', { command: 'deploy', all: 'true' });
  check(deploy.code === 0, 'deploy succeeded');
  const tags = (await repo.git(['ls-remote', '--tags', 'origin'])).split('\n').filter(Boolean);
  check(
    defs.every((d) => tags.some((t) => t.endsWith(`refs/tags/${d.name}@v${d.version}`))),
    `release tags pushed to origin (${defs.map((d) => `${d.name}@v${d.version}`).join(', ')})`,
  );
  check(
    defs.every((d) => live(d)?.marked_name === d.version),
    'every app publishes the deployed version',
  );
  check(github.state.releases.length === defs.length, `a GitHub release per workflow (${github.state.releases.length})`);

  step('3. A pull request changes a word of a template and a line of code: the plan comment');
  const planned = await planPullRequest(repo, github, first, defs, action);
  check(planned.code === 0 && planned.outputs['has-changes'] === 'true', 'the plan says the merge would change something (has-changes)');
  const comment = String(github.state.comments.find((c) => String(c.body).includes('dify-gitops:plan:production'))?.body ?? '');
  const showsChange = (text: string) => text.includes('`iteration-format`') && /\bitem\b/.test(text);
  check(
    showsChange(comment) && showsChange(planned.summary),
    'one sticky plan comment on the pull request shows the changed word (and the job summary the same plan)',
  );

  step('4. A bad change: passthrough 1.1.0 wires its output to the wrong input');
  // Valid on paper (every reference resolves), wrong at run time: only a smoke check catches it.
  const good = defs.find((d) => d.name === 'passthrough')!;
  const bad = structuredClone(good);
  bad.version = '1.1.0';
  const start = bad.dsl.workflow!.graph.nodes.find((n) => n.data.type === 'start')!;
  (start.data.variables as unknown[]).push({
    variable: 'locale',
    label: 'locale',
    type: 'text-input',
    required: false,
    max_length: 16,
    options: [],
  });
  const end = bad.dsl.workflow!.graph.nodes.find((n) => n.data.type === 'end')!;
  (end.data.outputs as Array<{ value_selector: string[] }>)[0].value_selector = [start.id, 'locale'];
  const before = await repo.commit({ 'workflows/passthrough.json': formatCanonical(bad) }, 'passthrough: add a locale input');
  const eventFile = path.join(repo.dir, '..', 'push.json');
  await writeFile(eventFile, JSON.stringify({ before: first, after: before }));
  const failed = await action('4-deploy-bad-change', { command: 'deploy' }, { GITHUB_EVENT_PATH: eventFile });
  check(failed.code === 1, 'the job fails (as it must: the change was bad)');
  check(
    JSON.parse(failed.outputs.failed ?? '[]').some(
      (f: { name: string; result: string }) => f.name === 'passthrough' && f.result === 'rolled-back',
    ),
    'passthrough was rolled back automatically',
  );
  check(live(good)?.marked_name === '1.0.0', 'Dify serves passthrough 1.0.0 again (read from the emulator, not from the log)');

  step('5. Manual rollback: loop-counter back to 1.0.0 after a 1.0.1 release');
  const loop = defs.find((d) => d.name === 'loop-counter')!;
  const loop2 = structuredClone(loop);
  loop2.version = '1.0.1';
  loop2.description = `${loop2.description ?? ''} Tuned.`;
  loop2.dsl.workflow!.graph.nodes.find((n) => n.data.type === 'start')!.data.title = 'Begin';
  const head = await repo.commit({ 'workflows/loop-counter.json': formatCanonical(loop2) }, 'loop-counter: retitle start');
  await writeFile(eventFile, JSON.stringify({ before, after: head }));
  emulator.scriptRuns(appOf(loop), [
    { status: 'succeeded', outputs: { num: 5 } },
    { status: 'succeeded', outputs: { num: 5 } },
  ]);
  const release = await action('5a-deploy-loop-counter', { command: 'deploy' }, { GITHUB_EVENT_PATH: eventFile });
  check(release.code === 0 && live(loop)?.marked_name === '1.0.1', 'loop-counter 1.0.1 is live');
  const manual = await action('5b-rollback', { command: 'rollback', workflow: 'loop-counter', to: '1.0.0' });
  check(manual.code === 0 && live(loop)?.marked_name === '1.0.0', 'loop-counter 1.0.0 is live again, hash verified');

  step('6. Scheduled key rotation for passthrough');
  const app = () => emulator.state().apps.find((a) => a.id === appOf(good))!;
  const keysBefore = app().api_keys.map((k) => k.id);
  const rotate = await action('6-rotate-keys', {
    command: 'rotate-keys',
    workflow: 'passthrough',
    'secret-name': 'PASSTHROUGH_API_KEY',
    grace: '24h',
  });
  const keysAfter = app().api_keys.map((k) => k.id);
  check(rotate.code === 0, 'rotation succeeded');
  check(
    keysAfter.some((id) => !keysBefore.includes(id)) && keysBefore.every((id) => keysAfter.includes(id)),
    'a new, verified key exists; the old one keeps working through the 24 h grace',
  );
  check(
    [...github.state.secrets.values()].some((x) => x.name === 'PASSTHROUGH_API_KEY'),
    'the new key is in the PASSTHROUGH_API_KEY secret (sealed box)',
  );
  check(
    [...github.state.variables.values()].some((v) => v.name === 'DIFY_GITOPS_KEYS'),
    'the key ledger (ids only) is in the DIFY_GITOPS_KEYS variable',
  );

  await evalGatedRelease(
    { emulator, repo, github, action, step, check, liveName: () => live(good)?.marked_name, head, eventFile },
    good,
    appOf(good),
  );

  await runFleetStep({ emulator, repo, github, defs, appOf, action, live, step, check });
}

/**
 * On a branch: iteration-format says "item" where it said "output" and returns one more number;
 * then `plan` runs for the pull request, as pull-request.yml does, and main is checked out again.
 */
async function planPullRequest(
  repo: TempRepo,
  github: GitHubApi,
  base: string,
  defs: Definition[],
  action: (name: string, inputs: Record<string, string>, env?: Record<string, string>) => Promise<ActionRun>,
): Promise<ActionRun> {
  const changed = structuredClone(defs.find((d) => d.name === 'iteration-format')!);
  changed.version = '1.1.0';
  const node = (type: string) => changed.dsl.workflow!.graph.nodes.find((n) => n.data.type === type)!;
  node('template-transform').data.template = String(node('template-transform').data.template).replace('output', 'item');
  node('code').data.code = String(node('code').data.code).replace('[1, 2, 3]', '[1, 2, 3, 4]');
  await repo.git(['checkout', '--quiet', '-b', 'tweak-iteration-format']);
  await writeFile(path.join(repo.dir, 'workflows/iteration-format.json'), formatCanonical(changed));
  await repo.git(['commit', '--quiet', '--all', '--message', 'iteration-format: say "item"']);
  const head = await repo.git(['rev-parse', 'HEAD']);
  const number = github.addIssue({ title: 'iteration-format: say "item"', pull: true });
  const own = { full_name: 'acme/dify-apps', fork: false };
  const eventFile = path.join(repo.dir, '..', 'pull-request.json');
  await writeFile(eventFile, JSON.stringify({ pull_request: { number, base: { sha: base, repo: own }, head: { sha: head, repo: own } } }));
  try {
    return await action(
      '3-plan',
      { command: 'plan' },
      { GITHUB_EVENT_PATH: eventFile, GITHUB_EVENT_NAME: 'pull_request', GITHUB_SHA: head },
    );
  } finally {
    await repo.git(['checkout', '--quiet', 'main']);
  }
}

/** The example definitions as loaded (a DSL kept in a .dify.yml read into `dsl`), and their files' texts as committed. */
async function loadExamples(): Promise<{ defs: Definition[]; texts: Record<string, string> }> {
  const loaded = await loadDefinitionFiles(path.join(REPO_ROOT, 'workflows'), REPO_ROOT);
  const texts: Record<string, string> = {};
  for (const file of loaded) {
    texts[file.file] = file.text;
    if (file.dslFile) texts[file.dslFile.file] = file.dslFile.text;
  }
  return { defs: loaded.map((file) => file.value as Definition), texts };
}

main().catch((error) => {
  console.error(`\n${(error as Error).message}`);
  process.exitCode = 1;
});
