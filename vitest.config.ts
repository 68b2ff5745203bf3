import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // test/live/ runs against a real Dify (npm run test:live); test/e2e/conformance-emulator.test.ts runs it here.
    exclude: ['test/live/**', 'node_modules/**'],
    setupFiles: ['test/setup/secret-scan.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores on CI: keep workers few so loopback servers are not starved.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
