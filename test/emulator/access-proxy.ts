// An access proxy in front of Dify (option `requireHeaders`): Cloudflare Access with a service token
// answers a request that lacks the right CF-Access-Client-Id / CF-Access-Client-Secret with 403 and
// an HTML page, before the request reaches Dify. This is the proxy's behaviour, not Dify's.
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { RequestLogEntry } from './types.js';

/** Every required header present with exactly its value (header names are case-insensitive). */
export function passesAccessProxy(headers: IncomingHttpHeaders, required: Record<string, string>): boolean {
  return Object.entries(required).every(([name, value]) => headers[name.toLowerCase()] === value);
}

export function sendAccessDenied(res: ServerResponse, log: RequestLogEntry): void {
  log.status = 403;
  res.writeHead(403, { 'content-type': 'text/html; charset=UTF-8' });
  res.end(
    "<!DOCTYPE html><html><head><title>Forbidden</title></head><body><h1>Forbidden</h1><p>You don't have permission to view this application.</p></body></html>",
  );
}
