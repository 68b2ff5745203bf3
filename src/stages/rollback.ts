// Put an app back to a verified earlier state after a failed deploy, or on request.
// Proof, not hope: after publishing the old snapshot we read the live version back and compare
// its content hash with the snapshot's, then run the snapshot's own smoke checks.
import { registerSecret } from '../support/redact.js';
import { parsePyYaml } from '../support/pyyaml.js';
import type { Definition, DifyDsl } from '../definition/types.js';
import { publishedWorkflowHash, workflowHash } from '../definition/workflow-hash.js';
import { describeError } from '../support/errors.js';
import type { Backup } from './backup.js';
import type { DefinitionOutcome, StageContext } from './context.js';
import { importDraft, publishDraft } from './import-publish.js';
import { obtainApiKey, runSmokeChecks, tallyHealth, type HealthReport } from './smoke-check.js';
import { previousSnapshot, type Snapshot } from './snapshots.js';
import { injectSecrets, prepareTarget, type DeployTarget } from './target.js';

type Log = (line: string) => void;

export class RestoreError extends Error {
  override name = 'RestoreError';
  constructor(message: string, readonly hint: string) {
    super(message);
  }
}

export async function rollbackDefinition(
  ctx: StageContext,
  failed: { item: { file: string; definition: Definition }; target: DeployTarget; backup: Backup; published: boolean; log: Log },
): Promise<Partial<DefinitionOutcome>> {
  const { item, target, backup, log } = failed;
  try {
    const snapshot = await previousSnapshot(ctx.git, item.definition, item.file);
    if (snapshot) {
      log(`rolling back to ${snapshot.tag}`);
      const proof = await withRestoreAttempts(() => restoreSnapshot(ctx, snapshot, target.environment, log), log);
      return { result: 'rolled-back', restoredTo: snapshot.tag, verifiedHash: proof.hash, checks: tallyHealth(proof.health) };
    }
    log('no earlier release tag: restoring the backup taken before the deploy');
    return await restoreBackup(ctx, { definition: item.definition, target, backup, published: failed.published, log });
  } catch (error) {
    log(`✗ rollback failed: ${describeError(error)}`);
    return {
      result: 'restore-failed',
      manualCommand: manualRollbackCommand(item.definition.name, target.environment),
      notes: [`rollback failed: ${describeError(error)}`, `backup kept at ${backup.file}`],
    };
  }
}

/**
 * A rollback is the last line of defence and restoring a snapshot converges (same import, same
 * publish, same verification), so a transient outage gets two more tries before we give up.
 */
async function withRestoreAttempts<T>(restore: () => Promise<T>, log: Log, delaysMs = [1000, 3000]): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await restore();
    } catch (error) {
      if (attempt >= delaysMs.length) throw error;
      log(`restore attempt ${attempt + 1} failed (${describeError(error)}); trying again in ${delaysMs[attempt] / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, delaysMs[attempt]));
    }
  }
}

/** The exact command that finishes a restore by hand (printed whenever automation could not). */
export function manualRollbackCommand(name: string, environment: string, to = 'latest'): string {
  return `npx dify-gitops rollback --workflow ${name} --to ${to} --environment ${environment}`;
}

/** Import, publish, verify the live hash, smoke-check: used by automatic and manual rollback. */
export async function restoreSnapshot(ctx: StageContext, snapshot: Snapshot, environment: string, log: Log): Promise<{ hash: string; health: HealthReport }> {
  const target = prepareTarget(snapshot.definition, environment, ctx.env);
  for (const value of target.secretValues) registerSecret(value);
  // This version was live before, so a DSL version gap Dify flags now is not a new decision.
  await importDraft(ctx.dify, target, { allowVersionChange: true });
  await publishDraft(ctx.dify, target, snapshot.commit);
  const hash = await verifyLiveHash(ctx, target.appId, target.workflowHash, snapshot.tag);
  log(`live version verified: sha256 ${hash.slice(0, 12)} = ${snapshot.tag}`);
  const health = await runSmokeChecks(snapshot.definition, ctx.service(await obtainApiKey(ctx.dify, target.appId)), { retryBudget: ctx.smokeRetryBudget, onProgress: log });
  if (!health.passed) {
    throw new RestoreError(`${snapshot.tag} is live again but fails its own smoke checks.`, 'The cause may be outside the workflow (model provider, plugin, credentials): check Dify, then roll back by hand to another version.');
  }
  return { hash, health };
}

/** First deploy: no tag to go back to, so the state exported before the deploy is the target. */
async function restoreBackup(ctx: StageContext, b: { definition: Definition; target: DeployTarget; backup: Backup; published: boolean; log: Log }): Promise<Partial<DefinitionOutcome>> {
  const { target, backup, log } = b;
  const backupDsl = parsePyYaml(backup.yaml) as DifyDsl;
  const draft = { ...target, yaml: injectSecrets(b.definition.name, b.definition.secrets, backupDsl, ctx.env).yaml, workflowHash: workflowHash(backupDsl) };
  const before = backup.published;
  if (b.published) {
    if (!before) {
      await importDraft(ctx.dify, draft, { allowVersionChange: true });
      throw new RestoreError(
        `The draft is restored, but the failing version stays published: the app had never been published before, and Dify cannot unpublish.`,
        'Fix the definition and deploy again, or disable the app\'s API in Dify until then.',
      );
    }
    // Bring the previously published version back, then put the old draft back on top of it.
    const restored = await ctx.dify.restoreVersion(target.appId, before.id);
    const expected = restored ? publishedWorkflowHash(before) : draft.workflowHash;
    if (!restored) await importDraft(ctx.dify, draft, { allowVersionChange: true });
    await ctx.dify.publish(target.appId, { markedName: before.marked_name || 'restored', markedComment: `dify-gitops restore of ${before.id} after a failed deploy`.slice(0, 100) });
    await verifyLiveHash(ctx, target.appId, expected, 'the version published before the deploy');
    log(`republished the version live before the deploy (${restored ? 'restore endpoint' : 'backup import'}), verified`);
  }
  await importDraft(ctx.dify, draft, { allowVersionChange: true });
  const live = await ctx.dify.getPublished(target.appId);
  // When our publish never happened, the live version must be exactly the one we found.
  if (!b.published && (live?.id ?? null) !== (before?.id ?? null)) {
    throw new RestoreError('The published version changed while restoring.', 'Another deploy may be running on this app: check the concurrency group of your workflows.');
  }
  log('draft restored from the backup');
  return { result: 'rolled-back', restoredTo: `backup ${backup.sha256.slice(0, 12)}`, verifiedHash: live ? publishedWorkflowHash(live) : undefined };
}

async function verifyLiveHash(ctx: StageContext, appId: string, expected: string, what: string): Promise<string> {
  const live = await ctx.dify.getPublished(appId);
  const actual = live ? publishedWorkflowHash(live) : 'none';
  if (actual !== expected) {
    throw new RestoreError(`After publishing ${what}, the live version's content (sha256 ${actual.slice(0, 12)}) differs from it (sha256 ${expected.slice(0, 12)}).`, 'Someone may have changed the app during the rollback; check Dify and roll back by hand.');
  }
  return actual;
}
