import { describe, expect, it } from 'vitest';
import { bumpPatch, compareVersionText, parseSemver } from '../../../src/definition/versions.js';

describe('semver', () => {
  it.each([
    ['1.0.0', '1.0.1', -1],
    ['1.2.3', '1.10.0', -1],
    ['2.0.0', '1.99.99', 1],
    ['1.0.0-alpha', '1.0.0', -1],
    ['1.0.0-alpha', '1.0.0-alpha.1', -1],
    ['1.0.0-alpha.1', '1.0.0-alpha.beta', -1],
    ['1.0.0-beta.2', '1.0.0-beta.11', -1],
    ['1.0.0-rc.1', '1.0.0-beta.11', 1],
    ['1.0.0+build.1', '1.0.0+build.2', 0],
    ['3.1.4', '3.1.4', 0],
  ])('%s vs %s → %i', (a, b, order) => {
    expect(compareVersionText(a, b)).toBe(order);
    expect(compareVersionText(b, a)).toBe(-order || 0);
  });

  it.each(['1.0', '01.0.0', '1.0.0-', 'v1.0.0', '1.0.0-01', ''])('rejects %j', (text) => {
    expect(parseSemver(text)).toBeUndefined();
  });

  it('suggests the next patch', () => {
    expect(bumpPatch('1.4.9-rc.1')).toBe('1.4.10');
  });
});
