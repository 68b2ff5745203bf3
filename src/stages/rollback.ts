// Put an app back to a verified earlier state after a failed deploy, or on request.
// Proof, not hope: after publishing the old state we read the live version back and compare
// its content hash with the one we meant to restore, then prove the app answers.
import { cliCommand } from '../version.js';
import path from 'node:path';
import { registerSecret } from '../support/redact.js';
import { parsePyYaml } from '../support/pyyaml.js';
import { createSystemClock } from '../support/clock.js';
import type { Definition, DifyDsl } from '../definition/types.js';
import { dslContentHash } from '../definition/canonical.js';
import { publishedWorkflowHash, workflowHash } from '../definition/workflow-hash.js';
import type { WorkflowVersion } from '../dify/types.js';
import { describeError, isUserError, UserError } from '../support/errors.js';
import type { Backup, BackupFile } from './backup.js';
import type { StageContext } from './context.js';
import type { DefinitionOutcome } from '../outcomes.js';
import { importDraft, publishDraft, tryMarkVerified } from './import-publish.js';
import { runSmokeChecks, smokeKeyFor, tallyHealth, type HealthReport } from './smoke-check.js';
import { previousSnapshot, type Snapshot } from '../release/snapshots.js';
import { buildBackupRestoreMarks, buildRepublishMarks, verifiedHash } from '../release/marks.js';
import { findLiveRelease } from '../release/latest.js';
import { mapDatasetAliases } from '../definition/workflow-parts.js';
import { injectSecrets, prepareTarget, resolveAppId, withCurrentApps, type DeployTarget } from './target.js';

type Log = (line: string) => void;

export async function rollbackDefinition(
  ctx: StageContext,
  failed: {
    item: { file: string; definition: Definition };
    target: DeployTarget;
    backup: Backup;
    published: boolean;
    log: Log;
    liveBefore?: WorkflowVersion | null;
  },
): Promise<Partial<DefinitionOutcome>> {
  const { item, target, backup, log } = failed;
  let snapshot: Snapshot | null = null;
  const before = failed.liveBefore ?? null;
  if (failed.published && before && publishedWorkflowHash(before) === target.workflowHash) {
    return failingVersionWasLive(ctx, item, target, backup.file, log);
  }
  try {
    snapshot = await rollbackSnapshot(ctx, item, before);
    if (snapshot) {
      const to = { ...snapshot, definition: withCurrentApps(snapshot.definition, item.definition) };
      log(`rolling back to ${to.tag}`);
      const proof = await withRestoreAttempts(ctx, () => restoreSnapshot(ctx, to, target.environment, log), log);
      return { result: 'rolled-back', restoredTo: to.tag, verifiedHash: proof.hash, checks: tallyHealth(proof.health) };
    }
    log(
      backup.published
        ? `restoring the version live before the deploy (${backup.published.marked_name || backup.published.id}) and the backed-up draft`
        : 'no earlier release tag: restoring the backup taken before the deploy',
    );
    return await withRestoreAttempts(
      ctx,
      () => restoreBackup(ctx, { definition: item.definition, target, backup, published: failed.published, log }),
      log,
    );
  } catch (error) {
    const manualCommand = restoreCommand(ctx, item.definition.name, target.environment, snapshot, backup.file);
    const failure = restoreFailure(error, manualCommand, backup.file);
    log(`✗ rollback failed: ${describeError(failure)}`);
    return {
      result: 'restore-failed',
      manualCommand,
      notes: [`rollback failed: ${describeError(failure)}`, `backup kept at ${backup.file}`],
    };
  }
}

/**
 * The version live before this run already held the failing content (an earlier run published it
 * and failed): putting it back changes nothing, so the status must not say "rolled back".
 */
