#!/usr/bin/env node
// The CLI runs the same committed bundle as the action.
process.env.DIFY_GITOPS_CLI = '1';
await import('../dist/index.js');
