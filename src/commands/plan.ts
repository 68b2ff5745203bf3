// plan: validate → pick the definitions the pull request changed → compare each with what is live
// in the environment (or, for a fork without secrets, with the base branch) → one sticky comment
// per environment, the job summary, and the `plan` / `changes` outputs. Writes nothing to Dify.
import type { CommonSettings, PlanOptions } from '../settings.js';
import type { Git } from '../git/git.js';
import type { ReportSink } from '../report/sink.js';
import type { Definition, LoadedFile, ValidationReport, ValidDefinition } from '../definition/types.js';
import type { DifyConsole } from '../dify/types.js';
import { validateWorkflowsDir, reportValidation } from './validate.js';
import { connectDify, connectGitHub } from '../stages/connect.js';
import { ensureTags, readLatestRelease } from '../release/latest.js';
import { exportDraft } from '../dify/drafts.js';
import { resolveAppId } from '../stages/target.js';
import { readDefinitionAt } from '../release/snapshots.js';
import { mapDatasetAliases } from '../definition/workflow-parts.js';
import { buildFailedPlan, buildLivePlan, buildOfflinePlan, type DefinitionPlan } from '../plan/build.js';
import {
  planHasChanges,
  planMarker,
  renderPlanReport,
  reportPlanOutputs,
  SUMMARY_LIMIT,
  toChangesJson,
  type PlanReport,
} from '../report/plan-comment.js';
import { planForTerminal } from '../report/plan-terminal.js';
import { plannedChanges, reportChanged } from '../report/changed-output.js';
import { mapLimit } from '../support/concurrency.js';
import { filesOf, selectChangedBetween } from '../selection.js';
import { describeError, UserError } from '../support/errors.js';

interface Selected {
  file: LoadedFile;
  /** Present when the file validated. */
  definition?: ValidDefinition;
  errors: string[];
}

export async function runPlan(
  settings: CommonSettings,
  options: PlanOptions,
  deps: { git: Git; sink: ReportSink },
): Promise<{ exitCode: number; json: unknown }> {
  const { git, sink } = deps;
  const { report, files } = await sink.group('Validate', async () => {
    const result = await validateWorkflowsDir(settings, git);
    reportValidation(result.report, sink);
    return result;
  });
  const baseRef = settings.baseRef ?? settings.github.pullBase;
  const { selected, basis, base } = await selectForPlan(git, settings, files, report, baseRef);
  sink.info(`Planning ${selected.length} of ${files.length} definition(s): ${basis}.`);

  const offlineReason = findOfflineReason(settings);
  const plans = await sink.group(offlineReason ? 'Plan (offline)' : `Plan against ${settings.environment}`, async () => {
    if (offlineReason || selected.length === 0) return Promise.all(selected.map((s) => planOffline(git, settings, s, base)));
    const dify = (await connectDify(settings, sink)).console;
    await ensureTags(git, (line) => sink.warn(line));
    return mapLimit(selected, options.concurrency, (s) => planLive(git, dify, settings, s));
  });
  for (const p of plans) sink.info(`${p.name}: ${p.status}${p.error ? ` (${p.error.split('\n')[0]})` : ''}`);

  const planReport: PlanReport = {
    environment: settings.environment,
    mode: offlineReason ? 'offline' : 'live',
    offlineReason,
    baseRef,
    basis,
    plans,
    sha: settings.github.pullHead ?? settings.github.sha,
    runUrl: settings.github.runUrl,
    changesOnly: options.changesOnly,
  };
  const markdown = renderPlanReport(planReport);
  reportPlanOutputs(sink, markdown, plans);
  reportChanged(sink, plannedChanges(plans));
  // The job summary has room for every diff; the comment falls back to the table when it has not.
  const full = renderPlanReport(planReport, SUMMARY_LIMIT);
  await sink.summary(full);
  await tryPostComment(settings, sink, markdown);
  if (settings.surface === 'cli' && !settings.json) sink.info(`\n${planForTerminal(full).trimEnd()}`);
  const ok = report.ok && plans.every((p) => p.status !== 'error' && p.status !== 'invalid');
  const hasChanges = planHasChanges(plans);
  const exitCode = !ok ? 1 : options.detailedExitcode && hasChanges ? 2 : 0;
  return {
    exitCode,
    json: {
      ok,
      environment: settings.environment,
      mode: planReport.mode,
      hasChanges,
      changed: plannedChanges(plans),
      changes: toChangesJson(plans),
    },
  };
}

/** Why Dify cannot be read (fork pull requests get no secrets), or undefined for a live plan. */
function findOfflineReason(settings: CommonSettings): string | undefined {
  if (settings.github.fork) return 'This pull request comes from a fork, so it gets no secrets and Dify cannot be read.';
  if (settings.dify) return undefined;
  return settings.surface === 'action'
    ? 'No Dify credentials were given (dify-url with dify-email + dify-password, or dify-token).'
    : 'No Dify credentials were given (DIFY_URL with DIFY_EMAIL + DIFY_PASSWORD, or DIFY_TOKEN).';
}