async function failingVersionWasLive(
  ctx: StageContext,
  item: { file: string; definition: Definition },
  target: DeployTarget,
  backupFile: string,
  log: Log,
): Promise<Partial<DefinitionOutcome>> {
  const previous = await previousSnapshot(ctx.git, item.definition, item.file).catch(() => null);
  const manualCommand = previous
    ? manualRollbackCommand(item.definition.name, target.environment, previous.definition.version, ctx.surface)
    : `fix ${item.file} and deploy again (or restore with --from-backup the backup kept by the deploy that first published ${target.version})`;
  const note = `the failing version ${target.version} is still live: it was already live before this run (an earlier deploy published it and failed), so there is no earlier state in this run to go back to`;
  log(`✗ ${note}`);
  return { result: 'restore-failed', manualCommand, notes: [note, `backup kept at ${backupFile}`] };
}

/**
 * The hint after a failed restore. Dify's own hints say "re-run", which here would deploy the
 * failing version again; what finishes the job is the restore command, once Dify answers.
 */
function restoreFailure(error: unknown, command: string, backupFile: string): UserError<'restore.failed'> {
  const next = `Once Dify is reachable, finish the restore with: ${command} (the app as it was before the deploy is kept in ${backupFile}). Do not deploy this version again until it is fixed: it is the version that failed.`;
  if (isUserError(error, 'restore.failed')) {
    const { final } = error.details;
    return new UserError('restore.failed', error.message, { hint: final ? error.hint : `${error.hint} ${next}`, details: { final } });
  }
  return new UserError('restore.failed', error instanceof Error ? error.message : String(error), { hint: next, details: { final: false } });
}

/** The command that finishes this definition's restore by hand: its previous release, or else its backup. */
export async function restoreCommandFor(
  ctx: StageContext,
  item: { file: string; definition: Definition },
  backupFile: string,
  liveBefore: WorkflowVersion | null = null,
): Promise<string> {
  const snapshot = await rollbackSnapshot(ctx, item, liveBefore).catch(() => null);
  return restoreCommand(ctx, item.definition.name, ctx.environment, snapshot, backupFile);
}

/**
 * Where a failed deploy goes back to: the release that was live in this environment before the
 * deploy, when its publish marks name one (staging may run ahead of production, so "the highest
 * tag below" can be a version that was never live here); else the highest release below.
 */
export async function rollbackSnapshot(
  ctx: StageContext,
  item: { file: string; definition: Definition },
  liveBefore: WorkflowVersion | null,
): Promise<Snapshot | null> {
  const live = await findLiveRelease(ctx.git, { name: item.definition.name, file: item.file }, ctx.environment, liveBefore);
  if (live) return live;
  const previous = await previousSnapshot(ctx.git, item.definition, item.file);
  // The highest tag below is a target only when it holds what was live (or nothing was): a live
  // version whose tag is missing (a rejected push) or that no tag describes is put back from Dify's
  // own history instead, by the backup path.
  if (!previous || !liveBefore) return previous;
  const released = workflowHash(mapDatasetAliases(previous.definition, ctx.environment).dsl);
  return publishedWorkflowHash(liveBefore) === released ? previous : null;
}

function restoreCommand(ctx: StageContext, name: string, environment: string, snapshot: Snapshot | null, backupFile: string): string {
  if (snapshot) return manualRollbackCommand(name, environment, snapshot.definition.version, ctx.surface);
  // Never released: no tag to go to, so the backup is the only earlier state there is.
  return manualRollbackCommand(name, environment, { fromBackup: displayPath(ctx.root, backupFile) });
}

