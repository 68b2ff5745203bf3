// The deploy's eval gate: the candidate sits in the draft (imported, not published), so its eval
// cases run there and against live before anything is published. A failed gate publishes nothing;
// the draft is put back from the backup taken before the import, and live is checked untouched.
import type { ValidDefinition } from '../definition/types.js';
import type { WorkflowVersion } from '../dify/types.js';
import type { DefinitionOutcome } from '../outcomes.js';
import { describeError, UserError } from '../support/errors.js';
import type { Backup } from './backup.js';
import type { StageContext } from './context.js';
import { evaluateCandidate } from './evaluate.js';
import { importDraft } from './import-publish.js';
import { restoreCommandFor, targetFromExport } from './rollback.js';
import type { DeployTarget } from './target.js';

/** Before any write: a definition with eval cases needs draft runs, which a dfoa_ token alone cannot make. */
export function assertCanEvaluate(ctx: Pick<StageContext, 'dify'>, definition: ValidDefinition): void {
  if ((definition.evals?.cases ?? []).length === 0 || ctx.dify.runDraft) return;
  throw new UserError('eval.unsupported', `${definition.name} has eval cases, and this sign-in cannot run a draft to evaluate them.`, {
    hint: 'Give dify-email and dify-password (or a console token) besides the dfoa_ token; nothing was written.',
    location: { path: '/evals' },
  });
}

/** Throws `deploy.eval-gate` when a gate fails; records the comparison on the outcome either way. */
export async function gateOnEvals(
  ctx: StageContext,
  definition: ValidDefinition,
  appId: string,
  sides: { live: boolean; concurrency?: number },
  outcome: DefinitionOutcome,
  log: (line: string) => void,
): Promise<void> {
  if ((definition.evals?.cases ?? []).length === 0) return;
  const evaluation = await evaluateCandidate(ctx, definition, appId, { ...sides, log, signal: ctx.cancel?.requested });
  outcome.evaluation = evaluation;
  const failed = evaluation.gates.filter((g) => !g.passed);
  const regressed = evaluation.regressions.length ? `; regressed: ${evaluation.regressions.join(', ')}` : '';
  if (failed.length === 0) {
    log(`eval gates passed (${evaluation.candidate.passed}/${evaluation.candidate.cases} cases${regressed})`);
    return;
  }
  throw new UserError('deploy.eval-gate', `eval gate failed: ${failed.map((g) => g.message).join('; ')}${regressed}`, {
    hint: 'Nothing was published. Fix the candidate (see the regressed cases in the summary), or change the gates in "evals.gates", then push again.',
    location: { path: '/evals/gates' },
  });
}

/** After a refused candidate: the backed-up draft imported again, and live verified as it was. */
export async function restoreDraftAfterGate(
  ctx: StageContext,
  refused: {
    item: { file: string; definition: ValidDefinition };
    target: DeployTarget;
    backup: Backup;
    liveBefore: WorkflowVersion | null;
    log: (line: string) => void;
    error: string;
  },
): Promise<Partial<DefinitionOutcome>> {
  const { item, target, backup, log } = refused;
  const base = { result: 'failed' as const, error: refused.error, backupFile: backup.file };
  try {
    if (backup.yaml.trim()) {
      await importDraft(ctx.dify, targetFromExport(ctx, item.definition, target, backup.yaml, backup.file), { allowVersionChange: true });
      log('nothing published; the draft is restored from the backup');
    } else {
      log('nothing published; the app had no draft before, so the refused candidate stays in it, unpublished');
    }
    const live = await ctx.dify.getPublished(target.appId);
    if ((live?.id ?? null) !== (refused.liveBefore?.id ?? null)) {
      throw new UserError('restore.failed', 'The published version changed while the candidate was evaluated.', {
        hint: 'Another deploy or an editor published this app meanwhile: check the concurrency group of your workflows.',
        details: { final: true },
      });
    }
    return { ...base, notes: ['refused by its eval gates: nothing was published, the draft was restored from the backup'] };
  } catch (error) {
    const manualCommand = await restoreCommandFor(ctx, item, backup.file, refused.liveBefore);
    log(`✗ could not restore the draft: ${describeError(error)}`);
    return {
      ...base,
      result: 'restore-failed',
      manualCommand,
      notes: [`the draft could not be restored (${describeError(error)}); backup kept at ${backup.file}`],
    };
  }
}
