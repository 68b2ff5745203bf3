// The console calls the live suite makes for itself, not on the product's behalf: create and delete
// its own apps, and edit a draft the way Dify's workflow editor does. It logs in once, through the
// product's own login (so a wrong password costs one attempt), and refuses to delete an app it did
// not create in this run.
import { createHttpClient } from '../../src/dify/http.js';
import { createSystemClock } from '../../src/support/clock.js';
import { loginWithPassword, type ConsoleSession } from '../../src/dify/console-session.js';
import { LIVE_PREFIX, type LiveTarget } from './target.js';

export interface LiveAdmin {
  readonly runId: string;
  /** Creates `dify-gitops-live-<run id>-<suffix>`; returns its id and name. */
  createApp(suffix: string, mode: 'workflow' | 'advanced-chat'): Promise<{ id: string; name: string }>;
  /** The editor's save: GET the draft, change it, POST it back with the hash it read. */
  editDraftAsUi(appId: string, change: (graph: { nodes: Array<{ id: string; data: Record<string, unknown> }> }) => void): Promise<void>;
  /**
   * The editor's "Edit info": GET the app's detail, change its settings, PUT them back with every field
   * the web UI's updateAppInfo sends (Dify 1.12.1 AppApi.put writes "" for a field left out).
   */
  editAppInfoAsUi(appId: string, change: Partial<AppInfoEdit>): Promise<void>;
  /** Deletes every app this run created; never another. */
  cleanup(): Promise<string[]>;
  close(): Promise<void>;
}

/** What "Edit info" sends (Dify 1.12.1 controllers/console/app/app.py UpdateAppPayload). */
export interface AppInfoEdit {
  name: string;
  description: string;
  icon_type: string;
  icon: string;
  icon_background: string;
  use_icon_as_answer_icon: boolean;
  max_active_requests: number | null;
}

export async function createLiveAdmin(target: LiveTarget, runId: string): Promise<LiveAdmin> {
  if (!target.email || !target.password) throw new Error('the live suite needs DIFY_LIVE_EMAIL and DIFY_LIVE_PASSWORD to create its apps');
  const http = createHttpClient({
    baseUrl: target.url,
    timeoutMs: 30_000,
    maxAttempts: 2,
    clock: createSystemClock(),
    log: () => {},
  });
  const session: ConsoleSession = await loginWithPassword(
    http,
    { email: target.email, password: target.password, encoding: target.passwordEncoding },
    () => {},
  );
  const created = new Set<string>();
  const call = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, json?: unknown) => {
    const res = await session.send({ method, path, json, safety: method === 'GET' ? 'read' : 'once', surface: 'console' });
    if (res.status >= 300) throw new Error(`${method} ${path}: HTTP ${res.status} ${res.text.slice(0, 300)}`);
    return res.text ? (JSON.parse(res.text) as Record<string, unknown>) : {};
  };
  return {
    runId,
    async createApp(suffix, mode) {
      const name = `${LIVE_PREFIX}-${runId}-${suffix}`;
      const app = await call('POST', '/console/api/apps', {
        name,
        mode,
        icon_type: 'emoji',
        icon: '🤖',
        icon_background: '#FFEAD5',
        description: '',
      });
      const id = String(app.id);
      created.add(id);
      return { id, name };
    },
    async editDraftAsUi(appId, change) {
      const draft = await call('GET', `/console/api/apps/${appId}/workflows/draft`);
      const graph = draft.graph as Parameters<typeof change>[0];
      change(graph);
      await call('POST', `/console/api/apps/${appId}/workflows/draft`, {
        graph,
        features: draft.features,
        hash: draft.hash,
        environment_variables: draft.environment_variables ?? [],
        conversation_variables: draft.conversation_variables ?? [],
      });
    },
    async editAppInfoAsUi(appId, change) {
      const app = await call('GET', `/console/api/apps/${appId}`);
      const edit: AppInfoEdit = {
        name: String(app.name),
        description: String(app.description ?? ''),
        icon_type: String(app.icon_type ?? 'emoji'),
        icon: String(app.icon ?? ''),
        icon_background: String(app.icon_background ?? ''),
        use_icon_as_answer_icon: app.use_icon_as_answer_icon === true,
        max_active_requests: typeof app.max_active_requests === 'number' ? app.max_active_requests : null,
        ...change,
      };
      await call('PUT', `/console/api/apps/${appId}`, edit);
    },
    async cleanup() {
      // Only ids this run created are ever deleted. (Not by name: an import renames the app to the DSL's
      // app.name, which is why the suite's DSLs carry the created name.)
      const deleted: string[] = [];
      for (const id of created) {
        await call('DELETE', `/console/api/apps/${id}`);
        deleted.push(id);
      }
      created.clear();
      return deleted;
    },
    close: () => http.close(),
  };
}