/** Inside the checkout, relative (the backups artifact unpacks there); elsewhere, absolute. */
function displayPath(root: string, file: string): string {
  const relative = path.relative(root, file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

/**
 * A rollback is the last line of defence and restoring converges (same import, same publish,
 * same verification), so a transient outage gets two more tries before we give up.
 */
async function withRestoreAttempts<T>(ctx: StageContext, restore: () => Promise<T>, log: Log, delaysMs = [1000, 3000]): Promise<T> {
  const clock = ctx.clock ?? createSystemClock();
  for (let attempt = 0; ; attempt++) {
    try {
      return await restore();
    } catch (error) {
      if (attempt >= delaysMs.length || (isUserError(error, 'restore.failed') && error.details.final)) throw error;
      // A cancelled job has seconds left, not the minutes another try may take: report instead.
      if (ctx.cancel?.requested.aborted) throw error;
      log(
        `restore attempt ${attempt + 1} failed (${error instanceof Error ? error.message : String(error)}); trying again in ${delaysMs[attempt] / 1000} s`,
      );
      await clock.sleep(delaysMs[attempt]);
    }
  }
}

/**
 * The exact command that finishes a restore by hand (printed whenever automation could not). In
 * Actions: a dispatch of the rollback workflow (examples/rollback.yml, copied as rollback.yml).
 * A backup file lives in the run's artifact, not in a fresh checkout, so restoring one is always the
 * CLI's job, run where the artifact was unpacked. Elsewhere: the CLI of this very release.
 */
export function manualRollbackCommand(
  name: string,
  environment: string,
  to: string | { fromBackup: string } = 'latest',
  surface: 'action' | 'cli' = 'cli',
): string {
  if (typeof to === 'string' && surface === 'action') {
    return `gh workflow run rollback.yml -f workflow=${name} -f to=${to} -f environment=${environment}`;
  }
  const target = typeof to === 'string' ? `--to ${to}` : `--from-backup ${quoteArgument(to.fromBackup)}`;
  return cliCommand(`rollback --workflow ${name} ${target} --environment ${environment}`);
}

function quoteArgument(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Import, publish, verify the live hash, smoke-check: used by automatic and manual rollback. */
export async function restoreSnapshot(
  ctx: StageContext,
  snapshot: Snapshot,
  environment: string,
  log: Log,
): Promise<{ hash: string; health: HealthReport }> {
  const target = prepareTarget(snapshot.definition, environment, ctx.env);
  for (const value of target.secretValues) registerSecret(value);
  // This version was live before, so a DSL version gap Dify flags now is not a new decision.
  await importDraft(ctx.dify, target, { allowVersionChange: true });
  await publishDraft(ctx.dify, target, snapshot.commit);
  const hash = await verifyLiveHash(ctx, target.appId, target.workflowHash, snapshot.tag);
  log(`live version verified: sha256 ${hash.slice(0, 12)} = ${snapshot.tag}`);
  const health = await runSmokeChecks(snapshot.definition, ctx.service(await smokeKeyFor(ctx, snapshot.definition, target.appId)), {
    retryBudget: ctx.smokeRetryBudget,
    onProgress: log,
    // A cancelled job still verifies what it restores, for as long as its time lasts.
    signal: ctx.cancel?.expired,
  });
  if (!health.passed && ctx.cancel?.expired.aborted) {
    throw new UserError(
      'restore.failed',
      `${snapshot.tag} is live again but NOT verified: the job's time ran out during its smoke check.`,
      {
        hint: 'Run the restore command again to verify it (it converges: same import, same publish, then the check).',
        details: { final: true },
      },
    );
  }
  if (!health.passed) {
    throw new UserError('restore.failed', `${snapshot.tag} is live again but fails its own smoke checks.`, {
      hint: 'The cause may be outside the workflow (model provider, plugin, credentials): check Dify, then roll back by hand to another version.',
      details: { final: false },
    });
  }
  await tryMarkVerified(ctx.dify, target.appId, log);
  return { hash, health };
}

/**
 * `rollback --from-backup`: back to what was live when a deploy took the backup. The published
 * version it recorded is published again (from the export kept beside the backup, or else from
 * Dify's own history), verified by hash, and the backed-up draft goes back into the draft. Old
 * backups that do not say what was published publish their draft, as they always did. Smoke checks
 * describe the definition, not the backup, so the proof of health is the parameters probe.
 */
export async function restoreBackupFile(
  ctx: StageContext,
  definition: Definition,
  backup: BackupFile,
  environment: string,
  log: Log,
): Promise<{ hash: string; health: HealthReport }> {
  checkBackupFits(backup, definition, environment);
  const base = prepareTarget(definition, environment, ctx.env);
  const draft = backup.yaml.trim() ? targetFromExport(ctx, definition, base, backup.yaml, backup.file) : null;
  let hash: string;
  if (backup.published === null) {
    if (draft) await importDraft(ctx.dify, draft, { allowVersionChange: true });
    throw new UserError(
      'restore.failed',
      `${draft ? 'The draft is restored, but the' : 'The'} version published now stays published: the app had never been published when ${backup.file} was taken, and Dify cannot unpublish.`,
      { hint: "Fix the definition and deploy again, or disable the app's API in Dify until then.", details: { final: true } },
    );
  }
  if (backup.published) {
    const { id } = backup.published;
    const yaml = backup.published.yaml ?? (await ctx.dify.exportDsl(base.appId, { workflowId: id }));
    const live = targetFromExport(ctx, definition, base, yaml, `the published version ${id} kept with ${backup.file}`);
    await importDraft(ctx.dify, live, { allowVersionChange: true });
    await ctx.dify.publish(base.appId, buildBackupRestoreMarks(backup));
    hash = await verifyLiveHash(ctx, base.appId, live.workflowHash, `the version published before (${id})`);
    log(`live version verified: sha256 ${hash.slice(0, 12)} = the version published before the deploy (${id})`);
    if (draft) await importDraft(ctx.dify, draft, { allowVersionChange: true });
    log(draft ? 'draft restored from the backup' : 'the app had no draft in the backup: the draft now holds the restored version');
  } else {
    await importDraft(ctx.dify, draft!, { allowVersionChange: true });
    await ctx.dify.publish(base.appId, buildBackupRestoreMarks(backup));
    hash = await verifyLiveHash(ctx, base.appId, draft!.workflowHash, `the backup ${backup.sha256.slice(0, 16)}`);
    log(`live version verified: sha256 ${hash.slice(0, 12)} = backup ${backup.sha256.slice(0, 12)}`);
  }
  const health = await runSmokeChecks({ ...definition, smoke: [] }, ctx.service(await smokeKeyFor(ctx, definition, base.appId)), {
    retryBudget: ctx.smokeRetryBudget,
    onProgress: log,
    signal: ctx.cancel?.expired,
  });
  log(`${health.passed ? '✓' : '✗'} the restored app ${health.passed ? 'answers' : 'does not answer'} GET /v1/parameters`);
  if (!health.passed) {
    throw new UserError(
      'restore.failed',
      `The backup is live again, but the app does not answer GET /v1/parameters: ${health.checks[0]?.failures.join('; ')}.`,
      { hint: 'Check the app in Dify (is its API enabled?) and the model providers it uses.', details: { final: false } },
    );
  }
  return { hash, health };
}

/** A backup restores only the app it came from, and only if it holds a draft. */
export function checkBackupFits(backup: BackupFile, definition: Definition, environment: string): void {
  const appId = resolveAppId(definition, environment);
  if (backup.appId && backup.appId !== appId) {
    throw new UserError(
      'restore.failed',
      `${backup.file} is a backup of app ${backup.appId}, but ${definition.name} deploys to app ${appId} in ${environment}.`,
      {
        hint: `Pass a backup of this workflow and environment (its name starts with ${definition.name}.${environment}.), or the matching workflow and environment.`,
        details: { final: true },
      },
    );
  }
  if (!backup.yaml.trim() && !backup.published) {
    throw new UserError('restore.failed', `${backup.file} holds no draft: the app had none when the deploy backed it up.`, {
      hint: 'There is nothing to restore from it: roll back to a release with "to", or fix the definition and deploy it.',
      details: { final: true },
    });
  }
}

/** First deploy: no tag to go back to, so the state found before the deploy is the target. */
async function restoreBackup(
  ctx: StageContext,
  b: { definition: Definition; target: DeployTarget; backup: Backup; published: boolean; log: Log },
): Promise<Partial<DefinitionOutcome>> {
  const { target, backup, log } = b;
  const before = backup.published;
  // An app nobody opened in the editor has no draft, so the backup can be empty.
  const draft = backup.yaml ? targetFromExport(ctx, b.definition, target, backup.yaml, backup.file) : null;
  if (b.published) {
    if (!before) {
      if (draft) await importDraft(ctx.dify, draft, { allowVersionChange: true });
      throw new UserError(
        'restore.failed',
        `${draft ? 'The draft is restored, but the' : 'The'} failing version stays published: the app had never been published before, and Dify cannot unpublish.`,
        { hint: "Fix the definition and deploy again, or disable the app's API in Dify until then.", details: { final: true } },
      );
    }
    await republish(ctx, b.definition, target, before, log);
  }
  if (draft) await importDraft(ctx.dify, draft, { allowVersionChange: true });
  const live = await ctx.dify.getPublished(target.appId);
  // When our publish never happened, the live version must be exactly the one we found.
  if (!b.published && (live?.id ?? null) !== (before?.id ?? null)) {
    throw new UserError('restore.failed', 'The published version changed while restoring.', {
      hint: 'Another deploy may be running on this app: check the concurrency group of your workflows.',
      details: { final: true },
    });
  }
  log(draft ? 'draft restored from the backup' : 'the app had no draft before the deploy: the imported draft stays, unpublished');
  return {
    result: 'rolled-back',
    restoredTo: `backup ${backup.sha256.slice(0, 12)}`,
    verifiedHash: live ? publishedWorkflowHash(live) : undefined,
  };
}

/**
 * Bring back the version that was published before the deploy. The backup holds the draft, which
 * may differ from what was live, so without a restore endpoint we import an export of that version.
 */
async function republish(
  ctx: StageContext,
  definition: Definition,
  target: DeployTarget,
  before: WorkflowVersion,
  log: Log,
): Promise<void> {
  const restored = await ctx.dify.restoreVersion(target.appId, before.id);
  if (!restored) {
    const yaml = await ctx.dify.exportDsl(target.appId, { workflowId: before.id });
    await importDraft(ctx.dify, targetFromExport(ctx, definition, target, yaml, `the export of version ${before.id}`), {
      allowVersionChange: true,
    });
  }
  // Its content is proven equal below, so a release's verified marks stay true and stay.
  const keepComment = verifiedHash(before.marked_comment) !== undefined;
  await ctx.dify.publish(target.appId, buildRepublishMarks(before, { why: 'after a failed deploy', keepComment }));
  await verifyLiveHash(ctx, target.appId, publishedWorkflowHash(before), 'the version published before the deploy');
  log(`republished the version live before the deploy (${restored ? 'restore endpoint' : 'export of that version, imported'}), verified`);
}

/** An exported DSL (secrets blank) as an import target, with the definition's secrets injected again. */
export function targetFromExport(
  ctx: StageContext,
  definition: Definition,
  target: DeployTarget,
  yaml: string,
  where: string,
): DeployTarget {
  let dsl: DifyDsl;
  try {
    dsl = parsePyYaml(yaml) as DifyDsl;
  } catch (error) {
    throw new UserError('restore.failed', `${where} is not readable YAML: ${(error as Error).message}`, {
      hint: 'Restore from a release or another backup.',
      details: { final: true },
    });
  }
  if (!dsl || typeof dsl !== 'object' || !dsl.app)
    throw new UserError('restore.failed', `${where} is not a Dify DSL export (no app block).`, {
      hint: 'Restore from a release or another backup.',
      details: { final: true },
    });
  const { yaml: withSecrets, secretValues } = injectSecrets(definition.name, definition.secrets, dsl, ctx.env);
  for (const value of secretValues) registerSecret(value);
  return { ...target, dsl, yaml: withSecrets, hash: dslContentHash(dsl), workflowHash: workflowHash(dsl), secretValues };
}

async function verifyLiveHash(ctx: StageContext, appId: string, expected: string, what: string): Promise<string> {
  const live = await ctx.dify.getPublished(appId);
  const actual = live ? publishedWorkflowHash(live) : 'none';
  if (actual !== expected) {
    throw new UserError(
      'restore.failed',
      `After publishing ${what}, the live version's content (sha256 ${actual.slice(0, 12)}) differs from it (sha256 ${expected.slice(0, 12)}).`,
      { hint: 'Someone may have changed the app during the rollback; check Dify and roll back by hand.', details: { final: false } },
    );
  }
  return actual;
}
