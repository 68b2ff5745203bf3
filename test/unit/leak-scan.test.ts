// The suite-wide leak scan (test/setup/secret-scan.ts) must catch what it is for.
import { expect, it } from 'vitest';
import { findLeaks } from '../setup/leaks.js';

it("finds a secret anywhere but in the runner's ::add-mask:: command", () => {
  const printed = '::add-mask::s3cret-value\nSigned in (cookie auth)\nerror: token s3cret-value rejected\n';
  expect(findLeaks(printed, ['s3cret-value', 'other-secret'])).toEqual(['s3cret-value']);
  expect(findLeaks('::add-mask::s3cret-value\nall good\n', ['s3cret-value'])).toEqual([]);
});
