// Input and output names, exactly as action.yml spells them: one source of truth
// (a test checks this file against action.yml).

export const Inputs = {
  command: 'command',
  workflowsDir: 'workflows-dir',
  baseRef: 'base-ref',
  environment: 'environment',
  difyUrl: 'dify-url',
  difyEmail: 'dify-email',
  difyPassword: 'dify-password',
  difyToken: 'dify-token',
  difyPasswordEncoding: 'dify-password-encoding',
  all: 'all',
  dryRun: 'dry-run',
  concurrency: 'concurrency',
  allowDslVersionChange: 'allow-dsl-version-change',
  rollbackOnFailure: 'rollback-on-failure',
  smokeRetries: 'smoke-retries',
  timeoutSeconds: 'timeout-seconds',
  backupDir: 'backup-dir',
  githubToken: 'github-token',
  workflow: 'workflow',
  to: 'to',
  fromBackup: 'from-backup',
  secretName: 'secret-name',
  secretEnvironment: 'secret-environment',
  stateVariable: 'state-variable',
  grace: 'grace',
  pruneForeignKeys: 'prune-foreign-keys',
  redeploySecrets: 'redeploy-secrets',
  notifyUrl: 'notify-url',
  notifySecret: 'notify-secret',
  failOnDrift: 'fail-on-drift',
  driftIssues: 'drift-issues',
  pullRequest: 'pull-request',
} as const;

export const Outputs = {
  valid: 'valid',
  errors: 'errors',
  definitions: 'definitions',
  deployed: 'deployed',
  skipped: 'skipped',
  failed: 'failed',
  tags: 'tags',
  rotated: 'rotated',
  apiKey: 'api-key',
  plan: 'plan',
  changes: 'changes',
  drifted: 'drifted',
  pulled: 'pulled',
} as const;

export const COMMANDS = ['validate', 'fmt', 'adopt', 'deploy', 'rollback', 'rotate-keys', 'plan', 'drift', 'pull'] as const;
export type Command = (typeof COMMANDS)[number];
/** Commands the action runs; fmt and adopt edit files and exist only on the CLI. */
export const ACTION_COMMANDS: readonly Command[] = ['validate', 'deploy', 'rollback', 'rotate-keys', 'plan', 'drift', 'pull'];
