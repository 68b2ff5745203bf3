// Handing a new key to its consumers: an Actions secret (sealed for the repository's or an
// environment's public key) and/or a private key file. All or nothing as far as we can make it:
// the key file is staged first and put in place only after GitHub took the secret, so a failure
// leaves every consumer with the key it had.
import path from 'node:path';
import type { GitHub } from '../git/github.js';
import { describeError, UserError } from '../support/errors.js';
import { stagePrivateFile, type StagedFile } from './private-file.js';
import { sealForGitHub } from './sealed-box.js';

export interface KeyHandoff {
  /** Checks, before any key exists, that GitHub will take a secret (reads its public key). */
  prepare(): Promise<void>;
  /** Where the key of workflow `name` goes, in words (for logs and the summary). */
  destinations(name: string): string[];
  /** Gives `token` to every destination; throws a UserError `keys.handoff` when any refused it. */
  deliver(name: string, token: string): Promise<string[]>;
}

export interface HandoffOptions {
  github?: GitHub;
  /** May contain {name}. */
  secretName?: string;
  secretEnvironment?: string;
  /** Absolute path; may contain {name}. */
  keyFile?: string;
}

/** `DIFY_KEY_{name}` for `order-bot` → `DIFY_KEY_ORDER_BOT`: secret names allow only [A-Z0-9_]. */
export function resolveSecretName(template: string, name: string): string {
  return template.replace(/\{name\}/g, name.toUpperCase().replace(/[^A-Z0-9_]/g, '_'));
}

export function resolveKeyFile(template: string, name: string): string {
  return template.replace(/\{name\}/g, name);
}

export function createKeyHandoff(options: HandoffOptions): KeyHandoff {
  const { github, secretName, secretEnvironment, keyFile } = options;
  if (secretName && !github) throw new Error('createKeyHandoff: a secret name needs a GitHub client');
  const scope = secretEnvironment ? `environment ${secretEnvironment}` : 'repository';
  let publicKey: Promise<{ key_id: string; key: string }> | undefined;

  function destinations(name: string): string[] {
    return [
      ...(keyFile ? [`key file ${path.relative(process.cwd(), resolveKeyFile(keyFile, name)) || resolveKeyFile(keyFile, name)}`] : []),
      ...(secretName ? [`secret ${resolveSecretName(secretName, name)} (${scope})`] : []),
    ];
  }

  function readPublicKey() {
    publicKey ??= github!.getRepoPublicKey(secretEnvironment);
    return publicKey;
  }

  async function putSecret(name: string, token: string): Promise<void> {
    const secret = resolveSecretName(secretName!, name);
    try {
      const { key_id, key } = await readPublicKey();
      await github!.putSecret({
        name: secret,
        encryptedValue: await sealForGitHub(key, token),
        keyId: key_id,
        environment: secretEnvironment,
      });
    } catch (error) {
      publicKey = undefined;
      throw new UserError('keys.handoff', `Could not update the ${scope} secret ${secret}: ${describeError(error)}`, {
        hint: 'Give the token the "Secrets" permission (read and write) for this repository, then re-run: no key was revoked.',
        details: { reachedSome: false },
      });
    }
  }

  return {
    destinations,
    async prepare() {
      if (!secretName) return;
      try {
        await readPublicKey();
      } catch (error) {
        publicKey = undefined;
        throw new UserError('keys.handoff', `Cannot write the ${scope} secret ${secretName}: ${describeError(error)}`, {
          hint: 'Nothing was created. Give the token the "Secrets" permission (read and write), then re-run.',
          details: { reachedSome: false },
        });
      }
    },
    async deliver(name, token) {
      let staged: StagedFile | undefined;
      const file = keyFile ? resolveKeyFile(keyFile, name) : undefined;
      try {
        if (file) staged = await stagePrivateFile(file, `${token}\n`);
      } catch (error) {
        throw new UserError('keys.handoff', `Could not write the key file ${file}: ${describeError(error)}`, {
          hint: 'Pick a --key-file in a folder you can write to.',
          details: { reachedSome: false },
        });
      }
      try {
        if (secretName) await putSecret(name, token);
      } catch (error) {
        await staged?.abort();
        throw error;
      }
      try {
        await staged?.commit();
      } catch (error) {
        throw new UserError('keys.handoff', `Could not put the key file ${file} in place: ${describeError(error)}`, {
          hint: "Check the folder's permissions and re-run.",
          details: { reachedSome: Boolean(secretName) },
        });
      }
      return destinations(name);
    },
  };
}
