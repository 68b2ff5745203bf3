// cleanup-previews: delete the preview apps `eval --preview` made for pull requests that are no
// longer open. Run from a `pull_request: closed` workflow and on a schedule (examples/previews.yml),
// so a preview never outlives its pull request by more than one scheduled run.
import type { RunOutcome } from '../outcomes.js';
import { escapeCell } from '../report/markdown.js';
import type { ReportSink } from '../report/sink.js';
import type { CleanupPreviewsOptions, CommonSettings } from '../settings.js';
import { connectDify, connectGitHub } from '../stages/connect.js';
import { type CleanupResult, cleanupPreviews } from '../stages/preview.js';
import { UserError } from '../support/errors.js';

export async function runCleanupPreviews(
  settings: CommonSettings,
  _options: CleanupPreviewsOptions,
  deps: { sink: ReportSink },
): Promise<RunOutcome> {
  const { sink } = deps;
  const github = connectGitHub(settings.github);
  const repository = settings.github.repository;
  if (!github || !repository) {
    throw new UserError(
      'usage',
      'cleanup-previews asks GitHub which pull requests are open: it needs github-token and GITHUB_REPOSITORY.',
      {
        hint:
          settings.surface === 'action'
            ? 'Pass github-token: ${{ github.token }}.'
            : 'Export GITHUB_TOKEN and GITHUB_REPOSITORY=owner/name.',
      },
    );
  }
  // Read before anything is deleted: a failed read deletes nothing.
  const open = new Set(await github.openPullRequests());
  const dify = (await connectDify(settings, sink)).console;
  let results: CleanupResult[];
  try {
    results = await sink.group('Delete previews of closed pull requests', () =>
      cleanupPreviews(dify, repository, open, (l) => sink.info(l)),
    );
  } finally {
    await dify.close?.();
  }
  const lines = [`## dify-gitops: preview apps of ${escapeCell(repository)}`, ''];
  if (results.length === 0) lines.push('No preview apps found.');
  else {
    lines.push('| Preview app | Pull request | Result |', '| --- | --- | --- |');
    for (const r of results)
      lines.push(`| ${escapeCell(r.name)} | #${r.pullNumber} | ${r.result}${r.error ? `: ${escapeCell(r.error)}` : ''} |`);
  }
  await sink.summary(`${lines.join('\n')}\n`);
  const failed = results.filter((r) => r.result === 'failed');
  sink.info(
    `Deleted ${results.filter((r) => r.result === 'deleted').length}, kept ${results.filter((r) => r.result === 'kept').length} (open pull requests), failed ${failed.length}.`,
  );
  return {
    exitCode: failed.length ? 1 : 0,
    json: {
      ok: failed.length === 0,
      previews: results.map((r) => ({ name: r.name, app_id: r.id, pull_request: r.pullNumber, result: r.result, error: r.error ?? null })),
    },
    failure: failed.length ? `dify-gitops cleanup-previews: ${failed.length} preview app(s) could not be deleted.` : undefined,
  };
}
