// deploy: validate → select changed → (per definition, bounded fan-out) back up → import → publish
// → smoke-check → release, or roll back. Ends with every definition deployed-and-healthy,
// skipped, or restored-and-verified, and says which. A cancelled job (SIGINT, SIGTERM) starts nothing
// new, rolls back what it published but did not verify, and still reports before the runner kills it.
import type { CommonSettings, DeployOptions } from '../settings.js';
import type { Clock } from '../support/clock.js';
import type { Git } from '../git/git.js';
import type { ReportSink } from '../report/sink.js';
import type { LoadedFile } from '../definition/types.js';
import { validateWorkflowsDir, reportValidation } from './validate.js';
import { selectChanged } from '../selection.js';
import { connectStages } from '../stages/connect.js';
import { deployDefinition } from '../stages/deploy-definition.js';
import type { DefinitionOutcome } from '../outcomes.js';
import { finishReleases } from '../release/publish.js';
import { mapLimit } from '../support/concurrency.js';
import { renderDeploySummary, reportDeployOutputs } from '../report/deploy-summary.js';
import { notifyOutcomes } from '../notify/outcomes.js';
import { checkEnvironments } from '../stages/target.js';
import { NEVER_CANCELLED, type Cancellation } from '../support/cancellation.js';
import { sourceText } from '../definition/dsl-file.js';

export async function runDeploy(
  settings: CommonSettings,
  options: DeployOptions,
  deps: { git: Git; sink: ReportSink; env?: Record<string, string | undefined>; clock?: Clock; cancel?: Cancellation },
): Promise<{ exitCode: number; json: unknown; failure?: string }> {
  const { git, sink } = deps;
  const cancel = deps.cancel ?? NEVER_CANCELLED;
  const run = { environment: settings.environment, dryRun: options.dryRun };
  const { report, files, valid } = await sink.group('Validate', async () => {
    const result = await validateWorkflowsDir(settings, git);
    reportValidation(result.report, sink);
    return result;
  });
  if (!report.ok) {
    sink.info('Validation failed: nothing was deployed.');
    await sink.summary(renderDeploySummary(run, [], 'validation failed: nothing was deployed'));
    return { exitCode: 1, json: { ok: false, outcomes: [] } };
  }

  const head = settings.github.sha ?? (await git.headSha());
  const candidates = valid.map(({ file, definition }) => ({
    file: file.file,
    dslFile: file.dslFile?.file,
    name: definition.name,
    version: definition.version,
    text: sourceText(file),
    definition,
  }));
  const selection = await selectChanged(candidates, {
    git,
    all: options.all,
    base: settings.baseRef ?? settings.github.pushBefore,
    head,
    dir: settings.workflowsDir,
    log: (l) => sink.info(l),
  });
  sink.info(`Selected ${selection.selected.length} of ${candidates.length} definition(s) (${selection.basis}).`);
  if (selection.selected.length === 0) {
    reportDeployOutputs(sink, []);
    await sink.summary(renderDeploySummary(run, [], 'no definition changed'));
    return { exitCode: 0, json: { ok: true, outcomes: [] } };
  }

  // A definition deploys only to environments it names: refused before connecting, so nothing is written.
  checkEnvironments(selection.selected, settings.environment);
  if (cancel.requested.aborted) {
    sink.warn('The job was cancelled before connecting to Dify: nothing was deployed.');
    await sink.summary(renderDeploySummary(run, [], 'cancelled before connecting to Dify: nothing was deployed'));
    return {
      exitCode: 1,
      json: { ok: false, cancelled: true, outcomes: [] },
      failure: 'dify-gitops deploy: cancelled; nothing was deployed.',
    };
  }
  const stage = await connectStages(settings, {
    git,
    sink,
    commit: head,
    env: deps.env ?? process.env,
    smokeRetryBudget: options.smokeRetries,
    clock: deps.clock,
    cancel,
    stateVariable: options.stateVariable,
  });
  // Definitions deploy concurrently, so their lines interleave (each prefixed [name]) in one group.
  const outcomes: DefinitionOutcome[] = await sink.group(
    `Deploy ${selection.selected.length} definition(s), ${options.concurrency} at a time`,
    () =>
      mapLimit(selection.selected, options.concurrency, (item) =>
        deployDefinition(stage, { file: item.file, definition: item.definition, text: item.text }, options),
      ),
  );
  // Tags record versions already healthy, so a cancelled job still pushes them while it has time:
  // a verified version without its tag would be skipped as "already live" and never tagged.
  if (!cancel.expired.aborted) {
    await sink.group('Release', () =>
      finishReleases(
        stage,
        outcomes.map((outcome, i) => ({ outcome, definition: selection.selected[i].definition })),
        options.concurrency,
      ),
    );
  } else {
    for (const o of outcomes) if (o.tag && !o.error) o.error = `deployed and healthy, but the job was cancelled before ${o.tag} was pushed`;
  }

  const cancelled = cancel.requested.aborted;
  reportDeployOutputs(sink, outcomes);
  await sink.summary(
    renderDeploySummary(
      run,
      outcomes,
      cancelled ? '⚠️ The job was cancelled: nothing new was started, and what was published but not verified was rolled back.' : undefined,
    ),
  );
  if (!cancel.expired.aborted) await notifyOutcomes({ ...options, github: settings.github }, outcomes, 'deploy', sink);
  for (const o of outcomes) {
    if (o.result === 'restore-failed')
      sink.warn(`${o.name}: NOT restored. Backup kept at ${o.backupFile}. Finish by hand: ${o.manualCommand}`);
  }
  const failed = outcomes.filter((o) => !(o.result === 'deployed' || o.result === 'skipped' || o.result === 'would-deploy') || o.error);
  annotateFailures(sink, failed, files);
  const failure = failed.length
    ? `dify-gitops deploy${cancelled ? ' (cancelled)' : ''}: ${failed.map((o) => `${o.name} ${o.result === 'deployed' ? 'deployed but not released' : o.result}`).join(', ')}.`
    : cancelled
      ? 'dify-gitops deploy: cancelled.'
      : undefined;
  const ok = failed.length === 0 && !cancelled;
  return { exitCode: ok ? 0 : 1, json: { ok, ...(cancelled ? { cancelled } : {}), outcomes }, failure };
}

/** Each failure as an annotation on its definition file, at the JSON path when one is known. */
function annotateFailures(sink: ReportSink, failed: DefinitionOutcome[], files: LoadedFile[]): void {
  for (const o of failed) {
    const file = files.find((f) => f.file === o.file);
    const { line, column } = file?.locate(o.pointer ?? '') ?? { line: 1, column: 1 };
    const what =
      o.result === 'rolled-back'
        ? `rolled back to ${o.restoredTo}`
        : o.result === 'restore-failed'
          ? `NOT restored; finish with: ${o.manualCommand}`
          : o.result;
    sink.diagnostic({
      file: o.file,
      path: o.pointer ?? '',
      line,
      column,
      severity: 'error',
      message: `${o.name} ${o.version} (${o.environment}): ${what}. ${o.error ?? ''}`.trim(),
    });
  }
}
