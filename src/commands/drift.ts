// drift (scheduled): for every definition, compare the live published version and the live draft
// with the last tagged release; report it, optionally open one issue per drifted workflow, and
// fail (exit 3) when anything drifted unless told not to. Writes nothing to Dify.
import type { CommonSettings, DriftOptions } from '../settings.js';
import type { Git } from '../git/git.js';
import type { GitHub } from '../git/github.js';
import type { ReportSink } from '../report/sink.js';
import type { DifyConsole } from '../dify/types.js';
import type { DifyDsl } from '../definition/types.js';
import { connectDify, connectGitHub } from '../stages/connect.js';
import { ensureTags, findReleaseNamedBy, readLatestRelease } from '../release/latest.js';
import { exportDraft } from '../dify/drafts.js';
import { loadNamedDefinitions, type NamedDefinition } from '../selection.js';
import { resolveAppId } from '../stages/target.js';
import { hashParts, partsFromDsl, partsFromPublished } from '../definition/workflow-parts.js';
import { acceptRollback, buildDriftError, buildDriftResult, type DriftResult } from '../plan/drift.js';
import { workflowChanged } from '../plan/app-state.js';
import {
  driftIssueTitle,
  driftMarker,
  renderDriftIssue,
  renderDriftSummary,
  reportDriftOutputs,
  toDriftedJson,
} from '../report/plan-drift.js';
import { mapLimit } from '../support/concurrency.js';
import { compareText } from '../plan/diff.js';
import { describeError } from '../support/errors.js';
import { verifiedHash } from '../release/marks.js';

/** Exit code when drift was found: distinct from 1 (the check itself failed). */
export const DRIFT_EXIT_CODE = 3;

export async function runDrift(
  settings: CommonSettings,
  options: DriftOptions,
  deps: { git: Git; sink: ReportSink },
): Promise<{ exitCode: number; json: unknown }> {
  const { git, sink } = deps;
  const named = [...options.names, ...(options.workflow && options.workflow !== 'all' ? [options.workflow] : [])];
  const { definitions, unreadable } = await loadNamedDefinitions(settings, named.length ? named : 'all');
  const dify = (await sink.group('Connect', () => connectDify(settings, sink))).console;
  await ensureTags(git, (line) => sink.warn(line));
  const checked = await sink.group(`Compare live apps in ${settings.environment} with their releases`, () =>
    mapLimit(definitions, options.concurrency, (d) => checkDefinition(git, dify, settings, d)),
  );
  // A definition that cannot be read cannot be checked: it is an error, never a silent pass.
  const broken = unreadable.map((u) => buildDriftError({ name: u.name, file: u.file, environment: settings.environment, error: u.error }));
  const results = [...checked, ...broken].sort((a, b) => compareText(a.file, b.file));
  const where = settings.surface === 'action' ? 'in the job summary' : settings.json ? 'in the JSON output ("summary")' : 'below';
  for (const r of results) {
    if (r.status === 'drifted')
      sink.warn(`${r.name}: drifted (against ${r.tag}): the live app in ${r.environment} was changed outside git; the diff is ${where}.`);
    else if (r.status === 'error') sink.warn(`${r.name}: not checked: ${r.error}`);
    else if (r.published?.matchesRelease && !r.published.drifted)
      sink.info(`${r.name}: ${r.status} (live is ${r.published.matchesRelease}, rolled back from ${r.tag})`);
    else sink.info(`${r.name}: ${r.status}${r.tag ? ` (against ${r.tag})` : ''}`);
  }

  reportDriftOutputs(sink, results);
  const markdown = renderDriftSummary(settings.environment, results);
  await sink.summary(markdown);
  if (settings.surface === 'cli' && !settings.json) sink.info(`\n${markdown.trimEnd()}`);
  const github = options.driftIssues ? connectGitHub(settings.github) : undefined;
  if (options.driftIssues && !github) sink.warn('drift-issues is on, but no GitHub token and repository are configured: no issues opened.');
  if (github) await tryUpsertIssues(github, sink, results);

  const drifted = results.some((r) => r.status === 'drifted');
  const failed = results.some((r) => r.status === 'error');
  const exitCode = failed ? 1 : drifted && options.failOnDrift ? DRIFT_EXIT_CODE : 0;
  const json = {
    ok: !failed,
    environment: settings.environment,
    drifted: toDriftedJson(results),
    results: results.map(({ name, file, status, tag, error }) => ({ name, file, status, tag, error: error ?? null })),
    // The same Markdown as the job summary, diffs included: --json has no other place to show them.
    summary: markdown,
  };
  return { exitCode, json };
}

async function checkDefinition(
  git: Git,
  dify: DifyConsole,
  settings: CommonSettings,
  { file, definition }: NamedDefinition,
): Promise<DriftResult> {
  const environment = settings.environment;
  try {
    const appId = resolveAppId(definition, environment);
    const [release, published, draftYaml, app] = await Promise.all([
      readLatestRelease(git, definition.name, file.file, environment),
      dify.getPublished(appId),
      exportDraft(dify, appId),
      dify.getApp(appId),
    ]);
    // The published version's own export: its plugin dependencies, which the Workflow object lacks.
    const publishedYaml = published ? await dify.exportDsl(appId, { workflowId: published.id }) : null;
    const result = buildDriftResult({
      name: definition.name,
      file: file.file,
      environment,
      appId,
      release,
      published,
      draftYaml,
      app,
      publishedYaml,
    });
    // Only a workflow that differs can be an older release put back; the app block and the
    // dependencies are the app's own, compared with the latest release whatever version is live.
    if (result.published?.diff && workflowChanged(result.published.diff) && published?.marked_name) {
      const liveHash = hashParts(partsFromPublished(published));
      const named = { name: definition.name, file: file.file };
      const matched = await findMatchingRelease(git, named, environment, published.marked_name, liveHash);
      result.published.matchesRelease = matched;
      // A release dify-gitops put back itself (its verified marks say so, and the content is that
      // release's) is a rollback, not an edit outside git; the draft then holds the same content.
      if (matched && verifiedHash(published.marked_comment)) return acceptRollback(result, matched);
    }
    return result;
  } catch (error) {
    return buildDriftError({ name: definition.name, file: file.file, environment, error: describeError(error) });
  }
}

/** A published version named after an older release with that release's content was rolled back, not edited. */
async function findMatchingRelease(
  git: Git,
  definition: { name: string; file: string },
  environment: string,
  versionName: string,
  liveHash: string,
): Promise<string | undefined> {
  const sameContent = (dsl: DifyDsl) => hashParts(partsFromDsl(dsl)) === liveHash;
  const snapshot = await findReleaseNamedBy(git, definition, environment, versionName, sameContent).catch(() => null);
  return snapshot?.tag;
}

/** One open issue per drifted workflow and environment, updated in place. Best effort: failures only warn. */
async function tryUpsertIssues(github: GitHub, sink: ReportSink, results: DriftResult[]): Promise<void> {
  for (const r of results.filter((x) => x.status === 'drifted')) {
    try {
      const issue = await github.upsertIssue({
        title: driftIssueTitle(r),
        marker: driftMarker(r.name, r.environment),
        body: renderDriftIssue(r),
      });
      sink.info(`${issue.created ? 'Opened' : 'Updated'} drift issue #${issue.number} for ${r.name}: ${issue.url}`);
    } catch (error) {
      sink.warn(`Could not open or update the drift issue for ${r.name}: ${describeError(error)}`);
    }
  }
}
