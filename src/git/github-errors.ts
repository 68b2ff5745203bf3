// Turns a failed REST call (github-rest.ts, shaped like Octokit's RequestError) into a GitHubError
// that says which call failed and what the user can change: most failures in practice are a missing
// job permission or a wrong GITHUB_API_URL.
import { type GitHubError, gitHubError } from './errors.js';
import { isUserError } from '../support/errors.js';

/** The token permission each kind of call needs, used to word the 403 hint. */
export type Permission = 'contents' | 'deployments' | 'pull-requests' | 'issues' | 'secrets' | 'variables';

const PERMISSION_HINTS: Record<Permission, string> = {
  contents: 'Give the job `permissions: contents: write` (releases and tags).',
  deployments: 'Give the job `permissions: deployments: write`.',
  'pull-requests':
    'Give the job `permissions: pull-requests: write`; for pull requests opened by the workflow also enable ' +
    '"Allow GitHub Actions to create and approve pull requests" in the repository settings.',
  issues: 'Give the job `permissions: issues: write`.',
  secrets:
    'The workflow GITHUB_TOKEN can never write secrets: pass a fine-grained or GitHub App token with the ' +
    '"Secrets" repository permission (read and write).',
  variables:
    'The workflow GITHUB_TOKEN cannot manage Actions variables: pass a fine-grained or GitHub App token with the ' +
    '"Variables" repository permission (read and write).',
};

interface RequestErrorLike {
  status?: number;
  message?: string;
  response?: { data?: unknown; headers?: Record<string, string | number | undefined> };
}

export function toGitHubError(
  error: unknown,
  context: { endpoint: string; permission: Permission; apiUrl: string; repository: string },
): GitHubError {
  if (isUserError(error, 'github.http')) return error;
  const { endpoint, permission, apiUrl, repository } = context;
  const failure = (error ?? {}) as RequestErrorLike;
  if (!failure.response) {
    // Network failures (DNS, refused, TLS) come without a response.
    return gitHubError(`Could not reach GitHub at ${apiUrl} (${endpoint}): ${failure.message ?? String(error)}`, {
      status: 0,
      endpoint,
      hint: `Check GITHUB_API_URL (on GitHub Enterprise Server it is https://HOST/api/v3) and the runner's network or proxy.`,
    });
  }
  const status = failure.status ?? 0;
  const said = describeResponse(failure.response.data) || failure.message || 'no details';
  const message = `GitHub ${endpoint} failed for ${repository} (HTTP ${status}): ${said}`;
  return gitHubError(message, { status, endpoint, hint: hintFor(status, failure, permission, apiUrl) });
}

function hintFor(status: number, failure: RequestErrorLike, permission: Permission, apiUrl: string): string {
  const headers = failure.response?.headers ?? {};
  if (status === 401) {
    return 'The token was rejected: check the `github-token` input (expired, revoked, or issued by another GitHub host).';
  }
  if (
    (status === 403 || status === 429) &&
    (String(headers['x-ratelimit-remaining']) === '0' || /rate limit/i.test(failure.message ?? ''))
  ) {
    return 'GitHub API rate limit reached: wait for it to reset, or use a token with a higher limit.';
  }
  if (status === 403) return PERMISSION_HINTS[permission];
  if (status === 404) {
    const enterprise = /^https:\/\/api\.github\.com\/?$/.test(apiUrl)
      ? ''
      : ` On GitHub Enterprise Server check GITHUB_API_URL (now ${apiUrl}); it must end in /api/v3.`;
    const environment = permission === 'secrets' || permission === 'variables' ? ' Check that the environment exists.' : '';
    // GitHub answers 404 rather than 403 for private resources the token cannot see.
    return `Check the repository name and that the token can see it (${PERMISSION_HINTS[permission]}).${environment}${enterprise}`;
  }
  if (status === 409 || status === 422) return 'GitHub refused the values sent; fix what its message names and re-run.';
  if (status >= 500) return 'GitHub had a server error; re-run the job (check https://www.githubstatus.com).';
  return "See GitHub's message above.";
}

/** GitHub's `message` plus its validation `errors[]`, which carry the useful part of a 422. */
function describeResponse(data: unknown): string {
  if (!data || typeof data !== 'object') return typeof data === 'string' ? data.slice(0, 300) : '';
  const body = data as { message?: unknown; errors?: unknown };
  const parts = typeof body.message === 'string' ? [body.message] : [];
  if (Array.isArray(body.errors)) {
    for (const item of body.errors) {
      if (typeof item === 'string') parts.push(item);
      else if (item && typeof item === 'object') {
        const e = item as Record<string, unknown>;
        parts.push(String(e.message ?? [e.resource, e.field, e.code].filter(Boolean).join(' ')));
      }
    }
  }
  return parts.join('; ');
}

/** The GitHub error `code`s and messages of a 422, for callers that treat "already exists" as success. */
export function isAlreadyExists(error: unknown): boolean {
  const failure = error as RequestErrorLike;
  if (failure?.status !== 422) return false;
  return /already[_ ]exists/i.test(JSON.stringify(failure.response?.data ?? ''));
}

export function hasStatus(error: unknown, status: number): boolean {
  return (error as RequestErrorLike)?.status === status && Boolean((error as RequestErrorLike).response);
}
