// The commands that reach Dify or GitHub, in one file of the bundle that only they load: a
// validate, fmt or adopt (the bundle's main file) never compiles the deploy stages.
export { runDeploy } from './deploy.js';
export { runDoctor } from './doctor.js';
export { runDrift } from './drift.js';
export { runPlan } from './plan.js';
export { runPull } from './pull.js';
export { runRender } from './render.js';
export { runRollback } from './rollback.js';
export { runRotateKeys } from './rotate-keys.js';
export { runEval } from './eval.js';
export { runCleanupPreviews } from './cleanup-previews.js';
