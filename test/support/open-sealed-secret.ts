// Open a secret the loopback GitHub API stored, with the X25519 private key it kept: proof that
// what we sent is a real libsodium sealed box of the value, as GitHub requires.
import type { GitHubApi } from './github-api.js';

export async function openStoredSecret(api: GitHubApi, name: string, environment = ''): Promise<string | null> {
  const stored = api.state.secrets.get(`${environment}/${name.toUpperCase()}`);
  if (!stored) return null;
  const key = api.state.publicKeys.get(environment);
  if (!key || key.key_id !== stored.key_id) throw new Error(`secret ${name} was sealed for key ${stored.key_id}, not the current one`);
  const sodium = (await import('libsodium-wrappers')).default;
  await sodium.ready;
  const privateKey = Buffer.from(key.privateKey.export({ format: 'jwk' }).d as string, 'base64url');
  const publicKey = Buffer.from(key.key, 'base64');
  const box = sodium.from_base64(stored.encrypted_value, sodium.base64_variants.ORIGINAL);
  return sodium.to_string(sodium.crypto_box_seal_open(box, publicKey, privateKey));
}
