// The GitHub REST calls the commands make, each idempotent so a re-run job converges instead of
// duplicating releases, comments or issues. The only module that talks to GitHub's API.
import { createRestClient, type GitHubObject } from './github-rest.js';
import { UserError } from '../support/errors.js';
import { redact } from '../support/redact.js';
import { carrySections, setSection } from '../support/comment-sections.js';
import { hasStatus, isAlreadyExists, toGitHubError, type Permission } from './github-errors.js';

export type DeploymentState = 'in_progress' | 'success' | 'failure' | 'error' | 'inactive';

export interface GitHub {
  /** The release for `tag`, created or brought up to date; never a second one. */
  ensureRelease(release: {
    tag: string;
    name: string;
    body: string;
    commit?: string;
  }): Promise<{ id: number; url: string; created: boolean }>;
  createDeployment(deployment: {
    ref: string;
    environment: string;
    description: string;
    payload?: Record<string, unknown>;
  }): Promise<number>;
  setDeploymentStatus(
    id: number,
    status: { state: DeploymentState; description: string; environmentUrl?: string; logUrl?: string },
  ): Promise<void>;
  /** One comment per marker on an issue or pull request, edited in place on every run (its named sections kept). */
  upsertStickyComment(comment: { issueNumber: number; marker: string; body: string }): Promise<{ id: number; created: boolean }>;
  /** One named section of that comment set, the rest left as it is; the comment is created when missing. */
  upsertCommentSection(comment: {
    issueNumber: number;
    marker: string;
    section: string;
    body: string;
  }): Promise<{ id: number; created: boolean }>;
  /** Numbers of the repository's open pull requests. */
  openPullRequests(): Promise<number[]>;
  /** One open issue per marker, edited in place while it stays open. */
  upsertIssue(issue: {
    title: string;
    marker: string;
    body: string;
    labels?: string[];
  }): Promise<{ number: number; url: string; created: boolean }>;
  /** The key secrets must be sealed with (repository, or an environment's). */
  getRepoPublicKey(environment?: string): Promise<{ key_id: string; key: string }>;
  putSecret(secret: { name: string; encryptedValue: string; keyId: string; environment?: string }): Promise<void>;
  getVariable(name: string, environment?: string): Promise<string | null>;
  setVariable(name: string, value: string, environment?: string): Promise<void>;
  /** Opens a pull request, or updates the open one already proposing `head` into `base`. */
  createPullRequest(pull: {
    head: string;
    base: string;
    title: string;
    body: string;
  }): Promise<{ number: number; url: string; created: boolean }>;
}

export interface GitHubOptions {
  token: string;
  /** `owner/name`. */
  repository: string;
  /** REST root; GitHub Enterprise Server uses https://HOST/api/v3. */
  apiUrl?: string;
  /** Waits out a secondary rate limit (tests pass one that returns at once). */
  sleep?: (ms: number) => Promise<void>;
}

/** GitHub rejects longer deployment descriptions with a 422. */
const MAX_DESCRIPTION = 140;

