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

export function createRestClient(options: { token: string; baseUrl: string; userAgent: string }): RestClient {
  const dispatcher = createLazyDispatcher();
  const headers = {
    accept: 'application/vnd.github+json',
    authorization: `token ${options.token}`,
    'user-agent': options.userAgent,
    'x-github-api-version': '2022-11-28',
  };

  async function call<T>(method: string, url: string, body?: Record<string, unknown>): Promise<RestResponse<T>> {
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
