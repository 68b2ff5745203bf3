// Long text in a plan, shown so the change can be found: prompts and other prose word by word,
// the changed words marked (<del>/<ins>) with a few words of context either side; code as a
// unified diff. Nothing is cut at a fixed width, so a one-word change at the end of a long
// prompt shows that word.
import { diffWords, renderUnifiedDiff, type WordHunk } from '../plan/text-diff.js';
import { findCredential } from '../definition/secrets.js';
import { code, escapeHtml, fenceFor } from './markdown.js';

/** Caps that keep one field's diff readable and a plan of hundreds of definitions finite. */
const MAX_DIFF_LINES = 60;
const MAX_WORD_HUNKS = 20;
const MAX_CONTEXT_CHARS = 160;
const MAX_CHANGE_CHARS = 1500;
/** One field's word diff stays below this, so a rewritten prompt cannot crowd out the rest. */
const MAX_BLOCK_CHARS = 8000;

/** Fields that hold program code: a line diff reads better than a word diff there. */
const CODE_FIELDS = new Set(['code']);

/** A changed text field: `label (+a −r words):` and its diff. */
export function renderTextChange(field: string, before: string, after: string): string[] {
  return CODE_FIELDS.has(field) ? renderCodeDiff(code(field), before, after) : renderWordDiff(code(field), before, after);
}

export function renderCodeDiff(label: string, before: string, after: string): string[] {
  const diff = renderUnifiedDiff(before, after, { maxLines: MAX_DIFF_LINES });
  const shown = diff.lines.map((line) => (line.startsWith('@@') ? line : line[0] + hideCredential(line.slice(1))));
  const fence = fenceFor(shown.join('\n'));
  const lines = [`${label} (+${diff.added} −${diff.removed} lines):`, '', `${fence}diff`, ...shown, fence];
  if (diff.omitted) lines.push(`_${diff.omitted} more diff line(s) not shown._`);
  return [...lines, ''];
}

/**
 * A `<pre>` block: Markdown is not read inside it and GitHub does not link @mentions or #refs
 * there, and with the text HTML-escaped no prompt can end it early.
 */
export function renderWordDiff(label: string, before: string, after: string): string[] {
  const diff = diffWords(before, after);
  const hunks: string[] = [];
  let length = 0;
  let complete = true;
  for (const hunk of diff.hunks.slice(0, MAX_WORD_HUNKS)) {
    if (hunks.length > 0 && length >= MAX_BLOCK_CHARS) break;
    const shown = renderHunk(hunk, MAX_BLOCK_CHARS - length);
    hunks.push(shown.text);
    length += shown.text.length;
    complete = shown.complete;
    if (!complete) break;
  }
  const body = hunks.join('\n⋯\n');
  const lines = [`${label} (${diff.changes} ${diff.changes === 1 ? 'change' : 'changes'}, word by word):`, '', `<pre>${body}</pre>`];
  if (!complete || diff.hunks.length > hunks.length) lines.push('', '_The rest of the changes to this field are not shown._');
  return [...lines, ''];
}

/** The hunk as HTML, cut at a segment once it passes `budget` characters (`complete` false then). */
function renderHunk(hunk: WordHunk, budget: number): { text: string; complete: boolean } {
  // The repo side was checked for pasted credentials, the live side (edited in Dify's UI) was not.
  const side = (op: '-' | '+') =>
    hunk.segments
      .filter((s) => s.op !== (op === '-' ? '+' : '-'))
      .map((s) => s.text)
      .join('');
  const found = findCredential(side('-')) ?? findCredential(side('+'));
  if (found) return { text: escapeHtml(`‹hidden: looks like a ${found.kind} (${found.masked})›`), complete: true };
  const last = hunk.segments.length - 1;
  let cutStart = hunk.clippedStart;
  let cutEnd = hunk.clippedEnd;
  const parts = hunk.segments.map((s, i) => {
    if (s.op !== ' ') {
      const text = escapeHtml(clipChange(visibleWhitespace(s.text)));
      return s.op === '-' ? `<del>${text}</del>` : `<ins><b>${text}</b></ins>`;
    }
    const long = s.text.length > MAX_CONTEXT_CHARS;
    // Context is cut at its far side: the words nearest the change stay.
    if (i === 0 && long) cutStart = true;
    if (i === last && long) cutEnd = true;
    const half = MAX_CONTEXT_CHARS / 2;
    const text = !long
      ? s.text
      : i === 0
        ? s.text.slice(-MAX_CONTEXT_CHARS)
        : i === last
          ? s.text.slice(0, MAX_CONTEXT_CHARS)
          : `${s.text.slice(0, half)} … ${s.text.slice(-half)}`;
    return escapeHtml(text);
  });
  let kept = 0;
  let length = 0;
  while (kept < parts.length && (kept < 2 || length + parts[kept].length <= budget)) length += parts[kept++].length;
  const complete = kept === parts.length;
  return { text: `${cutStart ? '…' : ''}${parts.slice(0, kept).join('')}${cutEnd || !complete ? '…' : ''}`, complete };
}

function clipChange(text: string): string {
  if (text.length <= MAX_CHANGE_CHARS) return text;
  return `${text.slice(0, MAX_CHANGE_CHARS)} … (${text.length - MAX_CHANGE_CHARS} more characters)`;
}

/** A change of whitespace alone would be invisible: show its spaces, tabs and line breaks. */
function visibleWhitespace(text: string): string {
  if (/\S/.test(text)) return text;
  return text.replace(/\n/g, '↵\n').replace(/\t/g, '→').replace(/ /g, '·');
}

/** Every value the plan prints: a line that looks like a key is replaced, never shown. */
export function hideCredential(text: string): string {
  const found = findCredential(text);
  return found ? `‹hidden: looks like a ${found.kind} (${found.masked})›` : text;
}
