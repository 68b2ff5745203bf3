// rotate-keys settings, parsed once by src/settings.ts for the action and the CLI alike.
// Bad values are refused here, before anything is created in Dify. "Now" for grace decisions is
// always the system clock: no environment variable can move it, so a stray variable in a job can
// never make a key look past its grace (tests pass a clock to runRotateKeys instead).
import { UserError } from '../support/errors.js';
import { parseDuration } from './duration.js';

export interface RotationSettings {
  /** Actions secret that receives the new key; may contain {name} (one secret per workflow). */
  secretName?: string;
  /** Write an environment secret of this GitHub environment instead of a repository secret. */
  secretEnvironment?: string;
  /** Repository Actions variable holding the key ledger (key ids only, never values). */
  stateVariable: string;
  /** How long a replaced key keeps working before a later run may revoke it. */
  graceMs: number;
  /** At Dify's 10-key limit, also delete keys dify-gitops did not create. */
  pruneForeignKeys: boolean;
  /** Re-import and publish each definition with fresh secret values. */
  redeploySecrets: boolean;
  /** CLI: file the new key is written to (mode 0600); may contain {name}. */
  keyFile?: string;
}

export interface RawRotationSettings {
  secretName: string;
  secretEnvironment: string;
  stateVariable: string;
  grace: string;
  pruneForeignKeys: boolean;
  redeploySecrets: boolean;
  keyFile?: string;
}

/** `label(field)` names the input or flag in messages: `Input "grace"` or `--grace`. */
export function readRotationSettings(
  raw: RawRotationSettings,
  label: (field: 'secret-name' | 'state-variable' | 'grace') => string,
): RotationSettings {
  const graceMs = parseDuration(raw.grace || '24h');
  if (graceMs === null)
    throw new UserError('usage', `${label('grace')} is "${raw.grace}"; use a whole number and a unit: 30m, 24h or 7d (s, m, h, d).`);
  if (raw.secretName) checkSecretName(raw.secretName, label('secret-name'));
  const stateVariable = raw.stateVariable || 'DIFY_GITOPS_KEYS';
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(stateVariable) || /^GITHUB_/i.test(stateVariable)) {
    throw new UserError(
      'usage',
      `${label('state-variable')} is "${stateVariable}"; an Actions variable name uses letters, digits and _, does not start with a digit or GITHUB_.`,
    );
  }
  return {
    secretName: raw.secretName || undefined,
    secretEnvironment: raw.secretEnvironment || undefined,
    stateVariable,
    graceMs,
    pruneForeignKeys: raw.pruneForeignKeys,
    redeploySecrets: raw.redeploySecrets,
    keyFile: raw.keyFile || undefined,
  };
}

/** GitHub's rule for secret names, checked with {name} filled in. */
function checkSecretName(template: string, label: string): void {
  const sample = template.replace(/\{name\}/g, 'X');
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(sample) || /^GITHUB_/i.test(sample)) {
    throw new UserError(
      'usage',
      `${label} is "${template}"; a secret name uses letters, digits and _ (plus {name}), and does not start with a digit or GITHUB_.`,
    );
  }
}
