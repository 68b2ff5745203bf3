// rotate-keys: for each chosen workflow, a new app API key, verified and handed to consumers
// while the old one keeps working; old keys this action created are revoked after their grace,
// and only at the end of a run in which everything succeeded. With redeploy-secrets, the
// workflow's own secrets are redeployed too. Key values never reach a log, summary or file
// other than the secret and the key file they are meant for.
import path from 'node:path';
import type { CommonSettings, RotateOptions } from '../settings.js';
import type { Git } from '../git/git.js';
import type { ReportSink } from '../report/sink.js';
import type { Definition } from '../definition/types.js';
import { loadNamedDefinitions } from '../selection.js';
import { resolveAppId } from '../stages/target.js';
import type { StageContext } from '../stages/context.js';
import { connectDify, connectGitHub } from '../stages/connect.js';
import { createSystemClock, type Clock } from '../support/clock.js';
import { UserError } from '../support/errors.js';
import { notifyEvents } from '../notify/outcomes.js';
import { createKeyHandoff, resolveKeyFile } from '../rotation/handoff.js';
import { createFileLedgerStore, createVariableLedgerStore, type LedgerStore } from '../rotation/ledger-store.js';
import { rotateAppKey, type KeyRotation, type RotationDeps, type RotationTarget } from '../rotation/rotate-key.js';
import { revokeRetired } from '../rotation/revoke.js';
import { redeploySecrets, type SecretRedeploy } from '../rotation/redeploy-secrets.js';
import { NEVER_CANCELLED, type Cancellation } from '../support/cancellation.js';
import { renderRotationSummary, reportRotationOutputs, rotatedList } from '../report/rotation-summary.js';

export interface RotateKeysDeps {
  git: Git;
  sink: ReportSink;
  env?: Record<string, string | undefined>;
  clock?: Clock;
  /** SIGINT/SIGTERM: start no rotation, hand over nothing new, revoke nothing, restore an unverified redeploy. */
  cancel?: Cancellation;
}

export async function runRotateKeys(
  settings: CommonSettings,
  options: RotateOptions,
  deps: RotateKeysDeps,
): Promise<{ exitCode: number; json: unknown; failure?: string }> {
  const { sink } = deps;
  const cancel = deps.cancel ?? NEVER_CANCELLED;
  const r = options.rotation;
  const definitions = await chooseDefinitions(settings, options);
  checkHandoff(settings, options, definitions.length);
  const targets: RotationTarget[] = definitions.map((definition) => ({
    definition,
    environment: settings.environment,
    appId: resolveAppId(definition, settings.environment),
    log: (line: string) => sink.info(`[${definition.name}] ${line}`),
  }));
  const github = connectGitHub(settings.github);
  const keyFile = r.keyFile ? path.resolve(settings.root, r.keyFile) : undefined;
  const store: LedgerStore = github
    ? createVariableLedgerStore(github, r.stateVariable)
    : createFileLedgerStore((name) => `${resolveKeyFile(keyFile!, name)}.state.json`);
  const handoff = createKeyHandoff({ github, secretName: r.secretName, secretEnvironment: r.secretEnvironment, keyFile });
  await handoff.prepare();
  // "Now" is the system clock unless a caller (a test) passes one: never read from the environment.
  const clock = deps.clock ?? createSystemClock();

  const dify = await connectDify(settings, sink, cancel.expired);
  try {
    const rotationDeps: RotationDeps = {
      dify: dify.console,
      service: dify.service,
      store,
      handoff,
      clock,
      graceMs: r.graceMs,
      pruneForeignKeys: r.pruneForeignKeys,
      retryBudget: options.smokeRetries,
      cancel,
    };

    // One at a time: every target writes the same ledger.
    const rotations: KeyRotation[] = [];
    const tokens = new Map<KeyRotation, string>();
    for (const target of targets) {
      const { rotation, token } = await sink.group(`Rotate the key of ${target.definition.name} (${target.environment})`, () =>
        rotateAppKey(rotationDeps, target),
      );
      rotations.push(rotation);
      if (token) tokens.set(rotation, token);
    }

    const redeploys: SecretRedeploy[] = [];
    if (r.redeploySecrets) {
      const ctx: StageContext = {
        environment: settings.environment,
        root: settings.root,
        runUrl: settings.github.runUrl,
        git: deps.git,
        sink,
        dify: dify.console,
        service: dify.service,
        github,
        commit: settings.github.sha ?? (await deps.git.headSha()),
        env: deps.env ?? process.env,
        smokeRetryBudget: options.smokeRetries,
        surface: settings.surface,
        clock: deps.clock,
        cancel,
      };
      for (const [i, target] of targets.entries()) {
        const token = tokens.get(rotations[i]);
        if (!token) continue; // no verified key to smoke-check with; its failure is already reported
        if (cancel.requested.aborted) {
          target.log('secrets not redeployed: the job was cancelled');
          redeploys.push({
            name: target.definition.name,
            environment: settings.environment,
            result: 'failed',
            error: 'not started: the job was cancelled; the live version keeps its previous secret values',
            notes: [],
          });
          continue;
        }
        redeploys.push(
          await sink.group(`Redeploy the secrets of ${target.definition.name}`, () =>
            redeploySecrets(ctx, target.definition, token, target.log, options),
          ),
        );
      }
    }

    const cancelled = cancel.requested.aborted;
    const succeeded =
      !cancelled &&
      rotations.every((x) => x.result === 'rotated') &&
      redeploys.every((d) => d.result === 'redeployed' || d.result === 'skipped');
    let revocationFailed = false;
    if (succeeded) {
      for (const [i, target] of targets.entries()) {
        const revocation = await sink.group(`Revoke retired keys of ${target.definition.name}`, () =>
          revokeRetired(rotationDeps, target, tokens.get(rotations[i])!),
        );
        rotations[i].revokedKeyIds.push(...revocation.revoked);
        if (revocation.error) {
          revocationFailed = true;
          rotations[i].notes.push(revocation.error);
          target.log(`✗ ${revocation.error}`);
        }
      }
    }
    const revocationSkipped = succeeded
      ? undefined
      : `${cancelled ? '⚠️ The job was cancelled: nothing new was started. ' : ''}${describeSkippedRevocation(rotations)}`;
    if (revocationSkipped) sink.info(revocationSkipped);

    const single = rotations.length === 1 ? tokens.get(rotations[0]) : undefined;
    reportRotationOutputs(sink, rotations, settings.surface === 'action' ? single : undefined);
    await sink.summary(
      renderRotationSummary({
        environment: settings.environment,
        graceMs: r.graceMs,
        ledgerWhere: store.where({ name: definitions[0].name, environment: settings.environment }),
        rotations,
        redeploys,
        revocationSkipped,
      }),
    );
    if (!cancel.expired.aborted)
      await notifyEvents(
        { notify: options.notify, github: settings.github },
        rotations.map((x, i) => ({
          event: 'rotation' as const,
          workflow: x.name,
          version: definitions[i].version,
          environment: x.environment,
          result: x.result,
          error: x.error,
        })),
        sink,
      );
    const ok = succeeded && !revocationFailed;
    return {
      exitCode: ok ? 0 : 1,
      json: { ok, ...(cancelled ? { cancelled } : {}), rotated: rotatedList(rotations), rotations, redeploys },
      ...(cancelled
        ? {
            failure: `dify-gitops rotate-keys (cancelled): ${[
              ...rotations.map((x) => `${x.name} key ${x.result}`),
              ...redeploys.map((d) => `${d.name} secrets ${d.result}`),
            ].join(', ')}.`,
          }
        : {}),
    };
  } finally {
    await dify.console.close?.();
  }
}

