// npm run test:live: the conformance suite against a real Dify named by DIFY_LIVE_URL and
// DIFY_LIVE_EMAIL + DIFY_LIVE_PASSWORD (or DIFY_LIVE_TOKEN). Without them: one line, exit 0.
import { spawnSync } from 'node:child_process';
import { readLiveTarget } from '../test/live/target.js';

const read = readLiveTarget();
if ('skip' in read) {
  process.stdout.write(`${read.skip}\n`);
  process.exit(0);
}
const vitest = spawnSync('npx', ['vitest', 'run', '--config', 'vitest.live.config.ts', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(vitest.status ?? 1);
