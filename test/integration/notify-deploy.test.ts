// deploy and rollback send their webhooks: the real commands in-process against the Dify emulator,
// a real repository, a loopback GitHub API and a loopback webhook receiver.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCommand } from '../../src/main.js';
import { createCaptureSink } from '../support/capture-sink.js';
import { readActionSettings } from '../../src/settings.js';
import { verifyWebhookSignature } from '../../src/notify/verify.js';
import { createDeployWorld, echoDefinition, EMAIL, PASSWORD, type DeployWorld } from '../support/deploy-world.js';
import { startReceiver, type Receiver } from './notify-receiver.js';

const A = '11111111-1111-4111-8111-111111111111';
const SECRET = 'whsec-5e1d9c3b7a2f4e6d8c0b';

let world: DeployWorld | undefined;
let receiver: Receiver | undefined;
afterEach(async () => {
  await Promise.all([world?.cleanup(), receiver?.close()]);
  world = undefined;
  receiver = undefined;
});

async function run(w: DeployWorld, url: string, inputs: Record<string, string>) {
  // backup-dir is resolved from the process's working directory: keep it inside the temp repo.
  const all = {
    'backup-dir': path.join(w.repo.dir, '.dify-gitops/backups'),
    'dify-url': w.emulator.url,
    'dify-email': EMAIL,
    'dify-password': PASSWORD,
    'timeout-seconds': '5',
    'github-token': 'ghs_test_token',
    'notify-url': url,
    'notify-secret': SECRET,
    ...inputs,
  };
  const env: Record<string, string> = {
    GITHUB_WORKSPACE: w.repo.dir,
    GITHUB_API_URL: w.github.url,
    GITHUB_REPOSITORY: 'acme/flows',
    GITHUB_SERVER_URL: 'https://github.example',
    GITHUB_RUN_ID: '42',
  };
  for (const [k, v] of Object.entries(all)) env[`INPUT_${k.toUpperCase()}`] = v;
  const sink = createCaptureSink();
  const outcome = await runCommand(readActionSettings(env), sink);
  return { ...outcome, lines: sink.lines, warnings: sink.warnings };
}

describe('webhooks from deploy and rollback', () => {
  it('deploy, then rollback: one verified event each, carrying the tag and the run URL', async () => {
    receiver = await startReceiver();
    world = await createDeployWorld();
    const v1 = echoDefinition('alpha', A, '1.0.0');
    world.seed(v1);
    await world.commit([v1], 'alpha 1.0.0');
    expect((await run(world, receiver.url, { command: 'deploy', all: 'true' })).exitCode).toBe(0);
    const v2 = echoDefinition('alpha', A, '1.1.0');
    v2.dsl.workflow!.graph.nodes.find((n) => n.data.type === 'start')!.data.title = 'Start 1.1.0';
    await world.commit([v2], 'alpha 1.1.0');
    expect((await run(world, receiver.url, { command: 'deploy', all: 'true' })).exitCode).toBe(0);
    const rollback = await run(world, receiver.url, { command: 'rollback', workflow: 'alpha', to: '1.0.0' });
    expect(rollback.exitCode, rollback.lines.join('\n')).toBe(0);
    expect(rollback.lines).toContain('Webhook: delivered 1 of 1 event(s).');

    const events = receiver.requests.map((r) => JSON.parse(r.body));
    expect(events.map((e) => [e.event, e.version, e.result, e.tag])).toEqual([
      ['deploy', '1.0.0', 'deployed', 'alpha@v1.0.0'],
      ['deploy', '1.1.0', 'deployed', 'alpha@v1.1.0'],
      ['rollback', '1.0.0', 'rolled-back', 'alpha@v1.0.0'],
    ]);
    for (const e of events)
      expect(e).toMatchObject({
        workflow: 'alpha',
        environment: 'production',
        runUrl: 'https://github.example/acme/flows/actions/runs/42',
        repository: 'acme/flows',
      });
    for (const r of receiver.requests) {
      const verdict = verifyWebhookSignature({
        body: r.body,
        timestamp: r.headers['x-dify-gitops-timestamp'] as string,
        signature: r.headers['x-dify-gitops-signature'] as string,
        secret: SECRET,
      });
      expect(verdict).toEqual({ valid: true });
    }
  });

  it('a receiver that keeps failing does not fail the deploy: it warns', async () => {
    // Retry-After: 0 keeps the real clock's backoff out of the test; the retries still happen.
    receiver = await startReceiver([], { status: 503, headers: { 'retry-after': '0' } });
    world = await createDeployWorld();
    const v1 = echoDefinition('alpha', A, '1.0.0');
    world.seed(v1);
    await world.commit([v1]);
    const result = await run(world, receiver.url, { command: 'deploy', all: 'true' });
    expect(result.exitCode).toBe(0);
    expect(world.emulator.state().apps.find((a) => a.id === A)!.published).toHaveLength(1);
    expect(receiver.requests).toHaveLength(3);
    expect(result.warnings).toEqual([
      expect.stringMatching(
        /^Webhook for deploy of alpha \(deployed\) not delivered after 3 attempt\(s\): HTTP 503\. The deploy itself is not affected/,
      ),
    ]);
    expect([...result.lines, ...result.warnings].join('\n')).not.toContain(SECRET);
  });
});