export function createGitHub(options: GitHubOptions): GitHub {
  const [owner, repo, extra] = options.repository.split('/');
  if (!owner || !repo || extra !== undefined) {
    throw new UserError(
      'usage',
      `Repository ${JSON.stringify(options.repository)} is not "owner/name"; set GITHUB_REPOSITORY or --repository.`,
    );
  }
  const apiUrl = (options.apiUrl || process.env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, '');
  const octokit = createRestClient({ token: options.token, baseUrl: apiUrl, userAgent: 'dify-gitops', sleep: options.sleep });
  const where = { owner, repo };

  /** Runs one call, translating any failure into a GitHubError naming the endpoint and the fix. */
  async function call<T>(endpoint: string, permission: Permission, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw toGitHubError(error, { endpoint, permission, apiUrl, repository: options.repository });
    }
  }

  /** Like `call`, but "not found" is an answer (null), not a failure. */
  async function callOrNull<T>(endpoint: string, permission: Permission, send: () => Promise<T>): Promise<T | null> {
    return call(endpoint, permission, async () => {
      try {
        return await send();
      } catch (error) {
        if (hasStatus(error, 404)) return null;
        throw error;
      }
    });
  }

  function route(path: string, environment?: string): string {
    return environment ? `/repos/{owner}/{repo}/environments/{environment_name}${path}` : `/repos/{owner}/{repo}/actions${path}`;
  }

  async function findRelease(tag: string) {
    const endpoint = 'GET /repos/{owner}/{repo}/releases/tags/{tag}';
    const response = await callOrNull(endpoint, 'contents', () => octokit.request(endpoint, { ...where, tag }));
    return response?.data ?? null;
  }

  /** Logins this token posted sticky comments as, in this process. */
  const ownLogins = new Set<string>();
  let selfLogin: Promise<string | null> | undefined;

  /** The token's own login; installation tokens (GITHUB_TOKEN) cannot ask, and post as a bot anyway. */
  function readSelfLogin(): Promise<string | null> {
    selfLogin ??= octokit.request('GET /user').then(
      (response) => (typeof response.data?.login === 'string' ? response.data.login : null),
      () => null,
    );
    return selfLogin;
  }

  /**
   * Our sticky comment: it starts with the marker (a human quoting it does not count) and was
   * written by a bot or by this token's own user; anyone else's cannot be edited with our token.
   */
  /** Our comment with `marker`, its text made from the current one (undefined when there is none). */
  async function upsertComment(issueNumber: number, marker: string, compose: (previous: string | undefined) => string) {
    const tag = markerComment(marker);
    const found = await findOwnComment(issueNumber, tag);
    const body = compose(found?.body?.startsWith(tag) ? found.body.slice(tag.length).replace(/^\n/, '') : undefined);
    const text = body.includes(tag) ? body : `${tag}\n${body}`;
    const create = async () => {
      const endpoint = 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments';
      const { data } = await call(endpoint, 'pull-requests', () =>
        octokit.request(endpoint, { ...where, issue_number: issueNumber, body: text }),
      );
      if (data.user?.login) ownLogins.add(data.user.login);
      return { id: data.id, created: true };
    };
    if (!found) return create();
    if (found.body !== text) {
      const endpoint = 'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}';
      try {
        await octokit.request(endpoint, { ...where, comment_id: found.id, body: text });
      } catch (error) {
        // Not ours to edit after all (another app's token, a comment deleted meanwhile): post our own.
        if (hasStatus(error, 403) || hasStatus(error, 404)) return create();
        throw toGitHubError(error, { endpoint, permission: 'pull-requests', apiUrl, repository: options.repository });
      }
    }
    return { id: found.id, created: false };
  }

  async function findOwnComment(issueNumber: number, tag: string) {
    const list = 'GET /repos/{owner}/{repo}/issues/{issue_number}/comments';
    const isOurs = (user: { login?: string; type?: string } | null | undefined) =>
      user?.type === 'Bot' || (!!user?.login && ownLogins.has(user.login));
    const { hit, others } = await call(list, 'pull-requests', async () => {
      const marked = [];
      const pages = octokit.pages(list, { ...where, issue_number: issueNumber, per_page: 100 });
      for await (const page of pages) {
        for (const comment of page.data.filter((c) => c.body?.startsWith(tag))) {
          if (isOurs(comment.user)) return { hit: comment, others: [] };
          marked.push(comment);
        }
      }
      return { hit: null, others: marked };
    });
    if (hit || others.length === 0) return hit;
    // Marked comments by a person: ours only when this token is that person (a personal access token).
    const self = await readSelfLogin();
    return others.find((comment) => self !== null && comment.user?.login === self) ?? null;
  }

  async function findOpenPull(head: string, base: string) {
    const endpoint = 'GET /repos/{owner}/{repo}/pulls';
    const response = await call(endpoint, 'pull-requests', () =>
      octokit.request<GitHubObject[]>(endpoint, { ...where, head: `${owner}:${head}`, base, state: 'open', per_page: 100 }),
    );
    return response.data[0] ?? null;
  }

  return redactTextFields({
    async ensureRelease({ tag, name, body, commit }) {
      const existing = await findRelease(tag);
      if (existing) {
        if (existing.name !== name || (existing.body ?? '') !== body) {
          const endpoint = 'PATCH /repos/{owner}/{repo}/releases/{release_id}';
          await call(endpoint, 'contents', () => octokit.request(endpoint, { ...where, release_id: existing.id, name, body }));
        }
        return { id: existing.id, url: existing.html_url, created: false };
      }
      const endpoint = 'POST /repos/{owner}/{repo}/releases';
      try {
        const { data } = await octokit.request(endpoint, { ...where, tag_name: tag, name, body, target_commitish: commit });
        return { id: data.id, url: data.html_url, created: true };
      } catch (error) {
        // A concurrent job created it between our lookup and our create: use theirs.
        const raced = isAlreadyExists(error) ? await findRelease(tag) : null;
        if (raced) return { id: raced.id, url: raced.html_url, created: false };
        throw toGitHubError(error, { endpoint, permission: 'contents', apiUrl, repository: options.repository });
      }
    },

    async createDeployment({ ref, environment, description, payload }) {
      const endpoint = 'POST /repos/{owner}/{repo}/deployments';
      const { data } = await call(endpoint, 'deployments', () =>
        octokit.request(endpoint, {
          ...where,
          ref,
          environment,
          description: description.slice(0, MAX_DESCRIPTION),
          payload: payload ?? {},
          // We deploy exactly this ref: no merging the default branch in, no waiting on status checks.
          auto_merge: false,
          required_contexts: [],
          transient_environment: false,
        }),
      );
      // 202 "Auto-merged …": GitHub answered with a message instead of a deployment.
      if (typeof data.id !== 'number') {
        throw toGitHubError(
          { status: 202, message: data.message, response: { data } },
          { endpoint, permission: 'deployments', apiUrl, repository: options.repository },
        );
      }
      return data.id;
    },

    async setDeploymentStatus(id, { state, description, environmentUrl, logUrl }) {
      const endpoint = 'POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses';
      await call(endpoint, 'deployments', () =>
        octokit.request(endpoint, {
          ...where,
          deployment_id: id,
          state,
          description: description.slice(0, MAX_DESCRIPTION),
          ...(environmentUrl ? { environment_url: environmentUrl } : {}),
          ...(logUrl ? { log_url: logUrl } : {}),
        }),
      );
    },

    upsertStickyComment: ({ issueNumber, marker, body }) =>
      upsertComment(issueNumber, marker, (previous) => carrySections(previous ?? '', body)),
    upsertCommentSection: ({ issueNumber, marker, section, body }) =>
      upsertComment(issueNumber, marker, (previous) => setSection(previous ?? '', section, body)),

    async openPullRequests() {
      // The issues list carries pull requests too (marked pull_request), and answers for any token with issues: read.
      const list = 'GET /repos/{owner}/{repo}/issues';
      return call(list, 'pull-requests', async () => {
        const numbers: number[] = [];
        for await (const page of octokit.pages(list, { ...where, state: 'open', per_page: 100 })) {
          for (const issue of page.data) if (issue.pull_request) numbers.push(issue.number);
        }
        return numbers;
      });
    },

    async upsertIssue({ title, marker, body, labels }) {
      const tag = markerComment(marker);
      const text = body.includes(tag) ? body : `${tag}\n${body}`;
      const list = 'GET /repos/{owner}/{repo}/issues';
      const found = await call(list, 'issues', async () => {
        const pages = octokit.pages(list, { ...where, state: 'open', per_page: 100 });
        for await (const page of pages) {
          // The issues list includes pull requests; a marker in a PR description is not our issue.
          const hit = page.data.find((issue) => !issue.pull_request && issue.body?.includes(tag));
          if (hit) return hit;
        }
        return null;
      });
      if (found) {
        if (found.title !== title || found.body !== text) {
          const endpoint = 'PATCH /repos/{owner}/{repo}/issues/{issue_number}';
          await call(endpoint, 'issues', () => octokit.request(endpoint, { ...where, issue_number: found.number, title, body: text }));
        }
        return { number: found.number, url: found.html_url, created: false };
      }
      const endpoint = 'POST /repos/{owner}/{repo}/issues';
      const { data } = await call(endpoint, 'issues', () =>
        octokit.request(endpoint, { ...where, title, body: text, ...(labels?.length ? { labels } : {}) }),
      );
      return { number: data.number, url: data.html_url, created: true };
    },

    async getRepoPublicKey(environment) {
      const endpoint = `GET ${route('/secrets/public-key', environment)}`;
      const { data } = await call(endpoint, 'secrets', () => octokit.request(endpoint, { ...where, environment_name: environment }));
      return { key_id: String(data.key_id), key: String(data.key) };
    },

    async putSecret({ name, encryptedValue, keyId, environment }) {
      const endpoint = `PUT ${route('/secrets/{secret_name}', environment)}`;
      await call(endpoint, 'secrets', () =>
        octokit.request(endpoint, {
          ...where,
          environment_name: environment,
          secret_name: name,
          encrypted_value: encryptedValue,
          key_id: keyId,
        }),
      );
    },

    async getVariable(name, environment) {
      const endpoint = `GET ${route('/variables/{name}', environment)}`;
      const response = await callOrNull(endpoint, 'variables', () =>
        octokit.request(endpoint, { ...where, environment_name: environment, name }),
      );
      return response ? String(response.data.value) : null;
    },

    async setVariable(name, value, environment) {
      const update = `PATCH ${route('/variables/{name}', environment)}`;
      const create = `POST ${route('/variables', environment)}`;
      const params = { ...where, environment_name: environment, name, value };
      const updated = await callOrNull(update, 'variables', () => octokit.request(update, params));
      if (updated) return;
      await call(create, 'variables', async () => {
        try {
          await octokit.request(create, params);
        } catch (error) {
          // Created by a concurrent job after our update missed: update it now.
          if (!hasStatus(error, 409)) throw error;
          await octokit.request(update, params);
        }
      });
    },

    async createPullRequest({ head, base, title, body }) {
      const endpoint = 'POST /repos/{owner}/{repo}/pulls';
      try {
        const { data } = await octokit.request(endpoint, { ...where, head, base, title, body });
        return { number: data.number, url: data.html_url, created: true };
      } catch (error) {
        const open = isAlreadyExists(error) ? await findOpenPull(head, base) : null;
        if (!open) throw toGitHubError(error, { endpoint, permission: 'pull-requests', apiUrl, repository: options.repository });
        const update = 'PATCH /repos/{owner}/{repo}/pulls/{pull_number}';
        await call(update, 'pull-requests', () => octokit.request(update, { ...where, pull_number: open.number, title, body }));
        return { number: open.number, url: open.html_url, created: false };
      }
    },
  });
}

