// Dify behind an access proxy (Cloudflare Access with a service token): the emulator refuses every
// request without the token's headers with a 403 HTML page, as the proxy does; dify-headers sends
// them on every request (console login, imports, publish, the service API's smoke runs), and their
// values never reach a log line, an output, the summary or the JSON result.
import { afterEach, expect, it } from 'vitest';
import { runDeploy } from '../../src/commands/deploy.js';
import { createDifyConsole } from '../../src/dify/client.js';
import { createGit } from '../../src/git/git.js';
import { isUserError } from '../../src/support/errors.js';
import { createCaptureSink } from '../support/capture-sink.js';
import { createDeployWorld, EMAIL, echoDefinition, PASSWORD, type DeployWorld } from '../support/deploy-world.js';
import { deploySettings } from '../support/settings.js';

const A = '31111111-1111-4111-8111-111111111111';
const CLIENT_ID = '6f1c0c9a2b7e4d1f8a3b5c7d9e0f1a2b.access';
const CLIENT_SECRET = 'c0ffee5ecret-9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e';
const REQUIRED = { 'CF-Access-Client-Id': CLIENT_ID, 'CF-Access-Client-Secret': CLIENT_SECRET };

let world: DeployWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

function deployEnv(w: DeployWorld, extra: Record<string, string> = {}): Record<string, string> {
  return {
    GITHUB_WORKSPACE: w.repo.dir,
    INPUT_COMMAND: 'deploy',
    INPUT_ALL: 'true',
    'INPUT_DIFY-URL': w.emulator.url,
    'INPUT_DIFY-EMAIL': EMAIL,
    'INPUT_DIFY-PASSWORD': PASSWORD,
    'INPUT_BACKUP-DIR': `${w.repo.dir}/../backups`,
    'INPUT_TIMEOUT-SECONDS': '5',
    ...extra,
  };
}

it('without the headers the proxy refuses the login, and the error says to use dify-headers', async () => {
  world = await createDeployWorld({ requireHeaders: REQUIRED });
  const error = await createDifyConsole({
    baseUrl: world.emulator.url,
    email: EMAIL,
    password: PASSWORD,
    timeoutMs: 5000,
    maxAttempts: 1,
  }).catch((e: unknown) => e);
  expect(isUserError(error)).toBe(true);
  const { message, hint } = error as { message: string; hint?: string };
  expect(message).toMatch(/HTTP 403/);
  expect(hint).toMatch(/access proxy.*dify-headers/s);
  // The proxy answered: Dify never saw a login, so no failed attempt counts toward its lock.
  expect(world.emulator.state().requests.every((r) => r.status === 403)).toBe(true);
});

it('a deploy with dify-headers passes the proxy on every request, smoke runs included, and never prints the values', async () => {
  world = await createDeployWorld({ requireHeaders: REQUIRED });
  const def = echoDefinition('gated', A);
  world.seed(def);
  await world.commit([def]);
  const headers = `CF-Access-Client-Id: ${CLIENT_ID}\nCF-Access-Client-Secret: ${CLIENT_SECRET}\n`;
  const env = deployEnv(world, { 'INPUT_DIFY-HEADERS': headers });
  const sink = createCaptureSink();
  const settings = deploySettings(env);
  // The client's debug log goes to stderr too, where the suite-wide leak scan reads it.
  process.env.DIFY_GITOPS_DEBUG = '1';
  const result = await runDeploy(settings, settings.options, { git: createGit(world.repo.dir), sink, env }).finally(() => {
    delete process.env.DIFY_GITOPS_DEBUG;
  });

  expect(result.exitCode, sink.text()).toBe(0);
  const outcome = (result.json as { outcomes: Array<{ result: string }> }).outcomes[0];
  expect(outcome.result).toBe('deployed');
  const requests = world.emulator.state().requests;
  expect(requests.some((r) => r.path === '/v1/workflows/run')).toBe(true);
  expect(requests.filter((r) => r.status === 403)).toEqual([]);
  const everything = `${sink.text()}\n${JSON.stringify(result.json)}`;
  expect(everything).not.toContain(CLIENT_SECRET);
  expect(everything).not.toContain(CLIENT_ID);
});

it('the same headers as a JSON object, switched on through the control API mid-life', async () => {
  world = await createDeployWorld();
  const def = echoDefinition('gated', A);
  world.seed(def);
  await world.commit([def]);
  const control = await fetch(`${world.emulator.url}/__emulator/options`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ requireHeaders: { 'x-gateway-key': 'gw-key-0123456789abcdef' } }),
  });
  expect(control.status).toBe(200);
  expect((await fetch(`${world.emulator.url}/console/api/system-features`)).status).toBe(403);

  const env = deployEnv(world, { 'INPUT_DIFY-HEADERS': '{"X-Gateway-Key": "gw-key-0123456789abcdef"}' });
  const sink = createCaptureSink();
  const settings = deploySettings(env);
  const result = await runDeploy(settings, settings.options, { git: createGit(world.repo.dir), sink, env });
  expect(result.exitCode, sink.text()).toBe(0);
  expect(sink.text()).not.toContain('gw-key-0123456789abcdef');
});

it('a Dify that allows no password sign-in (SSO only): the login is refused with the way out, and a dfoa_ token connects', async () => {
  world = await createDeployWorld({ emailPasswordLogin: false, openapi: true });
  const features = (await (await fetch(`${world.emulator.url}/console/api/system-features`)).json()) as Record<string, unknown>;
  expect(features.enable_email_password_login).toBe(false);
  const conn = { baseUrl: world.emulator.url, timeoutMs: 5000, maxAttempts: 1 };
  const error = await createDifyConsole({ ...conn, email: EMAIL, password: PASSWORD }).catch((e: unknown) => e);
  expect(error).toMatchObject({ code: 'dify.auth' });
  expect((error as { hint?: string }).hint).toMatch(/does not allow signing in with a password.*dfoa_ account token.*service account/s);
  // Refused before the password is checked: no failed attempt counts toward the lock.
  expect(world.emulator.state().loginFailures).toBe(0);
  const token = await createDifyConsole({ ...conn, token: 'dfoa_emulator_token_0123456789' });
  expect(token.authMode).toBe('openapi');
  await token.close?.();
});
