// pull: export each named app's live draft and rewrite its definition from it (canonical form,
// envelope kept), so edits made in Dify's UI come back into git as a reviewable diff.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CommonSettings, PullOptions } from '../settings.js';
import type { Git } from '../git/git.js';
import type { ReportSink } from '../report/sink.js';
import type { DifyConsole } from '../dify/types.js';
import { connectDify } from '../stages/connect.js';
import { exportDraft } from '../dify/drafts.js';
import { loadNamedDefinitions, type NamedDefinition } from '../selection.js';
import { resolveAppId } from '../stages/target.js';
import { rewriteFromExport } from '../plan/pull-rewrite.js';
import { formatCanonical } from '../definition/canonical.js';
import { ownValue } from '../definition/dsl-file.js';
import { proposePulledChanges } from '../stages/pull-request.js';
import { Outputs } from '../inputs.js';
import { renderPullSummary, type PullOutcome } from '../report/pull-summary.js';
import { describeError, UserError } from '../support/errors.js';
import { NEVER_CANCELLED, type Cancellation } from '../support/cancellation.js';

export async function runPull(
  settings: CommonSettings,
  options: PullOptions,
  deps: { git: Git; sink: ReportSink; cancel?: Cancellation },
): Promise<{ exitCode: number; json: unknown; failure?: string }> {
  const { sink } = deps;
  const cancel = deps.cancel ?? NEVER_CANCELLED;
  const names = options.all || options.workflow === 'all' ? 'all' : [...options.names, ...(options.workflow ? [options.workflow] : [])];
  if (names !== 'all' && names.length === 0) {
    throw new UserError(
      'usage',
      settings.surface === 'action'
        ? 'pull needs "workflow" (a definition name, or "all") or all: true.'
        : 'Usage: dify-gitops pull NAME [NAME…] | --all [--environment production] [--dir workflows]',
    );
  }
  const { definitions, unreadable } = await loadNamedDefinitions(settings, names);
  const dify = (await sink.group('Connect', () => connectDify(settings, sink, cancel.expired))).console;
  const outcomes: PullOutcome[] = [];
  await sink.group(`Pull from ${settings.environment}`, async () => {
    // One at a time: each writes its own file, and the log reads in order.
    for (const d of definitions) {
      // A cancelled job starts no further export and writes no further file.
      if (cancel.requested.aborted) {
        outcomes.push({
          name: d.definition.name,
          file: d.file.file,
          changed: false,
          warnings: [],
          error: 'not pulled: the job was cancelled',
        });
        continue;
      }
      outcomes.push(await pullOne(dify, settings, d, sink));
    }
    // Without a readable definition there is no app id to pull from: an error, not a silent skip.
    for (const u of unreadable) {
      outcomes.push({ name: u.name, file: u.file, changed: false, warnings: [], error: u.error });
      sink.warn(`${u.name}: ${u.error}`);
    }
  });

  sink.output(Outputs.pulled, JSON.stringify(outcomes.filter((o) => !o.error).map(({ name, file, changed }) => ({ name, file, changed }))));
  const changed = outcomes.filter((o) => o.changed && !o.error);
  const stopped = options.pullRequest && changed.length > 0 && cancel.requested.aborted;
  await sink.summary(
    renderPullSummary(settings.environment, outcomes) +
      (cancel.requested.aborted
        ? `\n\n⚠️ The job was cancelled: nothing new was started${stopped ? '; no branch was pushed and no pull request opened (the rewritten files are in the checkout only)' : ''}.\n`
        : ''),
  );
  sink.info(describeResult(settings, outcomes));
  if (stopped) sink.warn('The job was cancelled: no branch was pushed and no pull request opened.');
  const pullRequest =
    options.pullRequest && !stopped
      ? await sink.group('Pull request', () => proposePulledChanges(settings, { ...deps, signal: cancel.requested }, changed))
      : undefined;
  const cancelled = cancel.requested.aborted;
  const ok = outcomes.every((o) => !o.error) && !cancelled;
  return {
    exitCode: ok ? 0 : 1,
    json: {
      ok,
      ...(cancelled ? { cancelled } : {}),
      environment: settings.environment,
      pulled: outcomes,
      pull_request: pullRequest ?? null,
    },
    ...(cancelled ? { failure: 'dify-gitops pull: cancelled.' } : {}),
  };
}

async function pullOne(
  dify: DifyConsole,
  settings: CommonSettings,
  { file, definition }: NamedDefinition,
  sink: ReportSink,
): Promise<PullOutcome> {
  const outcome: PullOutcome = { name: definition.name, file: file.file, dslFile: file.dslFile?.file, changed: false, warnings: [] };
  try {
    const appId = resolveAppId(definition, settings.environment);
    const [yaml, app] = await Promise.all([exportDraft(dify, appId), dify.getApp(appId)]);
    if (yaml === null)
      throw new UserError('usage', `App ${appId} has no draft to pull: open it in Dify's editor once, or deploy it first.`);
    const pulled = rewriteFromExport(definition, yaml, settings.environment, `app ${appId}`, app);
    outcome.warnings = pulled.warnings;
    const written: string[] = [];
    if (!pulled.unchanged) {
      // Same workflow, different bytes (key order, formatting) is still "unchanged": only a real edit rewrites.
      // The repository's form is kept: a DSL file gets the export as Dify gave it, the definition its envelope.
      const dslFile = file.dslFile;
      const text = formatCanonical(dslFile ? ownValue({ value: pulled.definition, dslFile }) : pulled.definition);
      if (text !== file.text) written.push(file.file);
      if (dslFile && pulled.dslText !== dslFile.text) written.push(dslFile.file);
      for (const target of written) {
        await writeFile(path.resolve(settings.root, target), target === file.file ? text : pulled.dslText);
      }
      outcome.changed = written.length > 0;
    }
    sink.info(`${definition.name}: ${written.length ? `rewrote ${written.join(' and ')} from the live draft` : 'unchanged'}`);
    for (const w of pulled.warnings) sink.warn(`${definition.name}: ${w}`);
  } catch (error) {
    outcome.error = describeError(error);
    sink.warn(`${definition.name}: ${outcome.error}`);
  }
  return outcome;
}

/** The closing line: what was rewritten, what failed, or that nothing differs. */
function describeResult(settings: CommonSettings, outcomes: PullOutcome[]): string {
  const changed = outcomes.filter((o) => o.changed && !o.error).length;
  const failed = outcomes.filter((o) => o.error).length;
  const parts = [
    changed
      ? `Rewrote ${changed} definition(s): review with "git diff ${settings.workflowsDir}", bump "version" and open a pull request.`
      : '',
    failed ? `${failed} of ${outcomes.length} definition(s) could not be pulled: see the warnings above.` : '',
  ].filter(Boolean);
  if (parts.length) return parts.join(' ');
  if (outcomes.length === 0) return `No definition in ${settings.workflowsDir}/ to pull.`;
  return outcomes.length === 1
    ? 'The definition already matches its live draft.'
    : `All ${outcomes.length} definitions already match their live drafts.`;
}
