// `dify-gitops help` and `dify-gitops <command> --help`, written from the option table: each
// command's flags and environment variables with their help text, default and one example.
import { COMMANDS, type Command } from '../inputs.js';
import { OPTIONS, type OptionSpec } from './options.js';

interface CommandHelp {
  summary: string;
  /** What the command needs before its optional flags; flags named here are not repeated. */
  usage?: string;
  example: string;
}

const HELP: Record<Command, CommandHelp> = {
  validate: { summary: 'check every definition offline', example: 'dify-gitops validate --base origin/main' },
  fmt: { summary: 'rewrite definitions in canonical form (or check)', example: 'dify-gitops fmt --check' },
  adopt: {
    summary: 'turn a DSL exported from Dify into a definition',
    usage: '<export.yml> --name NAME --app UUID [--form json|yaml]',
    example: 'dify-gitops adopt faq-bot.yml --name faq-bot --app 3f2a9c1e-… --form yaml',
  },
  render: {
    summary: 'print the exact YAML a deploy would import into the environment: secrets blank, knowledge bases mapped (like helm template)',
    usage: 'NAME [NAME…]',
    example: 'dify-gitops render faq-bot --environment staging',
  },
  doctor: {
    summary:
      'preflight before a first deploy: server reachable (version, auth surface), credentials (one login attempt), role, and per definition the app, its mode, service API, key headroom and plugins',
    example: 'dify-gitops doctor --environment production',
  },
  plan: {
    summary: 'what a deploy would change, against the live apps (offline against the base or latest release without DIFY_* variables)',
    example: 'dify-gitops plan --environment staging --base origin/main',
  },
  deploy: {
    summary: 'import, publish, smoke-check and tag changed definitions (--all: every one)',
    example: 'dify-gitops deploy --environment staging --dry-run',
  },
  eval: {
    summary:
      "run each definition's eval cases against the candidate (imported into the app's draft, which is backed up and put back after) and against the live version; report pass rate, latency, tokens, regressions and gates",
    usage: '[--workflow NAME] | --all',
    example: 'dify-gitops eval --environment staging --base origin/main',
  },
  'cleanup-previews': {
    summary: "delete the preview apps (eval --preview) of this repository's pull requests that are no longer open",
    example: 'dify-gitops cleanup-previews',
  },
  rollback: {
    summary:
      'restore a released version, verify it, smoke-check it; or restore a backup a deploy wrote (never-released apps), verify it, probe GET /v1/parameters',
    usage: '--workflow NAME|all --to VERSION|TAG|latest|previous  |  --workflow NAME --from-backup PATH',
    example: 'dify-gitops rollback --workflow faq-bot --to previous',
  },
  'rotate-keys': {
    summary:
      'new app API key, verified, written to the key file (mode 0600, never printed) and/or an Actions secret; old keys revoked after the grace. Ledger: <key-file>.state.json, or the Actions variable DIFY_GITOPS_KEYS (--state-variable) when GITHUB_TOKEN and GITHUB_REPOSITORY are set.',
    usage: '--workflow NAME | --all',
    example: 'dify-gitops rotate-keys --workflow faq-bot --key-file keys/{name}.key --grace 24h',
  },
  drift: {
    summary: 'compare live published versions and drafts with the last releases; exit 3 when anything drifted',
    usage: '[NAME…]',
    example: 'dify-gitops drift faq-bot --json',
  },
  pull: {
    summary: 'rewrite definitions from their live drafts (UI edits → git diff)',
    usage: 'NAME [NAME…] | --all',
    example: 'dify-gitops pull faq-bot --environment staging',
  },
};

const specs = (command: Command) => Object.values(OPTIONS).filter((spec: OptionSpec<unknown>) => spec.commands.includes(command));

const flagText = (spec: OptionSpec<unknown>) => `--${spec.flag}${spec.metavar ? ` ${spec.metavar}` : ''}`;

