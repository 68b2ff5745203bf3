// The live conformance suite against the bundled emulator, in both console auth eras, so the suite
// that checks real servers (npm run test:live) runs on every commit and cannot rot.
import { afterAll, beforeAll } from 'vitest';
import { startEmulator, type Emulator } from '../emulator/server.js';
import { describeConformance } from '../live/conformance.js';
import type { LiveTarget } from '../live/target.js';

const EMAIL = 'admin@example.com';
const PASSWORD = 'conformance-password';

for (const auth of ['cookie', 'bearer'] as const) {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ auth, email: EMAIL, password: PASSWORD, restoreEndpoint: auth === 'cookie' });
  });
  afterAll(async () => {
    // Cleanup is part of the contract: nothing the suite created is left behind.
    const left = emulator.state().apps; // the emulator started empty
    await emulator.close();
    if (left.length) throw new Error(`the conformance suite left ${left.length} app(s) behind`);
  });
  const target = (): LiveTarget => ({ label: `emulator (${auth})`, url: emulator.url, email: EMAIL, password: PASSWORD });
  describeConformance(`emulator (${auth})`, target);
}
