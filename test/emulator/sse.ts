// Server-sent events as Dify writes them: `data: {json}\n\n`, keep-alives as `event: ping\n\n`.
import type { ServerResponse } from 'node:http';
import type { RequestLogEntry } from './types.js';

export interface SseStream {
  send(event: Record<string, unknown>): void;
  ping(): void;
  end(): void;
}

export function openStream(res: ServerResponse, log: RequestLogEntry | null): SseStream {
  if (log) log.status = 200;
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache',
    'X-Accel-Buffering': 'no',
  });
  const write = (text: string): void => {
    if (!res.destroyed && !res.writableEnded) res.write(text);
  };
  return {
    send: (event) => write(`data: ${JSON.stringify(event)}\n\n`),
    ping: () => write('event: ping\n\n'),
    end: () => {
      if (!res.destroyed && !res.writableEnded) res.end();
    },
  };
}
