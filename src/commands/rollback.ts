// rollback: put one workflow (or all) back to a released version on request, or one workflow back
// to a backup a deploy wrote: back up what is live, import + publish, verify the live hash, prove
// the app healthy, and record the deployment on GitHub either way. A cancelled job (SIGINT,
// SIGTERM) starts no further restore; the one in flight is verified while time lasts, or reported
// NOT verified with the exact command that finishes it.
import path from 'node:path';
import type { CommonSettings, RollbackOptions } from '../settings.js';
import type { Git } from '../git/git.js';
import type { ReportSink } from '../report/sink.js';
import type { Definition } from '../definition/types.js';
import type { WorkflowVersion } from '../dify/types.js';
import { carriesVerifiedHash } from '../release/marks.js';
import { loadNamedDefinitions } from '../selection.js';
import { connectDify, connectGitHub } from '../stages/connect.js';
import { backupLiveApp, readBackupFile } from '../stages/backup.js';
import type { StageContext } from '../stages/context.js';
import type { DefinitionOutcome } from '../outcomes.js';
import { findSnapshot } from '../release/snapshots.js';
import { ensureTags } from '../release/latest.js';
import { checkBackupFits, manualRollbackCommand, restoreBackupFile, restoreSnapshot } from '../stages/rollback.js';
import { tallyHealth, type HealthReport } from '../stages/smoke-check.js';
import { recordDeployment } from '../release/publish.js';
import { checkEnvironments, prepareTarget, withCurrentApps } from '../stages/target.js';
import type { Clock } from '../support/clock.js';
import { describeError, UserError } from '../support/errors.js';
import { renderDeploySummary, reportDeployOutputs } from '../report/deploy-summary.js';
import { notifyOutcomes } from '../notify/outcomes.js';
import { NEVER_CANCELLED, type Cancellation } from '../support/cancellation.js';

type Log = (line: string) => void;

/** One restore to make, resolved before anything touches Dify. */
interface RestorePlan {
  name: string;
  file: string;
  /** What gets restored (the snapshot's definition, or the current one for a backup). */
  definition: Definition;
  version: string;
  /** `alpha@v1.0.0` or `backup 1a2b3c4d5e6f`: what the live app is after a success. */
  label: string;
  tag?: string;
  /** The git ref the GitHub deployment record points at. */
  ref: string;
  manualCommand: string;
  /** Whether this target is already live and verified (its marks carry its hash with a ✓): then nothing is written. */
  alreadyLive?(published: WorkflowVersion | null, environment: string, env: Record<string, string | undefined>): boolean;
  restore(ctx: StageContext, log: Log): Promise<{ hash: string; health: HealthReport }>;
}

export async function runRollback(
  settings: CommonSettings,
  options: RollbackOptions,
  deps: { git: Git; sink: ReportSink; env?: Record<string, string | undefined>; clock?: Clock; cancel?: Cancellation },
): Promise<{ exitCode: number; json: unknown; failure?: string }> {
  const { git, sink } = deps;
  const cancel = deps.cancel ?? NEVER_CANCELLED;
  checkTarget(options);
  const plans = options.fromBackup ? await planBackup(settings, options, git) : await planSnapshots(settings, options, git, sink);
  const title = options.fromBackup
    ? `Manual restore from backup \`${path.basename(options.fromBackup)}\``
    : `Manual rollback to \`${options.to}\``;
  const cancelledNote = '⚠️ The job was cancelled: no further restore was started.';

  if (cancel.requested.aborted) {
    const outcomes = plans.map((plan) => notStarted(plan, settings.environment));
    reportDeployOutputs(sink, outcomes);
    await sink.summary(renderDeploySummary(settings, outcomes, `${title}\n\n${cancelledNote}`));
    return {
      exitCode: 1,
      json: { ok: false, cancelled: true, outcomes },
      failure: 'dify-gitops rollback: cancelled; nothing was written.',
    };
  }
  const dify = await connectDify(settings, sink, cancel.expired);
  const ctx: StageContext = {
    environment: settings.environment,
    root: settings.root,
    runUrl: settings.github.runUrl,
    git,
    sink,
    dify: dify.console,
    service: dify.service,
    github: connectGitHub(settings.github),
    commit: await git.headSha(),
    env: deps.env ?? process.env,
    smokeRetryBudget: options.smokeRetries,
    surface: settings.surface,
    clock: deps.clock,
    cancel,
  };
  const outcomes: DefinitionOutcome[] = [];
  for (const plan of plans) {
    if (cancel.requested.aborted) {
      sink.info(`[${plan.name}] not started: the job was cancelled`);
      outcomes.push(notStarted(plan, settings.environment));
    } else outcomes.push(await restoreOne(ctx, plan, options.backupDir));
  }
  const cancelled = cancel.requested.aborted;
  reportDeployOutputs(sink, outcomes);
  await sink.summary(renderDeploySummary(settings, outcomes, cancelled ? `${title}\n\n${cancelledNote}` : title));
  if (!cancel.expired.aborted) await notifyOutcomes({ notify: options.notify, github: settings.github }, outcomes, 'rollback', sink);
  for (const o of outcomes) {
    if (o.result === 'restore-failed' || (cancelled && o.result === 'failed'))
      sink.warn(
        `${o.name}: NOT restored and verified.${o.backupFile ? ` Backup kept at ${o.backupFile}.` : ''} Finish by hand: ${o.manualCommand}`,
      );
  }
  const ok = outcomes.every((o) => o.result === 'rolled-back' || o.result === 'skipped') && !cancelled;
  const failure = cancelled ? `dify-gitops rollback (cancelled): ${outcomes.map((o) => `${o.name} ${o.result}`).join(', ')}.` : undefined;
  return { exitCode: ok ? 0 : 1, json: { ok, ...(cancelled ? { cancelled } : {}), outcomes }, ...(failure ? { failure } : {}) };
}

