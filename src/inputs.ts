// Output names, exactly as action.yml spells them, and the commands (a test checks action.yml).
// Inputs are entries of the option table, src/settings/options.ts.

export const Outputs = {
  healthy: 'healthy',
  hasChanges: 'has-changes',
  changed: 'changed',
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

export const COMMANDS = [
  'validate',
  'fmt',
  'adopt',
  'render',
  'doctor',
  'deploy',
  'eval',
  'cleanup-previews',
  'rollback',
  'rotate-keys',
  'plan',
  'drift',
  'pull',
] as const;
export type Command = (typeof COMMANDS)[number];
/** Commands the action runs; fmt and adopt edit files, render prints YAML: they exist only on the CLI. */
const CLI_ONLY: readonly Command[] = ['fmt', 'adopt', 'render'];
export const ACTION_COMMANDS: readonly Command[] = COMMANDS.filter((command) => !CLI_ONLY.includes(command));
