// Release tag naming and selection (pure; lives beside the git tests because it is the same boundary).
import { describe, expect, it } from 'vitest';
import { latestReleaseTag, parseReleaseTag, previousReleaseTag, releaseTag } from '../../src/release/tags.js';

describe('releaseTag / parseReleaseTag', () => {
  it('round-trips name and version', () => {
    expect(releaseTag('support-bot', '1.2.3')).toBe('support-bot@v1.2.3');
    expect(parseReleaseTag('support-bot@v1.2.3')).toEqual({ name: 'support-bot', version: '1.2.3' });
    expect(parseReleaseTag(releaseTag('a@b', '1.0.0-rc.1+build.5'))).toEqual({ name: 'a@b', version: '1.0.0-rc.1+build.5' });
  });

  it.each(['v1.2.3', '@v1.2.3', 'bot@1.2.3', 'bot@v1.2', 'bot@v01.2.3', 'bot@v1.2.3-', 'bot@v1.2.3-01', 'bot@vnext', 'bot'])(
    'ignores %s, which is not a release tag',
    (tag) => expect(parseReleaseTag(tag)).toBeNull(),
  );
});

describe('release ordering', () => {
  // Strictly ascending, in the order semver.org §11 gives; string order would get several wrong.
  const ascending = [
    '0.9.0',
    '1.0.0-alpha',
    '1.0.0-alpha.1',
    '1.0.0-alpha.beta',
    '1.0.0-beta',
    '1.0.0-beta.2',
    '1.0.0-beta.11',
    '1.0.0-rc.1',
    '1.0.0',
    '1.2.0',
    '1.9.0',
    '1.10.0',
    '1.10.1',
    '2.0.0',
    '10.0.0',
  ];
  it.each(ascending.slice(1).map((version, i) => [ascending[i], version]))('%s < %s', (lower, higher) => {
    const tags = [releaseTag('bot', higher), releaseTag('bot', lower)];
    expect(latestReleaseTag(tags, 'bot')).toBe(releaseTag('bot', higher));
    expect(latestReleaseTag([...tags].reverse(), 'bot')).toBe(releaseTag('bot', higher));
    expect(previousReleaseTag(tags, 'bot', higher)).toBe(releaseTag('bot', lower));
    expect(previousReleaseTag(tags, 'bot', lower)).toBeNull();
  });

  it('treats versions differing only in build metadata as the same release', () => {
    expect(previousReleaseTag(['bot@v1.0.0+a'], 'bot', '1.0.0+b')).toBeNull();
  });

  it('rejects a bound that is not a version', () => {
    expect(() => previousReleaseTag([], 'bot', '1.0')).toThrow(/semantic version/);
  });
});

describe('previousReleaseTag / latestReleaseTag', () => {
  const tags = [
    'bot@v1.9.0',
    'bot@v1.10.0',
    'bot@v1.2.0',
    'bot@v2.0.0-rc.1',
    'bot@v2.0.0-rc.2',
    'bot@v2.0.0',
    'other@v5.0.0',
    'bot-extra@v9.0.0',
    'bot@vlatest',
    'random-tag',
  ];
  const cases: Array<[string, string, string | null]> = [
    // [name, below, expected]
    ['bot', '2.0.0', 'bot@v2.0.0-rc.2'],
    ['bot', '2.0.0-rc.2', 'bot@v2.0.0-rc.1'],
    ['bot', '2.0.0-rc.1', 'bot@v1.10.0'],
    ['bot', '1.10.0', 'bot@v1.9.0'],
    ['bot', '1.9.5', 'bot@v1.9.0'],
    ['bot', '1.2.0', null],
    ['bot', '3.0.0', 'bot@v2.0.0'],
    ['other', '5.0.0', null],
    ['missing', '1.0.0', null],
  ];
  it.each(cases)('previous release of %s below %s is %s', (name, below, expected) => {
    expect(previousReleaseTag(tags, name, below)).toBe(expected);
  });

  it('finds the latest release per name, not by string order', () => {
    expect(latestReleaseTag(tags, 'bot')).toBe('bot@v2.0.0');
    expect(latestReleaseTag(['bot@v1.9.0', 'bot@v1.10.0'], 'bot')).toBe('bot@v1.10.0');
    expect(latestReleaseTag(tags, 'bot-extra')).toBe('bot-extra@v9.0.0');
    expect(latestReleaseTag(tags, 'nobody')).toBeNull();
  });
});
