// A bumped version whose content is already live and verified (only the envelope changed: its
// description, smoke checks, metadata): nothing is imported or published. The new version's smoke
// checks run against the live app; once they pass, the live version is re-marked with the new
// version and the run tags it. Nothing in the app's content is written, so nothing needs a backup
// or a rollback: a failing check fails this definition loudly, and nothing is marked or tagged.
import type { ValidDefinition } from '../definition/types.js';
import type { WorkflowVersion } from '../dify/types.js';
import type { DefinitionOutcome } from '../outcomes.js';
import { buildReleaseMarks } from '../release/marks.js';
import { releaseTag } from '../release/tags.js';
import { describeError } from '../support/errors.js';
import type { StageContext } from './context.js';
import { runSmokeChecks, smokeKeyFor, tallyHealth } from './smoke-check.js';
import type { DeployTarget } from './target.js';

type OutcomePatch = Partial<DefinitionOutcome> & Pick<DefinitionOutcome, 'result' | 'notes'>;

export async function releaseUnchanged(
  ctx: StageContext,
  input: { definition: ValidDefinition; target: DeployTarget; live: WorkflowVersion; dryRun: boolean },
  log: (line: string) => void,
): Promise<OutcomePatch> {
  const { definition, target, live } = input;
  const was = live.marked_name || live.id;
  const note = `content unchanged since ${was}: nothing imported; the live version was checked, re-marked and tagged as ${definition.version}`;
  if (input.dryRun) {
    log(
      `would import nothing (content unchanged since ${was}), run ${definition.smoke?.length ?? 0} smoke check(s) against the live app, re-mark it and tag ${releaseTag(definition.name, definition.version)}`,
    );
    return { result: 'would-deploy', notes: [] };
  }
  if (ctx.cancel?.requested.aborted) {
    return { result: 'failed', notes: [], error: 'The job was cancelled before the smoke checks. Nothing was written.' };
  }
  log(`content unchanged since ${was} (live and verified): nothing to import; checking the live app`);
  try {
    const key = await smokeKeyFor(ctx, definition, target.appId);
    const health = await runSmokeChecks(definition, ctx.service(key), {
      retryBudget: ctx.smokeRetryBudget,
      onProgress: log,
      signal: ctx.cancel?.requested,
    });
    if (!health.passed) {
      const failed = health.checks.filter((c) => !c.passed).map((c) => `${c.name}: ${c.failures.join('; ')}`);
      return {
        result: 'failed',
        notes: [],
        checks: tallyHealth(health),
        error: `smoke check failed against the live app: ${failed.join(' | ')}. The app's content is unchanged: nothing was imported, so there is nothing to roll back, and ${definition.version} was not marked or tagged. Fix the checks (or the app), then push again.`,
      };
    }
    // The checks proved whatever was live while they ran: if that is no longer the version read at
    // the start, another run or an editor published meanwhile, and the marks would name the wrong one.
    const now = await ctx.dify.getPublished(target.appId);
    if (now?.id !== live.id) {
      return {
        result: 'failed',
        notes: [],
        checks: tallyHealth(health),
        error: `Another version was published in app ${target.appId} during the smoke checks: ${definition.version} was not marked or tagged. Re-run the deploy.`,
      };
    }
    // The old marks, in the log: re-marking replaces them, and this line is how they could be put back.
    log(`re-marking the live version ${live.id} (was "${live.marked_name ?? ''}" / "${live.marked_comment ?? ''}")`);
    const marked = await ctx.dify.markVersion(target.appId, live.id, buildReleaseMarks(target, ctx.commit));
    const notes = [note];
    if (!marked) notes.push(`this Dify cannot re-mark a published version: the live version keeps the name ${was}`);
    return {
      result: 'deployed',
      notes,
      checks: tallyHealth(health),
      hash: target.hash,
      tag: releaseTag(definition.name, definition.version),
    };
  } catch (error) {
    log(`✗ ${describeError(error)}`);
    return { result: 'failed', notes: [], error: `${describeError(error)} Nothing was imported; ${definition.version} was not tagged.` };
  }
}
