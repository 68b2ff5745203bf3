import { describe, expect, it } from 'vitest';
import { carrySections, setSection } from '../../../src/support/comment-sections.js';

describe('comment sections', () => {
  it('appends a section, replaces it in place, and leaves the rest alone', () => {
    const once = setSection('## plan\n\nbody\n', 'eval', 'first');
    expect(once).toBe('## plan\n\nbody\n\n<!-- dify-gitops:section:eval -->\nfirst\n<!-- /dify-gitops:section:eval -->\n');
    const twice = setSection(once, 'eval', 'second\n');
    expect(twice).toBe(once.replace('first', 'second'));
    expect(setSection('', 'eval', 'x')).toContain('<!-- dify-gitops:section:eval -->\nx\n');
  });

  it('carries sections a re-rendered body lacks, and not those it has', () => {
    const old = setSection('## plan v1\n', 'eval', 'regressed: refund');
    expect(carrySections(old, '## plan v2\n')).toBe(`## plan v2\n\n${old.slice(old.indexOf('<!--'))}`);
    const fresh = setSection('## plan v3\n', 'eval', 'all passed');
    expect(carrySections(old, fresh)).toBe(fresh);
    expect(carrySections('no sections', '## plan')).toBe('## plan');
  });
});
