// rollback: put one workflow (or all) back to a released version on request: back up what is
// live, import + publish the tagged snapshot, verify the live hash, run its smoke checks.
import type { Settings } from '../settings.js';
import type { Git } from '../git/git.js';
import type { ReportSink } from '../report/sink.js';
import type { Definition } from '../definition/types.js';
import { loadDefinitionFiles } from '../definition/load.js';
import { connectDify, connectGitHub } from './connect.js';
import { backupLiveApp } from '../stages/backup.js';
import type { DefinitionOutcome, StageContext } from '../stages/context.js';
import { findSnapshot } from '../stages/snapshots.js';
import { manualRollbackCommand, restoreSnapshot } from '../stages/rollback.js';
import { recordDeployment } from '../stages/release.js';
import { prepareTarget } from '../stages/target.js';
import { describeError, UsageError } from '../support/errors.js';
import { renderDeploySummary, reportDeployOutputs } from '../report/deploy-summary.js';
import { notifyOutcomes } from '../notify/outcomes.js';
import path from 'node:path';

export async function runRollback(settings: Settings, deps: { git: Git; sink: ReportSink; env?: Record<string, string | undefined> }): Promise<{ exitCode: number; json: unknown }> {
  const { git, sink } = deps;
  if (!settings.workflow || !settings.to) {
    throw new UsageError('rollback needs a workflow (a definition name, or "all") and a version to go to ("to": 1.3.0, a tag, "latest" or "previous").');
  }
  const files = await loadDefinitionFiles(path.resolve(settings.root, settings.workflowsDir), settings.root);
  const known = files.flatMap((f) => (f.value && typeof (f.value as Definition).name === 'string' ? [{ file: f.file, name: (f.value as Definition).name }] : []));
  const chosen = settings.workflow === 'all' ? known : known.filter((k) => k.name === settings.workflow);
  if (chosen.length === 0) {
    throw new UsageError(`No definition named "${settings.workflow}" in ${settings.workflowsDir}/. Known: ${known.map((k) => k.name).join(', ') || 'none'}.`);
  }
  if (!(await git.hasAnyTags())) await git.fetchTags().catch(() => sink.warn('Could not fetch tags; only local tags are known.'));
  // Resolve every snapshot before touching Dify, so a typo in "to" changes nothing.
  const snapshots = await Promise.all(chosen.map((c) => findSnapshot(git, c.name, c.file, settings.to!)));

  const dify = await connectDify(settings, sink);
  const ctx: StageContext = { settings, git, sink, dify: dify.console, service: dify.service, github: connectGitHub(settings), commit: await git.headSha(), env: deps.env ?? process.env, smokeRetryBudget: settings.smokeRetries };
  const outcomes: DefinitionOutcome[] = [];
  for (const [i, snapshot] of snapshots.entries()) {
    const started = performance.now();
    const { definition } = snapshot;
    const log = (line: string) => sink.info(`[${definition.name}] ${line}`);
    const outcome: DefinitionOutcome = { name: definition.name, version: definition.version, file: chosen[i].file, environment: settings.environment, result: 'failed', durationMs: 0, notes: [] };
    try {
      const target = prepareTarget(definition, settings.environment, ctx.env);
      const published = await ctx.dify.getPublished(target.appId);
      const backup = await backupLiveApp(ctx.dify, { appId: target.appId, name: definition.name, environment: settings.environment, dir: settings.backupDir, published });
      outcome.backupFile = backup.file;
      log(`backed up the live draft to ${backup.file}; restoring ${snapshot.tag}`);
      const proof = await restoreSnapshot(ctx, snapshot, settings.environment, log);
      Object.assign(outcome, { result: 'rolled-back', restoredTo: snapshot.tag, verifiedHash: proof.hash, tag: snapshot.tag });
      if (ctx.github) await recordDeployment(ctx.github, { ref: snapshot.tag, subject: target, state: 'success', description: `rolled back to ${definition.version}`, logUrl: settings.github.runUrl });
    } catch (error) {
      Object.assign(outcome, { result: 'restore-failed', error: describeError(error), manualCommand: manualRollbackCommand(definition.name, settings.environment, definition.version) });
      log(`✗ ${describeError(error)}`);
    }
    outcome.durationMs = performance.now() - started;
    outcomes.push(outcome);
  }
  reportDeployOutputs(sink, outcomes);
  await sink.summary(renderDeploySummary(settings, outcomes, `Manual rollback to \`${settings.to}\``));
  await notifyOutcomes(settings, outcomes, 'rollback', sink);
  const ok = outcomes.every((o) => o.result === 'rolled-back');
  return { exitCode: ok ? 0 : 1, json: { ok, outcomes } };
}
