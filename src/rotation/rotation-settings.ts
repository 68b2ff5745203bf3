// rotate-keys settings, parsed once by src/settings.ts (options grace, secret-name, state-variable…)
// for the action and the CLI alike, so bad values are refused before anything is created in Dify.
// "Now" for grace decisions is always the system clock: no environment variable can move it, so a
// stray variable in a job can never make a key look past its grace (tests pass a clock to
// runRotateKeys instead).

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
