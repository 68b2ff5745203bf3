// The demo's last step: a fleet fanned out across runners, with Dify behind an access proxy. The
// emulator starts demanding a Cloudflare Access service token; a plan without it is refused, a plan
// with it (dify-headers) names what changed (`changed`), and one deploy per name runs at once, each in
// its own clone of origin, as the jobs of examples/fleet.yml do.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Definition } from '../src/definition/types.js';
import { formatCanonical } from '../src/definition/canonical.js';
import type { Emulator } from '../test/emulator/server.js';
import { runGit, type TempRepo } from '../test/support/git-repo.js';
import type { GitHubApi } from '../test/support/github-api.js';
import type { ActionRun } from '../test/support/run-action.js';

export interface FleetStepContext {
  emulator: Emulator;
  repo: TempRepo;
  github: GitHubApi;
  defs: Definition[];
  appOf(d: Definition): string;
  action(name: string, inputs: Record<string, string>, env?: Record<string, string>, workspace?: string): Promise<ActionRun>;
  live(d: Definition): { marked_name: string } | undefined;
  step(title: string): void;
  check(ok: boolean, what: string): void;
}

/** Not a real token: what the demo's "Cloudflare Access" asks for. */
const SERVICE_TOKEN = {
  'CF-Access-Client-Id': 'demo0123456789.access',
  'CF-Access-Client-Secret': 'demo-access-secret-not-real-0123456789',
};

export async function runFleetStep(ctx: FleetStepContext): Promise<void> {
  const { emulator, repo, github, defs, action, check } = ctx;
  ctx.step('10. A fleet across runners, with Dify behind an access proxy');
  emulator.setOptions({ requireHeaders: SERVICE_TOKEN });
  const headers = Object.entries(SERVICE_TOKEN)
    .map(([name, value]) => `${name}: ${value}`)
    .join('\n');

  // Two definitions change in one push; loop-counter's 1.0.1 is in git but rolled back in Dify (step 4).
  const edited = ['passthrough', 'conversation-echo'].map((name) => {
    const d = structuredClone(defs.find((x) => x.name === name)!);
    d.version = name === 'passthrough' ? '1.2.0' : '1.0.1';
    d.dsl.workflow!.graph.nodes.find((n) => n.data.type === 'start')!.data.title = 'Start (fleet)';
    return d;
  });
  await repo.commit(Object.fromEntries(edited.map((d) => [`workflows/${d.name}.json`, formatCanonical(d)])), 'two edits at once');
  const loop = defs.find((d) => d.name === 'loop-counter')!;
  emulator.scriptRuns(ctx.appOf(loop), [{ status: 'succeeded', outputs: { num: 5 } }]);

  const refused = await action('10a-plan-without-headers', { command: 'plan' });
  check(
    refused.code === 1 && /dify-headers/.test(refused.stdout),
    'without dify-headers the proxy refuses (403), and the error says to set them',
  );

  const plan = await action('10b-plan', { command: 'plan', 'dify-headers': headers });
  const changed = JSON.parse(plan.outputs.changed ?? '[]') as string[];
  check(
    plan.code === 0 && changed.join(',') === 'conversation-echo,loop-counter,passthrough',
    `plan's changed output names what a deploy would change: ${JSON.stringify(changed)}`,
  );

  // One job per name, all at once, each in its own checkout (a matrix job's runner).
  const runners = await mkdtemp(path.join(tmpdir(), 'dify-gitops-demo-runners-'));
  try {
    const jobs = await Promise.all(
      changed.map(async (name) => {
        const dir = path.join(runners, name);
        await runGit(runners, ['clone', '--quiet', repo.origin, dir]);
        return action(`6c-deploy-${name}`, { command: 'deploy', workflows: name, all: 'true', 'dify-headers': headers }, {}, dir);
      }),
    );
    check(
      jobs.every((j) => j.code === 0),
      `${jobs.length} deploy jobs ran at once, each limited to its definition by workflows`,
    );
  } finally {
    await rm(runners, { recursive: true, force: true });
  }
  const wanted = [...edited, { ...loop, version: '1.0.1' }].map((d) => `${d.name}@v${d.version}`);
  const tags = await runGit(repo.origin, ['tag', '--list']);
  check(
    wanted.every((t) => tags.split('\n').includes(t) && github.state.releases.some((r) => r.tag_name === t)),
    `every tag and GitHub release landed: ${wanted.join(', ')}`,
  );
  check(
    edited.every((d) => ctx.live(d)?.marked_name === d.version),
    'Dify serves the new versions (read from the emulator, through the proxy)',
  );
  emulator.setOptions({ requireHeaders: {} });
}
