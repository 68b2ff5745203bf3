// A tiny router: patterns like `/apps/{app_id}/versions/{version_id}:restore`.
import { HttpError, type Reply, type Req } from './http.js';

export type Handler = (req: Req) => Promise<Reply | void> | Reply | void;

interface Route {
  method: string;
  regex: RegExp;
  keys: string[];
  handler: Handler;
}

export interface Router {
  add(method: string, pattern: string, handler: Handler): Router;
  /** The handler for the request, with params set; throws 404/405 Dify-style when none. */
  resolve(req: Req): Handler;
}

export function createRouter(): Router {
  const routes: Route[] = [];
  const router: Router = {
    add(method, pattern, handler) {
      const keys: string[] = [];
      // Params never span '/' or ':' so `{id}:publish` and `{id}` segments stay distinct.
      const source = pattern
        .split(/(\{[a-z_]+\})/)
        .map((part) => {
          const key = /^\{([a-z_]+)\}$/.exec(part);
          if (key) {
            keys.push(key[1]);
            return '([^/:]+)';
          }
          return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        })
        .join('');
      routes.push({ method, regex: new RegExp(`^${source}$`), keys, handler });
      return router;
    },
    resolve(req) {
      let pathMatched = false;
      for (const route of routes) {
        const match = route.regex.exec(req.path);
        if (!match) continue;
        pathMatched = true;
        if (route.method !== req.method) continue;
        req.params = {};
        route.keys.forEach((key, i) => {
          req.params[key] = decodeURIComponent(match[i + 1]);
        });
        return route.handler;
      }
      if (pathMatched) {
        throw new HttpError(405, 'method_not_allowed', 'The method is not allowed for the requested URL.');
      }
      throw new HttpError(404, 'not_found', 'The requested URL was not found on the server.');
    },
  };
  return router;
}
