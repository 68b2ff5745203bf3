// A loopback, stateful stand-in for the GitHub REST endpoints src/git/github.ts calls, served
// under /api/v3 like GitHub Enterprise Server so tests set GITHUB_API_URL to it. It checks the
// token, validates what GitHub validates, paginates with Link headers, and can fail on demand.
import { generateKeyPairSync, randomInt, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export const API_BASE_PATH = '/api/v3';

export interface RecordedRequest {
  method: string;
  /** Path below the base path, percent-decoded, without the query string. */
  path: string;
  query: Record<string, string>;
  body: unknown;
}

type Json = Record<string, any>;
interface PublicKey {
  key_id: string;
  key: string;
  /** X25519 private key, so tests can open the sealed boxes they were sent. */
  privateKey: KeyObject;
}

export interface GitHubApiState {
  owner: string;
  repo: string;
  /** Environments that exist; environment secrets and variables elsewhere answer 404. */
  environments: Set<string>;
  releases: Json[];
  deployments: Json[];
  /** Statuses by deployment id, oldest first. */
  deploymentStatuses: Map<number, Json[]>;
  /** Issue comments (issues and pull requests share numbering, as on GitHub). */
  comments: Json[];
  /** Issues, including pull requests (those carry `pull_request`). */
  issues: Json[];
  pulls: Json[];
  /** Keyed by environment name, '' for the repository. */
  publicKeys: Map<string, PublicKey>;
  /** Keyed `<environment or ''>/<NAME>`. */
  secrets: Map<string, { name: string; encrypted_value: string; key_id: string; updated_at: string }>;
  /** Keyed `<environment or ''>/<NAME>`. */
  variables: Map<string, { name: string; value: string; created_at: string; updated_at: string }>;
}

export interface GitHubApi {
  /** REST root to use as GITHUB_API_URL, e.g. http://127.0.0.1:PORT/api/v3. */
  url: string;
  state: GitHubApiState;
  requests: RecordedRequest[];
  /** The next `times` requests matching answer `status` with a GitHub-shaped error. */
  /** `reply` shapes the failure as GitHub does (a secondary rate limit: its message and Retry-After). */
  failNext(
    match: { method: string; path: string | RegExp },
    status: number,
    times?: number,
    reply?: { message?: string; headers?: Record<string, string> },
  ): void;
  /** Seeds an issue (or, with `pull`, a pull request) and returns its number. */
  addIssue(fields: { title: string; body?: string; pull?: boolean }): number;
  /** Seeds a comment on an existing issue or pull request and returns its id. */
  addComment(issueNumber: number, body: string): number;
  close(): Promise<void>;
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}
interface Call {
  method: string;
  params: string[];
  query: Record<string, string>;
  body: Json;
  /** Absolute URL of this request's path, for Link headers and html_url. */
  self: string;
}

const ERROR_MESSAGES: Record<number, string> = {
  401: 'Bad credentials',
  403: 'Resource not accessible by integration',
  404: 'Not Found',
  409: 'Conflict',
  422: 'Validation Failed',
  500: 'Internal Server Error',
};

export async function startGitHubApi(options: { token?: string; repository?: string } = {}): Promise<GitHubApi> {
  const token = options.token ?? 'test-token';
  const [owner, repo] = (options.repository ?? 'acme/dify-apps').split('/');
  const state: GitHubApiState = {
    owner,
    repo,
    environments: new Set(['production', 'staging']),
    releases: [],
    deployments: [],
    deploymentStatuses: new Map(),
    comments: [],
    issues: [],
    pulls: [],
    publicKeys: new Map(),
    secrets: new Map(),
    variables: new Map(),
  };
  const requests: RecordedRequest[] = [];
  const failures: Array<{
    method: string;
    path: string | RegExp;
    status: number;
    times: number;
    reply?: { message?: string; headers?: Record<string, string> };
  }> = [];
  let nextId = 1000;
  let origin = '';
  const now = () => new Date().toISOString();
  const web = (path: string) => `${origin}/${owner}/${repo}${path}`;
  const error = (status: number, message = ERROR_MESSAGES[status] ?? 'Error', errors?: Json[]): Reply => ({
    status,
    body: { message, documentation_url: 'https://docs.github.com/rest', ...(errors ? { errors } : {}), status: String(status) },
  });
  const invalid = (resource: string, field: string, code = 'missing_field') => error(422, 'Validation Failed', [{ resource, field, code }]);
  // GitHub refuses a comment body over 65,536 characters (422, "Body is too long").
  const tooLong = (text: unknown): Reply | undefined =>
    typeof text === 'string' && [...text].length > 65_536
      ? error(422, 'Validation Failed', [
          { resource: 'IssueComment', code: 'custom', field: 'body', message: 'Body is too long (maximum is 65536 characters)' },
        ])
      : undefined;

  function addIssue(fields: { title: string; body?: string; pull?: boolean; labels?: string[] }): number {
    const number = state.issues.length + 1;
    const kind = fields.pull ? 'pull' : 'issues';
    state.issues.push({
      id: nextId++,
      number,
      title: fields.title,
      body: fields.body ?? '',
      state: 'open',
      labels: (fields.labels ?? []).map((name) => ({ name })),
      html_url: web(`/${kind}/${number}`),
      user: { login: 'octocat' },
      ...(fields.pull ? { pull_request: { html_url: web(`/pull/${number}`) } } : {}),
    });
    return number;
  }

  function addComment(issueNumber: number, body: string): number {
    const id = nextId++;
    const at = now();
    state.comments.push({
      id,
      issue_number: issueNumber,
      body,
      html_url: web(`/issues/${issueNumber}#issuecomment-${id}`),
      user: { login: 'github-actions[bot]', type: 'Bot' },
      created_at: at,
      updated_at: at,
    });
    return id;
  }

  function publicKey(environment: string): PublicKey {
    let key = state.publicKeys.get(environment);
    if (!key) {
      const pair = generateKeyPairSync('x25519');
      const raw = Buffer.from(pair.publicKey.export({ format: 'jwk' }).x as string, 'base64url');
      key = { key_id: String(randomInt(1e9, 2 ** 47)), key: raw.toString('base64'), privateKey: pair.privateKey };
      state.publicKeys.set(environment, key);
    }
    return key;
  }

  /** GitHub's pagination: `per_page` (default 30, max 100), `page`, and a Link header with next/last. */
  function page(call: Call, items: Json[]): Reply {
    const perPage = Math.min(100, Number(call.query.per_page) || 30);
    const current = Math.max(1, Number(call.query.page) || 1);
    const pages = Math.max(1, Math.ceil(items.length / perPage));
    const link = (n: number) => `<${call.self}?${new URLSearchParams({ ...call.query, per_page: String(perPage), page: String(n) })}>`;
    const rels = [];
    if (current < pages) rels.push(`${link(current + 1)}; rel="next"`, `${link(pages)}; rel="last"`);
    if (current > 1) rels.push(`${link(current - 1)}; rel="prev"`, `${link(1)}; rel="first"`);
    return {
      status: 200,
      body: items.slice((current - 1) * perPage, current * perPage),
      headers: rels.length ? { link: rels.join(', ') } : {},
    };
  }

  const issueOf = (number: string) => state.issues.find((issue) => issue.number === Number(number));
  const scoped = (environment: string | undefined, name: string) => `${environment ?? ''}/${name.toUpperCase()}`;
  /** Environment routes 404 for unknown environments, like GitHub. */
  const envMissing = (environment: string | undefined) => environment !== undefined && !state.environments.has(environment);

  const routes: Array<[string, RegExp, (call: Call) => Reply]> = [
    [
      'GET',
      /^\/releases\/tags\/(.+)$/,
      ({ params: [tag] }) => {
        const release = state.releases.find((r) => r.tag_name === tag);
        return release ? { status: 200, body: release } : error(404);
      },
    ],
    [
      'POST',
      /^\/releases$/,
      ({ body }) => {
        if (!body.tag_name) return invalid('Release', 'tag_name');
        if (state.releases.some((r) => r.tag_name === body.tag_name)) return invalid('Release', 'tag_name', 'already_exists');
        const id = nextId++;
        const release = {
          id,
          tag_name: body.tag_name,
          target_commitish: body.target_commitish ?? 'main',
          name: body.name ?? body.tag_name,
          body: body.body ?? '',
          draft: false,
          prerelease: false,
          created_at: now(),
          published_at: now(),
          html_url: web(`/releases/tag/${encodeURIComponent(body.tag_name)}`),
          author: { login: 'github-actions[bot]' },
        };
        state.releases.push(release);
        return { status: 201, body: release };
      },
    ],
    [
      'PATCH',
      /^\/releases\/(\d+)$/,
      ({ params: [id], body }) => {
        const release = state.releases.find((r) => r.id === Number(id));
        if (!release) return error(404);
        for (const field of ['name', 'body', 'tag_name'] as const) if (body[field] !== undefined) release[field] = body[field];
        return { status: 200, body: release };
      },
    ],
    [
      'POST',
      /^\/deployments$/,
      ({ body }) => {
        if (!body.ref) return invalid('Deployment', 'ref');
        if (typeof body.description === 'string' && body.description.length > 140) return invalid('Deployment', 'description', 'custom');
        const id = nextId++;
        const deployment = {
          id,
          ref: body.ref,
          sha: body.ref,
          task: body.task ?? 'deploy',
          payload: body.payload ?? {},
          environment: body.environment ?? 'production',
          description: body.description ?? null,
          auto_merge: body.auto_merge,
          required_contexts: body.required_contexts,
          transient_environment: body.transient_environment ?? false,
          production_environment: body.production_environment ?? false,
          creator: { login: 'github-actions[bot]' },
          created_at: now(),
          updated_at: now(),
        };
        state.deployments.push(deployment);
        state.deploymentStatuses.set(id, []);
        return { status: 201, body: deployment };
      },
    ],
    [
      'POST',
      /^\/deployments\/(\d+)\/statuses$/,
      ({ params: [id], body }) => {
        const statuses = state.deploymentStatuses.get(Number(id));
        if (!statuses) return error(404);
        const states = ['error', 'failure', 'inactive', 'in_progress', 'queued', 'pending', 'success'];
        if (!states.includes(body.state)) return invalid('DeploymentStatus', 'state', 'invalid');
        if (typeof body.description === 'string' && body.description.length > 140)
          return invalid('DeploymentStatus', 'description', 'custom');
        const status = {
          id: nextId++,
          state: body.state,
          description: body.description ?? '',
          environment_url: body.environment_url ?? '',
          log_url: body.log_url ?? '',
          target_url: body.log_url ?? '',
          created_at: now(),
        };
        statuses.push(status);
        return { status: 201, body: status };
      },
    ],
    [
      'GET',
      /^\/issues\/(\d+)\/comments$/,
      (call) => {
        if (!issueOf(call.params[0])) return error(404);
        return page(
          call,
          state.comments.filter((c) => c.issue_number === Number(call.params[0])),
        );
      },
    ],
    [
      'POST',
      /^\/issues\/(\d+)\/comments$/,
      ({ params: [number], body }) => {
        if (!issueOf(number)) return error(404);
        if (typeof body.body !== 'string') return invalid('IssueComment', 'body');
        if (tooLong(body.body)) return tooLong(body.body)!;
        const id = addComment(Number(number), body.body);
        return { status: 201, body: state.comments.find((c) => c.id === id) };
      },
    ],
    [
      'PATCH',
      /^\/issues\/comments\/(\d+)$/,
      ({ params: [id], body }) => {
        const comment = state.comments.find((c) => c.id === Number(id));
        if (!comment) return error(404);
        if (tooLong(body.body)) return tooLong(body.body)!;
        Object.assign(comment, { body: body.body, updated_at: now() });
        return { status: 200, body: comment };
      },
    ],
    [
      'GET',
      /^\/issues$/,
      (call) => {
        const wanted = call.query.state ?? 'open';
        return page(
          call,
          state.issues.filter((issue) => wanted === 'all' || issue.state === wanted),
        );
      },
    ],
    [
      'POST',
      /^\/issues$/,
      ({ body }) => {
        if (!body.title) return invalid('Issue', 'title');
        return { status: 201, body: issueOf(String(addIssue(body as { title: string }))) };
      },
    ],
    [
      'PATCH',
      /^\/issues\/(\d+)$/,
      ({ params: [number], body }) => {
        const issue = issueOf(number);
        if (!issue) return error(404);
        for (const field of ['title', 'body', 'state'] as const) if (body[field] !== undefined) issue[field] = body[field];
        return { status: 200, body: issue };
      },
    ],
    [
      'GET',
      /^(?:\/actions|\/environments\/([^/]+))\/secrets\/public-key$/,
      ({ params: [environment] }) => {
        if (envMissing(environment)) return error(404);
        const { key_id, key } = publicKey(environment ?? '');
        return { status: 200, body: { key_id, key } };
      },
    ],
    [
      'PUT',
      /^(?:\/actions|\/environments\/([^/]+))\/secrets\/([^/]+)$/,
      ({ params: [environment, name], body }) => {
        if (envMissing(environment)) return error(404);
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || /^GITHUB_/i.test(name)) return invalid('Secret', 'secret_name', 'invalid');
        if (!body.encrypted_value || !body.key_id) return invalid('Secret', body.encrypted_value ? 'key_id' : 'encrypted_value');
        if (body.key_id !== state.publicKeys.get(environment ?? '')?.key_id) return error(422, 'Bad request - key_id is not valid');
        const key = scoped(environment, name);
        const existed = state.secrets.has(key);
        state.secrets.set(key, { name: name.toUpperCase(), encrypted_value: body.encrypted_value, key_id: body.key_id, updated_at: now() });
        return { status: existed ? 204 : 201, body: existed ? undefined : {} };
      },
    ],
    [
      'GET',
      /^(?:\/actions|\/environments\/([^/]+))\/variables\/([^/]+)$/,
      ({ params: [environment, name] }) => {
        if (envMissing(environment)) return error(404);
        const variable = state.variables.get(scoped(environment, name));
        return variable ? { status: 200, body: variable } : error(404);
      },
    ],
    [
      'POST',
      /^(?:\/actions|\/environments\/([^/]+))\/variables$/,
      ({ params: [environment], body }) => {
        if (envMissing(environment)) return error(404);
        if (!body.name || typeof body.value !== 'string') return invalid('Variable', body.name ? 'value' : 'name');
        const key = scoped(environment, body.name);
        if (state.variables.has(key)) return error(409, 'Already exists - Variable already exists');
        state.variables.set(key, { name: String(body.name).toUpperCase(), value: body.value, created_at: now(), updated_at: now() });
        return { status: 201, body: {} };
      },
    ],
    [
      'PATCH',
      /^(?:\/actions|\/environments\/([^/]+))\/variables\/([^/]+)$/,
      ({ params: [environment, name], body }) => {
        if (envMissing(environment)) return error(404);
        const variable = state.variables.get(scoped(environment, name));
        if (!variable) return error(404);
        Object.assign(variable, { value: body.value ?? variable.value, updated_at: now() });
        return { status: 204 };
      },
    ],
    [
      'GET',
      /^\/pulls$/,
      (call) => {
        const { head, base, state: wanted = 'open' } = call.query;
        return page(
          call,
          state.pulls.filter(
            (p) => (wanted === 'all' || p.state === wanted) && (!head || p.head.label === head) && (!base || p.base.ref === base),
          ),
        );
      },
    ],
    [
      'POST',
      /^\/pulls$/,
      ({ body }) => {
        if (!body.head || !body.base || !body.title) return invalid('PullRequest', !body.head ? 'head' : !body.base ? 'base' : 'title');
        const label = body.head.includes(':') ? body.head : `${owner}:${body.head}`;
        if (state.pulls.some((p) => p.state === 'open' && p.head.label === label && p.base.ref === body.base)) {
          return error(422, 'Validation Failed', [
            { resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${label}.` },
          ]);
        }
        const number = addIssue({ title: body.title, body: body.body, pull: true });
        const pull = {
          id: nextId++,
          number,
          state: 'open',
          title: body.title,
          body: body.body ?? '',
          html_url: web(`/pull/${number}`),
          head: { ref: label.split(':')[1], label },
          base: { ref: body.base },
        };
        state.pulls.push(pull);
        return { status: 201, body: pull };
      },
    ],
    [
      'PATCH',
      /^\/pulls\/(\d+)$/,
      ({ params: [number], body }) => {
        const pull = state.pulls.find((p) => p.number === Number(number));
        if (!pull) return error(404);
        for (const field of ['title', 'body', 'state'] as const) if (body[field] !== undefined) pull[field] = body[field];
        return { status: 200, body: pull };
      },
    ],
  ];

  function handle(
    method: string,
    path: string,
    shown: string,
    call: Omit<Call, 'params' | 'method'>,
    authorization: string | undefined,
  ): Reply {
    const failure = failures.find(
      (f) => f.times > 0 && f.method === method && (typeof f.path === 'string' ? f.path === shown : f.path.test(shown)),
    );
    if (failure) {
      failure.times--;
      return { ...error(failure.status, failure.reply?.message), headers: failure.reply?.headers };
    }
    if (authorization !== `token ${token}` && authorization !== `Bearer ${token}`) return error(401);
    const prefix = `/repos/${owner}/${repo}`;
    if (!path.startsWith(prefix + '/')) return error(404);
    const rest = path.slice(prefix.length);
    for (const [routeMethod, pattern, handler] of routes) {
      const match = routeMethod === method ? pattern.exec(rest) : null;
      if (match) return handler({ ...call, method, params: match.slice(1).map((p) => (p === undefined ? p : safeDecode(p))) as string[] });
    }
    return error(404);
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    const body = await readJson(req);
    const path = url.pathname.startsWith(API_BASE_PATH + '/') ? url.pathname.slice(API_BASE_PATH.length) : url.pathname;
    const query = Object.fromEntries(url.searchParams);
    const method = req.method ?? 'GET';
    // Recorded and matched decoded (`bot@v1.0.0`, not `bot%40v1.0.0`) so tests read naturally.
    const shown = safeDecode(path);
    requests.push({ method, path: shown, query, body });
    const reply = url.pathname.startsWith(API_BASE_PATH + '/')
      ? handle(method, path, shown, { query, body: (body ?? {}) as Json, self: `${url.origin}${url.pathname}` }, req.headers.authorization)
      : error(404);
    const payload = reply.body === undefined ? '' : JSON.stringify(reply.body);
    res.writeHead(reply.status, {
      ...(payload ? { 'content-type': 'application/json; charset=utf-8' } : {}),
      'x-ratelimit-remaining': '4999',
      'x-github-request-id': `STUB:${requests.length}`,
      ...reply.headers,
    });
    res.end(payload);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: `${origin}${API_BASE_PATH}`,
    state,
    requests,
    failNext(match, status, times = 1, reply) {
      failures.push({ method: match.method.toUpperCase(), path: match.path, status, times, reply });
    },
    addIssue,
    addComment(issueNumber, body) {
      if (!issueOf(String(issueNumber))) throw new Error(`No issue #${issueNumber} to comment on; addIssue first`);
      return addComment(issueNumber, body);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  if (!chunks.length) return undefined;
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
