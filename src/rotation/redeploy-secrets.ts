// Rotating a workflow's own secrets (its `secrets` map): re-import the definition that is live,
// with fresh values from the environment, publish, smoke-check. On failure the version published
// before comes back through Dify's restore, which keeps its (old, encrypted) secret values: a
// re-import could not, since exports blank secrets and the environment holds only the new ones.
import type { Definition } from '../definition/types.js';
import { publishedWorkflowHash } from '../definition/workflow-hash.js';
import type { WorkflowVersion } from '../dify/types.js';
import { backupLiveApp } from '../stages/backup.js';
import type { StageContext } from '../stages/context.js';
import { importDraft, publishDraft, tryMarkVerified } from '../stages/import-publish.js';
import { runSmokeChecks, tallyHealth } from '../stages/smoke-check.js';
import { prepareTarget } from '../stages/target.js';
import { buildRepublishMarks, carriesVerifiedHash } from '../release/marks.js';
import { describeError } from '../support/errors.js';
import { registerSecret } from '../support/redact.js';
import type { RotateOptions } from '../settings.js';

export interface SecretRedeploy {
  name: string;
  environment: string;
  result: 'redeployed' | 'skipped' | 'failed' | 'rolled-back' | 'restore-failed';
  checks?: { passed: number; total: number; retries: number };
  backupFile?: string;
  error?: string;
  notes: string[];
}

/** Never throws. `apiKey` is a verified key of the app (this run's new one). */
export async function redeploySecrets(
  ctx: StageContext,
  definition: Definition,
  apiKey: string,
  log: (line: string) => void,
  policy: Pick<RotateOptions, 'backupDir' | 'rollbackOnFailure'>,
): Promise<SecretRedeploy> {
  const environment = ctx.environment;
  const outcome: SecretRedeploy = { name: definition.name, environment, result: 'failed', notes: [] };
  if (Object.keys(definition.secrets ?? {}).length === 0) return { ...outcome, result: 'skipped', notes: ['no secrets to redeploy'] };

  let before: WorkflowVersion;
  let appId: string;
  try {
    const target = prepareTarget(definition, environment, ctx.env);
    appId = target.appId;
    target.secretValues.forEach(registerSecret);
    const published = await ctx.dify.getPublished(target.appId);
    // Only the exact definition that is live: rotating secrets must never ship workflow changes. Where
    // the server cannot re-mark a version as verified (/openapi), its content must equal the repository's.
    const sameContent = published ? publishedWorkflowHash(published) === target.workflowHash : false;
    if (!published || !(carriesVerifiedHash(published, target.hash) || (ctx.dify.authMode === 'openapi' && sameContent))) {
      throw new Error(
        `${definition.name} is not live as in the repository (${published ? `published version ${published.marked_name || published.id} has other content` : 'never published'}), so its secrets were not redeployed. Deploy it first.`,
      );
    }
    before = published;
    throwIfCancelled(ctx, 'before the backup: nothing was written; the live version keeps its previous secret values');
    const backup = await backupLiveApp(ctx.dify, {
      appId: target.appId,
      name: definition.name,
      environment,
      dir: policy.backupDir,
      published,
    });
    outcome.backupFile = backup.file;
    throwIfCancelled(ctx, 'before the re-import: nothing was written; the live version keeps its previous secret values');
    // The same DSL was imported when it was deployed; a version gap Dify flags now is no new decision.
    await importDraft(ctx.dify, target, { allowVersionChange: true });
    throwIfCancelled(
      ctx,
      'after the re-import, before publishing: the live version is unchanged and keeps its previous secret values (only the draft holds the fresh ones)',
    );
    await publishDraft(ctx.dify, target, ctx.commit);
    log(`republished ${definition.version} with fresh secret values`);
  } catch (error) {
    log(`✗ ${describeError(error)}`);
    return { ...outcome, error: describeError(error) };
  }

  // Cancelled: the smoke run is abandoned and the version just published is not verified, so it is restored.
  const health = await runSmokeChecks(definition, ctx.service(apiKey), {
    retryBudget: ctx.smokeRetryBudget,
    onProgress: log,
    signal: ctx.cancel?.requested,
  });
  if (health.passed) {
    await tryMarkVerified(ctx.dify, appId!, log);
    return { ...outcome, result: 'redeployed', checks: tallyHealth(health) };
  }
  const failed = health.checks.filter((c) => !c.passed).map((c) => `${c.name}: ${c.failures.join('; ')}`);
  outcome.error = ctx.cancel?.requested.aborted
    ? `the job was cancelled after ${definition.version} was re-published with fresh secret values, before it was verified`
    : `smoke check failed after the secret redeploy: ${failed.join(' | ')}`;
  log(`✗ ${outcome.error}`);
  if (!policy.rollbackOnFailure) return outcome;
  try {
    await restorePublished(ctx, { definition, appId, before, apiKey }, log);
    return {
      ...outcome,
      result: 'rolled-back',
      notes: [`restored the version published before (${before.marked_name || before.id}) with its previous secret values`],
    };
  } catch (error) {
    log(`✗ restore failed: ${describeError(error)}`);
    return {
      ...outcome,
      result: 'restore-failed',
      notes: [
        `restore failed: ${describeError(error)}`,
        `backup kept at ${outcome.backupFile}`,
        `finish by hand: in Dify, restore the version published before (${before.marked_name || before.id}, id ${before.id}) from the app's version history and publish it; it keeps its previous secret values, which a re-import cannot`,
      ],
    };
  }
}

/** Restore endpoint → publish with the old marks → prove the live content → smoke-check. */
async function restorePublished(
  ctx: StageContext,
  r: { definition: Definition; appId: string; before: WorkflowVersion; apiKey: string },
  log: (line: string) => void,
): Promise<void> {
  const { definition, appId, before, apiKey } = r;
  if (!(await ctx.dify.restoreVersion(appId, before.id))) {
    throw new Error(
      'this Dify server has no restore endpoint, and the previous secret values cannot be re-imported (exports blank them); set them again in Dify',
    );
  }
  await ctx.dify.publish(appId, buildRepublishMarks(before, { keepComment: true }));
  const live = await ctx.dify.getPublished(appId);
  if (!live || publishedWorkflowHash(live) !== publishedWorkflowHash(before)) {
    throw new Error(
      'after the restore the live content differs from the version published before; someone may have changed the app: check it in Dify',
    );
  }
  const health = await runSmokeChecks(definition, ctx.service(apiKey), {
    retryBudget: ctx.smokeRetryBudget,
    onProgress: log,
    // A cancelled job still verifies what it restores, for as long as its time lasts.
    signal: ctx.cancel?.expired,
  });
  if (!health.passed && ctx.cancel?.expired.aborted)
    throw new Error("the version published before is live again but NOT verified: the job's time ran out during its smoke check");
  if (!health.passed)
    throw new Error(
      'the restored version fails its smoke checks too: the cause may be outside the workflow (model provider, plugin, credentials)',
    );
  log(`restored the version published before (${before.marked_name || before.id}), verified`);
}

/** Cancelled before a write: stop here, with nothing to undo. */
function throwIfCancelled(ctx: StageContext, when: string): void {
  if (ctx.cancel?.requested.aborted) throw new Error(`the job was cancelled ${when}`);
}