/** `deploy [--dir DIR] [--base REF] …`: the command's flags from the table. */
export function synopsis(command: Command): string {
  const { usage } = HELP[command];
  const optional = specs(command)
    .filter((spec) => spec.flag && !usage?.includes(`--${spec.flag}`))
    .map((spec) => `[${flagText(spec)}]`);
  return [command, usage, ...optional].filter(Boolean).join(' ');
}

/** The overview: every command with its flags, the environment, the exit codes. */
export function renderUsage(): string {
  const lines = [
    'Usage: dify-gitops <command> [flags]',
    '       dify-gitops <command> --help   (its flags, explained, with an example)',
    '       dify-gitops --version',
    '',
    'Commands:',
  ];
  for (const command of COMMANDS) {
    lines.push(...wrap(synopsis(command), 4, '  '), ...wrap(HELP[command].summary, 8));
  }
  lines.push(
    '',
    'Environment (plan, deploy, rollback, rotate-keys, drift, pull): DIFY_URL, and DIFY_EMAIL + DIFY_PASSWORD or DIFY_TOKEN;',
    '  optional DIFY_TIMEOUT_SECONDS, DIFY_PASSWORD_ENCODING, GITHUB_TOKEN.',
    'Webhooks (optional, docs/webhooks.md): DIFY_NOTIFY_URL and DIFY_NOTIFY_SECRET.',
    'Exit codes: 0 ok, 1 failed, 2 usage error, 3 drift found (drift).',
  );
  return lines.join('\n');
}

/** `dify-gitops <command> --help`: what it does, each flag and variable it reads, an example. */
export function renderCommandHelp(command: Command): string {
  const help = HELP[command];
  const lines = [`dify-gitops ${command}: ${help.summary}`, '', ...wrap(`Usage: dify-gitops ${synopsis(command)}`, 7, '')];
  const flags = specs(command).filter((spec) => spec.flag);
  const variables = specs(command).filter((spec) => spec.env);
  if (flags.length) lines.push('', 'Flags:', ...flags.flatMap((spec) => entry(flagText(spec), describe(spec))));
  // A variable that stands in for a flag (set once for every step of a job) points at the flag's text.
  const explain = (spec: OptionSpec<unknown>) => (spec.flag ? `The same as --${spec.flag}, when the flag is not given.` : describe(spec));
  if (variables.length) lines.push('', 'Environment:', ...variables.flatMap((spec) => entry(spec.env!, explain(spec))));
  lines.push('', 'Example:', `  ${help.example}`);
  return lines.join('\n');
}

/** The action.yml description, without the "rotate-keys: " prefix that names commands, plus the default. */
function describe(spec: OptionSpec<unknown>): string {
  const bare = spec.description.replace(/^[a-z-]+(, [a-z-]+)*: /, '');
  const text = bare.charAt(0).toUpperCase() + bare.slice(1);
  if (spec.flagKind === 'negated') return `Do not: ${text.charAt(0).toLowerCase()}${text.slice(1)}`;
  // A no-break space keeps "(default: 4)" on one line; entry() turns it back into a space.
  const shown = spec.flagKind === 'switch' || !spec.default ? '' : ` (default:\u00a0${spec.default})`;
  return `${text}${shown}`;
}

const COLUMN = 28;

function entry(name: string, text: string): string[] {
  const head = `  ${name}`;
  const body = wrap(text, COLUMN);
  if (head.length < COLUMN - 1) body[0] = head.padEnd(COLUMN) + body[0].trimStart();
  else body.unshift(head);
  return body.map((line) => line.replace(/\u00a0/g, ' '));
}

/** Greedy word wrap at 110 columns, every line indented by `indent` (the first by `first`). */
function wrap(text: string, indent: number, first = ' '.repeat(indent)): string[] {
  const lines: string[] = [];
  let line = first;
  for (const word of text.split(' ')) {
    if (line.trim() && line.length + word.length + 1 > 110) {
      lines.push(line);
      line = ' '.repeat(indent);
    }
    line += line.trim() ? ` ${word}` : word;
  }
  lines.push(line);
  return lines;
}
