// Reading Dify's answers: JSON bodies, its error shape `{code, message, status}`, and turning
// anything unexpected into a DifyError that names the request and says what to do.
import { redact } from '../support/redact.js';
import { type DifyError, type DifyErrorDetails, difyError } from './errors.js';
import type { HttpRequest, HttpResponse } from './http.js';

const SNIPPET_LENGTH = 120;

/** The start of a body, on one line, redacted: enough to recognise an HTML login page or a proxy error. */
export function snippetOf(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return redact(flat.length > SNIPPET_LENGTH ? `${flat.slice(0, SNIPPET_LENGTH)}…` : flat);
}

function where(req: HttpRequest): Pick<DifyErrorDetails, 'method' | 'path' | 'surface'> {
  return { method: req.method, path: req.path, surface: req.surface };
}

/** Parse a JSON body or throw `non_json_response` (status and a short redacted snippet). */
export function parseJson<T = Record<string, unknown>>(res: HttpResponse, req: HttpRequest): T {
  if (res.text.trim() === '') return {} as T;
  try {
    return JSON.parse(res.text) as T;
  } catch {
    throw difyError(`Dify ${req.method} ${req.path} returned a non-JSON response (HTTP ${res.status}): "${snippetOf(res.text)}"`, {
      ...where(req),
      status: res.status,
      difyCode: 'non_json_response',
    });
  }
}

/** A DifyError for a response we did not accept, using Dify's `{code, message}` when the body has it. */
export function errorFromResponse(res: HttpResponse, req: HttpRequest, override: Partial<DifyErrorDetails> = {}): DifyError {
  let code: string | undefined;
  let message: string | undefined;
  try {
    const body = JSON.parse(res.text) as Record<string, unknown>;
    if (body && typeof body === 'object') {
      // Dify's own `{code, message, status}`; `custom` where it raises a bare BadRequest (the API-key cap);
      // flask-restx's code-less `{errors: {field: text}, message}` on ≤ 1.11 request parsing.
      code = firstString(body.code, body.custom, body.error, isRecord(body.errors) ? 'invalid_param' : undefined);
      message = firstString(body.message, body.data);
      if (isRecord(body.errors)) {
        const fields = Object.entries(body.errors).map(([field, text]) => `${field}: ${String(text)}`);
        message = [message, ...fields].filter(Boolean).join('; ');
      }
    }
  } catch {
    message = res.text.trim() === '' ? undefined : snippetOf(res.text);
  }
  const text = [code, message].filter(Boolean).join(': ') || 'no details';
  return difyError(`Dify ${req.method} ${req.path} failed with HTTP ${res.status} (${text})`, {
    ...where(req),
    status: res.status,
    difyCode: code,
    difyMessage: message,
    ...override,
  });
}

/** Throw unless the status is one of `accepted`; returns the parsed JSON body. */
export function expectJson<T = Record<string, unknown>>(res: HttpResponse, req: HttpRequest, accepted: number[] = [200]): T {
  if (!accepted.includes(res.status)) throw errorFromResponse(res, req);
  return parseJson<T>(res, req);
}

function firstString(...values: unknown[]): string | undefined {
  return values.find((v): v is string => typeof v === 'string');
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
