// SSE parsing and run folding: chunks split anywhere (CRLF halves, multi-byte characters), pings,
// multi-line data, unknown events, an `error` event after a 200, and a stream cut short. The
// streaming cases go through a real loopback server and the real client.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDifyService } from '../../src/dify/index.js';
import { createSseParser, type SseEvent } from '../../src/dify/sse.js';
import { createVirtualClock } from '../../src/support/clock.js';

function parseAll(chunks: Array<string | Uint8Array>): SseEvent[] {
  const events: SseEvent[] = [];
  const parser = createSseParser((e) => events.push(e));
  for (const chunk of chunks) parser.push(chunk);
  parser.end();
  return events;
}

/** Every way of cutting `text` into two chunks, plus one byte at a time. */
function splits(text: string): Uint8Array[][] {
  const bytes = new TextEncoder().encode(text);
  const out: Uint8Array[][] = [[...bytes].map((b) => Uint8Array.of(b))];
  for (let i = 1; i < bytes.length; i++) out.push([bytes.slice(0, i), bytes.slice(i)]);
  return out;
}

describe('SSE parser', () => {
  const stream =
    'event: ping\r\n\r\n' +
    'data: {"event":"text_chunk","data":{"text":"héllo ✓"}}\r\n\r\n' +
    ': a comment\n' +
    'data: first line\ndata: second line\n\n' +
    'event: custom\rdata: x\r\r' +
    'data: {"event":"workflow_finished"}\n\n';

  it('yields the same events however the bytes are chunked', () => {
    const expected = parseAll([stream]);
    expect(expected).toEqual([
      { event: 'ping', data: '', id: undefined },
      { event: 'message', data: '{"event":"text_chunk","data":{"text":"héllo ✓"}}', id: undefined },
      { event: 'message', data: 'first line\nsecond line', id: undefined },
      { event: 'custom', data: 'x', id: undefined },
      { event: 'message', data: '{"event":"workflow_finished"}', id: undefined },
    ]);
    for (const chunks of splits(stream)) expect(parseAll(chunks)).toEqual(expected);
  });

  it('flushes a last event that lacks its blank line', () => {
    expect(parseAll(['data: {"a":1}'])).toEqual([{ event: 'message', data: '{"a":1}', id: undefined }]);
    expect(parseAll(['data: tail\r'])).toEqual([{ event: 'message', data: 'tail', id: undefined }]);
  });
});

describe('streamed runs through the client', () => {
  let server: Server;
  let url = '';
  let script: { chunks: string[]; status?: number; type?: string } = { chunks: [] };
  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      res.writeHead(script.status ?? 200, { 'content-type': script.type ?? 'text/event-stream' });
      // Write each chunk separately and flush, so undici sees the same boundaries.
      const write = (i: number) => {
        if (i >= script.chunks.length) return res.end();
        res.write(script.chunks[i], () => setImmediate(() => write(i + 1)));
      };
      write(0);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/v1`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const service = () =>
    createDifyService(
      { serviceUrl: url, apiKey: 'app-sse0123456789abcdefgh', timeoutMs: 2000, maxAttempts: 1 },
      { clock: createVirtualClock() },
    );

  function cut(text: string, size: number): string[] {
    const out: string[] = [];
    for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
    return out;
  }

  const workflowStream = [
    'event: ping\n\n',
    'data: {"event":"workflow_started","workflow_run_id":"run-1","data":{"id":"run-1"}}\n\n',
    'data: {"event":"node_started","data":{"node_id":"a"}}\n\n',
    'data: {"event":"text_chunk","data":{"text":"Hi"}}\n\n',
    'data: {"event":"iteration_next","data":{}}\n\n',
    'data: {"event":"brand_new_event","data":{}}\n\n',
    'data: {"event":"node_finished","data":{"node_id":"a","status":"succeeded"}}\n\n',
    'data: {"event":"workflow_finished","workflow_run_id":"run-1","data":{"id":"run-1","status":"succeeded","outputs":{"answer":"Hi ✓"},"error":null,"elapsed_time":1.25}}\n\n',
  ].join('');

  it('folds a workflow stream cut into 7-byte chunks', async () => {
    script = { chunks: cut(workflowStream, 7) };
    const client = service();
    const result = await client.runWorkflow({ q: 'x' }, { stream: true });
    await client.close?.();
    expect(result).toMatchObject({
      status: 'succeeded',
      outputs: { answer: 'Hi ✓' },
      error: null,
      elapsedMs: 1250,
      workflowRunId: 'run-1',
    });
    expect(result.events).toEqual({
      ping: 1,
      workflow_started: 1,
      node_started: 1,
      text_chunk: 1,
      iteration_next: 1,
      brand_new_event: 1,
      node_finished: 1,
      workflow_finished: 1,
    });
  });

  it('reports an `error` event after a 200 as a failed run, not an exception', async () => {
    script = {
      chunks: [
        'data: {"event":"message","answer":"Hel"}\r\n\r\n',
        'data: {"event":"message","answer":"lo"}\r\n\r\n',
        'data: {"event":"error","status":400,"code":"completion_request_error","message":"Model quota exceeded"}\r\n\r\n',
      ],
    };
    const client = service();
    const result = await client.sendChat('hi', {}, { stream: true });
    await client.close?.();
    expect(result.status).toBe('failed');
    expect(result.error).toBe('Model quota exceeded (completion_request_error)');
    expect(result.answer).toBe('Hello');
    expect(result.events).toEqual({ message: 2, error: 1 });
  });

  it('folds a chat stream with agent messages and message_end', async () => {
    script = {
      chunks: [
        'data: {"event":"agent_message","answer":"A"}\n\n',
        'event: ping\n\n',
        'data: {"event":"agent_thought","thought":"…"}\n\n',
        'data: {"event":"agent_message","answer":"B"}\n\n',
        'data: {"event":"message_end","metadata":{"usage":{"latency":0.5}}}\n\n',
      ],
    };
    const client = service();
    const result = await client.sendChat('hi', {}, { stream: true });
    await client.close?.();
    expect(result).toMatchObject({ status: 'succeeded', answer: 'AB', elapsedMs: 500, error: null });
    expect(result.events).toEqual({ agent_message: 2, ping: 1, agent_thought: 1, message_end: 1 });
  });

  it('treats a stream that ends without a final event as a failed run', async () => {
    script = { chunks: ['data: {"event":"workflow_started","data":{"id":"r"}}\n\n', 'data: {"event":"node_started"'] };
    const client = service();
    const result = await client.runWorkflow({}, { stream: true });
    await client.close?.();
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/stream ended before the run finished/);
    expect(result.events).toEqual({ workflow_started: 1, unparsable: 1 });
  });

  it('reads a JSON answer to a streaming request as a blocking result', async () => {
    script = {
      type: 'application/json',
      chunks: ['{"workflow_run_id":"r2","data":{"status":"failed","outputs":{},"error":"boom","elapsed_time":0.1}}'],
    };
    const client = service();
    const result = await client.runWorkflow({}, { stream: true });
    await client.close?.();
    expect(result).toMatchObject({ status: 'failed', error: 'boom', workflowRunId: 'r2', elapsedMs: 100 });
  });
});
