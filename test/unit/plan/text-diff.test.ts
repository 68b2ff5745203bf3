import { describe, expect, it } from 'vitest';
import { diffLines, diffWords, renderUnifiedDiff, splitLines, splitWords, type WordHunk } from '../../../src/plan/text-diff.js';

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

/** A hunk as git --word-diff prints it: [-removed-]{+added+}. */
const words = (h: WordHunk) =>
  `${h.clippedStart ? '…' : ''}${h.segments.map((s) => (s.op === ' ' ? s.text : s.op === '-' ? `[-${s.text}-]` : `{+${s.text}+}`)).join('')}${h.clippedEnd ? '…' : ''}`;

describe('diffWords', () => {
  const text = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `w${i + from}`).join(' ');

  it('finds one changed word in a long text and shows it with context either side', () => {
    const diff = diffWords(`${text(300)} answer in English, please.`, `${text(300)} answer in French, please.`, { context: 4 });
    expect(diff.hunks.map(words)).toEqual(['…w298 w299 answer in [-English-]{+French+}, please.']);
    expect(diff.changes).toBe(1);
  });

  it('reads a replaced phrase as one removal and one addition', () => {
    expect(diffWords('say a b now', 'say x y now').hunks.map(words)).toEqual(['say [-a b-]{+x y+} now']);
  });

  it('keeps distant changes apart and joins near ones', () => {
    const before = `A ${text(50)} B`;
    expect(diffWords(before, `a ${text(50)} b`, { context: 3 }).hunks.map(words)).toEqual([
      '[-A-]{+a+} w0 w1 w2…',
      '…w47 w48 w49 [-B-]{+b+}',
    ]);
    expect(diffWords('A w0 w1 B', 'a w0 w1 b', { context: 3 }).hunks.map(words)).toEqual(['[-A-]{+a+} w0 w1 [-B-]{+b+}']);
  });

  it('splits Chinese and Japanese text by character, other scripts by word', () => {
    expect(splitWords('你好世界 hello, wörld_1')).toEqual(['你', '好', '世', '界', ' ', 'hello', ',', ' ', 'wörld_1']);
    expect(diffWords('请用英文回答', '请用中文回答').hunks.map(words)).toEqual(['请用[-英-]{+中+}文回答']);
  });

  it('stays correct past its edit budget: everything in between is replaced', () => {
    const diff = diffWords(text(400), text(400, 1000), { maxEdits: 10, context: 0 });
    const side = (op: '-' | '+') =>
      diff.hunks.flatMap((h) => h.segments.filter((s) => s.op !== (op === '-' ? '+' : '-')).map((s) => s.text)).join('');
    expect(side('-')).toBe(text(400));
    expect(side('+')).toBe(text(400, 1000));
  });

  it('gives nothing for equal texts', () => {
    expect(diffWords('same words', 'same words')).toEqual({ hunks: [], changes: 0 });
  });
});
