// A secret Dify echoes back in a run error must reach no sink raw: the log, the job summary, the
// step outputs (GITHUB_OUTPUT), the failure message, the CLI's --json, the webhook and everything
// sent to GitHub. The built dist/ runs as the runner runs it; every captured byte is scanned.
import { afterEach, describe, expect, it } from 'vitest';
import { createDeployWorld, exampleDefinition, runCli, type DeployWorld } from '../support/deploy-world.js';
import { startReceiver, type Receiver } from '../integration/notify-receiver.js';

/** The value of the definition's declared secret SEARCH_API_KEY (no credential shape: only registration hides it). */
const SEARCH_KEY = 'srch-live-9d7c5b3a1f2e4d6c8b0a';
const echoed = `search API answered 401: key ${SEARCH_KEY} was revoked`;

let world: DeployWorld | undefined;
let receiver: Receiver | undefined;
afterEach(async () => {
  await Promise.all([world?.cleanup(), receiver?.close()]);
  world = undefined;
  receiver = undefined;
});

describe('a secret echoed in a Dify run error', () => {
  it('is redacted in every sink: log, summary, outputs, failure, webhook, GitHub requests and --json', async () => {
    receiver = await startReceiver();
    world = await createDeployWorld();
    const definition = exampleDefinition('http-search.json');
    const appId = world.seed(definition);
    await world.commit([definition], 'http-search');
    const failing = Array.from({ length: 6 }, () => ({ status: 'failed' as const, error: echoed }));
    world.emulator.scriptRuns(appId, failing);

    const run = await world.deploy(
      { all: 'true', 'smoke-retries': '0', 'notify-url': receiver.url, 'notify-secret': 'whsec-2b4d6f8a0c1e3g5i' },
      { SEARCH_API_KEY: SEARCH_KEY },
    );
    expect(run.code).toBe(1);
    // The error did travel (so the scan below means something), with the key blanked.
    expect(run.outputs.failed).toContain('was revoked');
    expect(run.outputs.failed).toContain('***');
    const github = JSON.stringify(world.github.requests);
    const webhooks = receiver.requests.map((r) => r.body).join('\n');
    expect(webhooks).toContain('was revoked');
    // `::add-mask::<value>` is how the runner is told what to hide: the one line that must hold it.
    const unmasked = (text: string) =>
      text
        .split('\n')
        .filter((line) => !line.startsWith('::add-mask::'))
        .join('\n');
    const sinks = {
      stdout: unmasked(run.stdout),
      stderr: run.stderr,
      summary: run.summary,
      outputs: JSON.stringify(run.outputs),
      github,
      webhooks,
    };
    for (const [sink, text] of Object.entries(sinks)) expect(text.includes(SEARCH_KEY), `${sink} holds the secret`).toBe(false);

    world.emulator.scriptRuns(appId, failing);
    const cli = await runCli(world, ['deploy', '--all', '--json', '--smoke-retries', '0'], { SEARCH_API_KEY: SEARCH_KEY });
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain('was revoked');
    expect(cli.stdout.includes(SEARCH_KEY), 'CLI --json holds the secret').toBe(false);
    expect(cli.stderr.includes(SEARCH_KEY), 'CLI stderr holds the secret').toBe(false);
  });
});
