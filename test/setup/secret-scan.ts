// Suite-wide leak check: everything any test file printed (its worker's stdout and stderr) is
// scanned, after the file's tests, for the credentials the suite hands to the code under test.
// `::add-mask::` lines are how a secret is given to the runner to hide, so they are the exception.
import { afterAll } from 'vitest';
import { findLeaks } from './leaks.js';

const SECRETS = [
  'dify-emulator-password',
  Buffer.from('dify-emulator-password').toString('base64'),
  'dfoa_emulator_token_0123456789',
  'ghs_test_token',
  'sk-live-4f8a1c9e7b2d6f0a3e5c8b1d',
  // dify-headers: the access-proxy service token of test/integration/dify-access-proxy.test.ts.
  'c0ffee5ecret-9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e',
];

const printed: string[] = [];
for (const stream of [process.stdout, process.stderr]) {
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    printed.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    return write(chunk, ...rest);
  }) as typeof stream.write;
}

// Vitest routes console.* around the streams, so those are recorded too.
for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
  const original = console[method].bind(console);
  console[method] = (...args: unknown[]) => {
    printed.push(`${args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}\n`);
    original(...args);
  };
}

afterAll(() => {
  const leaks = findLeaks(printed.join(''), SECRETS);
  if (leaks.length) throw new Error(`secrets were printed by this test file: ${leaks.map((s) => `${s.slice(0, 6)}…`).join(', ')}`);
});
