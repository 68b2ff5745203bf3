// Knowledge-base ids in exported DSL, as Dify 1.8–1.12 write them (services/app_dsl_service.py):
// AES-256-CBC, key = SHA-256(tenant id), IV = the key's first 16 bytes, PKCS#7, Base64. Deterministic per
// workspace. Import takes plain UUIDs as they are, decrypts the rest, and silently drops what does not
// decrypt to a UUID.
import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function keyOf(tenantId: string): Buffer {
  return createHash('sha256').update(tenantId).digest();
}

export function encryptDatasetId(id: string, tenantId: string): string {
  const key = keyOf(tenantId);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  return Buffer.concat([cipher.update(id, 'utf8'), cipher.final()]).toString('base64');
}

export function decryptDatasetId(value: string, tenantId: string): string | null {
  if (UUID.test(value)) return value;
  try {
    const key = keyOf(tenantId);
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    const text = Buffer.concat([decipher.update(Buffer.from(value, 'base64')), decipher.final()]).toString('utf8');
    return UUID.test(text) ? text : null;
  } catch {
    return null;
  }
}

/** Rewrites every knowledge-retrieval node's dataset_ids in place; `map` returning null drops the id. */
export function mapDatasetIds(dsl: { workflow?: unknown }, map: (id: string) => string | null): void {
  const graph = (dsl.workflow as { graph?: { nodes?: unknown } } | undefined)?.graph;
  if (!graph || !Array.isArray(graph.nodes)) return;
  for (const node of graph.nodes as Array<{ data?: { type?: unknown; dataset_ids?: unknown } }>) {
    const data = node?.data;
    if (data?.type !== 'knowledge-retrieval' || !Array.isArray(data.dataset_ids)) continue;
    data.dataset_ids = data.dataset_ids.flatMap((id) => {
      const mapped = map(String(id));
      return mapped === null ? [] : [mapped];
    });
  }
}
