// Cancelling the built action the way the runner does: SIGINT at a chosen moment (a request the
// emulator holds), then SIGTERM once SIGINT was taken and a second moment comes, if the test wants one.
import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DeployWorld } from './deploy-world.js';
import type { ActionRun, StartedAction } from './run-action.js';

/** A moment: the emulator has seen `method path` at least `nth` times since `since`. */
export const seen =
  (method: string, p: string | RegExp, nth = 1) =>
  (w: DeployWorld, since: number) =>
    w.emulator
      .state()
      .requests.slice(since)
      .filter((q) => q.method === method && (typeof p === 'string' ? q.path === p : p.test(q.path))).length >= nth;

export async function waitUntil(cond: () => boolean, child: ChildProcess, what: string): Promise<void> {
  const until = Date.now() + 60_000;
  while (!cond()) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the action ended before ${what}`);
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

export interface CancelMoments {
  /** When to send SIGINT. */
  at: (w: DeployWorld, since: number) => boolean;
  /** When to send SIGTERM after it (default: never; the run ends first). */
  term?: (w: DeployWorld, since: number) => boolean;
  /** Right after SIGINT (e.g. a fault that only the rollback may meet). */
  onInterrupt?: (w: DeployWorld) => void;
}

/** Start, SIGINT at `at`, SIGTERM at `term` (if given), and wait for the end. `since` counts requests from the start. */
export async function cancelAt(
  world: DeployWorld,
  start: () => Promise<StartedAction>,
  c: CancelMoments,
): Promise<{ run: ActionRun; since: number }> {
  const since = world.emulator.state().requests.length;
  const started = await start();
  let printed = '';
  started.child.stdout?.on('data', (chunk) => (printed += chunk));
  await waitUntil(() => c.at(world, since), started.child, 'the step to cancel at');
  started.child.kill('SIGINT');
  c.onInterrupt?.(world);
  if (c.term) {
    const term = c.term;
    // As the runner does: SIGTERM comes after SIGINT was taken, never in the same instant.
    await waitUntil(() => printed.includes('Received SIGINT') && term(world, since), started.child, 'the moment for SIGTERM').then(
      () => started.child.kill('SIGTERM'),
      () => {}, // it finished first: nothing left to terminate
    );
  }
  return { run: await started.done, since };
}
