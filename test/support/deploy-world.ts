// One deploy scenario's world: the Dify emulator, a real repo with a bare origin, a loopback
// GitHub API, and definitions built from the repo's own examples.
import { readFileSync } from 'node:fs';
import { stringifyPyYaml as stringify } from '../../src/support/pyyaml.js';
import path from 'node:path';
import { startEmulator, type Emulator, type EmulatorOptions } from '../emulator/server.js';
import { createTempRepo, type TempRepo } from './git-repo.js';
import { startGitHubApi } from './github-api.js';
import { REPO_ROOT, runAction, spawnNode, startAction, type ActionOptions, type ActionRun, type StartedAction } from './run-action.js';
import type { Definition } from '../../src/definition/types.js';
import { formatCanonical } from '../../src/definition/canonical.js';

export const EMAIL = 'admin@example.com';
export const PASSWORD = 'dify-emulator-password';

export function exampleDefinition(file: string): Definition {
  return JSON.parse(readFileSync(path.join(REPO_ROOT, 'workflows', file), 'utf8')) as Definition;
}

/** A passthrough workflow (start → end echoing `query`) under a new name and app id: one id serves every environment ("*"). */
export function echoDefinition(name: string, appId: string | Record<string, string>, version = '1.0.0'): Definition {
  const d = exampleDefinition('passthrough.json');
  const app = typeof appId === 'string' ? { '*': appId } : appId;
  return { ...d, name, version, app, dsl: { ...d.dsl, app: { ...d.dsl.app, name } } };
}

export interface DeployWorld {
  emulator: Emulator;
  repo: TempRepo;
  github: Awaited<ReturnType<typeof startGitHubApi>>;
  /** Seeds the definitions' apps (unpublished, empty draft) and commits the files. */
  commit(defs: Definition[], message?: string): Promise<string>;
  /** Seeds the app; `draft` gives it the definition's DSL as its draft (as if edited in the UI). */
  seed(def: Definition, options?: { published?: boolean; draft?: boolean }): string;
  deploy(inputs?: Record<string, string>, env?: Record<string, string>): Promise<ActionRun>;
  run(inputs: Record<string, string>, env?: Record<string, string>): Promise<ActionRun>;
  /** The action started and left running, so the test can signal it (the runner's cancel). */
  start(inputs: Record<string, string>, env?: Record<string, string>): Promise<StartedAction>;
  /** Import/publish/key writes the emulator saw since `since`. */
  writes(since?: number): Array<{ method: string; path: string }>;
  cleanup(): Promise<void>;
}

export async function createDeployWorld(options: EmulatorOptions = {}): Promise<DeployWorld> {
  const emulator = await startEmulator({ email: EMAIL, password: PASSWORD, ...options });
  const repo = await createTempRepo();
  const github = await startGitHubApi({ token: 'ghs_test_token', repository: 'acme/flows' });
  const appId = (d: Definition) => (typeof d.app === 'string' ? d.app : (d.app.production ?? d.app['*']));
  const schema = readFileSync(path.join(REPO_ROOT, 'schema/definition.schema.json'), 'utf8');
  const world: DeployWorld = {
    emulator,
    repo,
    github,
    seed(def, seedOptions = {}) {
      const dsl = seedOptions.draft || seedOptions.published ? stringify(def.dsl) : undefined;
      return emulator.seedApp({ id: appId(def), mode: def.dsl.app.mode, name: def.dsl.app.name, dsl, published: seedOptions.published }).id;
    },
    async commit(defs, message = 'update definitions') {
      const files: Record<string, string> = { 'schema/definition.schema.json': schema };
      for (const d of defs) files[`workflows/${d.name}.json`] = formatCanonical(d);
      return repo.commit(files, message);
    },
    run(inputs, env = {}) {
      return runAction(actionOptions(inputs, env));
    },
    start(inputs, env = {}) {
      return startAction(actionOptions(inputs, env));
    },
    deploy(inputs = {}, env = {}) {
      return world.run({ command: 'deploy', ...inputs }, env);
    },
    writes(since = 0) {
      return emulator
        .state()
        .requests.slice(since)
        .filter((r) => r.method !== 'GET' && !r.path.endsWith('/login'))
        .map(({ method, path: p }) => ({ method, path: p }));
    },
    async cleanup() {
      await Promise.all([emulator.close(), github.close(), repo.cleanup()]);
    },
  };
  function actionOptions(inputs: Record<string, string>, env: Record<string, string>): ActionOptions {
    return {
      workspace: repo.dir,
      inputs: {
        'dify-url': emulator.url,
        'dify-email': EMAIL,
        'dify-password': PASSWORD,
        'timeout-seconds': '5',
        'github-token': 'ghs_test_token',
        ...inputs,
      },
      env: {
        GITHUB_API_URL: github.url,
        GITHUB_REPOSITORY: 'acme/flows',
        GITHUB_SERVER_URL: 'https://github.example',
        GITHUB_RUN_ID: '42',
        ...env,
      },
    };
  }
  return world;
}

/** The runner's environment for the action in the world's repository (INPUT_* as action.yml names them). */
export function actionInputs(w: DeployWorld, extra: Record<string, string> = {}): Record<string, string> {
  return {
    GITHUB_WORKSPACE: w.repo.dir,
    GITHUB_API_URL: w.github.url,
    GITHUB_REPOSITORY: 'acme/flows',
    'INPUT_DIFY-URL': w.emulator.url,
    'INPUT_DIFY-EMAIL': EMAIL,
    'INPUT_DIFY-PASSWORD': PASSWORD,
    'INPUT_GITHUB-TOKEN': 'ghs_test_token',
    ...extra,
  };
}

/** `npx dify-gitops <args>` in the world's repository, as a person at a terminal runs it. */
export function runCli(world: DeployWorld, args: string[], env: Record<string, string> = {}) {
  return spawnNode(
    [path.join(REPO_ROOT, 'bin/dify-gitops.js'), ...args],
    world.repo.dir,
    {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      DIFY_URL: world.emulator.url,
      DIFY_EMAIL: EMAIL,
      DIFY_PASSWORD: PASSWORD,
      DIFY_TIMEOUT_SECONDS: '5',
      ...env,
    },
    60_000,
  );
}
