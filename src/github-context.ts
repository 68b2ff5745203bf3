// What the GitHub runner tells a step about its run: repository, API, token, and the event payload
// (a push's range, a pull request's number, base and fork status).
import { readFileSync } from 'node:fs';
import { registerSecret } from './support/redact.js';

export interface GitHubSettings {
  token?: string;
  /** owner/name */
  repository?: string;
  apiUrl: string;
  /** Path of the event payload (push before/after, pull request number). */
  eventPath?: string;
  eventName?: string;
  sha?: string;
  /** Link to this run, for releases and notifications. */
  runUrl?: string;
  /** push events: the commit before the push (all zeros for a new branch). */
  pushBefore?: string;
  /** pull_request events: the pull request number (where the plan comment goes). */
  pullNumber?: number;
  /** pull_request events: the base commit, what plan compares with when no base-ref is given. */
  pullBase?: string;
  /** pull_request events: the head commit the plan is for (GITHUB_SHA is the merge commit). */
  pullHead?: string;
  /** pull_request events: the head repository is a fork, so no secrets: plan runs offline. */
  fork: boolean;
}

type Env = Record<string, string | undefined>;

export function readGitHub(env: Env, token: string): GitHubSettings {
  registerSecret(token);
  const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
  const runUrl =
    env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID ? `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}` : undefined;
  const event = readEvent(env.GITHUB_EVENT_PATH);
  return {
    token: token || undefined,
    repository: env.GITHUB_REPOSITORY || undefined,
    apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
    eventPath: env.GITHUB_EVENT_PATH || undefined,
    eventName: env.GITHUB_EVENT_NAME || undefined,
    sha: env.GITHUB_SHA || undefined,
    runUrl,
    pushBefore: typeof event.before === 'string' ? event.before : undefined,
    ...readPullRequest(event),
  };
}

interface PullPayload {
  number?: unknown;
  base?: { sha?: unknown; repo?: { full_name?: unknown } | null };
  head?: { sha?: unknown; repo?: { full_name?: unknown; fork?: unknown } | null };
}

/** pull_request and pull_request_target payloads: number, base commit, and whether the head is a fork. */
function readPullRequest(event: Record<string, unknown>): Pick<GitHubSettings, 'pullNumber' | 'pullBase' | 'pullHead' | 'fork'> {
  const pull = event.pull_request as PullPayload | undefined;
  if (!pull || typeof pull !== 'object') return { fork: false };
  return {
    pullNumber: typeof pull.number === 'number' ? pull.number : undefined,
    pullBase: typeof pull.base?.sha === 'string' ? pull.base.sha : undefined,
    pullHead: typeof pull.head?.sha === 'string' ? pull.head.sha : undefined,
    fork: isFromFork(pull),
  };
}

/**
 * A pull request is from a fork when its head lives in another repository. `head.repo.fork` says
 * whether the head repository is a fork of anything, which is true for every pull request when the
 * project itself is a fork: it is only the answer when the names are missing.
 */
function isFromFork(pull: PullPayload): boolean {
  const head = pull.head?.repo?.full_name;
  const base = pull.base?.repo?.full_name;
  if (typeof head === 'string' && typeof base === 'string') return head.toLowerCase() !== base.toLowerCase();
  // A deleted head repository (null) can only have been a fork.
  if (pull.head && pull.head.repo === null) return true;
  return pull.head?.repo?.fork === true;
}

/** The event payload the runner wrote; absent or unreadable outside Actions. */
function readEvent(file: string | undefined): Record<string, unknown> {
  if (!file) return {};
  try {
    const value = JSON.parse(readFileSync(file, 'utf8'));
    return value && typeof value === 'object' ? value : {};
  } catch {
    return {};
  }
}
