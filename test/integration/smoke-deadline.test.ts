// Smoke runs against the emulator when a model call hangs: Dify keeps the stream open with pings,
// so only the run's own deadline ends it. The run is abandoned, Dify is asked to stop the task,
// the attempt counts as failed, and the log says when it started, that it is alive, and how long it took.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDifyService, type DifyService } from '../../src/dify/index.js';
import type { Definition } from '../../src/definition/types.js';
import { runSmokeChecks } from '../../src/stages/smoke-check.js';
import { createSystemClock } from '../../src/support/clock.js';
import { parsePyYaml } from '../../src/support/pyyaml.js';
import type { Emulator } from '../emulator/server.js';
import { CHATFLOW_DSL, startDify, WORKFLOW_DSL } from './dify-support.js';

const HUNG = { latency_ms: 600_000 };

let emu: Emulator;
beforeAll(async () => {
  // Pings far more often than the client's idle timeout: the stream is never silent.
  emu = await startDify({ pingIntervalMs: 100 });
});
afterAll(async () => emu.close());
beforeEach(() => emu.reset());

const clients: DifyService[] = [];
function service(apiKey: string): DifyService {
  const client = createDifyService(
    { serviceUrl: `${emu.url}/v1`, apiKey, timeoutMs: 2000, maxAttempts: 1 },
    { clock: createSystemClock(), log: () => {} },
  );
  clients.push(client);
  return client;
}
afterAll(async () => {
  for (const c of clients) await c.close?.();
});

function definition(dsl: string, check: Definition['smoke']): Definition {
  return { name: 'hang', version: '1.0.0', app: 'x', dsl: parsePyYaml(dsl) as Definition['dsl'], smoke: check };
}

const stops = (kind: 'workflow' | 'chat') =>
  emu
    .state()
    .requests.filter(
      (r) =>
        r.method === 'POST' &&
        (kind === 'workflow' ? /^\/v1\/workflows\/tasks\/[^/]+\/stop$/ : /^\/v1\/chat-messages\/[^/]+\/stop$/).test(r.path),
    );

describe('a smoke run that never finishes', () => {
  it('is abandoned at max_latency_ms, stopped in Dify, and counts as a failed attempt', async () => {
    const app = emu.seedApp({ mode: 'workflow', name: 'echo', dsl: WORKFLOW_DSL, published: true });
    emu.scriptRuns(app.id, [HUNG]);
    const lines: string[] = [];
    const health = await runSmokeChecks(
      definition(WORKFLOW_DSL, [{ name: 'echo', inputs: { query: 'hi' }, expect: { max_latency_ms: 1500 } }]),
      service(app.api_key),
      { retryBudget: 0, onProgress: (l) => lines.push(l), heartbeatMs: 400 },
    );
    expect(health.passed).toBe(false);
    const [check] = health.checks;
    expect(check.attempts).toBe(1);
    expect(check.failures[0]).toMatch(/no result within its deadline of 1500 ms: abandoned after \d+\.\d s/);
    expect(check.failures[0]).toMatch(/Dify stopped task/);
    expect(check.elapsedMs).toBeGreaterThanOrEqual(1400);
    expect(stops('workflow')).toHaveLength(1);
    const log = lines.join('\n');
    expect(log).toMatch(/▶ echo, run 1: started \(deadline 1\.5 s\)/);
    expect(log).toMatch(/… echo, run 1: still running, \d+\.\d s/);
    expect(log).toMatch(/✗ echo, run 1: failed: no result within its deadline.*\(\d+\.\d s\)$/m);
  });

  it('uses a retry on the hung attempt; a healthy second run passes', async () => {
    const app = emu.seedApp({ mode: 'workflow', name: 'echo', dsl: WORKFLOW_DSL, published: true });
    emu.scriptRuns(app.id, [HUNG]);
    const lines: string[] = [];
    const health = await runSmokeChecks(
      definition(WORKFLOW_DSL, [{ name: 'echo', inputs: { query: 'hi' }, expect: { max_latency_ms: 1000, contains: { query: 'hi' } } }]),
      service(app.api_key),
      { retryBudget: 1, onProgress: (l) => lines.push(l) },
    );
    expect(health.passed, lines.join('\n')).toBe(true);
    expect(health.checks[0].attempts).toBe(2);
    expect(health.retriesUsed).toBe(1);
    expect(stops('workflow')).toHaveLength(1);
    expect(lines.join('\n')).toMatch(/✓ echo, run 2: passed \(\d+\.\d s\)/);
  });

  it('stops a hung chatflow through the chat-messages stop endpoint', async () => {
    const app = emu.seedApp({ mode: 'advanced-chat', name: 'chat', dsl: CHATFLOW_DSL, published: true });
    emu.scriptRuns(app.id, [HUNG]);
    const health = await runSmokeChecks(
      definition(CHATFLOW_DSL, [{ name: 'chat', query: 'hi', inputs: {}, expect: { max_latency_ms: 1000 } }]),
      service(app.api_key),
      { retryBudget: 0 },
    );
    expect(health.checks[0].failures[0]).toMatch(/deadline of 1000 ms/);
    expect(stops('chat')).toHaveLength(1);
  });

  it('abandons the run at once when the job is cancelled, and starts no other check', async () => {
    const app = emu.seedApp({ mode: 'workflow', name: 'echo', dsl: WORKFLOW_DSL, published: true });
    emu.scriptRuns(app.id, [HUNG]);
    const cancel = new AbortController();
    setTimeout(() => cancel.abort(new Error('cancelled')), 500);
    const health = await runSmokeChecks(
      definition(WORKFLOW_DSL, [
        { name: 'first', inputs: { query: 'hi' }, expect: {} },
        { name: 'second', inputs: { query: 'hi' }, expect: {} },
      ]),
      service(app.api_key),
      { retryBudget: 3, signal: cancel.signal },
    );
    expect(health.passed).toBe(false);
    expect(health.checks[0]).toMatchObject({ attempts: 1, passed: false });
    expect(health.checks[0].failures[0]).toMatch(/the job was cancelled/);
    expect(health.checks[1]).toMatchObject({ attempts: 0, failures: ['not run: the job was cancelled'] });
    expect(health.retriesUsed).toBe(0);
    expect(stops('workflow')).toHaveLength(1);
    expect(emu.state().requests.filter((r) => r.path === '/v1/workflows/run')).toHaveLength(1);
  });
});
