// Settings → command → report. The single place that catches.
import * as core from './support/actions-core.js';
import type { Settings } from './settings.js';
import type { ReportSink } from './report/sink.js';
import { createGit } from './git/git.js';
import { describeError } from './support/errors.js';
import type { RunOutcome } from './outcomes.js';
import { redact, redactDeep } from './support/redact.js';
import { withSignalCancellation } from './support/cancellation.js';
import { stackOf } from './support/stack-traces.js';

export type { RunOutcome } from './outcomes.js';

export async function runCommand(settings: Settings, sink: ReportSink): Promise<RunOutcome> {
  const git = createGit(settings.root);
  // Each command is loaded when it runs. validate, fmt and adopt live in the bundle's main file
  // ("eager") and never compile the online commands, undici or libsodium: each has its own file.
  switch (settings.command) {
    case 'validate': {
      const { runValidate } = await import(/* webpackMode: "eager" */ './commands/validate.js');
      const { report, exitCode, changed } = await runValidate(settings, { git, sink });
      return { exitCode, json: { ...toJsonReport(report), changed } };
    }
    case 'fmt':
      return (await import(/* webpackMode: "eager" */ './commands/fmt.js')).runFmt(settings, settings.options, { sink });
    case 'adopt':
      return (await import(/* webpackMode: "eager" */ './commands/adopt.js')).runAdopt(settings, settings.options, { sink });
    case 'deploy': {
      const { runDeploy } = await import('./commands/online.js');
      // A cancelled job (SIGINT, then SIGTERM) rolls back what it half did instead of dying mid-publish.
      return withSignalCancellation((cancel) => runDeploy(settings, settings.options, { git, sink, cancel }), {
        onSignal: (line) => sink.warn(line),
      });
    }
    case 'eval': {
      const { runEval } = await import('./commands/online.js');
      // A cancelled eval starts no further run and still puts every draft back.
      return withSignalCancellation((cancel) => runEval(settings, settings.options, { git, sink, cancel }), {
        onSignal: (line) => sink.warn(line),
        says: {
          first: 'cancelling. No further eval run starts; every draft is put back from its backup.',
          again: 'putting the drafts back while time allows, then reporting.',
        },
      });
    }
    case 'cleanup-previews':
      return (await import('./commands/online.js')).runCleanupPreviews(settings, settings.options, { sink });
    case 'rollback': {
      const { runRollback } = await import('./commands/online.js');
      // Restores not yet begun are not started; the one in flight verifies while time lasts, else says how to finish.
      return withSignalCancellation((cancel) => runRollback(settings, settings.options, { git, sink, cancel }), {
        onSignal: (line) => sink.warn(line),
        says: {
          first: 'cancelling. No further restore starts; the one in progress is verified while time allows.',
          again: 'finishing the restore in progress while time allows, then reporting.',
        },
      });
    }
    case 'rotate-keys': {
      const { runRotateKeys } = await import('./commands/online.js');
      // A cancelled rotation revokes nothing, deletes keys it created but did not hand over, and restores unverified redeploys.
      return withSignalCancellation((cancel) => runRotateKeys(settings, settings.options, { git, sink, cancel }), {
        onSignal: (line) => sink.warn(line),
        says: {
          first:
            'cancelling. No rotation starts and nothing is revoked; a key not handed over is deleted, an unverified redeploy is restored.',
          again: 'finishing what is in progress while time allows, then reporting.',
        },
      });
    }
    case 'render':
      return (await import('./commands/online.js')).runRender(settings, settings.options, { sink });
    case 'doctor':
      return (await import('./commands/online.js')).runDoctor(settings, settings.options, { sink });
    case 'plan':
      return (await import('./commands/online.js')).runPlan(settings, settings.options, { git, sink });
    case 'drift':
      return (await import('./commands/online.js')).runDrift(settings, settings.options, { git, sink });
    case 'pull': {
      const { runPull } = await import('./commands/online.js');
      // No Dify writes, but files, a branch and a pull request: a cancelled pull stops before the next of them.
      return withSignalCancellation((cancel) => runPull(settings, settings.options, { git, sink, cancel }), {
        onSignal: (line) => sink.warn(line),
        says: { first: 'cancelling. Nothing new starts: no branch is pushed and no pull request opened.', again: 'reporting.' },
      });
    }
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
  if (!(error instanceof Error)) return;
  const wanted = settings.surface === 'action' || process.env.DIFY_GITOPS_DEBUG;
  const stack = wanted ? stackOf(error) : undefined;
  if (!stack) return;
  if (settings.surface === 'action') core.debug(redact(stack));
  else process.stderr.write(`${redact(stack)}\n`);
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
