// GitHub accepts a secret only as a libsodium sealed box (X25519 + XSalsa20-Poly1305) opened by
// the repository's private key. libsodium is a large WebAssembly module: it is imported here, on
// first use, so commands that never write a secret do not pay for loading it.

/** `value` sealed for `publicKey` (both as GitHub's API gives and takes them: Base64). */
export async function sealForGitHub(publicKey: string, value: string): Promise<string> {
  const sodium = (await import('libsodium-wrappers')).default;
  await sodium.ready;
  const { ORIGINAL } = sodium.base64_variants;
  let key: Uint8Array;
  try {
    key = sodium.from_base64(publicKey, ORIGINAL);
  } catch {
    throw new Error('GitHub returned a public key that is not Base64; cannot seal the secret.');
  }
  if (key.length !== sodium.crypto_box_PUBLICKEYBYTES) {
    throw new Error(`GitHub returned a ${key.length}-byte public key; a sealed box needs ${sodium.crypto_box_PUBLICKEYBYTES} bytes.`);
  }
  return sodium.to_base64(sodium.crypto_box_seal(sodium.from_string(value), key), ORIGINAL);
}
