// Knowledge-base ids come out of Dify's export encrypted per workspace; the client turns them back into
// the plaintext ids the repository holds, so drift, plan and pull compare like with like.
import { afterEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { createDifyConsole } from '../../src/dify/index.js';
import { decryptDatasetId } from '../../src/dify/dataset-ids.js';
import { encryptDatasetId } from '../emulator/dataset-ids.js';
import type { Emulator } from '../emulator/server.js';
import { connectionFor, requestsTo, startDify, WORKFLOW_DSL } from './dify-support.js';

let emu: Emulator;
afterEach(async () => emu?.close());
const quiet = { log: () => {} };
const DATASET = '0b1f7c2e-4d5a-4e6f-8a9b-1c2d3e4f5a6b';

function withKnowledge(ids: string[]): string {
  const dsl = parse(WORKFLOW_DSL) as { workflow: { graph: { nodes: unknown[] } } };
  dsl.workflow.graph.nodes.push({ id: 'kr', data: { type: 'knowledge-retrieval', title: 'K', dataset_ids: ids } });
  return stringify(dsl);
}

describe('knowledge-base ids in exports', () => {
  it('decrypts what Dify encrypted, for this workspace only', () => {
    const workspace = '42c2b1ec-87d4-4c24-8aed-497854e6e6bf';
    const cipher = encryptDatasetId(DATASET, workspace);
    expect(cipher).not.toBe(DATASET);
    expect(decryptDatasetId(cipher, workspace)).toBe(DATASET);
    expect(decryptDatasetId(cipher, 'another-workspace')).toBeNull();
    expect(decryptDatasetId(DATASET, workspace)).toBe(DATASET);
    expect(decryptDatasetId('not base64 at all', workspace)).toBeNull();
  });

  it('exportDsl returns plaintext ids, reading the workspace once, and only when needed', async () => {
    emu = await startDify();
    const app = emu.seedApp({ mode: 'workflow', name: 'kb', dsl: withKnowledge([DATASET]) });
    const plain = emu.seedApp({ mode: 'workflow', name: 'echo', dsl: WORKFLOW_DSL });
    const dify = await createDifyConsole(connectionFor(emu, 'cookie'), quiet);
    await dify.exportDsl(plain.id);
    expect(requestsTo(emu, 'GET', '/console/api/workspaces')).toHaveLength(0);
    for (let i = 0; i < 2; i++) {
      const yaml = await dify.exportDsl(app.id);
      const node = (
        parse(yaml) as { workflow: { graph: { nodes: Array<{ id: string; data: { dataset_ids?: string[] } }> } } }
      ).workflow.graph.nodes.find((n) => n.id === 'kr');
      expect(node?.data.dataset_ids).toEqual([DATASET]);
    }
    expect(requestsTo(emu, 'GET', '/console/api/workspaces')).toHaveLength(1);
    await dify.close?.();
  });
});
