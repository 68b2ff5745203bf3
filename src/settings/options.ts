// Every option of every command, once: its action input, CLI flag and environment variable, how its
// text is parsed, its default, its help and which commands read it. action.yml, the README tables,
// `dify-gitops help` and both readers (src/settings/read.ts) all come from here; a test keeps
// action.yml equal to it. Adding an option is one entry below (and its line in action.yml).
import { COMMANDS, type Command } from '../inputs.js';
import { UserError } from '../support/errors.js';
import * as parse from './parse.js';
import type { Parser } from './parse.js';
import { parseExtraHeaders } from '../dify/extra-headers.js';

export interface OptionSpec<T> {
  /** The action input, as action.yml spells it; absent for options only the CLI has. */
  input?: string;
  /** The CLI flag without its dashes; absent for options only the action has (the CLI uses the default). */
  flag?: string;
  /** value: `--flag VALUE`; switch: `--flag` means true; negated: `--flag` means false (`--no-rollback`). */
  flagKind?: 'value' | 'switch' | 'negated';
  /** What to call the flag's value in help (`--concurrency N`). */
  metavar?: string;
  /** Where the CLI reads the option when it has no flag: credentials stay out of shell history. */
  env?: string;
  parse: Parser<T>;
  /** The raw default, applied when the option is absent or empty. */
  default: string;
  /** The default as action.yml shows it, when the runner fills it in (github-token). */
  actionDefault?: string;
  /** action.yml's description; also the CLI help. */
  description: string;
  /** Registered with the log redaction (and masked on the runner) as soon as it is read. */
  secret?: boolean;
  /** Commands that read it: the ones whose --help lists it. */
  commands: readonly Command[];
}

const option = <T>(spec: OptionSpec<T>) => spec;

/** Live Dify: the commands that connect to it. */
const DIFY: readonly Command[] = ['doctor', 'plan', 'deploy', 'eval', 'cleanup-previews', 'rollback', 'rotate-keys', 'drift', 'pull'];
const NOTIFY: readonly Command[] = ['deploy', 'rollback', 'rotate-keys'];

/** The action refuses the commands only the CLI runs (src/settings.ts). */
function parseCommand(raw: string, label: string): Command {
  if ((COMMANDS as readonly string[]).includes(raw)) return raw as Command;
  throw new UserError('usage', `${parse.sentence(label)} is "${raw}", which is not known. Use one of: ${COMMANDS.join(', ')}.`);
}

