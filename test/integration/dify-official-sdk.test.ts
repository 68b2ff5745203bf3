// An outside check of the emulator's service API (and so of what our client is tested against):
// the Dify team's own SDK, `dify-client` from npm, talks to it, and sees the same results our client sees.
import { ChatClient, CompletionClient, DifyClient } from 'dify-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDifyService } from '../../src/dify/index.js';
import { createSseParser } from '../../src/dify/sse.js';
import type { Emulator } from '../emulator/server.js';
import { CHATFLOW_DSL, startDify, WORKFLOW_DSL } from './dify-support.js';

let emu: Emulator;
let workflow: { id: string; api_key: string };
let chat: { id: string; api_key: string };
beforeAll(async () => {
  emu = await startDify();
  workflow = emu.seedApp({ mode: 'workflow', name: 'echo', dsl: WORKFLOW_DSL, published: true });
  chat = emu.seedApp({ mode: 'advanced-chat', name: 'chat', dsl: CHATFLOW_DSL, published: true });
});
afterAll(async () => emu.close());

// The SDK ships runWorkflow on CompletionClient (index.js) but its index.d.ts omits it.
type WorkflowSdk = CompletionClient & { runWorkflow(inputs: unknown, user: string, stream?: boolean): Promise<any> };
const workflowSdk = (apiKey: string) => new CompletionClient(apiKey, `${emu.url}/v1`) as WorkflowSdk;

const ours = (apiKey: string) =>
  createDifyService({ serviceUrl: `${emu.url}/v1`, apiKey, timeoutMs: 3000, maxAttempts: 1 }, { log: () => {} });

describe('the official dify-client SDK against the emulator', () => {
  it('reads the same parameters', async () => {
    const sdk = new DifyClient(workflow.api_key, `${emu.url}/v1`);
    const theirs = await sdk.getApplicationParameters('dify-gitops');
    const client = ours(workflow.api_key);
    expect(theirs.status).toBe(200);
    expect(theirs.data.user_input_form).toEqual((await client.parameters()).user_input_form);
    await client.close?.();
  });

  it('runs a workflow (blocking) with the same outcome', async () => {
    const sdk = workflowSdk(workflow.api_key);
    const theirs = await sdk.runWorkflow({ query: 'sdk ✓' }, 'dify-gitops', false);
    const client = ours(workflow.api_key);
    const mine = await client.runWorkflow({ query: 'sdk ✓' }, { stream: false });
    await client.close?.();
    expect(theirs.data.data.status).toBe('succeeded');
    expect(theirs.data.data.outputs).toEqual(mine.outputs);
  });

  it('streams a workflow the SDK can read, ending in workflow_finished', async () => {
    const sdk = workflowSdk(workflow.api_key);
    const response = await sdk.runWorkflow({ query: 'streamed' }, 'dify-gitops', true);
    expect(String(response.headers['content-type'])).toContain('text/event-stream');
    const events: Array<Record<string, unknown>> = [];
    const parser = createSseParser(({ data }) => data && events.push(JSON.parse(data)));
    for await (const chunk of response.data as AsyncIterable<Buffer>) parser.push(chunk);
    parser.end();
    const finished = events.find((e) => e.event === 'workflow_finished') as { data: { status: string; outputs: unknown } };
    expect(finished.data).toMatchObject({ status: 'succeeded', outputs: { query: 'streamed' } });
  });

  it('chats (blocking) with the same answer', async () => {
    const sdk = new ChatClient(chat.api_key, `${emu.url}/v1`);
    const theirs = await sdk.createChatMessage({}, 'hello sdk', 'dify-gitops', false);
    const client = ours(chat.api_key);
    const mine = await client.sendChat('hello sdk', {}, { stream: false });
    await client.close?.();
    expect(theirs.data.answer).toBe(mine.answer);
    expect(typeof theirs.data.conversation_id).toBe('string');
  });

  it('gets the same 401 for a wrong key', async () => {
    const sdk = new DifyClient('app-notavalidkeynotavalidkey', `${emu.url}/v1`);
    const error = await sdk
      .getApplicationParameters('dify-gitops')
      .catch((e: { response?: { status: number; data: { code: string } } }) => e);
    expect(error.response?.status).toBe(401);
    expect(error.response?.data.code).toBe('unauthorized');
    const client = ours('app-notavalidkeynotavalidkey');
    await expect(client.parameters()).rejects.toMatchObject({ code: 'dify.auth', details: { status: 401, difyCode: 'unauthorized' } });
    await client.close?.();
  });
});
