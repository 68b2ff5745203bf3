// The same commands from a terminal: `npx dify-gitops <command> [flags]`.
import { readCliSettings, type Settings } from './settings.js';
import { createTerminalSink } from './report/sink.js';
import { runSafely } from './main.js';
import { describeError } from './support/errors.js';
import { redact } from './support/redact.js';

export const USAGE = `Usage: dify-gitops <command> [flags]

Commands:
  validate [--dir workflows] [--base REF] [--json]   check every definition offline
  fmt [--dir workflows] [--check]                    rewrite definitions in canonical form (or check)
  adopt <export.yml> --name NAME --app UUID [--dir workflows]
                                                     turn a DSL exported from Dify into a definition
  plan [--dir workflows] [--environment production] [--base REF] [--json]
                                                     what a deploy would change, against the live apps (offline
                                                     against the base or latest release without DIFY_* variables)
  deploy [--dir workflows] [--environment production] [--all | --base REF] [--dry-run] [--concurrency N]
                                                     import, publish, smoke-check and tag changed definitions
  rollback --workflow NAME|all --to VERSION|TAG|latest|previous [--environment production]
                                                     restore a released version, verify it, smoke-check it
  rollback --workflow NAME --from-backup PATH [--environment production]
                                                     restore a backup a deploy wrote (never-released apps),
                                                     verify it, probe GET /v1/parameters
  rotate-keys --workflow NAME | --all [--environment production] [--grace 24h] --key-file PATH
              [--secret-name NAME [--secret-environment ENV]] [--prune-foreign-keys] [--redeploy-secrets]
                                                     new app API key, verified, written to the key file (mode 0600,
                                                     never printed) and/or an Actions secret; old keys revoked after
                                                     the grace. Ledger: <key-file>.state.json, or the Actions variable
                                                     DIFY_GITOPS_KEYS (--state-variable) when GITHUB_TOKEN and
                                                     GITHUB_REPOSITORY are set.
  drift [NAME…] [--environment production] [--json]  compare live published versions and drafts with the last
                                                     releases; exit 3 when anything drifted
  pull NAME [NAME…] | --all [--environment production] [--dir workflows]
                                                     rewrite definitions from their live drafts (UI edits → git diff)

Environment (plan, deploy, rollback, drift, pull): DIFY_URL, and DIFY_EMAIL + DIFY_PASSWORD or DIFY_TOKEN.
Webhooks (optional, docs/webhooks.md): DIFY_NOTIFY_URL and DIFY_NOTIFY_SECRET.
Exit codes: 0 ok, 1 failed, 2 usage error, 3 drift found (drift).`;

export async function runCli(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === 'help' || argv[0] === '--help' || argv[0] === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return argv.length === 0 ? 2 : 0;
  }
  let settings: Settings;
  try {
    settings = readCliSettings(argv);
  } catch (error) {
    process.stderr.write(`error: ${describeError(error)}\n\n${USAGE}\n`);
    return 2;
  }
  const sink = createTerminalSink({ quiet: settings.json });
  const outcome = await runSafely(settings, sink, (message) => process.stderr.write(`error: ${redact(message)}\n`));
  if (settings.json && outcome.json !== undefined) process.stdout.write(`${JSON.stringify(outcome.json)}\n`);
  return outcome.exitCode;
}
