// The service API (/v1) with an app key: what a smoke check needs. Runs are POSTs that execute
// the app (and whatever its HTTP nodes call), so they are retried only when Dify certainly did
// not start them (see Safety in http.ts).
import type { Clock } from '../support/clock.js';
import { registerSecret } from '../support/redact.js';
import type { HttpClient, HttpRequest, HttpStream } from './http.js';
import { errorFromResponse, expectJson, isRecord, parseJson } from './responses.js';
import { createRunFolder, readBlockingRun } from './run-fold.js';
import { createSseParser } from './sse.js';
import type { DifyService, RunOptions, RunResult } from './types.js';
import { isUserError } from '../support/errors.js';

export const DEFAULT_USER = 'dify-gitops';
/** How long an abandoned run's stop request may take: it is a courtesy, not a step of the deploy. */
const STOP_TIMEOUT_MS = 5000;

type RunKind = 'workflow' | 'chat';

export function createServiceOps(http: HttpClient, apiKey: string, clock: Clock): Omit<DifyService, 'close'> {
  registerSecret(apiKey);
  const auth = { authorization: `Bearer ${apiKey}` };

  async function run(kind: RunKind, body: Record<string, unknown>, options: RunOptions): Promise<RunResult> {
    const started = clock.now();
    const user = options.user ?? DEFAULT_USER;
    const req: HttpRequest = {
      method: 'POST',
      path: kind === 'workflow' ? '/workflows/run' : '/chat-messages',
      headers: auth,
      json: { ...body, user, response_mode: options.stream ? 'streaming' : 'blocking' },
      safety: 'write',
      surface: 'service',
      signal: options.signal,
    };
    if (!options.stream) {
      const res = await http.send(req);
      return readBlockingRun(expectJson(res, req), clock.now() - started);
    }
    const res = await http.open(req);
    if (res.status !== 200 || !res.chunks) throw errorFromResponse(res, req);
    let taskId: string | undefined;
    try {
      return await foldStream(
        res,
        req,
        () => clock.now() - started,
        (id) => {
          taskId ??= id;
        },
      );
    } catch (error) {
      if (taskId && options.signal?.aborted && isUserError(error, 'dify.unreachable')) {
        const stopped = await tryStop(kind, taskId, user);
        error.message += stopped ? `; Dify stopped task ${taskId}` : `; Dify did not confirm stopping task ${taskId}`;
      }
      throw error;
    }
  }

  /**
   * An abandoned run may still be spending model tokens in Dify: ask it to stop. Best effort, so
   * one attempt with a short bound; the client-wide signal (the job's time is up) still applies.
   */
  async function tryStop(kind: RunKind, taskId: string, user: string): Promise<boolean> {
    const path =
      kind === 'workflow' ? `/workflows/tasks/${encodeURIComponent(taskId)}/stop` : `/chat-messages/${encodeURIComponent(taskId)}/stop`;
    try {
      const res = await http.send({
        method: 'POST',
        path,
        headers: auth,
        json: { user },
        safety: 'once',
        surface: 'service',
        signal: AbortSignal.timeout(STOP_TIMEOUT_MS),
      });
      return res.status === 200;
    } catch {
      return false;
    }
  }

  async function get<T = Record<string, unknown>>(path: string): Promise<T> {
    const req: HttpRequest = { method: 'GET', path, headers: auth, safety: 'read', surface: 'service' };
    return expectJson<T>(await http.send(req), req);
  }

  return {
    runWorkflow: (inputs, options) => run('workflow', { inputs }, options),
    sendChat: (query, inputs, options) => run('chat', { query, inputs }, options),
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
export async function foldStream(
  res: HttpStream,
  req: HttpRequest,
  wallMs: () => number,
  onTask: (taskId: string) => void,
): Promise<RunResult> {
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
    if (isRecord(parsed) && typeof parsed.task_id === 'string') onTask(parsed.task_id);
    folder.accept(isRecord(parsed) ? { event, ...parsed } : { event });
  });
  for await (const chunk of chunks) parser.push(chunk);
  parser.end();
  return folder.result(wallMs());
}
