// Inputs (action) and flags + environment (CLI) become one frozen Settings object.
// Nothing below this module reads core.getInput or process.argv.
import path from 'node:path';
import { registerSecret } from './support/redact.js';
import { ACTION_COMMANDS, COMMANDS, Inputs, type Command } from './inputs.js';
import { UserError } from './support/errors.js';
import { parseFlags } from './cli-flags.js';
import { type GitHubSettings, readGitHub } from './github-context.js';

export type { GitHubSettings } from './github-context.js';
import { readRotationSettings, type RotationSettings } from './rotation/rotation-settings.js';

export interface DifySettings {
  /** Dify base URL, no trailing slash. */
  url: string;
  email?: string;
  password?: string;
  token?: string;
  timeoutMs: number;
  /** How the login sends the password: pinning it spends one login attempt per run instead of up to two. */
  passwordEncoding: 'auto' | 'base64' | 'plain';
}

/** deploy, rollback, rotate-keys: where signed webhook events go (src/notify/). */
export interface NotifySettings {
  url: string;
  /** HMAC key of the X-Dify-Gitops-Signature header; masked in logs. */
  secret: string;
}

export interface Settings {
  command: Command;
  /** 'action' writes annotations, outputs and a job summary; 'cli' prints to the terminal. */
  surface: 'action' | 'cli';
  /** Repository root all paths are relative to. */
  root: string;
  workflowsDir: string;
  /** Ref to compare against (PR base, or the CLI's --base). */
  baseRef?: string;
  environment: string;
  /** Undefined until a command that needs Dify is run without a URL. */
  dify?: DifySettings;
  /** deploy: every definition, not only changed ones. */
  all: boolean;
  dryRun: boolean;
  concurrency: number;
  allowDslVersionChange: boolean;
  /** deploy: restore the previous release when import, publish or a smoke check fails. */
  rollbackOnFailure: boolean;
  /** Re-runs of failing smoke checks allowed per definition (model calls are flaky). */
  smokeRetries: number;
  backupDir: string;
  github: GitHubSettings;
  /** CLI: machine-readable output. */
  json: boolean;
  /** fmt: check only, do not rewrite. */
  check: boolean;
  /** CLI positional arguments after the command (adopt's export file). */
  args: string[];
  /** rollback: definition name or "all". */
  workflow?: string;
  /** rollback: version, tag, "latest" or "previous". */
  to?: string;
  /** rollback: a backup file a deploy wrote (instead of `to`), relative to the root. */
  fromBackup?: string;
  /** rotate-keys: where new keys go, the ledger, the grace period. */
  rotation: RotationSettings;
  /** adopt: --name / --app. */
  name?: string;
  app?: string;
  /** Undefined when no notify-url is set: no webhooks. */
  notify?: NotifySettings;
  /** drift: fail when a live app differs from its last release. */
  failOnDrift: boolean;
  /** drift: open or update one issue per drifted workflow and environment. */
  driftIssues: boolean;
  /** pull: commit the rewritten definitions on a branch and open a pull request. */
  pullRequest: boolean;
}

type Env = Record<string, string | undefined>;

