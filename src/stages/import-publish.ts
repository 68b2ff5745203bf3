// Import into the app's draft, then publish: Dify keeps the two apart, and so do we.
import type { DifyConsole, ImportResult, PluginDependency } from '../dify/types.js';
import type { DeployTarget } from './target.js';
import { buildPublishMarks, buildVerifiedMarks } from '../release/marks.js';
import { UserError } from '../support/errors.js';

export interface ImportOutcome {
  importId: string;
  status: ImportResult['status'];
  /** Dify's note when it imported an older-minor DSL. */
  warning?: string;
}

/**
 * A pending import means Dify saw a DSL version it will not take silently (newer than the server,
 * or an older major). Confirming is a decision, so it needs the allow-dsl-version-change input.
 */
export async function importDraft(
  dify: DifyConsole,
  target: DeployTarget,
  options: { allowVersionChange: boolean },
): Promise<ImportOutcome> {
  let result = await dify.importDsl(target.appId, target.yaml);
  if (result.status === 'pending') {
    const versions = `DSL ${result.imported_dsl_version ?? '?'} into a server at ${result.current_dsl_version ?? '?'}`;
    if (!options.allowVersionChange) {
      throw new UserError('deploy.import', `Dify held the import of ${target.name} as pending: ${versions}.`, {
        hint: 'Re-export the app from this Dify version, or set allow-dsl-version-change: true to confirm such imports.',
      });
    }
    result = await dify.confirmImport(result.id);
  }
  if (result.status === 'failed') {
    throw new UserError('deploy.import', `Dify refused the import of ${target.name}: ${result.error || 'no reason given'}.`, {
      hint: 'Fix the definition (see the error), or check that the app is a workflow or chatflow app.',
    });
  }
  const declared = (target.dsl.dependencies ?? []).filter((d): d is PluginDependency => typeof d === 'object' && d !== null);
  const leaked = await dify.missingPlugins(target.appId, declared);
  if (leaked.length) {
    const names = leaked.map((d) => JSON.stringify((d as { value?: unknown }).value ?? d)).join(', ');
    throw new UserError('deploy.import', `The workspace lacks plugins ${target.name} needs: ${names}.`, {
      hint: 'Install these plugins in the target Dify workspace, then re-run the deploy.',
    });
  }
  return {
    importId: result.id,
    status: result.status,
    warning:
      result.status === 'completed-with-warnings'
        ? `imported with warnings (DSL ${result.imported_dsl_version} on a ${result.current_dsl_version} server)`
        : undefined,
  };
}

/** Best effort: an unmarked healthy version only costs the next run a redeploy, never a rollback. */
export async function tryMarkVerified(dify: DifyConsole, appId: string, log: (line: string) => void, ours?: string): Promise<void> {
  try {
    const live = await dify.getPublished(appId);
    // The checks ran against whatever was live; if another run published since our read-back, its
    // version is not the one they proved, and ours is no longer live: mark nothing.
    if (ours && live?.id !== ours) {
      log('not marked as verified: another version was published during the smoke checks; a re-run will check again');
      return;
    }
    const marks = live && buildVerifiedMarks(live);
    if (live && marks) await dify.markVersion(appId, live.id, marks);
  } catch (error) {
    log(`could not mark the published version as verified (${(error as Error).message}); a re-run will deploy and check it again`);
  }
}

export async function publishDraft(dify: DifyConsole, target: DeployTarget, commit: string): Promise<void> {
  await dify.publish(target.appId, buildPublishMarks(target, commit));
}
