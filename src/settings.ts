// Inputs (action) and flags + environment (CLI) become settings: what every command shares, and the
// typed options of the one command being run. The option table (src/settings/options.ts) says what
// each option is; this module only assembles it and refuses conflicting combinations before any work.
// Nothing below this module reads core.getInput or process.argv.
import path from 'node:path';
import { ACTION_COMMANDS, type Command } from './inputs.js';
import { UserError } from './support/errors.js';
import { type GitHubSettings, readGitHub } from './github-context.js';
import type { RotationSettings } from './rotation/rotation-settings.js';
import { OPTIONS, type OptionValues } from './settings/options.js';
import { createActionSource, createCliSource, type OptionSource, optionLabel, readOptions } from './settings/read.js';
import { sentence } from './settings/parse.js';

export type { GitHubSettings } from './github-context.js';

export interface DifySettings {
  /** Dify base URL, no trailing slash. */
  url: string;
  email?: string;
  password?: string;
  token?: string;
  timeoutMs: number;
  /** How the login sends the password: pinning it spends one login attempt per run instead of up to two. */
  passwordEncoding: 'auto' | 'base64' | 'plain';
  /** dify-headers: what an access proxy in front of Dify demands on every request; values are secrets. */
  headers?: Readonly<Record<string, string>>;
}

/** deploy, rollback, rotate-keys: where signed webhook events go (src/notify/). */
export interface NotifySettings {
  url: string;
  /** HMAC key of the X-Dify-Gitops-Signature header; masked in logs. */
  secret: string;
}

/** What every command shares: where the definitions are, which Dify and environment, how to report. */
export interface CommonSettings {
  /** 'action' writes annotations, outputs and a job summary; 'cli' prints to the terminal. */
  surface: 'action' | 'cli';
  /** CLI: machine-readable output. */
  json: boolean;
  /** Repository root all paths are relative to. */
  root: string;
  workflowsDir: string;
  /** Ref to compare against (PR base, or the CLI's --base). */
  baseRef?: string;
  environment: string;
  /** Undefined until a command that needs Dify is run without a URL. */
  dify?: DifySettings;
  /** workflows: the command acts on these definitions only (undefined: on those it would pick anyway). */
  only?: readonly string[];
  github: GitHubSettings;
}

export type ValidateOptions = Record<string, never>;

export interface FmtOptions {
  /** Check only, do not rewrite. */
  check: boolean;
}

export interface AdoptOptions {
  /** The DSL file exported from Dify (the CLI's positional argument). */
  file?: string;
  name?: string;
  app?: string;
  /** json: the DSL inside the definition; yaml: in <name>.dify.yml beside it, as exported. */
  form?: 'json' | 'yaml';
}

export interface RenderOptions {
  /** Definition names after the command. */
  names: string[];
}

export type DoctorOptions = Record<string, never>;

export interface PlanOptions {
  concurrency: number;
  /** CLI: exit 2 when the plan changes anything (0 no changes, 1 error), as terraform's -detailed-exitcode. */
  detailedExitcode: boolean;
  /** List only the definitions a deploy would change in the comment and the summary. */
  changesOnly: boolean;
}

export interface DeployOptions {
  /** Every definition, not only changed ones. */
  all: boolean;
  dryRun: boolean;
  concurrency: number;
  allowDslVersionChange: boolean;
  /** Restore the previous release when import, publish or a smoke check fails. */
  rollbackOnFailure: boolean;
  /** Re-runs of failing smoke checks allowed per definition (model calls are flaky). */
  smokeRetries: number;
  /** Absolute: backups land in the checkout (where the workflow uploads them), whatever the cwd. */
  backupDir: string;
  /** Undefined when no notify-url is set: no webhooks. */
  notify?: NotifySettings;
  /** The rotation ledger's variable: smoke checks use the newest key it knows. */
  stateVariable: string;
  /** Eval cases run at once per side; undefined: the definition's evals.concurrency, else 4. */
  evalConcurrency?: number;
}

export interface EvalOptions {
  /** One definition by name ("all": every one with eval cases); unset: those changed against the base. */
  workflow?: string;
  /** Every definition with eval cases, not only changed ones. */
  all: boolean;
  /** Definitions evaluated at once. */
  concurrency: number;
  /** Eval cases run at once per side; undefined: the definition's evals.concurrency, else 4. */
  caseConcurrency?: number;
  allowDslVersionChange: boolean;
  /** Absolute: the draft backed up before the candidate is imported into it. */
  backupDir: string;
  /** Absolute path of the JSON report. */
  reportFile: string;
  stateVariable: string;
  /** Run the candidates in the pull request's preview apps, not in the environment apps' drafts. */
  preview: boolean;
}

export type CleanupPreviewsOptions = Record<string, never>;

