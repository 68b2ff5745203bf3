// A Server-Sent Events parser (WHATWG rules) that accepts chunks split anywhere: inside a line,
// between CR and LF, inside a multi-byte character. Dify sends `data: {json}` events and
// `event: ping` keep-alives; comments (`:`) and unknown fields are ignored.

export interface SseEvent {
  /** The `event:` field, or `message` when absent. */
  event: string;
  /** `data:` lines joined with "\n". */
  data: string;
  id?: string;
}

export interface SseParser {
  push(chunk: Uint8Array | string): void;
  /** Flush a final event that lacked its blank line (a server that closes abruptly). */
  end(): void;
}

export function createSseParser(onEvent: (event: SseEvent) => void): SseParser {
  const decoder = new TextDecoder('utf-8');
  let buffer = '';
  let eventType = '';
  let data: string[] = [];
  let id: string | undefined;
  let sawField = false;

  function dispatch(): void {
    // A named event without data (Dify's `event: ping`) is still worth counting.
    if (sawField && (data.length > 0 || eventType !== '')) onEvent({ event: eventType || 'message', data: data.join('\n'), id });
    eventType = '';
    data = [];
    sawField = false;
  }

  function line(text: string): void {
    if (text === '') {
      dispatch();
      return;
    }
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    sawField = true;
    if (field === 'data') data.push(value);
    else if (field === 'event') eventType = value;
    else if (field === 'id') id = value;
  }

  function drain(final: boolean): void {
    let start = 0;
    for (let i = 0; i < buffer.length; i++) {
      const ch = buffer[i];
      if (ch !== '\n' && ch !== '\r') continue;
      // A CR as the last character may be half of a CRLF split across chunks: wait for more.
      if (ch === '\r' && i === buffer.length - 1 && !final) break;
      line(buffer.slice(start, i));
      if (ch === '\r' && buffer[i + 1] === '\n') i++;
      start = i + 1;
    }
    buffer = buffer.slice(start);
  }

  return {
    push(chunk) {
      buffer += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
      drain(false);
    },
    end() {
      buffer += decoder.decode();
      drain(true);
      if (buffer !== '') line(buffer);
      buffer = '';
      dispatch();
    },
  };
}
