import { describe, expect, it } from 'vitest';
import {
  buildPublishMarks,
  buildRepublishMarks,
  buildVerifiedMarks,
  carriesVerifiedHash,
  verifiedHash,
} from '../../../src/release/marks.js';
import { MARKED_COMMENT_MAX, MARKED_NAME_MAX } from '../../../src/dify/index.js';

const hash = 'ab'.repeat(32);

describe('marks', () => {
  it('a publish carries the hash first, within Dify limits', () => {
    const marks = buildPublishMarks({ name: 'x'.repeat(80), version: '1.2.3-rc.1+build.123456789', hash }, 'c'.repeat(40));
    expect(marks.markedName.length).toBeLessThanOrEqual(MARKED_NAME_MAX);
    expect(marks.markedComment.length).toBe(MARKED_COMMENT_MAX);
    expect(marks.markedComment.startsWith(`sha256:${hash.slice(0, 16)} commit cccccccccccc`)).toBe(true);
  });

  it('only a verified comment yields its hash', () => {
    const { markedComment } = buildPublishMarks({ name: 'a', version: '1.0.0', hash }, 'c'.repeat(40));
    expect(verifiedHash(markedComment)).toBeUndefined();
    const verified = buildVerifiedMarks({ id: 'w1', marked_name: '1.0.0', marked_comment: markedComment } as never)!;
    expect(verifiedHash(verified.markedComment)).toBe(hash.slice(0, 16));
    expect(buildVerifiedMarks({ id: 'w1', marked_comment: verified.markedComment } as never)).toBeNull();
    expect(carriesVerifiedHash({ id: 'w1', marked_comment: verified.markedComment } as never, hash)).toBe(true);
    expect(carriesVerifiedHash(null, hash)).toBe(false);
  });

  it('the ✓ never pushes a comment past the limit, counting characters as Dify does', () => {
    const marks = buildVerifiedMarks({ id: 'w1', marked_comment: '😀'.repeat(100) } as never)!;
    expect([...marks.markedComment].length).toBe(MARKED_COMMENT_MAX);
  });

  it('a republish keeps the old name, and the old comment when asked', () => {
    const before = { id: 'w0', marked_name: '1.0.0', marked_comment: '✓ sha256:0123456789abcdef' } as never;
    expect(buildRepublishMarks(before, { keepComment: true })).toEqual({ markedName: '1.0.0', markedComment: '✓ sha256:0123456789abcdef' });
    expect(buildRepublishMarks(before, { why: 'after a failed deploy' }).markedComment).toBe(
      'dify-gitops restore of w0 after a failed deploy',
    );
    expect(buildRepublishMarks({ id: 'w0' } as never).markedName).toBe('restored');
  });
});
