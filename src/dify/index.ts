// Public surface of the Dify boundary: factories, types and typed errors. Stages import from here.
export { createDifyConsole, createDifyService, inspectDifyServer, type ClientDeps } from './client.js';
export type { ServerSurface } from './server-version.js';
export {
  type DifyError,
  type DifyErrorCode,
  type DifySurface,
  type DifyUnreachableError,
  hintForImport,
  isDifyError,
  isMissingDraft,
  type UnreachableReason,
} from './errors.js';
export { MARKED_COMMENT_MAX, MARKED_NAME_MAX } from './wire.js';
export { DEFAULT_USER } from './service.js';
export { createPacer, type Pacer } from './http.js';
export type * from './types.js';
