// HTTP plumbing shared by every surface: replies, Dify-shaped errors, body and cookie parsing.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestLogEntry } from './types.js';

export interface Reply {
  status: number;
  /** JSON-encoded unless `raw` is set; undefined → empty body. */
  body?: unknown;
  raw?: string;
  headers?: Record<string, string | string[]>;
}

/** Thrown by handlers; rendered as Dify's `{code, message, status}` (contract §0). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const badParam = (message: string, param?: string): HttpError =>
  new HttpError(400, 'invalid_param', message, param ? { params: param } : {});
export const notFound = (message = 'The requested URL was not found on the server.'): HttpError => new HttpError(404, 'not_found', message);
export const forbidden = (
  message = "You don't have the permission to access the requested resource. It is either read-protected or not readable by the server.",
): HttpError => new HttpError(403, 'forbidden', message);
export const unauthorized = (message: string): HttpError =>
  new HttpError(401, 'unauthorized', message, {}, { 'WWW-Authenticate': 'Bearer realm="api"' });

export const json = (status: number, body: unknown, headers?: Record<string, string | string[]>): Reply => ({
  status,
  body,
  headers,
});

export interface Req {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  cookies: Record<string, string>;
  rawBody: Buffer;
  params: Record<string, string>;
  res: ServerResponse;
  log: RequestLogEntry | null;
}

const MAX_BODY = 20 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, 'request_entity_too_large', 'Request body too large.');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * The JSON body of an endpoint that parses one. Like Flask, a non-empty body must be declared JSON
 * (415 otherwise) and must parse (400). An empty body reads as {} unless it claims to be JSON.
 * Endpoints that take no body never call this, so any headers pass there.
 */
export function readJson(req: Req, allowTextPlain = false): Record<string, unknown> {
  const type = String(req.headers['content-type'] ?? '')
    .split(';')[0]
    .trim()
    .toLowerCase();
  // Flask's get_json() fails on an empty body that claims to be JSON.
  if (req.rawBody.length === 0 && type === 'application/json') {
    throw new HttpError(400, 'bad_request', 'Failed to decode JSON object: Expecting value: line 1 column 1 (char 0)');
  }
  if (req.rawBody.length === 0) return {};
  if (type !== 'application/json' && !(allowTextPlain && type === 'text/plain')) {
    throw new HttpError(
      415,
      'unsupported_media_type',
      "Did not attempt to load JSON data because the request Content-Type was not 'application/json'.",
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(req.rawBody.toString('utf8'));
  } catch (error) {
    throw new HttpError(400, 'bad_request', `Failed to decode JSON object: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HttpError(400, 'bad_request', 'The JSON body must be an object.');
  }
  return value as Record<string, unknown>;
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    try {
      cookies[name] = decodeURIComponent(value);
    } catch {
      cookies[name] = value;
    }
  }
  return cookies;
}

export function bearerToken(req: Req): string | null {
  const header = req.headers.authorization;
  if (typeof header !== 'string') return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : null;
}

export function errorReply(error: HttpError): Reply {
  return {
    status: error.status,
    body: { code: error.code, message: error.message, status: error.status, ...error.extra },
    headers: error.headers,
  };
}

/** Writes a reply unless the socket is already gone (close() may have destroyed it). */
export function sendReply(res: ServerResponse, reply: Reply, log: RequestLogEntry | null): void {
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string | string[]> = { ...(reply.headers ?? {}) };
  let payload = '';
  if (reply.raw !== undefined) payload = reply.raw;
  else if (reply.body !== undefined) {
    payload = JSON.stringify(reply.body);
    if (!hasHeader(headers, 'content-type')) headers['Content-Type'] = 'application/json';
  }
  headers['Content-Length'] = String(Buffer.byteLength(payload));
  if (log) log.status = reply.status;
  res.writeHead(reply.status, headers);
  res.end(payload);
}

function hasHeader(headers: Record<string, unknown>, name: string): boolean {
  return Object.keys(headers).some((key) => key.toLowerCase() === name);
}