/** Where every restore's outcome starts: failed until it is proved otherwise. */
function failedOutcome(plan: RestorePlan, environment: string): DefinitionOutcome {
  return { name: plan.name, version: plan.version, file: plan.file, environment, result: 'failed', durationMs: 0, notes: [] };
}

/** A restore the cancelled job never began: nothing of it was written, and the command finishes it. */
function notStarted(plan: RestorePlan, environment: string): DefinitionOutcome {
  return {
    ...failedOutcome(plan, environment),
    error: 'Not started: the job was cancelled before this restore began. Nothing was written.',
    manualCommand: plan.manualCommand,
    notes: [],
  };
}

function checkTarget(options: RollbackOptions): void {
  if (options.to && options.fromBackup) {
    throw new UserError(
      'usage',
      'rollback takes either "to" (a release) or "from-backup" (a backup file), not both: they name different targets.',
    );
  }
  if (!options.workflow || (!options.to && !options.fromBackup)) {
    throw new UserError(
      'usage',
      'rollback needs a workflow (a definition name, or "all") and either a version to go to ("to": 1.3.0, a tag, "latest" or "previous") or a backup file a deploy wrote ("from-backup").',
    );
  }
  if (options.fromBackup && options.workflow === 'all') {
    throw new UserError('usage', 'A backup holds one app: with "from-backup", name the workflow it belongs to instead of "all".');
  }
}

/** The workflow named (or every one with "all"), as read from the checkout. */
async function chooseDefinitions(
  settings: CommonSettings,
  options: RollbackOptions,
): Promise<Array<{ file: string; name: string; definition: Definition }>> {
  const { definitions, unreadable } = await loadNamedDefinitions(settings, options.workflow === 'all' ? 'all' : [options.workflow!]);
  if (options.workflow !== 'all' && unreadable.length) throw new UserError('usage', unreadable[0].error);
  if (definitions.length === 0)
    throw new UserError('usage', `No definition named "${options.workflow}" in ${settings.workflowsDir}/. Known: none.`);
  return definitions.map((d) => ({ file: d.file.file, name: d.definition.name, definition: d.definition }));
}

/** Resolve every snapshot before touching Dify, so a typo in "to" changes nothing. */
async function planSnapshots(settings: CommonSettings, options: RollbackOptions, git: Git, sink: ReportSink): Promise<RestorePlan[]> {
  const chosen = await chooseDefinitions(settings, options);
  await ensureTags(git, (line) => sink.warn(line), 'only local tags are known');
  const found = await Promise.all(chosen.map((c) => findSnapshot(git, c.name, c.file, options.to!)));
  const snapshots = found.map((s, i) => ({ ...s, definition: withCurrentApps(s.definition, chosen[i].definition) }));
  // Refused before anything touches Dify, like the deploy: a release goes only where the definition says.
  checkEnvironments(
    snapshots.map((s, i) => ({ file: chosen[i].file, definition: s.definition })),
    settings.environment,
  );
  return snapshots.map((snapshot, i) => ({
    name: snapshot.definition.name,
    file: chosen[i].file,
    definition: snapshot.definition,
    version: snapshot.definition.version,
    label: snapshot.tag,
    tag: snapshot.tag,
    ref: snapshot.tag,
    manualCommand: manualRollbackCommand(snapshot.definition.name, settings.environment, snapshot.definition.version, settings.surface),
    alreadyLive: (published, environment, env) =>
      published?.marked_name === snapshot.definition.version &&
      carriesVerifiedHash(published, prepareTarget(snapshot.definition, environment, env).hash),
    restore: (ctx, log) => restoreSnapshot(ctx, snapshot, settings.environment, log),
  }));
}

