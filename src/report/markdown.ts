// Markdown helpers shared by summaries, releases and PR comments.

/** Make text safe inside a table cell or inline code: no pipes or newlines breaking the row. */
export function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}
