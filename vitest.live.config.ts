import { defineConfig } from 'vitest/config';

// The live conformance suite only (npm run test:live): one file, one server, steps in order.
export default defineConfig({
  test: {
    include: ['test/live/real-server.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
