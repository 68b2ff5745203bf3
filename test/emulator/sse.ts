// Server-sent events as Dify writes them: `data: {json}\n\n`, keep-alives as `event: ping\n\n` every 10 s
// of a run (Dify 1.8.1 and 1.12.1 observed: none in a short run, then one per 10 s; no data line).
import type { ServerResponse } from 'node:http';
import type { RequestLogEntry } from './types.js';

export interface SseStream {
  send(event: Record<string, unknown>): void;
  ping(): void;
  end(): void;
}

export const PING_INTERVAL_MS = 10_000;

export function openStream(res: ServerResponse, log: RequestLogEntry | null, pingIntervalMs = PING_INTERVAL_MS): SseStream {
  if (log) log.status = 200;
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache',
    'X-Accel-Buffering': 'no',
  });
  const write = (text: string): void => {
    if (!res.destroyed && !res.writableEnded) res.write(text);
  };
  const ping = () => write('event: ping\n\n');
  const pings = setInterval(ping, pingIntervalMs);
  pings.unref();
  res.once('close', () => clearInterval(pings));
  return {
    send: (event) => write(`data: ${JSON.stringify(event)}\n\n`),
    ping,
    end: () => {
      clearInterval(pings);
      if (!res.destroyed && !res.writableEnded) res.end();
    },
  };
}
