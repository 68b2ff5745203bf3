// The live conformance suite against the bundled emulator, in both console auth eras, so the suite
// that checks real servers (npm run test:live) runs on every commit and cannot rot.
import { afterAll, beforeAll } from 'vitest';
import { startEmulator, type Emulator } from '../emulator/server.js';
import { describeConformance } from '../live/conformance.js';
import type { LiveTarget } from '../live/target.js';

const EMAIL = 'admin@example.com';
const PASSWORD = 'conformance-password';

const TOKEN = 'dfoa_conformance_token_0123456789';

for (const era of ['cookie', 'bearer', 'openapi'] as const) {
  let emulator: Emulator;
  const auth = era === 'bearer' ? 'bearer' : 'cookie';
  beforeAll(async () => {
    emulator = await startEmulator({
      auth,
      email: EMAIL,
      password: PASSWORD,
      restoreEndpoint: era !== 'bearer',
      openapi: era === 'openapi',
      openapiToken: TOKEN,
      // The suite's own pace is not what is under test here (bench measures a fleet under the limit).
      openapiRateLimitPerMinute: 0,
    });
  });
  afterAll(async () => {
    // Cleanup is part of the contract: nothing the suite created is left behind.
    const left = emulator.state().apps; // the emulator started empty
    await emulator.close();
    if (left.length) throw new Error(`the conformance suite left ${left.length} app(s) behind`);
  });
  // The /openapi era: a dfoa_ token, with the password for the API-key operations /openapi lacks.
  const target = (): LiveTarget => ({
    label: `emulator (${era})`,
    url: emulator.url,
    email: EMAIL,
    password: PASSWORD,
    token: era === 'openapi' ? TOKEN : undefined,
  });
  describeConformance(`emulator (${era})`, target);
}
