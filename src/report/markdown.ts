// Markdown helpers shared by summaries, releases and PR comments. User text (titles, prompts, names)
// passes through one of these before it reaches Markdown, so it cannot break the document around it.

/** Make text safe inside a table cell or inline code: no pipes or newlines breaking the row. */
export function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Inline code that survives backticks inside the text. */
export function code(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const ticks = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${text}${pad}${ticks}`;
}

/** A code fence longer than any backtick run in the block, so a prompt cannot close it early. */
export function fenceFor(body: string): string {
  const longest = Math.max(0, ...(body.match(/`{3,}/g) ?? []).map((run) => run.length));
  return '`'.repeat(Math.max(3, longest + 1));
}

/** Text in running Markdown: no emphasis, links, tags or table pipes; one line. */
export function escapeInline(text: string): string {
  return text.replace(/[\\*_`<>[\]|]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

/**
 * Text inside HTML (`<summary>`, `<pre>`): with `<` escaped, user text can open no tag and close
 * no block (`</pre>`, `</details>`), and Markdown is not read there.
 */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