/** Read the backup before touching Dify, so a wrong path changes nothing. */
async function planBackup(settings: CommonSettings, options: RollbackOptions, git: Git): Promise<RestorePlan[]> {
  const [chosen] = await chooseDefinitions(settings, options);
  const backup = await readBackupFile(path.resolve(settings.root, options.fromBackup!));
  checkBackupFits(backup, chosen.definition, settings.environment);
  const short = backup.sha256.slice(0, 12);
  return [
    {
      name: chosen.name,
      file: chosen.file,
      definition: chosen.definition,
      version: `backup ${short}`,
      label: `backup ${short}`,
      ref: await git.headSha(),
      manualCommand: manualRollbackCommand(chosen.name, settings.environment, { fromBackup: options.fromBackup! }),
      restore: (ctx, log) => restoreBackupFile(ctx, chosen.definition, backup, settings.environment, log),
    },
  ];
}

async function restoreOne(ctx: StageContext, plan: RestorePlan, backupDir: string): Promise<DefinitionOutcome> {
  const { environment, sink } = ctx;
  const started = performance.now();
  const log = (line: string) => sink.info(`[${plan.name}] ${line}`);
  const outcome = failedOutcome(plan, environment);
  try {
    const target = prepareTarget(plan.definition, environment, ctx.env);
    const published = await ctx.dify.getPublished(target.appId);
    if (plan.alreadyLive?.(published, environment, ctx.env)) {
      // A repeated rollback converges without writing: no import, no publish, no deployment record.
      log(`${plan.label} is already live and verified (its publish marks carry its content hash): nothing to do`);
      Object.assign(outcome, { result: 'skipped', tag: plan.tag, notes: [`${plan.label} already live`] });
      outcome.durationMs = performance.now() - started;
      return outcome;
    }
    const backup = await backupLiveApp(ctx.dify, {
      appId: target.appId,
      name: plan.name,
      environment,
      dir: backupDir,
      published,
    });
    outcome.backupFile = backup.file;
    if (ctx.cancel?.requested.aborted) {
      // Nothing written yet: stop here rather than begin a restore the job may not have time to verify.
      log('not restored: the job was cancelled before the first write');
      Object.assign(outcome, {
        error: 'Not started: the job was cancelled before the first write. Nothing was written.',
        manualCommand: plan.manualCommand,
      });
      outcome.durationMs = performance.now() - started;
      return outcome;
    }
    log(`backed up the live draft to ${backup.file}; restoring ${plan.label}`);
    const proof = await plan.restore(ctx, log);
    Object.assign(outcome, {
      result: 'rolled-back',
      restoredTo: plan.label,
      verifiedHash: proof.hash,
      tag: plan.tag,
      checks: tallyHealth(proof.health),
    });
  } catch (error) {
    Object.assign(outcome, { result: 'restore-failed', error: describeError(error), manualCommand: plan.manualCommand });
    log(`✗ ${describeError(error)}`);
  }
  await recordRollback(ctx, plan, outcome);
  outcome.durationMs = performance.now() - started;
  return outcome;
}

/** GitHub's environment page must show a failed rollback too; its own failure only warns, never masks the result. */
async function recordRollback(ctx: StageContext, plan: RestorePlan, outcome: DefinitionOutcome): Promise<void> {
  // Out of time: the last seconds belong to the summary.
  if (!ctx.github || ctx.cancel?.expired.aborted) return;
  const ok = outcome.result === 'rolled-back';
  try {
    await recordDeployment(ctx.github, {
      ref: plan.ref,
      subject: outcome,
      state: ok ? 'success' : 'failure',
      description: ok ? `rolled back to ${plan.label}` : `rollback to ${plan.label} failed`,
      logUrl: ctx.runUrl,
    });
  } catch (error) {
    ctx.sink.warn(
      `[${plan.name}] the GitHub deployment record could not be written: ${describeError(error)} (the rollback result above stands)`,
    );
  }
}