/** The hidden HTML comment that identifies our comment or issue; invisible in rendered Markdown. */
function markerComment(marker: string): string {
  if (!marker || marker.includes('--') || marker.includes('>')) {
    throw new Error(`Marker ${JSON.stringify(marker)} cannot be used inside an HTML comment`);
  }
  return `<!-- ${marker} -->`;
}

/** The fields of our requests that people read: release, comment, issue and pull request text. */
const TEXT_FIELDS = new Set(['body', 'title', 'name', 'description']);

/**
 * Everything we write to GitHub for people to read passes here: a secret Dify echoed into an
 * error would otherwise reach a release note, a PR comment or an issue raw (the runner masks logs,
 * not API requests). Key values travel sealed (putSecret's encryptedValue), never as text.
 */
function redactTextFields(github: GitHub): GitHub {
  const clean = (arg: unknown) => {
    if (typeof arg !== 'object' || arg === null || Array.isArray(arg)) return arg;
    const entries = Object.entries(arg).map(([k, v]) => [k, TEXT_FIELDS.has(k) && typeof v === 'string' ? redact(v) : v]);
    return Object.fromEntries(entries);
  };
  const wrapped = Object.entries(github).map(([method, fn]) => [
    method,
    (...args: unknown[]) => (fn as (...a: unknown[]) => unknown)(...args.map(clean)),
  ]);
  return Object.fromEntries(wrapped) as GitHub;
}
