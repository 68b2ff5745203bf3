// Command-line flags: which take a value and which are switches, parsed without a dependency.
import { UserError } from './support/errors.js';

const VALUE_FLAGS = new Set([
  'dir',
  'base',
  'environment',
  'concurrency',
  'backup-dir',
  'name',
  'app',
  'smoke-retries',
  'workflow',
  'to',
  'from-backup',
  'grace',
  'key-file',
  'secret-name',
  'secret-environment',
  'state-variable',
]);
const SWITCHES = new Set([
  'all',
  'dry-run',
  'json',
  'check',
  'allow-dsl-version-change',
  'no-rollback',
  'prune-foreign-keys',
  'redeploy-secrets',
]);

export function parseFlags(args: string[]) {
  const values = new Map<string, string>();
  const switches = new Set<string>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [key, inline] = arg.slice(2).split(/=(.*)/s, 2);
    if (SWITCHES.has(key)) switches.add(key);
    else if (VALUE_FLAGS.has(key)) {
      const value = inline ?? args[++i];
      if (value === undefined || value.startsWith('--')) throw new UserError('usage', `Flag --${key} needs a value.`);
      values.set(key, value);
    } else throw new UserError('usage', `Unknown flag --${key}. Run "dify-gitops help" for the flags each command takes.`);
  }
  return { values, switches, positional };
}
