// The few REST calls github.ts makes, sent with the undici the Dify client already bundles: Octokit
// (via @actions/github) brought its own HTTP stack and two more copies of undici for a dozen routes.
// It keeps Octokit's calling convention (`request('POST /repos/{owner}/{repo}/…', params)`) and the
// shape of its errors (`status`, `message`, `response.data`, `response.headers`), which
// github-errors.ts reads; network failures carry no `response`.
import { createLazyDispatcher, loadUndici } from '../support/proxy-dispatcher.js';

/** The fields of GitHub's answers that github.ts reads; GitHub sends many more. */
export interface GitHubObject {
  id: number;
  number: number;
  html_url: string;
  name?: string | null;
  title?: string;
  body?: string | null;
  message?: string;
  login?: string;
  user?: { login?: string; type?: string } | null;
  pull_request?: unknown;
  key_id?: string | number;
  key?: string;
  value?: string;
}

export interface RestResponse<T> {
  status: number;
  headers: Record<string, string | undefined>;
  data: T;
}

/** What a failed call throws: the fields of Octokit's RequestError that callers read. */
export class GitHubRequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly response: { data: unknown; headers: Record<string, string | undefined> },
  ) {
    super(message);
    this.name = 'GitHubRequestError';
  }
}

export type Params = Record<string, string | number | boolean | string[] | Record<string, unknown> | undefined>;

export interface RestClient {
  request<T = GitHubObject>(route: string, params?: Params): Promise<RestResponse<T>>;
  /** Every page of a list route, following GitHub's `Link: <…>; rel="next"`. */
  pages<T = GitHubObject>(route: string, params?: Params): AsyncIterable<RestResponse<T[]>>;
}

/** A secondary rate limit is waited out at most this often per call, and for at most this long each time. */
const RATE_LIMIT_RETRIES = 2;
const MAX_RATE_LIMIT_WAIT_MS = 60_000;

/**
 * How long GitHub asks us to wait before sending this request again, or undefined when it does not.
 * Secondary rate limits (403 or 429, "You have exceeded a secondary rate limit", Retry-After) come from
 * many requests at once, as a fleet of deploy jobs creating releases makes: GitHub refused the request
 * without acting on it, so even a POST may be sent again. A spent primary limit (remaining 0, no
 * Retry-After) lasts up to an hour and is not waited for.
 */
function rateLimitWait(status: number, headers: Record<string, string | undefined>, message: string | undefined): number | undefined {
  const retryAfter = Number(headers['retry-after']);
  const secondary = /secondary rate limit/i.test(message ?? '');
  if (!(status === 429 || (status === 403 && (secondary || headers['retry-after'] !== undefined)))) return undefined;
  // Without Retry-After, GitHub's advice is to wait at least a minute.
  const ms = Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter * 1000 : MAX_RATE_LIMIT_WAIT_MS;
  return ms <= MAX_RATE_LIMIT_WAIT_MS ? ms : undefined;
}

export function createRestClient(options: {
  token: string;
  baseUrl: string;
  userAgent: string;
  /** Waits out a secondary rate limit; tests pass one that returns at once. */
  sleep?: (ms: number) => Promise<void>;
}): RestClient {
  const dispatcher = createLazyDispatcher();
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const headers = {
    accept: 'application/vnd.github+json',
    authorization: `token ${options.token}`,
    'user-agent': options.userAgent,
    'x-github-api-version': '2022-11-28',
  };

  async function call<T>(
    method: string,
    url: string,
    body?: Record<string, unknown>,
    retries = RATE_LIMIT_RETRIES,
  ): Promise<RestResponse<T>> {
    const { request: send } = await loadUndici();
    const response = await send(url, {
      method: method as 'GET',
      dispatcher: await dispatcher.get(),
      headers: body ? { ...headers, 'content-type': 'application/json' } : headers,
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.body.text();
    const responseHeaders = Object.fromEntries(
      Object.entries(response.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : value]),
    );
    let data: unknown = text;
    try {
      data = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON (a proxy's error page): keep the text for the error message.
    }
    if (response.statusCode >= 400) {
      const said = (data as { message?: unknown } | undefined)?.message;
      const wait =
        retries > 0 ? rateLimitWait(response.statusCode, responseHeaders, typeof said === 'string' ? said : undefined) : undefined;
      if (wait !== undefined) {
        await sleep(wait);
        return call<T>(method, url, body, retries - 1);
      }
      throw new GitHubRequestError(typeof said === 'string' ? said : `HTTP ${response.statusCode}`, response.statusCode, {
        data,
        headers: responseHeaders,
      });
    }
    return { status: response.statusCode, headers: responseHeaders, data: data as T };
  }

  /** `{name}` placeholders from params; the rest is the query (GET) or the JSON body. */
  function expand(route: string, params: Params = {}) {
    const [method, template] = route.split(' ');
    const rest: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(params)) if (value !== undefined) rest[key] = value;
    const path = template.replace(/\{(\w+)\}/g, (_, key: string) => {
      const value = rest[key];
      delete rest[key];
      return encodeURIComponent(String(value));
    });
    const url = new URL(`${options.baseUrl}${path}`);
    if (method !== 'GET') return { method, url: url.href, body: rest };
    for (const [key, value] of Object.entries(rest)) url.searchParams.set(key, String(value));
    return { method, url: url.href, body: undefined };
  }

  return {
    request<T>(route: string, params?: Params) {
      const { method, url, body } = expand(route, params);
      return call<T>(method, url, body);
    },
    async *pages<T>(route: string, params?: Params) {
      let url: string | undefined = expand(route, params).url;
      while (url) {
        const page: RestResponse<T[]> = await call<T[]>('GET', url);
        yield page;
        url = /<([^>]+)>;\s*rel="next"/.exec(page.headers.link ?? '')?.[1];
      }
    },
  };
}
