// The plan for a terminal: the same document as the pull request comment, with its HTML turned
// into plain text, the way git --word-diff prints changes ([-old-]{+new+}), and the Mermaid
// picture left out (a terminal cannot draw it).
export function planForTerminal(markdown: string): string {
  return (
    markdown
      .replace(/^```mermaid\n[\s\S]*?\n```\n\n(_[^\n]*_\n\n)?/gm, '')
      .replace(/^#### Graph\n\n/gm, '')
      .replace(/^<details(?: open)?>\n<summary>(.*)<\/summary>\n/gm, (_, title: string) => `### ${title.replace(/<\/?code>/g, '`')}\n`)
      .replace(/^<\/details>\n\n?/gm, '')
      .replace(/<del>([\s\S]*?)<\/del>/g, '[-$1-]')
      .replace(/<ins><b>([\s\S]*?)<\/b><\/ins>/g, '{+$1+}')
      .replace(/<\/?pre>/g, '')
      .replace(/<details><summary>(.*)<\/summary>/g, '$1:')
      // Our text was escaped for HTML; the terminal shows it as written. &amp; last, so "&amp;lt;" stays "&lt;".
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, '&')
  );
}
