// eval: validate → pick the definitions with eval cases (named, all, or changed against the base)
// → per definition, bounded fan-out: back up the draft, import the candidate, run every case
// against it and against live, put the draft back → JSON report, job summary, plan-comment section.
// Publishes nothing. Exit 1 when a gate fails, a case cannot be judged, or a draft cannot be put back.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ValidDefinition } from '../definition/types.js';
import type { Git } from '../git/git.js';
import type { RunOutcome } from '../outcomes.js';
import { type EvalEntry, renderEvalReport, toEvalJson } from '../report/eval-summary.js';
import type { ReportSink } from '../report/sink.js';
import { selectChanged } from '../selection.js';
import type { CommonSettings, EvalOptions } from '../settings.js';
import { connectGitHub, connectStages } from '../stages/connect.js';
import { evalDefinition } from '../stages/eval-definition.js';
import { evalInPreview, type PreviewRef } from '../stages/preview.js';
import { checkEnvironments } from '../stages/target.js';
import { type Cancellation, NEVER_CANCELLED } from '../support/cancellation.js';
import { mapLimit } from '../support/concurrency.js';
import { reportValidation, validateWorkflowsDir } from './validate.js';
import { planMarker } from '../report/plan-comment.js';
import { describeError, UserError } from '../support/errors.js';

interface Item {
  file: string;
  name: string;
  version: string;
  text: string;
  definition: ValidDefinition;
}

export async function runEval(
  settings: CommonSettings,
  options: EvalOptions,
  deps: { git: Git; sink: ReportSink; env?: Record<string, string | undefined>; cancel?: Cancellation },
): Promise<RunOutcome> {
  const { git, sink } = deps;
  const cancel = deps.cancel ?? NEVER_CANCELLED;
  const { report, valid } = await sink.group('Validate', async () => {
    const result = await validateWorkflowsDir(settings, git);
    reportValidation(result.report, sink);
    return result;
  });
  if (!report.ok) {
    sink.info('Validation failed: nothing was evaluated.');
    return { exitCode: 1, json: { ok: false, definitions: [] }, failure: 'dify-gitops eval: validation failed.' };
  }
  const head = settings.github.pullHead ?? settings.github.sha ?? (await git.headSha());
  const items: Item[] = valid.map(({ file, definition }) => ({
    file: file.file,
    name: definition.name,
    version: definition.version,
    text: file.text,
    definition,
  }));
  const chosen = await choose(items, settings, options, git, head, (line) => sink.info(line));
  const selected = chosen.filter((item) => (item.definition.evals?.cases ?? []).length > 0);
  sink.info(`Evaluating ${selected.length} definition(s) with eval cases (of ${chosen.length} selected).`);

  let entries: EvalEntry[] = [];
  if (selected.length > 0) {
    const preview = options.preview ? previewRef(settings) : undefined;
    checkEnvironments(selected, settings.environment);
    const stage = await connectStages(settings, {
      git,
      sink,
      commit: head,
      env: deps.env ?? process.env,
      smokeRetryBudget: 0,
      cancel,
      stateVariable: options.stateVariable,
    });
    const difyUrl = settings.dify?.url ?? '';
    entries = await sink.group(`Evaluate ${selected.length} definition(s), ${options.concurrency} at a time`, () =>
      mapLimit(selected, options.concurrency, (item) =>
        preview ? evalInPreview(stage, item, { ...options, difyUrl, preview }) : evalDefinition(stage, item, options),
      ),
    );
    await stage.dify.close?.();
  }

  const run = { environment: settings.environment, sha: head, runUrl: settings.github.runUrl };
  // A cancelled eval proves nothing about the candidate, whatever the gates computed from what ran.
  const cancelled = cancel.requested.aborted;
  const json = {
    ok: !cancelled && entries.every((e) => e.comparison?.passed && !e.error),
    cancelled,
    environment: settings.environment,
    sha: head,
    definitions: toEvalJson(entries),
  };
  await mkdir(path.dirname(options.reportFile), { recursive: true });
  await writeFile(options.reportFile, `${JSON.stringify(json, null, 2)}\n`);
  sink.info(`Eval report written to ${path.relative(settings.root, options.reportFile) || options.reportFile}.`);
  const markdown = renderEvalReport(run, entries);
  await sink.summary(markdown);
  await tryPostEvalSection(settings, sink, markdown);
  if (settings.surface === 'cli' && !settings.json) sink.info(`\n${markdown.trimEnd()}`);
  const failed = entries.filter((e) => !(e.comparison?.passed && !e.error)).map((e) => e.name);
  if (cancelled) {
    return { exitCode: 1, json, failure: 'dify-gitops eval was cancelled: the cases that did not run prove nothing, so it did not pass.' };
  }
  return {
    exitCode: failed.length ? 1 : 0,
    json,
    failure: failed.length ? `dify-gitops eval: ${failed.join(', ')} failed (see the summary).` : undefined,
  };
}

/** Previews belong to a pull request: refused before anything is written when there is none. */
function previewRef(settings: CommonSettings): PreviewRef {
  const { pullNumber, repository } = settings.github;
  if (!pullNumber || !repository) {
    throw new UserError('usage', 'preview: true runs on a pull request (its number names the preview apps), and this run has none.', {
      hint: "Use it in a pull_request workflow, or drop preview to evaluate in the environment apps' drafts.",
    });
  }
  return { repository, pullNumber };
}

/** A named definition, every one, or those changed against the base (the pull request's). */
async function choose(
  items: Item[],
  settings: CommonSettings,
  options: EvalOptions,
  git: Git,
  head: string,
  log: (line: string) => void,
): Promise<Item[]> {
  if (options.workflow && options.workflow !== 'all') {
    const named = items.find((item) => item.name === options.workflow);
    if (!named) {
      throw new UserError('usage', `No valid definition is named "${options.workflow}".`, {
        hint: `Use one of: ${items.map((i) => i.name).join(', ') || 'none'}.`,
      });
    }
    return [named];
  }
  const all = options.all || options.workflow === 'all';
  const base = settings.baseRef ?? settings.github.pullBase ?? settings.github.pushBefore;
  const { selected, basis } = await selectChanged(items, { git, all, base, head, dir: settings.workflowsDir, log });
  log(`Selected ${selected.length} of ${items.length} definition(s) (${basis}).`);
  return selected;
}

/** The eval's section of the pull request's sticky plan comment. Best effort, like the plan's comment. */
async function tryPostEvalSection(settings: CommonSettings, sink: ReportSink, markdown: string): Promise<void> {
  const issueNumber = settings.github.pullNumber;
  const github = connectGitHub(settings.github);
  if (!issueNumber || !github) return;
  try {
    await github.upsertCommentSection({ issueNumber, marker: planMarker(settings.environment), section: 'eval', body: markdown });
    sink.info(`Wrote the eval section of the plan comment on pull request #${issueNumber}.`);
  } catch (error) {
    sink.warn(`Could not write the eval section of the plan comment on #${issueNumber}: ${describeError(error)}`);
  }
}
