// Reads JSON out of LLM text output, which often wraps it in ``` fences, adds prose around it,
// or leaves trailing commas. Only those slips are forgiven; anything else must be real JSON.

export type ForgivingJsonResult = { ok: true; value: unknown } | { ok: false; error: string };

const MAX_TEXT = 5 * 1024 * 1024;

export function parseForgivingJson(text: string): ForgivingJsonResult {
  if (text.length > MAX_TEXT) return { ok: false, error: 'text is larger than 5 MB' };
  const body = stripFences(text.replace(/^\uFEFF/, ''));
  const start = body.indexOf('{');
  if (start < 0) return tryParse(body.trim());
  const extracted = extractObject(body, start);
  if (extracted === undefined) return { ok: false, error: 'found "{" but no matching "}"; the JSON object is incomplete' };
  return tryParse(extracted);
}

/** The content of the first ``` fenced block, or the text itself when there is none. */
function stripFences(text: string): string {
  const match = /```[A-Za-z0-9_-]*[^\S\n]*\n?([\s\S]*?)```/.exec(text);
  return match ? match[1] : text;
}

/** The balanced {...} starting at `start`, with trailing commas before } or ] removed. */
function extractObject(text: string, start: number): string | undefined {
  const parts: string[] = [];
  let chunk = start;
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) {
        parts.push(text.slice(chunk, i + 1));
        return parts.join('');
      }
    } else if (c === ',') {
      let j = i + 1;
      while (j < text.length && /\s/.test(text[j])) j++;
      if (text[j] === '}' || text[j] === ']') {
        parts.push(text.slice(chunk, i));
        chunk = i + 1;
      }
    }
  }
  return undefined;
}

function tryParse(text: string): ForgivingJsonResult {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, error: `not valid JSON: ${(error as Error).message}` };
  }
}