export interface RollbackOptions {
  /** Definition name or "all". */
  workflow?: string;
  /** Version, tag, "latest" or "previous". */
  to?: string;
  /** A backup file a deploy wrote (instead of `to`), relative to the root. */
  fromBackup?: string;
  smokeRetries: number;
  backupDir: string;
  notify?: NotifySettings;
}

export interface RotateOptions {
  workflow?: string;
  all: boolean;
  /** Refused: a key cannot be checked without creating it. */
  dryRun: boolean;
  /** Where new keys go, the ledger, the grace period. */
  rotation: RotationSettings;
  /** redeploy-secrets: the deploy policy its re-imports follow. */
  smokeRetries: number;
  backupDir: string;
  rollbackOnFailure: boolean;
  notify?: NotifySettings;
}

export interface DriftOptions {
  workflow?: string;
  /** CLI: definition names after the command. */
  names: string[];
  concurrency: number;
  /** Fail when a live app differs from its last release. */
  failOnDrift: boolean;
  /** Open or update one issue per drifted workflow and environment. */
  driftIssues: boolean;
}

export interface PullOptions {
  workflow?: string;
  /** CLI: definition names after the command. */
  names: string[];
  all: boolean;
  /** Commit the rewritten definitions on a branch and open a pull request. */
  pullRequest: boolean;
}

export interface CommandOptions {
  validate: ValidateOptions;
  fmt: FmtOptions;
  adopt: AdoptOptions;
  render: RenderOptions;
  doctor: DoctorOptions;
  plan: PlanOptions;
  deploy: DeployOptions;
  eval: EvalOptions;
  'cleanup-previews': CleanupPreviewsOptions;
  rollback: RollbackOptions;
  'rotate-keys': RotateOptions;
  drift: DriftOptions;
  pull: PullOptions;
}

/** The settings of one run of `command`: the common ones, and that command's options. */
export type Settings<C extends Command = Command> = C extends Command
  ? CommonSettings & { readonly command: C; readonly options: Readonly<CommandOptions[C]> }
  : never;

type Env = Record<string, string | undefined>;

/** Read the action's inputs the way the runner passes them (INPUT_* variables). */
export function readActionSettings(env: Env = process.env): Settings {
  const source = createActionSource(env);
  const values = readOptions(source);
  if (!ACTION_COMMANDS.includes(values.command)) {
    throw new UserError(
      'usage',
      `Input "${OPTIONS.command.input}" is "${values.command}", which only the CLI runs. Use one of: ${ACTION_COMMANDS.join(', ')}.`,
    );
  }
  return buildSettings(values, source, env.GITHUB_WORKSPACE || process.cwd(), env);
}

/** Read a CLI invocation: `dify-gitops <command> [flags] [args]`, Dify credentials from the environment. */
export function readCliSettings(argv: string[], env: Env = process.env): Settings {
  const source = createCliSource(argv, env);
  return buildSettings(readOptions(source), source, process.cwd(), env);
}

function buildSettings(v: OptionValues, source: OptionSource, root: string, env: Env): Settings {
  const common: CommonSettings = {
    surface: source.surface,
    json: v.json,
    root,
    workflowsDir: v.workflowsDir,
    baseRef: v.baseRef,
    environment: v.environment,
    dify: readDifyFor(v.command, v),
    only: v.workflows,
    github: readGitHub(env, v.githubToken ?? ''),
  };
  const settings = { ...common, command: v.command, options: Object.freeze(commandOptions(v, source, root)) } as Settings;
  return Object.freeze(settings);
}