/** A definition name, or every definition with an app in this environment. */
async function chooseDefinitions(settings: CommonSettings, options: RotateOptions): Promise<Definition[]> {
  const everything = options.all || options.workflow === 'all';
  if (!options.workflow && !everything) {
    throw new UserError(
      'usage',
      `rotate-keys needs a workflow: a definition name, or "all" (${settings.surface === 'action' ? 'input "workflow"' : '--workflow NAME or --all'}).`,
    );
  }
  const { definitions, unreadable } = await loadNamedDefinitions(settings, everything ? 'all' : [options.workflow!]);
  if (!everything && unreadable.length) throw new UserError('usage', unreadable[0].error);
  const hasApp = (d: Definition) => typeof d.app === 'string' || Boolean(d.app?.[settings.environment] ?? d.app?.['*']);
  const chosen = definitions.map((d) => d.definition).filter((d) => !everything || hasApp(d));
  if (chosen.length === 0) {
    throw new UserError('usage', `No definition in ${settings.workflowsDir}/ has an app for environment "${settings.environment}".`);
  }
  return chosen;
}

/** Refuse, before any key exists, a run whose new keys would reach no consumer or collide. */
function checkHandoff(settings: CommonSettings, options: RotateOptions, count: number): void {
  const r = options.rotation;
  const github = Boolean(settings.github.token && settings.github.repository);
  const action = settings.surface === 'action';
  if (options.dryRun)
    throw new UserError(
      'usage',
      'rotate-keys has no dry run: a key cannot be checked without creating it. Run it without dry-run (with a long grace, nothing is revoked for that long).',
    );
  if (r.secretEnvironment && !r.secretName)
    throw new UserError('usage', '"secret-environment" is set without "secret-name": name the secret to write.');
  if (action && !github) {
    throw new UserError(
      'usage',
      `rotate-keys keeps its key ledger in the repository Actions variable ${r.stateVariable}: pass "github-token" a token with the "Variables" (and, for secret-name, "Secrets") read and write permission.`,
    );
  }
  if (r.secretName && !github)
    throw new UserError('usage', '--secret-name needs GITHUB_TOKEN and GITHUB_REPOSITORY (owner/name) to write the secret.');
  if (!action && !r.keyFile && !r.secretName) {
    throw new UserError('usage', 'rotate-keys never prints a key: pass --key-file PATH (written with mode 0600) or --secret-name NAME.');
  }
  if (count > 1) {
    for (const [what, value] of [
      ['secret-name', r.secretName],
      ['key-file', r.keyFile],
    ] as const) {
      if (value && !value.includes('{name}'))
        throw new UserError(
          'usage',
          `${count} workflows are selected but ${what} "${value}" has no {name}: every workflow's key would overwrite the last. Put {name} in it.`,
        );
    }
    if (action && !r.secretName)
      throw new UserError(
        'usage',
        `${count} workflows are selected but "secret-name" is empty: the api-key output holds one key. Set secret-name (with {name}) or pick one workflow.`,
      );
  }
}

/** Why nothing was revoked, and, honestly, what was deleted anyway (prune-foreign-keys). */
function describeSkippedRevocation(rotations: readonly KeyRotation[]): string {
  const pruned = rotations.flatMap((x) => x.prunedKeyIds);
  if (pruned.length === 0) return 'Nothing was revoked: the run did not fully succeed, so every key consumers may hold keeps working.';
  return `No replaced key was revoked: the run did not fully succeed. Keys created elsewhere were deleted before that, to make room under Dify's 10-key limit (prune-foreign-keys): ${pruned.join(', ')}.`;
}
