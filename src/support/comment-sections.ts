// Named sections of one sticky comment: the plan writes the comment, eval writes its own section
// into it, and a plan re-rendered later carries that section over instead of erasing it.

const start = (name: string) => `<!-- dify-gitops:section:${name} -->`;
const end = (name: string) => `<!-- /dify-gitops:section:${name} -->`;
const SECTION = /<!-- dify-gitops:section:([a-z0-9:_-]+) -->[\s\S]*?<!-- \/dify-gitops:section:\1 -->/g;

/** `body` with section `name` set to `content` (replaced in place, or appended). */
export function setSection(body: string, name: string, content: string): string {
  const block = `${start(name)}\n${content.trimEnd()}\n${end(name)}`;
  const at = body.indexOf(start(name));
  const stop = body.indexOf(end(name));
  if (at >= 0 && stop > at) return body.slice(0, at) + block + body.slice(stop + end(name).length);
  return `${body.trimEnd()}\n\n${block}\n`;
}

/** `next` plus every section of `previous` that `next` does not carry itself. */
export function carrySections(previous: string, next: string): string {
  let out = next;
  for (const match of previous.matchAll(SECTION)) {
    if (!out.includes(start(match[1]))) out = `${out.trimEnd()}\n\n${match[0]}\n`;
  }
  return out;
}