/** Read the action's inputs the way the runner passes them (INPUT_* variables). */
export function readActionSettings(env: Env = process.env): Settings {
  const input = (name: string) => (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
  const command = parseCommand(input(Inputs.command) || 'validate', `Input "${Inputs.command}"`);
  if (!ACTION_COMMANDS.includes(command)) {
    throw new UserError(
      'usage',
      `Input "${Inputs.command}" is "${command}", which only the CLI runs. Use one of: ${ACTION_COMMANDS.join(', ')}.`,
    );
  }
  return finish({
    command,
    surface: 'action',
    root: env.GITHUB_WORKSPACE || process.cwd(),
    workflowsDir: input(Inputs.workflowsDir) || 'workflows',
    baseRef: input(Inputs.baseRef) || undefined,
    environment: input(Inputs.environment) || 'production',
    dify: readDifyFor(command, {
      url: input(Inputs.difyUrl),
      email: input(Inputs.difyEmail),
      password: input(Inputs.difyPassword),
      token: input(Inputs.difyToken),
      timeout: [input(Inputs.timeoutSeconds), `"${Inputs.timeoutSeconds}"`],
      encoding: [input(Inputs.difyPasswordEncoding), `Input "${Inputs.difyPasswordEncoding}"`],
    }),
    all: parseBool(input(Inputs.all), Inputs.all),
    dryRun: parseBool(input(Inputs.dryRun), Inputs.dryRun),
    concurrency: parsePositiveInt(input(Inputs.concurrency) || '4', Inputs.concurrency),
    allowDslVersionChange: parseBool(input(Inputs.allowDslVersionChange), Inputs.allowDslVersionChange),
    rollbackOnFailure: parseBool(input(Inputs.rollbackOnFailure) || 'true', Inputs.rollbackOnFailure),
    smokeRetries: parseCount(input(Inputs.smokeRetries) || '1', Inputs.smokeRetries),
    backupDir: input(Inputs.backupDir) || '.dify-gitops/backups',
    workflow: input(Inputs.workflow) || undefined,
    to: input(Inputs.to) || undefined,
    fromBackup: input(Inputs.fromBackup) || undefined,
    github: readGitHub(env, input(Inputs.githubToken)),
    rotation: readRotationSettings(
      {
        secretName: input(Inputs.secretName),
        secretEnvironment: input(Inputs.secretEnvironment),
        stateVariable: input(Inputs.stateVariable),
        grace: input(Inputs.grace),
        pruneForeignKeys: parseBool(input(Inputs.pruneForeignKeys), Inputs.pruneForeignKeys),
        redeploySecrets: parseBool(input(Inputs.redeploySecrets), Inputs.redeploySecrets),
      },
      (field) => `Input "${field}"`,
    ),
    notify: readNotify(input(Inputs.notifyUrl), input(Inputs.notifySecret), 'action'),
    failOnDrift: parseBool(input(Inputs.failOnDrift) || 'true', Inputs.failOnDrift),
    driftIssues: parseBool(input(Inputs.driftIssues), Inputs.driftIssues),
    pullRequest: parseBool(input(Inputs.pullRequest), Inputs.pullRequest),
    json: false,
    check: false,
    args: [],
  });
}

/** Read a CLI invocation: `dify-gitops <command> [flags] [args]`, Dify credentials from the environment. */
export function readCliSettings(argv: string[], env: Env = process.env): Settings {
  const [commandWord, ...rest] = argv;
  const command = parseCommand(commandWord ?? '', 'The command');
  const flags = parseFlags(rest);
  const flag = (name: string) => flags.values.get(name);
  return finish({
    command,
    surface: 'cli',
    root: process.cwd(),
    workflowsDir: flag('dir') ?? 'workflows',
    baseRef: flag('base'),
    environment: flag('environment') ?? 'production',
    dify: readDifyFor(command, {
      url: env.DIFY_URL ?? '',
      email: env.DIFY_EMAIL ?? '',
      password: env.DIFY_PASSWORD ?? '',
      token: env.DIFY_TOKEN ?? '',
      timeout: [env.DIFY_TIMEOUT_SECONDS ?? '', 'DIFY_TIMEOUT_SECONDS'],
      encoding: [env.DIFY_PASSWORD_ENCODING ?? '', 'DIFY_PASSWORD_ENCODING'],
    }),
    all: flags.switches.has('all'),
    dryRun: flags.switches.has('dry-run'),
    concurrency: parsePositiveInt(flag('concurrency') ?? '4', '--concurrency'),
    allowDslVersionChange: flags.switches.has('allow-dsl-version-change'),
    rollbackOnFailure: !flags.switches.has('no-rollback'),
    smokeRetries: parseCount(flag('smoke-retries') ?? '1', '--smoke-retries'),
    backupDir: flag('backup-dir') ?? '.dify-gitops/backups',
    github: readGitHub(env, env.GITHUB_TOKEN ?? ''),
    rotation: readRotationSettings(
      {
        secretName: flag('secret-name') ?? '',
        secretEnvironment: flag('secret-environment') ?? '',
        stateVariable: flag('state-variable') ?? '',
        grace: flag('grace') ?? '',
        pruneForeignKeys: flags.switches.has('prune-foreign-keys'),
        redeploySecrets: flags.switches.has('redeploy-secrets'),
        keyFile: flag('key-file'),
      },
      (field) => `--${field}`,
    ),
    notify: readNotify(env.DIFY_NOTIFY_URL ?? '', env.DIFY_NOTIFY_SECRET ?? '', 'cli'),
    // From a terminal drift always reports through its exit code (3); nothing opens issues or PRs.
    failOnDrift: true,
    driftIssues: false,
    pullRequest: false,
    json: flags.switches.has('json'),
    check: flags.switches.has('check'),
    args: flags.positional,
    workflow: flag('workflow'),
    to: flag('to'),
    fromBackup: flag('from-backup'),
    name: flag('name'),
    app: flag('app'),
  });
}

/** Raw Dify settings as given; each `[value, name]` pair carries the name to use in errors. */
interface DifyInputs {
  url: string;
  email: string;
  password: string;
  token: string;
  timeout: [string, string];
  encoding: [string, string];
}

function readDify({
  url,
  email,
  password,
  token,
  timeout: [timeout, timeoutName],
  encoding: [encoding, encodingName],
}: DifyInputs): DifySettings | undefined {
  for (const secret of [password, token]) registerSecret(secret);
  if (!url) return undefined;
  if (!/^https?:\/\//.test(url)) throw new UserError('usage', `The Dify URL "${url}" must start with http:// or https://.`);
  if (token && (email || password)) {
    throw new UserError('usage', 'Give either a Dify token or an email and password, not both.');
  }
  if (!token && (!email || !password)) {
    throw new UserError(
      'usage',
      'Dify credentials are missing: set an email and a password, or a token (inputs dify-email + dify-password or dify-token; DIFY_EMAIL + DIFY_PASSWORD or DIFY_TOKEN from a terminal).',
    );
  }
  const timeoutSeconds = parsePositiveInt(timeout || '30', timeoutName);
  if (encoding && !['auto', 'base64', 'plain'].includes(encoding)) {
    throw new UserError('usage', `${encodingName} is "${encoding}"; use auto, base64 (Dify 1.11 and later) or plain (older Dify).`);
  }
  return {
    url: url.replace(/\/+$/, ''),
    email: email || undefined,
    password: password || undefined,
    token: token || undefined,
    timeoutMs: timeoutSeconds * 1000,
    passwordEncoding: (encoding || 'auto') as DifySettings['passwordEncoding'],
  };
}

function readNotify(url: string, secret: string, surface: Settings['surface']): NotifySettings | undefined {
  registerSecret(secret);
  if (!url) return undefined;
  const [urlName, secretName] =
    surface === 'action' ? [`Input "${Inputs.notifyUrl}"`, `input "${Inputs.notifySecret}"`] : ['DIFY_NOTIFY_URL', 'DIFY_NOTIFY_SECRET'];
  // The URL is not echoed back: webhook URLs often carry a token in their path.
  if (!/^https?:\/\//.test(url) || !URL.canParse(url)) throw new UserError('usage', `${urlName} must be an http:// or https:// URL.`);
  if (!secret)
    throw new UserError(
      'usage',
      `${urlName} is set but ${secretName} is empty: webhooks are always signed. Pass a shared secret from a secret.`,
    );
  return { url, secret };
}

/** A fork's pull request gets no secrets: plan then runs offline rather than refusing a URL without credentials. */
function readDifyFor(command: Command, inputs: DifyInputs): DifySettings | undefined {
  if (command === 'plan' && !inputs.email && !inputs.password && !inputs.token) return undefined;
  return readDify(inputs);
}

function parseCommand(value: string, label: string): Command {
  if ((COMMANDS as readonly string[]).includes(value)) return value as Command;
  throw new UserError('usage', `${label} is "${value}", which is not known. Use one of: ${COMMANDS.join(', ')}.`);
}

function parseBool(value: string, name: string): boolean {
  if (value === '' || /^(false|no|0)$/i.test(value)) return false;
  if (/^(true|yes|1)$/i.test(value)) return true;
  throw new UserError('usage', `Input "${name}" is "${value}"; use true or false.`);
}

function parsePositiveInt(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UserError('usage', `"${name}" is "${value}"; use a whole number of 1 or more.`);
  return n;
}

function parseCount(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UserError('usage', `"${name}" is "${value}"; use a whole number of 0 or more.`);
  return n;
}

function finish(settings: Settings): Settings {
  if (settings.to && settings.fromBackup) {
    const [to, from] = settings.surface === 'action' ? [`"${Inputs.to}"`, `"${Inputs.fromBackup}"`] : ['--to', '--from-backup'];
    throw new UserError('usage', `Give either ${to} (a release) or ${from} (a backup file), not both: they name different targets.`);
  }
  // Backups land in the repository checkout (where the workflow uploads them), whatever the cwd.
  return Object.freeze({ ...settings, backupDir: path.resolve(settings.root, settings.backupDir) });
}
