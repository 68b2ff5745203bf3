// Settings → command → report. The single place that catches.
import * as core from '@actions/core';
import type { Settings } from './settings.js';
import type { ReportSink } from './report/sink.js';
import { createGit } from './git/git.js';
import { runValidate } from './commands/validate.js';
import { runFmt } from './commands/fmt.js';
import { runAdopt } from './commands/adopt.js';
import { runDeploy } from './commands/deploy.js';
import { runEval } from './commands/eval.js';
import { runCleanupPreviews } from './commands/cleanup-previews.js';
import { runRollback } from './commands/rollback.js';
import { runRotateKeys } from './commands/rotate-keys.js';
import { runPlan } from './commands/plan.js';
import { runDrift } from './commands/drift.js';
import { runPull } from './commands/pull.js';
import { runRender } from './commands/render.js';
import { runDoctor } from './commands/doctor.js';
import { describeError } from './support/errors.js';
import type { RunOutcome } from './outcomes.js';
import { redact, redactDeep } from './support/redact.js';
import { withSignalCancellation } from './support/cancellation.js';

export type { RunOutcome } from './outcomes.js';

export async function runCommand(settings: Settings, sink: ReportSink): Promise<RunOutcome> {
  const git = createGit(settings.root);
  switch (settings.command) {
    case 'validate': {
      const { report, exitCode } = await runValidate(settings, { git, sink });
      return { exitCode, json: toJsonReport(report) };
    }
    case 'fmt':
      return runFmt(settings, settings.options, { sink });
    case 'adopt':
      return runAdopt(settings, settings.options, { sink });
    case 'deploy':
      // A cancelled job (SIGINT, then SIGTERM) rolls back what it half did instead of dying mid-publish.
      return withSignalCancellation((cancel) => runDeploy(settings, settings.options, { git, sink, cancel }), {
        onSignal: (line) => sink.warn(line),
      });
    case 'eval':
      // A cancelled eval starts no further run and still puts every draft back.
      return withSignalCancellation((cancel) => runEval(settings, settings.options, { git, sink, cancel }), {
        onSignal: (line) => sink.warn(line),
        says: {
          first: 'cancelling. No further eval run starts; every draft is put back from its backup.',
          again: 'putting the drafts back while time allows, then reporting.',
        },
      });
    case 'cleanup-previews':
      return runCleanupPreviews(settings, settings.options, { sink });
    case 'rollback':
      // Restores not yet begun are not started; the one in flight verifies while time lasts, else says how to finish.
      return withSignalCancellation((cancel) => runRollback(settings, settings.options, { git, sink, cancel }), {
        onSignal: (line) => sink.warn(line),
        says: {
          first: 'cancelling. No further restore starts; the one in progress is verified while time allows.',
          again: 'finishing the restore in progress while time allows, then reporting.',
        },
      });
    case 'rotate-keys':
      // A cancelled rotation revokes nothing, deletes keys it created but did not hand over, and restores unverified redeploys.
      return withSignalCancellation((cancel) => runRotateKeys(settings, settings.options, { git, sink, cancel }), {
        onSignal: (line) => sink.warn(line),
        says: {
          first:
            'cancelling. No rotation starts and nothing is revoked; a key not handed over is deleted, an unverified redeploy is restored.',
          again: 'finishing what is in progress while time allows, then reporting.',
        },
      });
    case 'render':
      return runRender(settings, settings.options, { sink });
    case 'doctor':
      return runDoctor(settings, settings.options, { sink });
    case 'plan':
      return runPlan(settings, settings.options, { git, sink });
    case 'drift':
      return runDrift(settings, settings.options, { git, sink });
    case 'pull':
      // No Dify writes, but files, a branch and a pull request: a cancelled pull stops before the next of them.
      return withSignalCancellation((cancel) => runPull(settings, settings.options, { git, sink, cancel }), {
        onSignal: (line) => sink.warn(line),
        says: { first: 'cancelling. Nothing new starts: no branch is pushed and no pull request opened.', again: 'reporting.' },
      });
  }
}

/** Run, and turn any failure into one clear message: no stack trace unless debugging. */
export async function runSafely(settings: Settings, sink: ReportSink, onFailure: (message: string) => void): Promise<RunOutcome> {
  // The failure message and --json leave here: both redacted, like every sink line.
  const fail = (message: string) => onFailure(redact(message));
  try {
    const outcome = await runCommand(settings, sink);
    if (outcome.exitCode !== 0 && settings.surface === 'action')
      fail(outcome.failure ?? `dify-gitops ${settings.command} failed: see the errors above.`);
    return { ...outcome, json: redactDeep(outcome.json) };
  } catch (error) {
    debugStack(settings, error);
    fail(describeError(error));
    return { exitCode: 1, json: redactDeep({ ok: false, error: describeError(error) }) };
  }
}

/** The stack is for whoever debugs a bug: the Actions debug log, or stderr with DIFY_GITOPS_DEBUG. */
function debugStack(settings: Settings, error: unknown): void {
  if (!(error instanceof Error) || !error.stack) return;
  if (settings.surface === 'action') core.debug(redact(error.stack));
  else if (process.env.DIFY_GITOPS_DEBUG) process.stderr.write(`${redact(error.stack)}\n`);
}

function toJsonReport(report: import('./definition/types.js').ValidationReport) {
  return {
    ok: report.ok,
    files: report.files.map((f) => ({
      file: f.file,
      ok: f.ok,
      errors: f.errors.map(({ path, line, column, message }) => ({ path, line, column, message })),
      warnings: f.warnings.map(({ path, line, column, message }) => ({ path, line, column, message })),
    })),
  };
}
