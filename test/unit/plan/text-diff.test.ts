import { describe, expect, it } from 'vitest';
import { diffLines, renderUnifiedDiff, splitLines } from '../../../src/plan/text-diff.js';

const show = (before: string, after: string) =>
  diffLines(splitLines(before), splitLines(after))
    .map((l) => `${l.op}${l.text}`)
    .join('|');

describe('diffLines', () => {
  it.each([
    ['identical', 'a\nb', 'a\nb', ' a| b'],
    ['one line changed', 'a\nb\nc', 'a\nB\nc', ' a|-b|+B| c'],
    ['line added at the end', 'a\nb', 'a\nb\nc', ' a| b|+c'],
    ['line removed at the start', 'a\nb\nc', 'b\nc', '-a| b| c'],
    ['from nothing', '', 'a\nb', '+a|+b'],
    ['to nothing', 'a\nb', '', '-a|-b'],
    ['interleaved', 'a\nb\nc\nd', 'a\nx\nc\ny', ' a|-b|+x| c|-d|+y'],
    ['moved line', 'a\nb\nc', 'b\nc\na', '-a| b| c|+a'],
  ])('%s', (_name, before, after, expected) => {
    expect(show(before, after)).toBe(expected);
  });

  it('finds a minimal edit script (only the changed lines are marked)', () => {
    const before = Array.from({ length: 200 }, (_, i) => `line ${i}`);
    const after = [...before];
    after[50] = 'changed 50';
    after.splice(120, 1);
    after.splice(180, 0, 'inserted');
    const diff = diffLines(before, after);
    expect(diff.filter((l) => l.op === '-').map((l) => l.text)).toEqual(['line 50', 'line 120']);
    expect(diff.filter((l) => l.op === '+').map((l) => l.text)).toEqual(['changed 50', 'inserted']);
    // Reading the kept and added lines gives back the new text.
    expect(diff.filter((l) => l.op !== '-').map((l) => l.text)).toEqual(after);
    expect(diff.filter((l) => l.op !== '+').map((l) => l.text)).toEqual(before);
  });
});

describe('renderUnifiedDiff', () => {
  it('prints hunks with three lines of context and exact ranges', () => {
    const before = 'l1\nl2\nl3\nl4\nl5\nl6\nl7\nl8\nl9\nl10\nl11\nl12';
    const after = 'l1\nl2\nL3\nl4\nl5\nl6\nl7\nl8\nl9\nl10\nl11\nl12\nl13';
    expect(renderUnifiedDiff(before, after).lines).toEqual([
      '@@ -1,6 +1,6 @@',
      ' l1',
      ' l2',
      '-l3',
      '+L3',
      ' l4',
      ' l5',
      ' l6',
      '@@ -10,3 +10,4 @@',
      ' l10',
      ' l11',
      ' l12',
      '+l13',
    ]);
  });

  it('merges changes whose contexts touch into one hunk', () => {
    const result = renderUnifiedDiff('a\nb\nc\nd\ne\nf\ng\nh', 'A\nb\nc\nd\ne\nf\ng\nH', { context: 3 });
    expect(result.lines.filter((l) => l.startsWith('@@'))).toEqual(['@@ -1,8 +1,8 @@']);
  });

  it('caps the output and says how much was left out', () => {
    const before = Array.from({ length: 100 }, (_, i) => `old ${i}`).join('\n');
    const after = Array.from({ length: 100 }, (_, i) => `new ${i}`).join('\n');
    const result = renderUnifiedDiff(before, after, { maxLines: 10 });
    expect(result.lines).toHaveLength(10);
    expect(result.omitted).toBe(191);
    expect(result).toMatchObject({ added: 100, removed: 100 });
  });

  it('gives nothing for equal texts', () => {
    expect(renderUnifiedDiff('same\ntext', 'same\ntext')).toEqual({ lines: [], omitted: 0, added: 0, removed: 0 });
  });
});