/** The definitions the pull request changed (added or modified), or all of them without a base. */
async function selectForPlan(
  git: Git,
  settings: CommonSettings,
  files: LoadedFile[],
  report: ValidationReport,
  baseRef: string | undefined,
) {
  const withStatus = files.map((file): Selected => {
    const r = report.files.find((f) => f.file === file.file);
    return { file, definition: r?.definition, errors: (r?.errors ?? []).map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}`) };
  });
  if (!baseRef) return { selected: withStatus, basis: 'every definition (no base ref was given)', base: undefined };
  const base = await git.resolve(baseRef);
  if (!base) {
    throw new UserError('git.unknown-ref', `The base ref "${baseRef}" is not in this checkout.`, {
      hint: 'Check out with history (actions/checkout with fetch-depth: 0), or fetch the base branch first.',
      details: { args: [], exitCode: null, stderr: '' },
    });
  }
  const head = settings.github.sha ?? (await git.headSha());
  const range = { base, head, dir: settings.workflowsDir };
  const { selected, basis } = await selectChangedBetween(
    git,
    withStatus,
    (s) => filesOf({ file: s.file.file, dslFile: s.file.dslFile?.file }),
    range,
  );
  return { selected, basis: `definitions ${basis}`, base };
}

async function planLive(git: Git, dify: DifyConsole, settings: CommonSettings, s: Selected): Promise<DefinitionPlan> {
  const definition = s.definition;
  if (!definition) return invalidPlan(settings, s, 'live');
  const environment = settings.environment;
  try {
    const appId = resolveAppId(definition, environment);
    const { dsl, unmapped } = mapDatasetAliases(definition, environment);
    // The draft too: the deploy imports over it, so unpublished edits made in Dify's editor are lost.
    const [published, release, draftYaml, app] = await Promise.all([
      dify.getPublished(appId),
      readLatestRelease(git, definition.name, s.file.file, environment),
      exportDraft(dify, appId),
      dify.getApp(appId),
    ]);
    // The published version's own export: its plugin dependencies, which the Workflow object lacks.
    const publishedYaml = published ? await dify.exportDsl(appId, { workflowId: published.id }) : null;
    return buildLivePlan({
      name: definition.name,
      file: s.file.file,
      environment,
      appId,
      versionTo: definition.version,
      dsl,
      unmapped,
      published,
      release,
      draftYaml,
      app,
      publishedYaml,
    });
  } catch (error) {
    return buildFailedPlan({
      name: definition.name,
      file: s.file.file,
      environment,
      mode: 'live',
      versionTo: definition.version,
      status: 'error',
      error: describeError(error),
    });
  }
}

async function planOffline(git: Git, settings: CommonSettings, s: Selected, base: string | undefined): Promise<DefinitionPlan> {
  const head = s.definition;
  if (!head) return invalidPlan(settings, s, 'offline');
  let before: Definition | null = null;
  try {
    if (base) {
      before = await readDefinitionAt(git, base, s.file.file);
    } else {
      // No base (a terminal run without Dify): the latest release is the best "before" there is.
      before = (await readLatestRelease(git, head.name, s.file.file, settings.environment))?.definition ?? null;
    }
  } catch {
    // An unreadable earlier version has nothing to compare with: plan it as new.
  }
  return buildOfflinePlan({ file: s.file.file, environment: settings.environment, base: before, head });
}

function invalidPlan(settings: CommonSettings, s: Selected, mode: DefinitionPlan['mode']): DefinitionPlan {
  const value = (s.file.value ?? {}) as Partial<Definition>;
  const name = typeof value.name === 'string' ? value.name : s.file.file.replace(/^.*\/|\.json$/g, '');
  const first = s.errors[0] ?? s.file.diagnostics[0]?.message ?? 'does not validate';
  const more = s.errors.length > 1 ? ` (and ${s.errors.length - 1} more)` : '';
  return buildFailedPlan({
    name,
    file: s.file.file,
    environment: settings.environment,
    mode,
    versionTo: typeof value.version === 'string' ? value.version : '?',
    status: 'invalid',
    error: `invalid: ${first}${more}. Fix it (see the annotations) and push again.`,
  });
}

/** One comment per environment, edited on every push. Best effort: a read-only token (forks) only warns. */
async function tryPostComment(settings: CommonSettings, sink: ReportSink, markdown: string): Promise<void> {
  const issueNumber = settings.github.pullNumber;
  const github = connectGitHub(settings.github);
  if (!issueNumber || !github) return;
  try {
    const { created } = await github.upsertStickyComment({ issueNumber, marker: planMarker(settings.environment), body: markdown });
    sink.info(`${created ? 'Posted' : 'Updated'} the plan comment on pull request #${issueNumber}.`);
  } catch (error) {
    sink.warn(`Could not post the plan comment on #${issueNumber}: ${describeError(error)}`);
  }
}
