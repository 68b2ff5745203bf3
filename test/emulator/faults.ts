// Injected faults: verbatim responses, hung and reset sockets, and garbage bodies.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Fault } from './types.js';
import type { RequestLogEntry } from './types.js';

export interface FaultRecord {
  fault: Fault;
  remaining: number;
  pathRegex: RegExp | null;
}

export function createFaultRecord(fault: Fault): FaultRecord {
  if (!fault || typeof fault !== 'object' || !fault.match || typeof fault.match.path !== 'string') {
    throw new Error('fault.match.path (string) is required');
  }
  const respond = fault.respond;
  const valid =
    respond === 'hang' ||
    respond === 'reset' ||
    respond === 'garbage' ||
    respond === 'delay' ||
    (typeof respond === 'object' && respond !== null && Number.isInteger(respond.status));
  if (!valid) throw new Error("fault.respond must be {status, body?, headers?}, 'hang', 'reset' or 'garbage'");
  const times = fault.times ?? 1;
  if (!(times > 0)) throw new Error('fault.times must be positive');
  const pathRegex = fault.match.path.startsWith('^') ? new RegExp(fault.match.path) : null;
  return { fault, remaining: times, pathRegex };
}

/** The first live fault matching the request; consumes one of its uses. */
export function takeFault(faults: FaultRecord[], method: string, path: string): Fault | null {
  for (const record of faults) {
    if (record.remaining <= 0) continue;
    const { match } = record.fault;
    if (match.method && match.method.toUpperCase() !== method) continue;
    if (record.pathRegex ? !record.pathRegex.test(path) : match.path !== path) continue;
    record.remaining -= 1;
    if (record.remaining <= 0) faults.splice(faults.indexOf(record), 1);
    return record.fault;
  }
  return null;
}

/** Answers the request as the fault says. A hang keeps the socket open until the server closes. */
export function respondWithFault(fault: Fault, req: IncomingMessage, res: ServerResponse, log: RequestLogEntry | null): void {
  const respond = fault.respond;
  if (respond === 'hang' || respond === 'delay') return;
  if (respond === 'reset') {
    req.socket.destroy();
    return;
  }
  if (res.destroyed) return;
  if (respond === 'garbage') {
    const body = '<html><body>502 Bad Gateway</body></html>{"result": "succ';
    if (log) log.status = 200;
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) });
    res.end(body);
    return;
  }
  const headers: Record<string, string> = { ...(respond.headers ?? {}) };
  let payload = '';
  if (respond.body !== undefined) {
    payload = typeof respond.body === 'string' ? respond.body : JSON.stringify(respond.body);
    const hasType = Object.keys(headers).some((k) => k.toLowerCase() === 'content-type');
    if (!hasType) headers['Content-Type'] = typeof respond.body === 'string' ? 'text/plain' : 'application/json';
  }
  headers['Content-Length'] = String(Buffer.byteLength(payload));
  if (log) log.status = respond.status;
  res.writeHead(respond.status, headers);
  res.end(payload);
}
