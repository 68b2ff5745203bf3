// What the GitHub runner tells a step about its run: repository, API, token, and the event payload
// (a push's range, a pull request's number, base and fork status).
import { readFileSync } from 'node:fs';
import type { GitHubSettings } from './settings.js';
import { registerSecret } from './support/redact.js';

type Env = Record<string, string | undefined>;

export function readGitHub(env: Env, token: string): GitHubSettings {
  registerSecret(token);
  const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
  const runUrl = env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID ? `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}` : undefined;
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

/** pull_request and pull_request_target payloads: number, base commit, and whether the head is a fork. */
function readPullRequest(event: Record<string, unknown>): Pick<GitHubSettings, 'pullNumber' | 'pullBase' | 'fork'> {
  const pull = event.pull_request as { number?: unknown; base?: { sha?: unknown }; head?: { repo?: { fork?: unknown } } } | undefined;
  if (!pull || typeof pull !== 'object') return { fork: false };
  return {
    pullNumber: typeof pull.number === 'number' ? pull.number : undefined,
    pullBase: typeof pull.base?.sha === 'string' ? pull.base.sha : undefined,
    fork: pull.head?.repo?.fork === true,
  };
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