/** Only the options `command` reads, named for it. */
function commandOptions(v: OptionValues, source: OptionSource, root: string): CommandOptions[Command] {
  const backupDir = path.resolve(root, v.backupDir);
  // Checked whatever the command, so a bad combination never waits for the run that reads it.
  const notify = readNotify(v, source.surface);
  checkOneTarget(v, source.surface);
  // `workflows` alone names what rollback, rotate-keys, drift and pull act on: every one it lists.
  const workflow = v.workflow ?? (v.workflows && source.args.length === 0 ? 'all' : undefined);
  switch (v.command) {
    case 'validate':
      return {};
    case 'fmt':
      return { check: v.check };
    case 'adopt':
      return { file: source.args[0], name: v.name, app: v.app, form: v.form };
    case 'render':
      return { names: source.args };
    case 'doctor':
      return {};
    case 'plan':
      return { concurrency: v.concurrency, detailedExitcode: v.detailedExitcode, changesOnly: v.changesOnly };
    case 'deploy': {
      const { all, dryRun, concurrency, allowDslVersionChange, rollbackOnFailure, smokeRetries, stateVariable } = v;
      const evalConcurrency = v.evalConcurrency;
      return {
        all,
        dryRun,
        concurrency,
        allowDslVersionChange,
        rollbackOnFailure,
        smokeRetries,
        backupDir,
        notify,
        stateVariable,
        evalConcurrency,
      };
    }
    case 'eval':
      return {
        workflow: v.workflow,
        all: v.all,
        concurrency: v.concurrency,
        caseConcurrency: v.evalConcurrency,
        allowDslVersionChange: v.allowDslVersionChange,
        backupDir,
        reportFile: path.resolve(root, v.evalReport),
        stateVariable: v.stateVariable,
        preview: v.preview,
      };
    case 'cleanup-previews':
      return {};
    case 'rollback':
      return { workflow, to: v.to, fromBackup: v.fromBackup, smokeRetries: v.smokeRetries, backupDir, notify };
    case 'rotate-keys':
      return {
        workflow,
        all: v.all,
        dryRun: v.dryRun,
        rotation: {
          secretName: v.secretName,
          secretEnvironment: v.secretEnvironment,
          stateVariable: v.stateVariable,
          graceMs: v.grace,
          pruneForeignKeys: v.pruneForeignKeys,
          redeploySecrets: v.redeploySecrets,
          keyFile: v.keyFile,
        },
        smokeRetries: v.smokeRetries,
        backupDir,
        rollbackOnFailure: v.rollbackOnFailure,
        notify,
      };
    case 'drift':
      // From a terminal drift always reports through its exit code (3); nothing opens issues.
      return {
        workflow,
        names: source.args,
        concurrency: v.concurrency,
        failOnDrift: source.surface === 'cli' || v.failOnDrift,
        driftIssues: source.surface === 'action' && v.driftIssues,
      };
    case 'pull':
      return { workflow, names: source.args, all: v.all, pullRequest: source.surface === 'action' && v.pullRequest };
  }
}

/** A fork's pull request gets no secrets: plan then runs offline rather than refusing a URL without credentials. */
function readDifyFor(command: Command, v: OptionValues): DifySettings | undefined {
  if (command === 'plan' && !v.difyEmail && !v.difyPassword && !v.difyToken) return undefined;
  const { difyUrl: url, difyEmail: email, difyPassword: password, difyToken: token } = v;
  if (!url) return undefined;
  if (!/^https?:\/\//.test(url)) throw new UserError('usage', `The Dify URL "${url}" must start with http:// or https://.`);
  // A dfoa_ token speaks /openapi, which has no API-key routes: an email and password beside it serve
  // those (rotate-keys, smoke checks without a given key). A console token with a password is a mix-up.
  if (token && (email || password)) {
    if (!token.startsWith('dfoa_')) {
      throw new UserError(
        'usage',
        'Give either a console token or an email and password, not both (only a dfoa_ token pairs with a password).',
      );
    }
    if (!email || !password) {
      throw new UserError(
        'usage',
        'A dfoa_ token with a password needs both the email and the password (they serve the API-key operations /openapi lacks).',
      );
    }
  }
  if (!token && (!email || !password)) {
    throw new UserError(
      'usage',
      'Dify credentials are missing: set an email and a password, or a token (inputs dify-email + dify-password or dify-token; DIFY_EMAIL + DIFY_PASSWORD or DIFY_TOKEN from a terminal).',
    );
  }
  return {
    url: url.replace(/\/+$/, ''),
    email,
    password,
    token,
    timeoutMs: v.timeoutSeconds * 1000,
    passwordEncoding: v.difyPasswordEncoding,
    headers: v.difyHeaders,
  };
}

function readNotify(v: OptionValues, surface: CommonSettings['surface']): NotifySettings | undefined {
  const { notifyUrl: url, notifySecret: secret } = v;
  if (!url) return undefined;
  const urlName = sentence(optionLabel(OPTIONS.notifyUrl, surface));
  // The URL is not echoed back: webhook URLs often carry a token in their path.
  if (!/^https?:\/\//.test(url) || !URL.canParse(url)) throw new UserError('usage', `${urlName} must be an http:// or https:// URL.`);
  if (!secret)
    throw new UserError(
      'usage',
      `${urlName} is set but ${optionLabel(OPTIONS.notifySecret, surface)} is empty: webhooks are always signed. Pass a shared secret from a secret.`,
    );
  return { url, secret };
}

function checkOneTarget(v: OptionValues, surface: CommonSettings['surface']): void {
  if (!v.to || !v.fromBackup) return;
  const [to, from] = surface === 'action' ? [`"${OPTIONS.to.input}"`, `"${OPTIONS.fromBackup.input}"`] : ['--to', '--from-backup'];
  throw new UserError('usage', `Give either ${to} (a release) or ${from} (a backup file), not both: they name different targets.`);
}
