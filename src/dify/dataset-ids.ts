// Knowledge-base ids in exports. Dify (DSL_EXPORT_ENCRYPT_DATASET_ID, on by default) writes each id of
// a knowledge-retrieval node as AES-256-CBC ciphertext, key SHA-256(workspace id), IV the key's first
// 16 bytes, Base64 (services/app_dsl_service.py, 1.8–1.12). Deterministic per workspace, so a
// repository's plaintext ids and an export's ciphertext never compare equal: exports are turned back
// into plaintext here, at the boundary, and everything above it compares like with like.
import { createDecipheriv, createHash } from 'node:crypto';
import { parsePyYaml } from '../support/pyyaml.js';
import { isRecord } from './responses.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The plaintext id, or null when `value` is not this workspace's ciphertext of a UUID. */
export function decryptDatasetId(value: string, workspaceId: string): string | null {
  if (UUID.test(value)) return value;
  try {
    const key = createHash('sha256').update(workspaceId).digest();
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    const text = Buffer.concat([decipher.update(Buffer.from(value, 'base64')), decipher.final()]).toString('utf8');
    return UUID.test(text) ? text : null;
  } catch {
    return null;
  }
}

/** The dataset ids of an exported DSL that are not plain UUIDs (nothing to do when empty). */
export function encryptedDatasetIds(yaml: string): string[] {
  if (!yaml.includes('dataset_ids')) return [];
  let dsl: unknown;
  try {
    dsl = parsePyYaml(yaml);
  } catch {
    return [];
  }
  const workflow = isRecord(dsl) && isRecord(dsl.workflow) ? dsl.workflow : undefined;
  const nodes = isRecord(workflow?.graph) && Array.isArray(workflow.graph.nodes) ? workflow.graph.nodes : [];
  const found = new Set<string>();
  for (const node of nodes) {
    const data = isRecord(node) && isRecord(node.data) ? node.data : undefined;
    if (data?.type !== 'knowledge-retrieval' || !Array.isArray(data.dataset_ids)) continue;
    for (const id of data.dataset_ids) if (typeof id === 'string' && !UUID.test(id)) found.add(id);
  }
  return [...found];
}

/**
 * The export with each of its encrypted ids replaced by the plaintext id, in the YAML text itself (so
 * the rest of the export stays byte for byte as Dify wrote it). Ids of another workspace stay as they are.
 */
export function revealDatasetIds(yaml: string, encrypted: string[], workspaceId: string): string {
  let out = yaml;
  for (const value of encrypted) {
    const plain = decryptDatasetId(value, workspaceId);
    if (plain) out = out.split(value).join(plain);
  }
  return out;
}
