// `eval` for one definition: the candidate has to sit in the app's draft to run there, so the draft
// is backed up first, the candidate imported (never published), every case run on both sides, and
// the draft put back from the backup whatever happened. Live is checked untouched at the end.
import type { ValidDefinition } from '../definition/types.js';
import type { EvalEntry } from '../report/eval-summary.js';
import { describeError, UserError } from '../support/errors.js';
import { registerSecret } from '../support/redact.js';
import { type Backup, backupLiveApp } from './backup.js';
import type { StageContext } from './context.js';
import type { EvalComparison } from './eval-compare.js';
import { evaluateCandidate } from './evaluate.js';
import { importDraft } from './import-publish.js';
import { restoreCommandFor, targetFromExport } from './rollback.js';
import { type DeployTarget, prepareTarget } from './target.js';

export interface EvalPolicy {
  backupDir: string;
  allowDslVersionChange: boolean;
  caseConcurrency?: number;
}

export async function evalDefinition(
  ctx: StageContext,
  item: { file: string; definition: ValidDefinition },
  policy: EvalPolicy,
): Promise<EvalEntry> {
  const { definition } = item;
  const entry: EvalEntry = { name: definition.name, file: item.file, environment: ctx.environment };
  const log = (line: string) => ctx.sink.info(`[${definition.name}] ${line}`);
  if (ctx.cancel?.requested.aborted) return { ...entry, error: 'not started: the job was cancelled; nothing was written' };

  let target: DeployTarget;
  let backup: Backup;
  let liveId: string | null;
  try {
    target = prepareTarget(definition, ctx.environment, ctx.env);
    for (const value of target.secretValues) registerSecret(value);
    const published = await ctx.dify.getPublished(target.appId);
    liveId = published?.id ?? null;
    backup = await backupLiveApp(ctx.dify, {
      appId: target.appId,
      name: definition.name,
      environment: ctx.environment,
      dir: policy.backupDir,
      published,
    });
    log(backup.yaml ? `backed up the draft to ${backup.file}` : 'the app has no draft yet: nothing to back up');
  } catch (error) {
    return { ...entry, error: describeError(error) };
  }

  let comparison: EvalComparison | undefined;
  let failure: string | undefined;
  try {
    await importDraft(ctx.dify, target, { allowVersionChange: policy.allowDslVersionChange });
    log('candidate imported into the draft (not published)');
    comparison = await evaluateCandidate(ctx, definition, target.appId, {
      live: liveId !== null,
      log,
      concurrency: policy.caseConcurrency,
      signal: ctx.cancel?.requested,
    });
  } catch (error) {
    failure = describeError(error);
    log(`✗ ${failure}`);
  }

  try {
    await putDraftBack(ctx, definition, target, backup, liveId, log);
  } catch (error) {
    const manualCommand = await restoreCommandFor(ctx, item, backup.file, null);
    log(`✗ could not put the draft back: ${describeError(error)}`);
    return {
      ...entry,
      comparison,
      error: `${failure ? `${failure}; then ` : ''}the draft could not be put back: ${describeError(error)}`,
      backupFile: backup.file,
      manualCommand,
    };
  }
  return { ...entry, comparison, error: failure, backupFile: backup.file };
}

async function putDraftBack(
  ctx: StageContext,
  definition: ValidDefinition,
  target: DeployTarget,
  backup: Backup,
  liveId: string | null,
  log: (line: string) => void,
): Promise<void> {
  if (backup.yaml.trim()) {
    await importDraft(ctx.dify, targetFromExport(ctx, definition, target, backup.yaml, backup.file), { allowVersionChange: true });
    log('draft put back from the backup');
  } else {
    log('the app had no draft before: the candidate stays in it, unpublished');
  }
  const live = await ctx.dify.getPublished(target.appId);
  if ((live?.id ?? null) !== liveId) {
    throw new UserError('restore.failed', `The published version of app ${target.appId} changed during the eval.`, {
      hint: 'Another deploy or an editor published it meanwhile: give eval and deploy one concurrency group.',
      details: { final: true },
    });
  }
}
