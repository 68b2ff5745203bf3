// Handing a key over: a sealed Actions secret the loopback GitHub API can open, a private key
// file, and the ledger stores; a failure leaves the previous secret and key file as they were.
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitHub } from '../../../src/git/github.js';
import { createKeyHandoff, resolveSecretName } from '../../../src/rotation/handoff.js';
import type { UserError } from '../../../src/support/errors.js';
import { createFileLedgerStore, createVariableLedgerStore } from '../../../src/rotation/ledger-store.js';
import { sealForGitHub } from '../../../src/rotation/sealed-box.js';
import { startGitHubApi, type GitHubApi } from '../../support/github-api.js';
import { openStoredSecret } from '../../support/open-sealed-secret.js';

const TOKEN = 'ghs_handoff_token';
const KEY = 'app-Zx9Qw8Er7Ty6Ui5Op4As3Df2';
let api: GitHubApi;
let dir: string;
beforeEach(async () => {
  api = await startGitHubApi({ token: TOKEN, repository: 'acme/flows' });
  dir = await mkdtemp(path.join(tmpdir(), 'handoff-'));
});
afterEach(async () => {
  await api.close();
  await rm(dir, { recursive: true, force: true });
});
const github = () => createGitHub({ token: TOKEN, repository: 'acme/flows', apiUrl: api.url });
const mode = async (file: string) => (await stat(file)).mode & 0o777;

describe('sealed box', () => {
  it('seals so that only the private key opens it, and refuses a malformed public key', async () => {
    const { key } = await github().getRepoPublicKey();
    const sealed = await sealForGitHub(key, KEY);
    expect(sealed).not.toContain(KEY);
    expect(Buffer.from(sealed, 'base64').length).toBe(KEY.length + 48); // ephemeral key + MAC
    await expect(sealForGitHub(Buffer.alloc(16).toString('base64'), KEY)).rejects.toThrow(/16-byte public key/);
  });
});

describe('key hand-over', () => {
  it('writes a repository or environment secret that decrypts to the key, named per workflow', async () => {
    expect(resolveSecretName('DIFY_KEY_{name}', 'order-bot.v2')).toBe('DIFY_KEY_ORDER_BOT_V2');
    const handoff = createKeyHandoff({ github: github(), secretName: 'DIFY_KEY_{name}', secretEnvironment: 'staging' });
    await handoff.prepare();
    expect(await handoff.deliver('order-bot', KEY)).toEqual(['secret DIFY_KEY_ORDER_BOT (environment staging)']);
    expect(await openStoredSecret(api, 'DIFY_KEY_ORDER_BOT', 'staging')).toBe(KEY);
    expect(api.state.secrets.has('/DIFY_KEY_ORDER_BOT')).toBe(false);
  });

  it('writes the key file with mode 0600, replacing an older, looser one', async () => {
    const file = path.join(dir, 'bot.key');
    await writeFile(file, 'old\n', { mode: 0o644 });
    const handoff = createKeyHandoff({ keyFile: path.join(dir, '{name}.key') });
    await handoff.deliver('bot', KEY);
    expect(await readFile(file, 'utf8')).toBe(`${KEY}\n`);
    expect(await mode(file)).toBe(0o600);
  });

  it('when GitHub refuses the secret, the key file keeps its old content and nothing is left behind', async () => {
    const file = path.join(dir, 'bot.key');
    await writeFile(file, 'old\n', { mode: 0o600 });
    const handoff = createKeyHandoff({ github: github(), secretName: 'DIFY_KEY', keyFile: file });
    await handoff.prepare();
    api.failNext({ method: 'PUT', path: /\/secrets\/DIFY_KEY$/ }, 500);
    const error = await handoff.deliver('bot', KEY).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'keys.handoff' });
    expect((error as UserError).message).toMatch(/Could not update the repository secret DIFY_KEY: .*HTTP 500/);
    expect((error as UserError<'keys.handoff'>).details.reachedSome).toBe(false);
    expect(`${(error as Error).message}`).not.toContain(KEY);
    expect(await readFile(file, 'utf8')).toBe('old\n');
    expect(await readdir(dir)).toEqual(['bot.key']);
    expect(api.state.secrets.size).toBe(0);
  });

  it('prepare refuses before any key exists when the token cannot read the public key', async () => {
    api.failNext({ method: 'GET', path: /secrets\/public-key$/ }, 403);
    const handoff = createKeyHandoff({ github: github(), secretName: 'DIFY_KEY' });
    await expect(handoff.prepare()).rejects.toThrow(/Cannot write the repository secret DIFY_KEY.*HTTP 403/s);
  });
});

describe('ledger stores', () => {
  const entry = { current: 'k1', created: [{ id: 'k1', created_at: '2025-01-01T00:00:00.000Z' }] };

  it('keep one JSON variable, changing only the entry given', async () => {
    api.state.variables.set('/DIFY_GITOPS_KEYS', {
      name: 'DIFY_GITOPS_KEYS',
      value: JSON.stringify({ 'other/production': { created: [], current: 'x' } }),
      created_at: '',
      updated_at: '',
    });
    const store = createVariableLedgerStore(github(), 'DIFY_GITOPS_KEYS');
    expect(await store.load({ name: 'bot', environment: 'production' })).toEqual({ created: [] });
    await store.save({ name: 'bot', environment: 'production' }, entry);
    const stored = JSON.parse(api.state.variables.get('/DIFY_GITOPS_KEYS')!.value);
    expect(stored).toEqual({ 'bot/production': entry, 'other/production': { current: 'x', created: [] } });
    expect(store.where({ name: 'bot', environment: 'production' })).toBe('the repository Actions variable DIFY_GITOPS_KEYS');
  });

  it('keep a 0600 state file per key file', async () => {
    const store = createFileLedgerStore((name) => path.join(dir, `${name}.key.state.json`));
    await store.save({ name: 'bot', environment: 'staging' }, entry);
    await store.save({ name: 'bot', environment: 'production' }, { created: [] });
    const file = path.join(dir, 'bot.key.state.json');
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ 'bot/staging': entry });
    expect(await mode(file)).toBe(0o600);
    expect(await store.load({ name: 'bot', environment: 'staging' })).toEqual(entry);
  });
});
