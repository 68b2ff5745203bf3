// Public surface of the Dify boundary: factories, types and typed errors. Stages import from here.
export { createDifyConsole, createDifyService, type ClientDeps } from './client.js';
export { DifyError, DifyUnreachableError, hintForImport, type DifySurface, type UnreachableReason } from './errors.js';
export { MARKED_COMMENT_MAX, MARKED_NAME_MAX } from './wire.js';
export { DEFAULT_USER } from './service.js';
export type * from './types.js';
