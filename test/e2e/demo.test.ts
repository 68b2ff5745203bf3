// `npm run demo` is the README's first command: it must keep doing what it says, quickly.
import path from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT, spawnNode } from '../support/run-action.js';

it('the demo deploys, plans a pull request, rolls back automatically and by hand, rotates a key, fans a fleet out behind an access proxy, and exits 0', async () => {
  const started = performance.now();
  const run = await spawnNode(
    ['--import', 'tsx', path.join(REPO_ROOT, 'scripts/demo.ts')],
    REPO_ROOT,
    { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' },
    60_000,
  );
  expect(run.code, run.stdout + run.stderr).toBe(0);
  expect(run.stdout).not.toContain('✘');
  for (const claim of [
    'one sticky plan comment on the pull request shows the changed word',
    'passthrough was rolled back automatically',
    'Dify serves passthrough 1.0.0 again',
    'loop-counter 1.0.0 is live again',
    'the new key is in the PASSTHROUGH_API_KEY secret',
    'without dify-headers the proxy refuses (403)',
    '3 deploy jobs ran at once, each limited to its definition by workflows',
    'every tag and GitHub release landed',
  ]) {
    expect(run.stdout).toContain(claim);
  }
  expect(performance.now() - started).toBeLessThan(60_000);
}, 90_000);