export const OPTIONS = {
  command: option({
    input: 'command',
    parse: parseCommand,
    default: 'validate',
    description: 'What to do: validate | doctor | plan | deploy | eval | cleanup-previews | rollback | rotate-keys | drift | pull',
    commands: [],
  }),
  workflowsDir: option({
    input: 'workflows-dir',
    flag: 'dir',
    metavar: 'DIR',
    parse: parse.text,
    default: 'workflows',
    description: 'Folder holding the definitions (<name>.json), relative to the repository root.',
    commands: COMMANDS,
  }),
  baseRef: option({
    input: 'base-ref',
    flag: 'base',
    metavar: 'REF',
    parse: parse.optionalText,
    default: '',
    description:
      'Git ref to compare against (the pull request base). With validate, changed definitions must bump their version against it.',
    commands: ['validate', 'plan', 'deploy', 'eval'],
  }),
  environment: option({
    input: 'environment',
    flag: 'environment',
    metavar: 'ENV',
    parse: parse.text,
    default: 'production',
    description:
      'Target environment: a definition deploys only to an environment its `app` names (or to every one with "*"); any other is refused before anything is written. adopt: the environment the new app id is written for.',
    commands: [...DIFY, 'render', 'adopt'],
  }),
  difyUrl: option({
    input: 'dify-url',
    env: 'DIFY_URL',
    parse: parse.text,
    default: '',
    description: 'Base URL of the Dify server (console under /console/api, service API under /v1).',
    commands: DIFY,
  }),
  difyEmail: option({
    input: 'dify-email',
    env: 'DIFY_EMAIL',
    parse: parse.optionalText,
    default: '',
    description: 'Console account email (editor role or above). Use with dify-password.',
    commands: DIFY,
  }),
  difyPassword: option({
    input: 'dify-password',
    env: 'DIFY_PASSWORD',
    parse: parse.optionalText,
    default: '',
    description: 'Console account password. Pass it from a secret.',
    secret: true,
    commands: DIFY,
  }),
  difyToken: option({
    input: 'dify-token',
    env: 'DIFY_TOKEN',
    parse: parse.optionalText,
    default: '',
    description: 'Instead of email and password: a Dify account token (dfoa_… for the /openapi surface). Pass it from a secret.',
    secret: true,
    commands: DIFY,
  }),
  difyHeaders: option({
    input: 'dify-headers',
    env: 'DIFY_HEADERS',
    parse: parseExtraHeaders,
    default: '',
    description:
      'Headers added to every request to Dify, for an access proxy in front of it (Cloudflare Access service token, IAP, a gateway key): one `Name: value` per line, or a JSON object. Masked like a secret; pass it from a secret. Authorization, Cookie, X-CSRF-Token and Content-Type are refused: dify-gitops sets those itself.',
    secret: true,
    commands: DIFY,
  }),
  difyPasswordEncoding: option({
    input: 'dify-password-encoding',
    env: 'DIFY_PASSWORD_ENCODING',
    parse: parse.oneOf(['auto', 'base64', 'plain'], 'use auto, base64 (Dify 1.11 and later) or plain (older Dify).'),
    default: 'auto',
    description:
      'How the login sends the password: auto (from the version the server names: Base64 from Dify 1.11.2, plain before), base64 or plain. Either way a wrong password costs at most one counted attempt per run (Dify locks an account on the 7th attempt, for 24 hours).',
    commands: DIFY,
  }),
  all: option({
    input: 'all',
    flag: 'all',
    flagKind: 'switch',
    parse: parse.bool,
    default: 'false',
    description: 'deploy, rotate-keys, pull: every definition, not only those changed by the push (deploy) or named by "workflow".',
    commands: ['deploy', 'eval', 'rotate-keys', 'pull'],
  }),
  dryRun: option({
    input: 'dry-run',
    flag: 'dry-run',
    flagKind: 'switch',
    parse: parse.bool,
    default: 'false',
    description: 'Do everything up to the first write to Dify or git, and report what would happen.',
    commands: ['deploy'],
  }),
  concurrency: option({
    input: 'concurrency',
    flag: 'concurrency',
    metavar: 'N',
    parse: parse.positiveInt,
    default: '4',
    description: 'How many definitions to deploy (plan, drift: to read from Dify) at once.',
    commands: ['plan', 'deploy', 'eval', 'drift'],
  }),
  allowDslVersionChange: option({
    input: 'allow-dsl-version-change',
    flag: 'allow-dsl-version-change',
    flagKind: 'switch',
    parse: parse.bool,
    default: 'false',
    description:
      'Deploy a DSL newer than the server takes (refused before any write otherwise), and confirm imports Dify holds as pending because the DSL version differs by a major version.',
    commands: ['deploy', 'eval'],
  }),
  rollbackOnFailure: option({
    input: 'rollback-on-failure',
    flag: 'no-rollback',
    flagKind: 'negated',
    parse: parse.bool,
    default: 'true',
    description: 'When import, publish or a smoke check fails, restore the previous release of that definition and verify it.',
    commands: ['deploy', 'rotate-keys'],
  }),
  smokeRetries: option({
    input: 'smoke-retries',
    flag: 'smoke-retries',
    metavar: 'N',
    parse: parse.count,
    default: '1',
    description: 'How many failing smoke runs a definition may re-run (flaky model calls); retries used are reported.',
    commands: ['deploy', 'rollback', 'rotate-keys'],
  }),
  timeoutSeconds: option({
    input: 'timeout-seconds',
    env: 'DIFY_TIMEOUT_SECONDS',
    parse: parse.positiveInt,
    default: '30',
    description: 'Timeout of each HTTP request to Dify.',
    commands: DIFY,
  }),
  backupDir: option({
    input: 'backup-dir',
    flag: 'backup-dir',
    metavar: 'DIR',
    parse: parse.text,
    default: '.dify-gitops/backups',
    description: 'Where the live definitions exported before any write are kept (upload it as an artifact).',
    commands: ['deploy', 'eval', 'rollback', 'rotate-keys'],
  }),
  githubToken: option({
    input: 'github-token',
    env: 'GITHUB_TOKEN',
    parse: parse.optionalText,
    default: '',
    actionDefault: '${{ github.token }}',
    description: 'Token for releases and deployments (contents: write, deployments: write).',
    secret: true,
    commands: ['plan', 'deploy', 'eval', 'cleanup-previews', 'rollback', 'rotate-keys', 'drift', 'pull'],
  }),
  workflow: option({
    input: 'workflow',
    flag: 'workflow',
    metavar: 'NAME',
    parse: parse.optionalText,
    default: '',
    description:
      'rollback, rotate-keys, pull, drift, eval: the definition name, or "all" (with only "workflows" given: every one it lists).',
    commands: ['eval', 'rollback', 'rotate-keys', 'drift', 'pull'],
  }),
  workflows: option({
    input: 'workflows',
    flag: 'workflows',
    metavar: 'NAMES',
    env: 'DIFY_GITOPS_WORKFLOWS',
    parse: parse.nameList,
    default: '',
    description:
      "Limit the command to these definitions: names separated by commas or new lines, or a JSON list (a plan's `changed` output, or one shard of it). Every other definition is left alone; an unknown name is refused. One matrix job per definition (or shard) spreads a fleet across runners.",
    commands: COMMANDS.filter((c) => c !== 'adopt'),
  }),
  to: option({
    input: 'to',
    flag: 'to',
    metavar: 'VERSION',
    parse: parse.optionalText,
    default: '',
    description: 'rollback: the version to go back to: a version such as 1.3.0, a tag (name@v1.3.0), "latest" or "previous".',
    commands: ['rollback'],
  }),
  fromBackup: option({
    input: 'from-backup',
    flag: 'from-backup',
    metavar: 'PATH',
    parse: parse.optionalText,
    default: '',
    description:
      'rollback, instead of "to": a backup file written by a deploy (backup-dir), relative to the repository root. Its draft is imported with the secrets from the environment, published, verified and probed. Use it when the app was never released (the command a failed first deploy prints).',
    commands: ['rollback'],
  }),
  secretName: option({
    input: 'secret-name',
    flag: 'secret-name',
    metavar: 'NAME',
    parse: parse.secretName,
    default: '',
    description:
      "rotate-keys: the Actions secret that receives the new app API key (sealed with the repository's public key). With several workflows it must contain {name} (the workflow name, upper-cased, non-alphanumerics as _). Without it the key is only in the masked api-key output.",
    commands: ['rotate-keys'],
  }),
  secretEnvironment: option({
    input: 'secret-environment',
    flag: 'secret-environment',
    metavar: 'ENV',
    parse: parse.optionalText,
    default: '',
    description: 'rotate-keys: write secret-name as a secret of this GitHub environment instead of a repository secret.',
    commands: ['rotate-keys'],
  }),
  stateVariable: option({
    input: 'state-variable',
    flag: 'state-variable',
    metavar: 'NAME',
    parse: parse.variableName,
    default: 'DIFY_GITOPS_KEYS',
    description:
      'rotate-keys: the repository Actions variable holding the key ledger (JSON: which key ids dify-gitops created, which is current, when older ones may be revoked; never key values). deploy reads it to smoke-check with the newest key it knows, so a concurrent rotation never revokes the key in use.',
    commands: ['rotate-keys', 'deploy', 'eval'],
  }),
  grace: option({
    input: 'grace',
    flag: 'grace',
    metavar: 'DURATION',
    parse: parse.duration,
    default: '24h',
    description: 'rotate-keys: how long a replaced key keeps working before a later run revokes it, e.g. 30m, 24h, 7d.',
    commands: ['rotate-keys'],
  }),
  keyFile: option({
    flag: 'key-file',
    metavar: 'PATH',
    parse: parse.optionalText,
    default: '',
    description:
      'rotate-keys: the file the new key is written to (mode 0600, never printed); may contain {name}. Without GITHUB_TOKEN and GITHUB_REPOSITORY, the key ledger is <key-file>.state.json.',
    commands: ['rotate-keys'],
  }),
  pruneForeignKeys: option({
    input: 'prune-foreign-keys',
    flag: 'prune-foreign-keys',
    flagKind: 'switch',
    parse: parse.bool,
    default: 'false',
    description:
      "rotate-keys: at Dify's 10-key limit, delete the least recently used keys dify-gitops did not create, before the new key exists (they stay deleted even if the run then fails). Off by default: such keys are never touched.",
    commands: ['rotate-keys'],
  }),
  redeploySecrets: option({
    input: 'redeploy-secrets',
    flag: 'redeploy-secrets',
    flagKind: 'switch',
    parse: parse.bool,
    default: 'false',
    description:
      'rotate-keys: also re-import and publish each definition with fresh secret values from the environment, smoke-check it, and restore the previous published version on failure.',
    commands: ['rotate-keys'],
  }),
  notifyUrl: option({
    input: 'notify-url',
    env: 'DIFY_NOTIFY_URL',
    parse: parse.text,
    default: '',
    description:
      'deploy, rollback, rotate-keys: POST a signed JSON event per definition to this URL (see docs/webhooks.md). A failing webhook only warns.',
    commands: NOTIFY,
  }),
  notifySecret: option({
    input: 'notify-secret',
    env: 'DIFY_NOTIFY_SECRET',
    parse: parse.text,
    default: '',
    description:
      'Shared secret for the webhook signature (X-Dify-Gitops-Signature: HMAC-SHA256). Required with notify-url. Pass it from a secret.',
    secret: true,
    commands: NOTIFY,
  }),
  failOnDrift: option({
    input: 'fail-on-drift',
    parse: parse.bool,
    default: 'true',
    description: 'drift: fail the job when a live app (published version or draft) differs from its last tagged release.',
    commands: ['drift'],
  }),
  driftIssues: option({
    input: 'drift-issues',
    parse: parse.bool,
    default: 'false',
    description: 'drift: open (or update) one issue per drifted workflow and environment, with the diff. Needs issues: write.',
    commands: ['drift'],
  }),
  pullRequest: option({
    input: 'pull-request',
    parse: parse.bool,
    default: 'false',
    description:
      'pull: after rewriting the definitions from the live apps, commit them on a branch and open (or update) a pull request. Needs contents: write and pull-requests: write.',
    commands: ['pull'],
  }),
  evalReport: option({
    input: 'eval-report',
    flag: 'report',
    metavar: 'FILE',
    parse: parse.text,
    default: '.dify-gitops/eval-report.json',
    description:
      'eval: where the JSON report is written (per definition: cases, pass rate, latency p50/p95, tokens, price, regressions, gates), relative to the repository root.',
    commands: ['eval'],
  }),
  preview: option({
    input: 'preview',
    flag: 'preview',
    flagKind: 'switch',
    parse: parse.bool,
    default: 'false',
    description:
      'eval on a pull request: run each candidate in a preview app of its own ("<name> (PR #N)", created once, its own API key) instead of the environment app\'s draft, and link it from the comment. cleanup-previews deletes it once the pull request is closed.',
    commands: ['eval'],
  }),
  evalConcurrency: option({
    input: 'eval-concurrency',
    flag: 'eval-concurrency',
    metavar: 'N',
    parse: parse.optionalPositiveInt,
    default: '',
    description:
      "eval, deploy: how many eval cases run at once against each side (candidate and live); default the definition's evals.concurrency, else 4.",
    commands: ['eval', 'deploy'],
  }),
  detailedExitcode: option({
    flag: 'detailed-exitcode',
    flagKind: 'switch',
    parse: parse.bool,
    default: 'false',
    description: 'Exit 2 when the plan changes anything, 0 when it changes nothing, 1 on an error (as terraform plan -detailed-exitcode).',
    commands: ['plan'],
  }),
  changesOnly: option({
    input: 'changes-only',
    flag: 'changes-only',
    flagKind: 'switch',
    parse: parse.bool,
    default: 'false',
    description:
      'plan: list only the definitions a deploy would change (and any that could not be planned) in the comment and the job summary; the rest are counted.',
    commands: ['plan'],
  }),
  json: option({
    flag: 'json',
    flagKind: 'switch',
    parse: parse.bool,
    default: 'false',
    description: 'Print the result as one JSON document on stdout (progress goes to stderr).',
    commands: ['validate', 'render', 'doctor', 'plan', 'deploy', 'eval', 'cleanup-previews', 'rollback', 'rotate-keys', 'drift', 'pull'],
  }),
  check: option({
    flag: 'check',
    flagKind: 'switch',
    parse: parse.bool,
    default: 'false',
    description: 'Only check that every definition is in canonical form; rewrite nothing.',
    commands: ['fmt'],
  }),
  name: option({
    flag: 'name',
    metavar: 'NAME',
    parse: parse.optionalText,
    default: '',
    description: 'The new definition name: a lowercase slug, also its file name and release tag prefix.',
    commands: ['adopt'],
  }),
  app: option({
    flag: 'app',
    metavar: 'UUID',
    parse: parse.optionalText,
    default: '',
    description:
      "The Dify app id the definition deploys to (the uuid in the app's URL), written under the environment given (production by default).",
    commands: ['adopt'],
  }),
  form: option({
    flag: 'form',
    metavar: 'json|yaml',
    parse: parse.oneOf(['json', 'yaml'], 'use json (the DSL inside <name>.json) or yaml (the DSL in <name>.dify.yml beside it).'),
    default: 'json',
    description:
      'How adopt writes the definition: json keeps the DSL inside <name>.json; yaml keeps it in <name>.dify.yml beside it, byte for byte as Dify exported it, so prompts read as lines in a review. pull and fmt keep whichever form a definition uses.',
    commands: ['adopt'],
  }),
} as const;

export type OptionKey = keyof typeof OPTIONS;
/** Every option, parsed. */
export type OptionValues = { [K in OptionKey]: ReturnType<(typeof OPTIONS)[K]['parse']> };

/** The action inputs, in action.yml's order. */
export function actionInputs(): Array<[OptionKey, OptionSpec<unknown>]> {
  return (Object.entries(OPTIONS) as Array<[OptionKey, OptionSpec<unknown>]>).filter(([, spec]) => spec.input);
}
