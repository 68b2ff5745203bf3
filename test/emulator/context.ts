// What every handler can reach: the store, the live options, the one account and workspace.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Store } from './state.js';
import type { ResolvedOptions, Role } from './types.js';

export interface Sessions {
  /** access token → expiry (unix ms). */
  access: Map<string, number>;
  /** refresh token → expiry (unix ms). Refresh rotates: the old token dies. */
  refresh: Map<string, number>;
}

export interface Ctx {
  store: Store;
  options: ResolvedOptions;
  account: { id: string; name: string; email: string };
  workspace: { id: string; name: string };
  sessions: Sessions;
  /** HMAC key for the JWT-like tokens. */
  secret: Buffer;
  /** setTimeout that close() can cancel. */
  sleep(ms: number): Promise<void>;
  timers: Set<NodeJS.Timeout>;
}

export function createCtx(store: Store, options: ResolvedOptions): Ctx {
  const timers = new Set<NodeJS.Timeout>();
  return {
    store,
    options,
    account: { id: randomUUID(), name: 'Emulator Admin', email: options.email },
    workspace: { id: randomUUID(), name: "Emulator's Workspace" },
    sessions: { access: new Map(), refresh: new Map() },
    secret: randomBytes(32),
    timers,
    sleep(ms) {
      if (!(ms > 0)) return Promise.resolve();
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          resolve();
        }, ms);
        timers.add(timer);
      });
    },
  };
}

const RANK: Record<Role, number> = { normal: 0, editor: 1, admin: 2, owner: 3 };

export const hasRole = (ctx: Ctx, least: Role): boolean => RANK[ctx.options.role] >= RANK[least];
