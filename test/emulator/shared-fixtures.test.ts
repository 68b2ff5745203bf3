// Dify's real DSL fixtures, an extra layer over the project's own: when the checkout has them beside
// the repository (`../shared/fixtures/dify-dsl`, as CI does), every one goes through the same checks
// as test/fixtures/dify-dsl/. Without them this file prints one line and skips.
import { describe, it } from 'vitest';
import { dslFixtureFiles, SHARED_DSL_FIXTURES_DIR } from '../support/dify-dsl.js';
import { describeDslFixtureChecks } from '../support/dsl-fixture-checks.js';

const FILES = dslFixtureFiles(SHARED_DSL_FIXTURES_DIR);

if (FILES.length === 0) {
  process.stdout.write(
    `shared-fixtures: skipped, no Dify DSL fixtures at ${SHARED_DSL_FIXTURES_DIR} (checkout without ../shared beside it)\n`,
  );
  describe.skip('Dify DSL fixtures beside the repository', () => {
    it('absent', () => {});
  });
} else {
  describeDslFixtureChecks('Dify fixtures', SHARED_DSL_FIXTURES_DIR, FILES);
}
