// The service API (/v1) with an app key: what a smoke check needs. Runs are POSTs that execute
// the app (and whatever its HTTP nodes call), so they are retried only when Dify certainly did
// not start them (see Safety in http.ts).
import type { Clock } from '../support/clock.js';
import { registerSecret } from '../support/redact.js';
import type { HttpClient, HttpRequest, HttpStream } from './http.js';
import { errorFromResponse, expectJson, isRecord, parseJson } from './responses.js';
import { createRunFolder, readBlockingRun } from './run-fold.js';
import { createSseParser } from './sse.js';
import type { DifyService, RunResult } from './types.js';

export const DEFAULT_USER = 'dify-gitops';

export function createServiceOps(http: HttpClient, apiKey: string, clock: Clock): Omit<DifyService, 'close'> {
  registerSecret(apiKey);
  const auth = { authorization: `Bearer ${apiKey}` };

  async function run(path: string, body: Record<string, unknown>, stream: boolean): Promise<RunResult> {
    const started = clock.now();
    const req: HttpRequest = {
      method: 'POST',
      path,
      headers: auth,
      json: { ...body, response_mode: stream ? 'streaming' : 'blocking' },
      safety: 'write',
      surface: 'service',
    };
    if (!stream) {
      const res = await http.send(req);
      return readBlockingRun(expectJson(res, req), clock.now() - started);
    }
    const res = await http.open(req);
    if (res.status !== 200 || !res.chunks) throw errorFromResponse(res, req);
    return foldStream(res, req, () => clock.now() - started);
  }

  async function get<T = Record<string, unknown>>(path: string): Promise<T> {
    const req: HttpRequest = { method: 'GET', path, headers: auth, safety: 'read', surface: 'service' };
    return expectJson<T>(await http.send(req), req);
  }

  return {
    runWorkflow: (inputs, options) => run('/workflows/run', { inputs, user: options.user ?? DEFAULT_USER }, options.stream),
    sendChat: (query, inputs, options) => run('/chat-messages', { query, inputs, user: options.user ?? DEFAULT_USER }, options.stream),
    async info() {
      const body = await get('/info');
      const info: { name: string; description?: string; mode?: string } = { name: String(body.name ?? '') };
      if (typeof body.description === 'string') info.description = body.description;
      if (typeof body.mode === 'string') info.mode = body.mode;
      return info;
    },
    parameters: () => get('/parameters'),
  };
}

/** SSE → RunResult. A server that answers a streaming request with plain JSON gets the blocking reading. */
async function foldStream(res: HttpStream, req: HttpRequest, wallMs: () => number): Promise<RunResult> {
  const contentType = String(res.headers['content-type'] ?? '');
  const chunks = res.chunks as AsyncIterable<Uint8Array>;
  if (contentType.includes('application/json')) {
    const parts: Buffer[] = [];
    for await (const chunk of chunks) parts.push(Buffer.from(chunk));
    return readBlockingRun(parseJson({ ...res, text: Buffer.concat(parts).toString('utf8') }, req), wallMs());
  }
  const folder = createRunFolder();
  const parser = createSseParser(({ event, data }) => {
    if (data === '') return folder.accept({ event });
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      return folder.accept({ event: 'unparsable' });
    }
    folder.accept(isRecord(parsed) ? { event, ...parsed } : { event });
  });
  for await (const chunk of chunks) parser.push(chunk);
  parser.end();
  return folder.result(wallMs());
}
